"""Tasks for evaluation; see tasks/__init__.py. They take ids and can safely run twice."""

from __future__ import annotations

from celery import shared_task

__all__ = ["feedback_letter_email", "panel_invited_notify", "shortlisted_notify"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def panel_invited_notify(member_id: int) -> int:
    """Tell a new panel member what they have been asked to score."""
    from ..services.sourcing_evaluation import panel_invited_send

    return panel_invited_send(member_id=member_id)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def shortlisted_notify(bid_id: int) -> int:
    """Tell a shortlisted organisation that it may now write a full bid."""
    from ..services.sourcing_evaluation import shortlisted_send

    return shortlisted_send(bid_id=bid_id)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def feedback_letter_email(letter_id: int) -> int:
    """Email a bidder their feedback letter, once however often this runs."""
    from ..services.sourcing_evaluation import feedback_letter_send

    return feedback_letter_send(letter_id=letter_id)
