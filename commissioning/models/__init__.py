"""Commissioning's records, one module per stage of the cycle: the shared evidence base (outcomes,
indicators, needs assessments), planning (business cases, the forward plan, joint work) and
sourcing (opportunities, sealed bids, evaluation and award), and agreements with their
monitoring."""

from .agreements import *  # noqa: F403
from .evidence import *  # noqa: F403
from .planning import *  # noqa: F403
from .sourcing import *  # noqa: F403
