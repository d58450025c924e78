"""Reads shared across commissioning's pages; each part keeps its own reads in a module here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .. import access
from ..models import (
    BusinessCase,
    BusinessCaseStatus,
    CommissioningIntention,
    IntentionStatus,
    NeedsAssessment,
    OverlapPair,
)


@dataclass(frozen=True)
class PlanningSummary:
    """What is waiting for a planner: for a commissioner, their bodies' records."""

    overdue_assessments: int
    draft_business_cases: int
    draft_intentions: int
    published_intentions: int
    open_overlaps: int


def planning_summary(user) -> PlanningSummary:
    """For a planner (see access.can_plan), who may read every planning record: a network admin's
    counts are the network's, a commissioner's their own bodies'. Five queries."""
    mine = Q()
    overlaps = Q(current=True, dismissed_at__isnull=True, exercise__isnull=True)
    if not access.is_network_admin(user):
        bodies = access.bodies_of(user).values("pk")
        mine = Q(body__in=bodies)
        overlaps &= Q(first_body__in=bodies) | Q(second_body__in=bodies)
    intentions = CommissioningIntention.objects.filter(mine).aggregate(
        draft=Count("pk", filter=Q(status=IntentionStatus.DRAFT)),
        published=Count("pk", filter=Q(status=IntentionStatus.PUBLISHED)),
    )
    return PlanningSummary(
        overdue_assessments=NeedsAssessment.objects.filter(
            mine, next_review_on__lt=timezone.localdate()
        ).count(),
        draft_business_cases=BusinessCase.objects.filter(
            mine, status=BusinessCaseStatus.DRAFT
        ).count(),
        draft_intentions=intentions["draft"],
        published_intentions=intentions["published"],
        open_overlaps=OverlapPair.objects.filter(overlaps).count(),
    )
