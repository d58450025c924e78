"""The register (filtered or not), its CSV, a provider's 360 view, a provider's own list and the
panel on the directory page issue a fixed number of queries, whatever the number of agreements,
co-funders, members, returns and plans."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import PerformanceRating, ProcurementRoute, ReturnStatus
from tests.factories import AreaFactory, CommissioningBodyFactory, OrganisationFactory, WardFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
)
from tests.factories.providers import ServiceCategoryFactory

pytestmark = pytest.mark.django_db

# Signed-in requests start with the session and the user; pages add the person's memberships (for
# the nav). A commissioner's planner check is a query each time; a network admin's is none.
PINNED = {
    # the planner check of the decorator and of access.agreements_visible_to; three choice lists
    # (bodies, categories, areas); the totals (by lead body and type, the co-funders'
    # contributions, and the bodies' names), which also count the rows for the pages; whether
    # the person may record an agreement; the page's rows and their co-funders
    "register": 14,
    # as above, plus the chosen body, category and area, what lies below the two last, and the
    # organisations whose names match the provider search
    "register_filtered": 20,
    # a network admin: the chosen body, category and area and the two subtrees; the organisations
    # matching the provider search; the rows, then for each thousand their co-funders, members,
    # categories and areas
    "csv": 13,
    # the organisation; whether the person belongs to it, and for a commissioner the planner
    # check; the ids of its agreements; the live summary; a count, the page's rows and their
    # co-funders; the open plans; the returns of the page's agreements; the totals (by lead body
    # and type, co-funders, names)
    "provider_commissioner": 16,
    "provider_member": 15,
    # the person's third sector organisations; a count, the page's rows and their co-funders
    "ours": 7,
}


@pytest.fixture
def world(provider_org, commissioning_body):
    borough = AreaFactory(name="Lindenford")
    ward = WardFactory(name="Riverside", parent=borough)
    advice = ServiceCategoryFactory(name="Advice")
    debt = ServiceCategoryFactory(name="Debt advice", parent=advice)
    return {
        "provider_org": provider_org,
        "body": commissioning_body,
        "borough": borough,
        "ward": ward,
        "advice": advice,
        "debt": debt,
    }


def grow(n: int, world: dict) -> None:
    """n more agreements of the provider, each co-funded, with a consortium member, a category,
    an area, rated and due returns and an open plan; and n agreements of other providers."""
    today = timezone.localdate()
    for i in range(n):
        for provider in (world["provider_org"], OrganisationFactory()):
            agreement = AgreementFactory(
                body=world["body"] if i % 2 else CommissioningBodyFactory(),
                provider=provider,
                total_value=Decimal(60000 + i),
                procurement_route=ProcurementRoute.ROLLING,
            )
            agreement.categories.add(world["debt"])
            agreement.areas.add(world["ward"])
            AgreementFunderFactory(agreement=agreement, body=CommissioningBodyFactory())
            AgreementMemberFactory(agreement=agreement)
            rated = MonitoringReturnFactory(
                agreement=agreement,
                period_start=today - timedelta(days=60),
                period_end=today - timedelta(days=1),
                status=ReturnStatus.ACCEPTED,
                rating=PerformanceRating.GOOD,
            )
            MonitoringReturnFactory(
                agreement=agreement,
                period_start=today - timedelta(days=150),
                period_end=today - timedelta(days=61),
            )
            ImprovementPlanFactory(agreement=agreement, opened_by_return=rated)


def count(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def pages(world: dict) -> dict[str, tuple[str, dict]]:
    register = reverse("commissioning:agreements")
    filtered = {
        "provider": "community",
        "body": world["body"].pk,
        "kind": "grant",
        "category": world["advice"].pk,
        "area": world["borough"].pk,
        "value": "50k_250k",
        "status": "live",
        "ends_from": "2020-01-01",
        "ends_to": "2040-01-01",
        "ending_soon": "",
        "never_open": "on",
        "sort": "value",
    }
    provider = reverse("commissioning:provider_agreements", args=[world["provider_org"].pk])
    return {
        "register": (register, {}),
        "register_filtered": (register, filtered),
        "csv": (reverse("commissioning:agreements_csv"), filtered),
        "provider_commissioner": (provider, {}),
        "provider_member": (provider, {}),
        "ours": (reverse("commissioning:agreements_ours"), {}),
    }


@pytest.mark.parametrize(
    ("page", "user_fixture"),
    [
        ("register", "commissioner"),
        ("register_filtered", "commissioner"),
        ("csv", "network_admin"),
        ("provider_commissioner", "commissioner"),
        ("provider_member", "provider"),
        ("ours", "provider"),
    ],
)
def test_query_count_does_not_grow(request, client, world, page, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    url, params = pages(world)[page]
    grow(3, world)
    small = count(client, url, params)
    grow(30, world)
    large = count(client, url, params)
    assert (small, large) == (PINNED[page], PINNED[page])


def test_the_pages_show_the_rows_they_counted(client, commissioner, world):
    grow(3, world)
    client.force_login(commissioner)
    url, params = pages(world)["register_filtered"]
    response = client.get(url, params)
    # Every agreement matches the other filters (its members are "Community Project"s); the body
    # leads one in two of the provider's and of the others'.
    rows = list(response.context["page"].object_list)
    assert len(rows) == 2
    assert {agreement.body_id for agreement in rows} == {world["body"].pk}
    provider = pages(world)["provider_commissioner"][0]
    view = client.get(provider).context["view"]
    assert view.totals.count == 3
    assert view.open_plans == 3
    assert sum(len(cell) for row in view.joint_rows for cell in row.cells) == 6


def test_the_directory_page_panel_adds_two_queries_for_planners(client, commissioner, world):
    """Registered (as commissioning/apps.py does), the panel costs planners their planner check
    and one query for the agreements, and the public nothing."""
    from commissioning.selectors.agreements_register import provider_profile_panel
    from providers import selectors as provider_selectors

    url = reverse("providers:organisation", args=[world["provider_org"].pk])
    grow(3, world)
    registered = ("commissioning/agreements/provider_panel.html", provider_profile_panel)
    already = registered in provider_selectors.PROFILE_PANELS
    if already:
        provider_selectors.PROFILE_PANELS.remove(registered)
    try:
        public_without = count(client, url)
        client.force_login(commissioner)
        without = count(client, url)
        provider_selectors.register_profile_panel(*registered)
        with_panel = count(client, url)
        grow(10, world)
        assert count(client, url) == with_panel
        client.logout()
        assert count(client, url) == public_without
    finally:
        if registered in provider_selectors.PROFILE_PANELS:
            provider_selectors.PROFILE_PANELS.remove(registered)
        if already:
            provider_selectors.register_profile_panel(*registered)
    assert with_panel == without + 2
