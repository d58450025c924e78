"""Factories and helpers for business cases. The outcomes framework rows here are minimal and
named BC... so they never clash with the evidence part's factories. Cases are written through the
service, so they pass the same rules as a commissioner's."""

from __future__ import annotations

from decimal import Decimal

import factory

from commissioning.models import (
    BusinessCase,
    CommissioningRoute,
    ContractThreshold,
    Outcome,
    StrategyPriority,
)
from commissioning.services.business_cases import business_case_create


class BCStrategyPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyPriority
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"BC priority {n}")


class BCOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(BCStrategyPriorityFactory)
    name = factory.Sequence(lambda n: f"BC outcome {n}")


def sub_central() -> ContractThreshold:
    """The threshold for other public bodies (councils, NHS trusts): £214,904 by default."""
    return ContractThreshold.objects.get(code="sub-central")


def option_data(**overrides) -> dict:
    data = {
        "title": "Commission it from the third sector",
        "description": "A three-year contract with a local provider.",
        "in_house": False,
        "direct_costs": Decimal("200000"),
        "overhead_costs": Decimal("40000"),
        "benefits": "Local knowledge and trust.",
        "risks": "A small market.",
        "preferred": True,
    }
    data.update(overrides)
    return data


def case_data(**overrides) -> dict:
    """The common template's fields for a £240,000-a-year, three-year contract: £720,000 in all,
    above the £214,904 threshold for other public bodies, so the Social Value Act applies."""
    data = {
        "title": "Debt advice for Lindenford",
        "need": "Rising problem debt among working-age adults.",
        "evidence": "Referrals to debt advice doubled in two years.",
        "estimated_annual_value": Decimal("240000"),
        "term_months": 36,
        "route": CommissioningRoute.CONTRACT,
        "nationally_driven": False,
        "local_assessment": "",
        "threshold": None,
        "social_value_considered": "Local employment and volunteering; carbon-light outreach.",
    }
    data.update(overrides)
    if data["threshold"] is None and data["route"] != CommissioningRoute.GRANT:
        data["threshold"] = sub_central()
    return data


def make_business_case(
    *,
    actor,
    body,
    outcomes=None,
    options: list[dict] | None = None,
    **overrides,
) -> BusinessCase:
    """A complete draft case, ready to approve."""
    return business_case_create(
        actor=actor,
        body=body,
        data=case_data(**overrides),
        outcomes=outcomes if outcomes is not None else [BCOutcomeFactory()],
        options=options if options is not None else [option_data()],
    )
