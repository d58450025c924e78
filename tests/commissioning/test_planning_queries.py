"""The forward plan, the planners' list and an intention's page issue a fixed number of queries,
whatever the number of intentions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import CommissioningIntention, IntentionStatus
from providers.models import ClientGroup, ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import AreaFactory, CommissioningBodyFactory, WardFactory
from tests.factories.commissioning_planning import (
    IntentionFactory,
    PlanningOutcomeFactory,
    body_member,
    published_intention,
)

pytestmark = pytest.mark.django_db

# Pinned counts. Signed-in requests add the session, the user and the person's memberships (for
# the navigation).
PINNED = {
    # four choice lists (category, area, client group, body); the chosen category and area and
    # what lies below each; a count and the page's rows with their body and outcome; their
    # categories, areas and client groups
    "forward_plan_filtered": 13,
    "forward_plan_filtered_signed_in": 16,
    # unfiltered: the four choice lists, a count, the rows and their three lists
    "forward_plan_page_two": 9,
    "forward_plan_page_two_signed_in": 12,
    # the planners' list, signed in: the session, the user and their memberships; three checks
    # of body membership (may plan, may see every draft, may write one); three choice lists
    # (body, category, area); a count, the rows and their three lists
    "intention_list": 14,
    # the intention as the public sees it: found through the access helper, then read with its
    # body, outcome and three lists
    "intention": 5,
}


@pytest.fixture
def world(commissioning_body, commissioner):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    return {
        "body": commissioning_body,
        "commissioner": commissioner,
        "borough": borough,
        "wards": [WardFactory(name=f"Ward {i}", parent=borough) for i in range(3)],
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "youth": ServiceCategory.objects.get(code="youth-clubs"),
        "groups": list(ClientGroup.objects.all()[:2]),
        "outcome": PlanningOutcomeFactory(),
        "bodies": [commissioning_body, CommissioningBodyFactory(name="Police and Crime")],
    }


def grow(n: int, world: dict) -> None:
    """Add n published intentions with everything a row shows, and a draft."""
    bodies = world["bodies"]
    actors = {body.pk: body_member(body) for body in bodies}
    for i in range(n):
        body = bodies[i % 2]
        intention = IntentionFactory(
            body=body,
            created_by=actors[body.pk],
            outcome=world["outcome"],
            title=f"Advice and youth work {i}",
            summary="Advice sessions and youth clubs every week.",
            categories=[world["debt"], world["youth"]],
            areas=world["wards"][: 1 + i % 3],
            client_groups=world["groups"],
            start_on=date(2027, 4, 1) + timedelta(days=i),
            end_on=None,
        )
        from commissioning.services.intentions import intention_publish

        intention_publish(actor=actors[body.pk], intention=intention)
    IntentionFactory(body=bodies[0], outcome=world["outcome"], categories=[world["debt"]])


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def pages(world: dict, intention: CommissioningIntention) -> dict[str, tuple[str, dict]]:
    plan = reverse("commissioning:forward_plan")
    return {
        "forward_plan_filtered": (
            plan,
            {"q": "advice", "category": world["debt"].parent_id, "area": world["borough"].pk},
        ),
        "forward_plan_page_two": (plan, {"page": 2}),
        "intention_list": (reverse("commissioning:intention_list"), {"page": 2}),
        "intention": (reverse("commissioning:intention", args=[intention.pk]), {}),
    }


@pytest.mark.parametrize(
    ("page", "user_fixture"),
    [
        ("forward_plan_filtered", None),
        ("forward_plan_filtered", "provider"),
        ("forward_plan_page_two", None),
        ("forward_plan_page_two", "commissioner"),
        ("intention_list", "commissioner"),
        ("intention", None),
    ],
)
def test_query_count_does_not_grow(request, client, world, page, user_fixture):
    signed_in = user_fixture is not None and page.startswith("forward_plan")
    pinned = PINNED[f"{page}_signed_in" if signed_in else page]
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    grow(30, world)
    intention = CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED).first()
    url, params = pages(world, intention)[page]
    small = count_queries(client, url, params)
    grow(30, world)
    large = count_queries(client, url, params)
    assert (small, large) == (pinned, pinned)


def test_an_intention_with_many_areas_costs_the_same(client, world):
    intention = published_intention(
        body=world["body"],
        created_by=world["commissioner"],
        categories=[world["debt"]],
        areas=world["wards"],
    )
    assert (
        count_queries(client, reverse("commissioning:intention", args=[intention.pk]), {})
        == PINNED["intention"]
    )
