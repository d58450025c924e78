"""The business case list and a case's page issue a fixed number of queries, whatever the data
size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import MembershipRole
from commissioning.services import business_cases as services
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.commissioning_business_cases import (
    BCOutcomeFactory,
    make_business_case,
    option_data,
)

pytestmark = pytest.mark.django_db

# Signed-in requests add the session, the user and the person's memberships (for the navigation).
PINNED = {
    # whether they are a commissioner: for planner_required, for what they may see, and for the
    # "write a business case" button; the two choice lists (bodies, outcomes); the count, the
    # page and the page's outcomes
    "list": 11,
    # the same, with the chosen body and outcome looked up by the filter form
    "list_filtered": 13,
    # planner_required and what they may see; the case with its body; then the case with its
    # people and threshold, its outcomes, options, needs assessments and indicators, and its
    # history; whether the person is the body's admin, how many admins it has, and whether they
    # act for it
    "case": 15,
}


@pytest.fixture
def world(commissioner, commissioning_body):
    outcomes = [BCOutcomeFactory() for _ in range(3)]
    return {"commissioner": commissioner, "body": commissioning_body, "outcomes": outcomes}


def grow(n: int, world: dict) -> None:
    """n more cases, of new bodies and the commissioner's, with outcomes, options and approvals."""
    for i in range(n):
        author = UserFactory()
        body = CommissioningBodyFactory() if i % 2 else world["body"]
        MembershipFactory(user=author, organisation=body, role=MembershipRole.MEMBER)
        case = make_business_case(
            actor=author,
            body=body,
            title=f"Case {i}",
            outcomes=world["outcomes"][: 1 + i % 3],
            options=[
                option_data(title="In-house", in_house=True, preferred=False),
                option_data(),
            ],
        )
        if body == world["body"] and i % 4 == 0:
            services.business_case_approve(actor=world["commissioner"], case=case)


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["list", "list_filtered", "case"])
def test_query_count_does_not_grow(client, world, page):
    client.force_login(world["commissioner"])
    grow(10, world)
    case = make_business_case(
        actor=world["commissioner"], body=world["body"], outcomes=world["outcomes"]
    )
    urls = {
        "list": (reverse("commissioning:business_case_list"), {}),
        "list_filtered": (
            reverse("commissioning:business_case_list"),
            {
                "body": world["body"].pk,
                "outcome": world["outcomes"][0].pk,
                "status": "draft",
                "route": "contract",
            },
        ),
        "case": (reverse("commissioning:business_case", args=[case.pk]), {}),
    }
    url, params = urls[page]
    small = count_queries(client, url, params)
    grow(40, world)
    large = count_queries(client, url, params)
    assert (small, large) == (PINNED[page], PINNED[page])
