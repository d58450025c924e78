"""Commissioning's background work, one module per part. Celery finds every task through this
package; tasks take ids, look rows up afresh and can safely run twice."""

from .agreements import *  # noqa: F403
from .agreements_improvement import *  # noqa: F403
from .agreements_monitoring import *  # noqa: F403
from .assessments import *  # noqa: F403
from .business_cases import *  # noqa: F403
from .evidence import *  # noqa: F403
from .planning import *  # noqa: F403
from .sourcing_bids import *  # noqa: F403
from .sourcing_clarifications import *  # noqa: F403
from .sourcing_evaluation import *  # noqa: F403
from .sourcing_opportunities import *  # noqa: F403
from .together import *  # noqa: F403
