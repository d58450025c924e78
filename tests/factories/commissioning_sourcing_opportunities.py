"""Helpers for opportunity tests: a draft written through the service, and one made ready to
publish (a lot and criteria), so that tests go through the same rules as commissioners."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from commissioning.models import BidStage, OpportunityKind, Procedure
from commissioning.services import sourcing_opportunities as services
from providers.models import ServiceCategory
from tests.factories import AreaFactory

LONDON = ZoneInfo("Europe/London")


def london(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def timetable(*, two_stage: bool = False, start=None) -> dict:
    """A timetable in order, starting tomorrow unless told."""
    start = start or timezone.now() + timedelta(days=1)
    day = timezone.localtime(start).date()
    return {
        "publish_at": start,
        "clarifications_close_at": start + timedelta(days=10),
        "eoi_deadline": start + timedelta(days=14) if two_stage else None,
        "shortlist_on": day + timedelta(days=18) if two_stage else None,
        "bid_deadline": start + timedelta(days=28),
        "evaluation_on": day + timedelta(days=35),
        "award_on": day + timedelta(days=42),
        "standstill_ends_on": None,
        "contract_start_on": day + timedelta(days=90),
    }


def opportunity_data(*, two_stage: bool = False, **overrides) -> dict:
    data = {
        "kind": OpportunityKind.CONTRACT,
        "procedure": Procedure.TWO_STAGE if two_stage else Procedure.OPEN,
        "title": "Debt advice in Central ward",
        "summary": "Free, independent debt advice for people in Central ward.",
        "outcomes_sought": "Fewer people in problem debt.",
        "intention": None,
        "term_months": 36,
        "short_term_reason": "",
        "consortium_bids": True,
        "contact_name": "Sam Okafor",
        "contact_email": "sam@example.org",
        **timetable(two_stage=two_stage),
    }
    data.update(overrides)
    return data


def default_m2m(**overrides) -> dict:
    category = ServiceCategory.objects.order_by("pk").first()
    if category is None:
        category = ServiceCategory.objects.create(name="Debt advice", code="debt-advice-test")
    m2m = {
        "partners": [],
        "outcomes": [],
        "needs_assessments": [],
        "categories": [category],
        "areas": [AreaFactory(name="Opportunity area")],
    }
    m2m.update(overrides)
    return m2m


def draft_opportunity(actor, body, *, two_stage=False, m2m=None, **overrides):
    return services.opportunity_create(
        actor=actor,
        body=body,
        data=opportunity_data(two_stage=two_stage, **overrides),
        m2m=m2m or default_m2m(),
    )


def criterion_row(stage=BidStage.FULL, weight="100", **overrides) -> dict:
    row = {
        "stage": stage,
        "kind": "quality",
        "title": f"Quality ({stage})",
        "question": "How will you reach people?",
        "weight": Decimal(weight),
        "scale_max": 5,
        "scale_guidance": {"0": "No answer", "5": "Excellent"},
        "word_limit": 500,
    }
    row.update(overrides)
    return row


def ready_opportunity(actor, body, *, two_stage=False, **overrides):
    """A draft with a lot and criteria for each stage: ready to publish."""
    opportunity = draft_opportunity(actor, body, two_stage=two_stage, **overrides)
    services.opportunity_lots_save(
        actor=actor,
        opportunity=opportunity,
        lots=[
            {"number": 1, "title": "Whole ward", "description": "", "annual_budget": Decimal(90000)}
        ],
    )
    rows = [criterion_row()]
    if two_stage:
        rows.append(criterion_row(BidStage.EOI))
    services.opportunity_criteria_save(actor=actor, opportunity=opportunity, criteria=rows)
    opportunity.refresh_from_db()
    return opportunity
