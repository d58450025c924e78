"""Tasks for needs assessments: the daily reminder to the owners of assessments past their review
date (see tasks/__init__.py)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.urls import reverse

__all__ = ["needs_assessment_review_due_notify", "needs_assessment_review_reminders_send"]


@shared_task
def needs_assessment_review_reminders_send() -> int:
    """Run daily by the beat schedule. Each overdue assessment's owners are reminded once per
    review date, so running it twice (or retrying it) sends nothing more."""
    from ..services.assessments import (
        needs_assessment_reminders_due,
        needs_assessment_review_remind,
    )

    return sum(
        needs_assessment_review_remind(assessment_id=pk) for pk in needs_assessment_reminders_due()
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def needs_assessment_review_due_notify(assessment_id: int, review_date: str) -> int:
    """Email the author and the owning body's admins that the assessment is past its review
    date. Nothing is sent if it has been reviewed since (its review date has moved on)."""
    from accounts.emails import send_templated_email
    from accounts.models import Membership, MembershipRole

    from ..models import NeedsAssessment

    assessment = (
        NeedsAssessment.objects.select_related("body", "created_by")
        .filter(pk=assessment_id, next_review_on=date.fromisoformat(review_date))
        .first()
    )
    if assessment is None:
        return 0
    admins = Membership.objects.filter(
        organisation=assessment.body, role=MembershipRole.ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    author = [assessment.created_by.email] if assessment.created_by.is_active else []
    return send_templated_email(
        name="needs_assessment_review_due",
        to=[*author, *admins],
        context={
            "assessment": assessment,
            "body": assessment.body,
            "assessment_url": reverse("commissioning:assessment", args=[assessment.pk]),
        },
    )
