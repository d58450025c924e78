"""Tasks for opportunities; see tasks/__init__.py. They take ids and can safely run twice."""

from __future__ import annotations

from celery import shared_task

__all__ = ["opportunity_published_notify"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def opportunity_published_notify(opportunity_id: int) -> int:
    """Email the providers subscribed to a newly published opportunity's categories or areas.
    Each is told once, however often this runs."""
    from ..services.sourcing_opportunities import opportunity_notices_send

    return opportunity_notices_send(opportunity_id=opportunity_id)
