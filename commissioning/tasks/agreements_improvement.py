"""Tasks for improvement plans: the emails to the provider's admins when a plan is opened and
when it is escalated (see tasks/__init__.py). They take ids and can safely run twice: each email
is sent once, as the audit trail records."""

from __future__ import annotations

from celery import shared_task

__all__ = ["improvement_plan_escalated_notify", "improvement_plan_opened_notify"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def improvement_plan_opened_notify(plan_id: int) -> int:
    """Tell the provider's admins that an improvement plan was opened, once."""
    from ..services.improvement import improvement_plan_emails_send

    return improvement_plan_emails_send(plan_id=plan_id, kind="opened")


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def improvement_plan_escalated_notify(plan_id: int) -> int:
    """Tell the provider's admins that an improvement plan was escalated, and why, once."""
    from ..services.improvement import improvement_plan_emails_send

    return improvement_plan_emails_send(plan_id=plan_id, kind="escalated")
