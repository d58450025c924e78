"""Tasks for the evidence part of commissioning: importing indicator data; see tasks/__init__.py."""

from __future__ import annotations

from celery import shared_task

__all__ = ["indicator_import_run"]


@shared_task
def indicator_import_run(import_id: int) -> str:
    """Run a CSV import of indicator values. A finished import is left alone, so running it twice
    is safe; progress is written to the import after each batch of rows."""
    from ..services.indicator_imports import indicator_import_run as run

    return run(import_id=import_id).status
