"""Shared set-up for the agreement tests (part A): an awarded opportunity, and agreements made
through the services, as commissioners make them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commissioning.models import (
    AwardDecision,
    BidStatus,
    BudgetLine,
    BudgetLineKind,
    MultiYearFunding,
    OpportunityKind,
    OpportunityStatus,
    PaymentTiming,
    ProcurementRoute,
    ReportingFrequency,
)
from commissioning.services import agreements as services
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory
from tests.factories.providers import AreaFactory, ServiceCategoryFactory


def awarded(
    body,
    provider_org,
    *,
    price: Decimal | None = Decimal("60000"),
    lines=(("staff", "40000"), ("non_staff", "8000"), ("overhead", "9000")),
    consortium=None,
    term_months: int = 36,
    contract_start_on: date = date(2027, 4, 1),
    kind: str = OpportunityKind.CONTRACT,
) -> AwardDecision:
    """An awarded opportunity of the body with one lot, won by the provider's bid."""
    opportunity = OpportunityFactory(
        body=body,
        kind=kind,
        status=OpportunityStatus.AWARDED,
        term_months=term_months,
        short_term_reason="" if term_months >= 36 else "One-year pilot funding.",
        contract_start_on=contract_start_on,
    )
    opportunity.categories.set([ServiceCategoryFactory()])
    opportunity.areas.set([AreaFactory()])
    bid = BidFactory(
        opportunity=opportunity,
        organisation=provider_org,
        consortium=consortium,
        status=BidStatus.SUCCESSFUL,
        price=price,
    )
    bid.lots.set(opportunity.lots.all())
    for position, (kind_, amount) in enumerate(lines):
        BudgetLine.objects.create(
            bid=bid,
            kind=kind_,
            description=f"{BudgetLineKind(kind_).label} line",
            amount=Decimal(amount),
            basis="Staff time" if kind_ == BudgetLineKind.OVERHEAD else "",
            position=position,
        )
    return AwardDecision.objects.create(
        opportunity=opportunity,
        lot=opportunity.lots.get(),
        bid=bid,
        reason="Highest score.",
        decided_by=bid.created_by,
    )


def terms(**overrides) -> dict:
    """The terms of a three-year grant from 1 April 2026, as the form cleans them."""
    data = {
        "kind": "grant",
        "title": "Befriending for older people",
        "description": "Weekly befriending and a drop-in.",
        "procurement_route": ProcurementRoute.DIRECT_AWARD,
        "start_on": date(2026, 4, 1),
        "end_on": date(2029, 3, 31),
        "renewal_options": "3+2",
        "multi_year_funding": MultiYearFunding.PASSED_ON,
        "multi_year_reason": "",
        "payment_timing": PaymentTiming.ADVANCE,
        "full_cost_recovery": True,
        "full_cost_recovery_note": "",
        "clawback_conditions": "Unspent money is returned.",
        "reporting_frequency": ReportingFrequency.QUARTERLY,
    }
    data.update(overrides)
    return data


def m2m() -> dict:
    return {"categories": [ServiceCategoryFactory()], "areas": [AreaFactory()], "outcomes": []}


YEARS = {2026: Decimal("50000"), 2027: Decimal("50000"), 2028: Decimal("50000")}


def make_agreement(actor, body, provider, *, years=None, **kwargs):
    """A three-year grant of £150,000 entered directly by the commissioner."""
    data = terms(**kwargs.pop("data", {}))
    return services.agreement_create(
        actor=actor,
        body=body,
        provider=provider,
        data=data,
        m2m=kwargs.pop("m2m", None) or m2m(),
        years=dict(years or YEARS),
        **kwargs,
    )
