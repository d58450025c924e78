"""Tasks for the chances to commission together; see tasks/__init__.py."""

from __future__ import annotations

from celery import shared_task

__all__ = ["overlap_pairs_refresh"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def overlap_pairs_refresh() -> int:
    """Find the overlaps between different bodies' plans and store them (on the beat schedule
    every 30 minutes, and soon after an intention or assessment changes). Safe to run twice: a
    recount keeps every dismissal and exercise link."""
    from ..services.overlaps import overlap_pairs_refresh as refresh

    return refresh()
