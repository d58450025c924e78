"""Reads shared across commissioning's pages; each part keeps its own reads in a module here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .. import access
from ..models import BusinessCaseStatus, IntentionStatus, OverlapPair


@dataclass(frozen=True)
class PlanningSummary:
    """What is waiting for a planner: for a commissioner, their bodies' records."""

    overdue_assessments: int
    draft_business_cases: int
    draft_intentions: int
    published_intentions: int
    open_overlaps: int


def planning_summary(user) -> PlanningSummary:
    bodies = access.bodies_of(user)
    mine = {"body__in": bodies} if not access.is_network_admin(user) else {}
    today = timezone.localdate()
    intentions = access.intentions_visible_to(user).filter(**mine)
    overlaps = OverlapPair.objects.filter(
        current=True, dismissed_at__isnull=True, exercise__isnull=True
    )
    if mine:
        overlaps = overlaps.filter(first_body__in=bodies) | overlaps.filter(second_body__in=bodies)
    return PlanningSummary(
        overdue_assessments=access.assessments_visible_to(user)
        .filter(next_review_on__lt=today, **mine)
        .count(),
        draft_business_cases=access.business_cases_visible_to(user)
        .filter(status=BusinessCaseStatus.DRAFT, **mine)
        .count(),
        draft_intentions=intentions.filter(status=IntentionStatus.DRAFT).count(),
        published_intentions=intentions.filter(status=IntentionStatus.PUBLISHED).count(),
        open_overlaps=overlaps.count(),
    )
