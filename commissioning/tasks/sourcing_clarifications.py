"""Tasks for clarifications and changes; see tasks/__init__.py. They take ids and can safely run
twice: each answer and each change is emailed once, as the audit trail records."""

from __future__ import annotations

from celery import shared_task

__all__ = ["clarification_answered_notify", "opportunity_changed_notify"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def clarification_answered_notify(clarification_id: int) -> int:
    """Email an answered question to every interested or bidding organisation, once."""
    from ..services.sourcing_clarifications import clarification_answer_emails_send

    return clarification_answer_emails_send(clarification_id=clarification_id)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def opportunity_changed_notify(change_id: int) -> int:
    """Email an extension or amendment to every interested or bidding organisation, once."""
    from ..services.sourcing_clarifications import opportunity_change_emails_send

    return opportunity_change_emails_send(change_id=change_id)
