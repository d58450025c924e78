"""The directory, an organisation's page and the provision map issue a fixed number of queries,
whatever the data size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import (
    ClientGroup,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    Language,
    Passport,
    QualityMark,
    ServiceCategory,
)
from providers.reference_data import reference_data_ensure
from providers.services.provision import provision_counts_refresh
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    ProviderProfileFactory,
    ServiceFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


# Pinned counts. Signed-in requests add the session, the user, the person's memberships (for the
# navigation) and the network membership check.
PINNED = {
    # five filter choice lists; the two chosen values and what lies below each; one query for the
    # page's ids with the total; the page's organisations, their areas, services and categories
    "search_and_two_filters": 14,
    "search_and_two_filters_member": 18,
    # unfiltered: five choice lists, a count, the page's ids, then the organisations as above
    "page_two": 11,
    "page_two_member": 15,
    # the organisation, its profile's three lists, quality marks, services with their categories
    # and areas, and consortia; members add the passport, and the panels registered by other
    # apps their own (commissioning's agreements panel: whether they plan, and the agreements)
    "organisation": 9,
    "organisation_member": 16,
    # the default borough (and whether it has wards), two choice lists, the rows, the columns,
    # and their stored counts
    "provision_map": 12,
}


@pytest.fixture
def world(provider_org, network_admin):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    return {
        "provider_org": provider_org,
        "admin": network_admin,
        "borough": borough,
        "wards": [WardFactory(name=f"Ward {i}", parent=borough) for i in range(3)],
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "youth": ServiceCategory.objects.get(code="youth-clubs"),
        "group": ClientGroup.objects.first(),
        "language": Language.objects.first(),
        "mark": QualityMark.objects.first(),
    }


def grow(n: int, world: dict) -> None:
    """Add n organisations with everything the pages show, and n more of the provider's services
    and consortia."""
    today = timezone.localdate()
    for i in range(n):
        ward = world["wards"][i % 3]
        organisation = OrganisationFactory()
        ProviderProfileFactory(
            organisation=organisation,
            description="Advice and support for local people.",
            areas_served=[ward, world["wards"][(i + 1) % 3]],
            client_groups=[world["group"]],
            languages=[world["language"]],
            quality_marks={world["mark"]: today + timedelta(days=90)},
        )
        for category in (world["debt"], world["youth"]):
            ServiceFactory(
                organisation=organisation,
                description="Advice sessions every week.",
                categories=[category],
                areas=[ward],
                client_groups=[world["group"]],
                languages=[world["language"]],
            )
        Passport.objects.create(
            organisation=organisation,
            accepted_at=timezone.now(),
            expires_on=today + timedelta(days=400),
        )
        ServiceFactory(
            organisation=world["provider_org"], categories=[world["debt"]], areas=world["wards"]
        )
        consortium = Consortium.objects.create(
            name=f"Consortium {n}-{i}",
            lead=organisation,
            status=ConsortiumStatus.ACTIVE,
            created_by=world["admin"],
        )
        ConsortiumMember.objects.create(
            consortium=consortium,
            organisation=world["provider_org"],
            role="Delivery",
            indicative_share=20,
        )


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def pages(world: dict) -> dict[str, tuple[str, dict]]:
    return {
        "search_and_two_filters": (
            reverse("providers:directory"),
            {"q": "advice", "category": world["debt"].parent_id, "area": world["borough"].pk},
        ),
        "page_two": (reverse("providers:directory"), {"page": 2}),
        "organisation": (reverse("providers:organisation", args=[world["provider_org"].pk]), {}),
        "provision_map": (reverse("providers:provision_map"), {}),
    }


@pytest.mark.parametrize(
    ("page", "user_fixture"),
    [
        ("search_and_two_filters", None),
        ("search_and_two_filters", "commissioner"),
        ("page_two", None),
        ("page_two", "provider"),
        ("organisation", None),
        ("organisation", "commissioner"),
        ("provision_map", "commissioner"),
    ],
)
def test_query_count_does_not_grow(request, client, world, page, user_fixture):
    pinned = PINNED[page if user_fixture is None or page == "provision_map" else f"{page}_member"]
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    url, params = pages(world)[page]
    grow(30, world)
    provision_counts_refresh()  # as the background recount would
    small = count_queries(client, url, params)
    grow(30, world)
    provision_counts_refresh()
    large = count_queries(client, url, params)
    assert (small, large) == (pinned, pinned)
