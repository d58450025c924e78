"""Commissioning's records, one module per stage of the cycle: the shared evidence base (outcomes,
indicators, needs assessments) and planning (business cases, the forward plan, joint work)."""

from .evidence import *  # noqa: F403
from .planning import *  # noqa: F403
