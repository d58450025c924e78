"""The commission-together page, the joint exercise pages and the gap analysis issue a fixed
number of queries, whatever the data size."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import JointExercise, JointModel, OverlapPair
from commissioning.services.joint import joint_contribution_set
from commissioning.services.overlaps import overlap_pairs_refresh
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from providers.services.provision import provision_counts_refresh
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    ServiceFactory,
    WardFactory,
)
from tests.factories.commissioning_together import (
    TogetherAssessmentFactory,
    TogetherIndicatorFactory,
    TogetherIntentionFactory,
    TogetherOutcomeFactory,
    together_comparator,
    together_value,
)

pytestmark = pytest.mark.django_db

# Every page, signed in as a commissioner, reads the session, the user and their memberships (for
# the navigation); the planners' pages check once more that the person is a planner.
PINNED = {
    # planner twice (the page, and the pairs they may see); the count; the person's bodies (for
    # the actions); the page of pairs with both bodies, who dismissed and the exercise; the
    # intentions with their categories and areas (three); the assessments with their themes,
    # areas and indicators' outcomes (four); when the pairs were found; the filter's body choices
    "together": 17,
    # planner and the exercise with its lead; the partners; the person's bodies; the
    # contributions; the pairs, with their intentions (three) and assessments (four); the
    # outcome, categories and areas; the history
    "joint_exercise": 20,
    # planner twice; the count; the filter's body choices; the page; the partners with bodies
    "joint_exercise_list": 9,
    # the default borough and whether it has wards; the chosen category and area; the category
    # tree; the indicator ids and the shown ones with their latest periods and comparators; the
    # count and page of areas; the latest values; network membership and the covering
    # assessments; the stored provision and when it was counted; the three choice lists; and the
    # live agreements covering the areas (the commissioned column)
    "gap_analysis": 24,
}


@pytest.fixture
def world(commissioner, commissioning_body):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    debt = ServiceCategory.objects.get(code="debt-advice")
    outcome = TogetherOutcomeFactory(categories=[debt])
    indicators = [TogetherIndicatorFactory(outcome=outcome) for _ in range(3)]
    for indicator in indicators:
        together_comparator(indicator, value=20)
    return {
        "commissioner": commissioner,
        "body": commissioning_body,
        "others": [CommissioningBodyFactory() for _ in range(3)],
        "borough": borough,
        "debt": debt,
        "outcome": outcome,
        "indicators": indicators,
        "wards": [],
        "counter": itertools.count(),
    }


def grow(n: int, world: dict) -> None:
    """n wards, each with a pair of intentions of different bodies, a needs assessment of a
    third, indicator values, a service, and what the exercise page reads."""
    for _ in range(n):
        i = next(world["counter"])
        ward = WardFactory(name=f"Ward {i:04d}", parent=world["borough"])
        world["wards"].append(ward)
        common = {"outcome": world["outcome"], "categories": [world["debt"]], "areas": [ward]}
        TogetherIntentionFactory(body=world["body"], **common)
        TogetherIntentionFactory(body=world["others"][i % 3], **common)
        TogetherAssessmentFactory(
            body=world["others"][(i + 1) % 3], themes=[world["debt"]], areas=[ward]
        )
        for indicator in world["indicators"]:
            together_value(indicator, ward, value=20 + i % 7)
            together_value(indicator, ward, period="2023/24", start=date(2023, 4, 1), value=20)
        ServiceFactory(categories=[world["debt"]], areas=[ward])
    overlap_pairs_refresh()
    provision_counts_refresh()
    exercise = world.get("exercise")
    if exercise is None:
        exercise = world["exercise"] = JointExercise.objects.create(
            title="Joint debt advice",
            purpose="Together.",
            lead=world["body"],
            model=JointModel.ALIGNED,
            created_by=world["commissioner"],
        )
        exercise.partners.create(body=world["others"][0])
        exercise.outcome = world["outcome"]
        exercise.save()
    # the exercise comes from pairs of both kinds, more of them as the data grows
    unlinked = OverlapPair.objects.filter(exercise__isnull=True).order_by("pk")
    OverlapPair.objects.filter(
        pk__in=[
            *unlinked.filter(first_kind="assessment").values_list("pk", flat=True)[: n // 3],
            *unlinked.filter(first_kind="intention").values_list("pk", flat=True)[: n // 3],
        ]
    ).update(exercise=exercise)
    exercise.areas.add(*world["wards"][-n:])
    for year in range(2027, 2027 + n // 5 + 1):
        for body in (world["body"], world["others"][0]):
            joint_contribution_set(
                actor=world["commissioner"],
                exercise=exercise,
                body=body,
                financial_year=year,
                amount=Decimal(1000),
            )
    JointExercise.objects.bulk_create(
        [
            JointExercise(
                title=f"Exercise {i}",
                purpose="More.",
                lead=world["others"][i % 3],
                model=JointModel.PARTNERSHIP,
                created_by=world["commissioner"],
            )
            for i in range(n)
        ]
    )


def pages(world: dict) -> dict[str, tuple[str, dict]]:
    return {
        # pairs with an assessment on one side, so both kinds of record are resolved
        "together": (reverse("commissioning:together"), {"kind": "assessment"}),
        "joint_exercise": (
            reverse("commissioning:joint_exercise", args=[world["exercise"].pk]),
            {},
        ),
        "joint_exercise_list": (reverse("commissioning:joint_exercise_list"), {}),
        "gap_analysis": (reverse("commissioning:gap_analysis"), {"category": world["debt"].pk}),
    }


def count_queries(client, url: str, params: dict) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("page", list(PINNED))
def test_query_count_does_not_grow(client, world, page):
    client.force_login(world["commissioner"])
    grow(6, world)
    url, params = pages(world)[page]
    small, small_html = count_queries(client, url, params)
    grow(60, world)
    large, large_html = count_queries(client, url, params)
    assert (small, large) == (PINNED[page], PINNED[page])
    if page == "together":
        # both sizes show the records behind the pairs, a full page at the larger
        assert "Together intention" in small_html and "Together needs assessment" in large_html
    if page == "gap_analysis":
        assert "Ward 0000" in small_html and "Ward 0049" in large_html
