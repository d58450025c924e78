"""Tasks for the forward plan; see tasks/__init__.py. They take ids and can safely run twice."""

from __future__ import annotations

from celery import shared_task

__all__ = ["intention_published_notify"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def intention_published_notify(intention_id: int) -> int:
    """Email the providers who subscribed to a newly published intention's categories or areas.
    Each is told once, however often this runs; nothing is sent once it is withdrawn."""
    from ..services.intentions import intention_notices_send

    return intention_notices_send(intention_id=intention_id)
