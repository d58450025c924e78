"""What every workflow shares: the transitions check, and queuing work once a transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction

logger = logging.getLogger(__name__)


class TransitionNotAllowed(Exception):
    """A status change that the workflow's transitions table does not allow."""

    def __init__(self, from_status: str, to_status: str, label: str = "status") -> None:
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(f"The {label} cannot change from “{from_status}” to “{to_status}”.")


def check_transition(
    table: Mapping[str, frozenset[str]], from_status: str, to_status: str, *, label: str = "status"
) -> None:
    if to_status not in table.get(from_status, frozenset()):
        raise TransitionNotAllowed(from_status, to_status, label)


def delay_on_commit(task, *args) -> None:
    """Queue a Celery task once the current transaction commits.

    A notification never makes a page fail: if the broker is down, or an eager task
    raises, the error is logged and the user's change stands.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("Could not queue %s%r", getattr(task, "name", task), args)

    transaction.on_commit(send)
