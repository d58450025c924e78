"""The plan's page and the agreement page's visits and plans sections keep a fixed number of
queries, whatever the number of visits, plans, actions and history."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import ImprovementPlanStatus, VisitKind
from commissioning.selectors.improvement import plans_section, visits_section
from commissioning.services import improvement as services
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    ImprovementActionFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(commissioning_body, provider_org):
    return AgreementFactory(body=commissioning_body, provider=provider_org)


def _count(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def _add_plan_rows(plan, commissioner, n: int, moves: list[str]) -> None:
    for _ in range(n):
        ImprovementActionFactory(plan=plan)
    for status in moves:
        services.improvement_plan_move(actor=commissioner, plan=plan, to_status=status)


@pytest.mark.parametrize("role", ["commissioner", "provider"])
def test_the_plan_page_has_a_fixed_query_count(client, agreement, role_users, role):
    commissioner = role_users["commissioner"]
    plan = ImprovementPlanFactory(
        agreement=agreement, opened_by_return=MonitoringReturnFactory(agreement=agreement)
    )
    client.force_login(role_users[role])
    url = reverse("commissioning:improvement_plan", args=[plan.pk])

    def get():
        assert client.get(url).status_code == 200

    on_track, back_to_open = ImprovementPlanStatus.ON_TRACK, ImprovementPlanStatus.OPEN
    _add_plan_rows(plan, commissioner, 1, [on_track])
    few = _count(get)
    _add_plan_rows(plan, commissioner, 12, [back_to_open, on_track, back_to_open])
    many = _count(get)
    assert few == many
    assert many <= 10


def test_the_edit_page_has_a_fixed_query_count(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement)
    client.force_login(commissioner)
    url = reverse("commissioning:improvement_plan_edit", args=[plan.pk])

    def get():
        assert client.get(url).status_code == 200

    ImprovementActionFactory(plan=plan)
    few = _count(get)
    for _ in range(10):
        ImprovementActionFactory(plan=plan)
    assert _count(get) == few


def _render(agreement, user, template: str, section) -> None:
    render_to_string(
        f"commissioning/agreements/{template}",
        {
            "agreement": agreement,
            "user": user,
            "can_manage": True,
            "is_provider": False,
            "section": section(agreement, user),
        },
    )


def _add_visits(agreement, commissioner, n: int) -> None:
    today = timezone.localdate()
    for number in range(n):
        VisitFactory(
            agreement=agreement,
            kind=VisitKind.PHYSICAL if number % 2 else VisitKind.DESK,
            planned_on=today - timedelta(days=number + 5),
            completed_on=(today - timedelta(days=number)) if number % 3 else None,
            findings="Seen." if number % 3 else "",
            recorded_by=commissioner,
        )


def test_the_visits_section_has_a_fixed_query_count(agreement, commissioner):
    _add_visits(agreement, commissioner, 3)
    few = _count(lambda: _render(agreement, commissioner, "_visits_section.html", visits_section))
    _add_visits(agreement, commissioner, 30)
    many = _count(lambda: _render(agreement, commissioner, "_visits_section.html", visits_section))
    assert few == many == 2


_PERIODS = itertools.count()


def _add_plans(agreement, n: int) -> None:
    today = timezone.localdate()
    statuses = list(ImprovementPlanStatus)
    for number in range(n):
        plan = ImprovementPlanFactory(
            agreement=agreement,
            status=statuses[number % len(statuses)],
            review_on=today + timedelta(days=number - 3),
            opened_by_return=MonitoringReturnFactory(
                agreement=agreement,
                period_start=today - timedelta(days=400 + 100 * next(_PERIODS)),
            )
            if number % 2
            else None,
        )
        ImprovementActionFactory(plan=plan)


def test_the_plans_section_has_a_fixed_query_count(agreement, commissioner):
    _add_plans(agreement, 3)
    few = _count(lambda: _render(agreement, commissioner, "_plans_section.html", plans_section))
    _add_plans(agreement, 25)
    many = _count(lambda: _render(agreement, commissioner, "_plans_section.html", plans_section))
    assert few == many == 2
