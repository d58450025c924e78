"""Tasks for agreements: the daily status refresh (ending as the end date nears, ended once it
passes) and the email telling the provider its end-of-agreement feedback is written (see
tasks/__init__.py)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["agreement_end_feedback_notify", "agreements_status_refresh"]


@shared_task
def agreements_status_refresh() -> int:
    """Run daily by the beat schedule, as the system. Running it twice moves nothing more."""
    from ..services.agreements import agreements_status_refresh as refresh

    return refresh()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def agreement_end_feedback_notify(agreement_id: int) -> int:
    """Email the lead provider's admins that the commissioner's feedback is on the agreement's
    page. Once, whatever the retries."""
    from ..services.agreements import end_feedback_notify

    return end_feedback_notify(agreement_id=agreement_id)
