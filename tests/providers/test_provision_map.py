"""The provision map: areas by categories, counts of active services and organisations, visible
gaps, links into the directory, a CSV, and only for network members."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import VerificationStatus
from providers.models import Area, ServiceCategory, ServiceStatus
from providers.reference_data import reference_data_ensure
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    """The map keeps its counts for a few minutes; each test counts afresh."""
    cache.clear()


MAP = reverse("providers:provision_map")
MAP_CSV = reverse("providers:provision_map_csv")


@pytest.fixture
def borough():
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    for name in ("Abbey Fields", "Brookside", "Castle Hill"):
        WardFactory(name=name, parent=borough)
    return borough


def ward(name: str) -> Area:
    return Area.objects.get(name=name)


def category(code: str) -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


@pytest.fixture
def provision(borough):
    """Two organisations with debt services in Abbey Fields; one also runs a youth club there and
    in Brookside. Inactive, unverified and wrong-place services do not count."""
    debt, benefits = category("debt-advice"), category("welfare-benefits")
    first, second = OrganisationFactory(name="First"), OrganisationFactory(name="Second")
    ServiceFactory(organisation=first, categories=[debt, benefits], areas=[ward("Abbey Fields")])
    ServiceFactory(organisation=first, categories=[debt], areas=[ward("Abbey Fields")])
    ServiceFactory(organisation=second, categories=[benefits], areas=[ward("Abbey Fields")])
    ServiceFactory(
        organisation=second,
        categories=[category("youth-clubs")],
        areas=[ward("Abbey Fields"), ward("Brookside")],
    )
    ServiceFactory(
        organisation=second,
        categories=[debt],
        areas=[ward("Castle Hill")],
        status=ServiceStatus.INACTIVE,
    )
    ServiceFactory(
        organisation=OrganisationFactory(
            verification_status=VerificationStatus.PENDING, verified_at=None
        ),
        categories=[debt],
        areas=[ward("Castle Hill")],
    )


def cells(response) -> dict[tuple[str, str], tuple[int, int]]:
    assert response.status_code == 200
    grid = response.context["map"].grid
    return {
        (area.name, cell.category.name): (cell.services, cell.organisations)
        for area, row in grid
        for cell in row
    }


def test_one_borough_shows_its_wards_against_the_top_level_categories(
    client, commissioner, provision
):
    client.force_login(commissioner)
    response = client.get(MAP)
    found = cells(response)
    assert [a.name for a in response.context["map"].areas] == [
        "Abbey Fields",
        "Brookside",
        "Castle Hill",
    ]
    assert [c.name for c in response.context["map"].categories][:2] == [
        "Advice and information",
        "Care and support",
    ]
    # A service in two advice categories counts once; two organisations run the three services.
    assert found[("Abbey Fields", "Advice and information")] == (3, 2)
    assert found[("Abbey Fields", "Children and young people")] == (1, 1)
    assert found[("Brookside", "Children and young people")] == (1, 1)
    assert found[("Brookside", "Advice and information")] == (0, 0)
    # Inactive and unverified services leave Castle Hill a gap.
    assert found[("Castle Hill", "Advice and information")] == (0, 0)


def test_a_parent_category_makes_its_children_the_columns(client, commissioner, provision):
    client.force_login(commissioner)
    found = cells(client.get(MAP, {"category": category("advice").pk}))
    assert found[("Abbey Fields", "Debt advice")] == (2, 1)
    assert found[("Abbey Fields", "Welfare benefits advice")] == (2, 2)
    assert found[("Abbey Fields", "Housing advice")] == (0, 0)


def test_a_parent_area_makes_its_children_the_rows(client, network_admin, provision, borough):
    other = AreaFactory(name="Otherton")
    WardFactory(name="Otherton Central", parent=other)
    client.force_login(network_admin)
    top = client.get(MAP)
    assert [a.name for a in top.context["map"].areas] == ["Lindenford", "Otherton"]
    assert cells(top)[("Lindenford", "Advice and information")] == (3, 2)
    wards = client.get(MAP, {"area": borough.pk})
    assert [a.name for a in wards.context["map"].areas] == [
        "Abbey Fields",
        "Brookside",
        "Castle Hill",
    ]


def test_gaps_are_written_as_text_and_every_cell_links_to_the_directory(
    client, commissioner, provision
):
    client.force_login(commissioner)
    response = client.get(MAP, {"category": category("advice").pk})
    page = response.content.decode()
    assert "<strong>Gap</strong>" in page
    assert "no active Housing advice services in Abbey Fields" in page
    link = (
        f"{reverse('providers:directory')}?category={category('debt-advice').pk}"
        f"&amp;area={ward('Abbey Fields').pk}"
    )
    assert f'href="{link}"' in page
    assert "2 services" in page
    # The directory behind a cell lists the organisations counted in it.
    directory = client.get(
        reverse("providers:directory"),
        {"category": category("debt-advice").pk, "area": ward("Abbey Fields").pk},
    )
    assert [r.name for r in directory.context["rows"]] == ["First"]


def test_the_csv_has_a_row_per_area_and_two_columns_per_category(client, commissioner, provision):
    client.force_login(commissioner)
    response = client.get(MAP_CSV, {"category": category("advice").pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [row["Area"] for row in rows] == ["Abbey Fields", "Brookside", "Castle Hill"]
    assert rows[0]["Debt advice: active services"] == "2"
    assert rows[0]["Debt advice: organisations"] == "1"
    assert rows[2]["Debt advice: active services"] == "0"


@pytest.mark.parametrize("url", [MAP, MAP_CSV])
def test_only_network_members_see_the_map(client, url, pending_provider, provider, borough):
    assert client.get(url).status_code == 302
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(pending_provider)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(provider)
    assert client.get(url).status_code == 200


def test_an_unknown_choice_is_reported(client, commissioner, borough):
    client.force_login(commissioner)
    response = client.get(MAP, {"category": 999999})
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert "There is a problem" in response.content.decode()


def test_the_map_answers_405_to_a_post(client, commissioner, borough):
    client.force_login(commissioner)
    assert client.post(MAP).status_code == 405
    assert client.post(MAP_CSV).status_code == 405


def test_counts_are_kept_for_a_few_minutes_and_say_when_they_were_made(
    client, commissioner, provision
):
    client.force_login(commissioner)
    params = {"category": category("advice").pk}
    first = client.get(MAP, params)
    assert "Counted at" in first.content.decode()
    ServiceFactory(
        organisation=OrganisationFactory(),
        categories=[category("debt-advice")],
        areas=[ward("Brookside")],
    )
    assert cells(client.get(MAP, params))[("Brookside", "Debt advice")] == (0, 0)
    cache.clear()  # as when the few minutes are up
    assert cells(client.get(MAP, params))[("Brookside", "Debt advice")] == (1, 1)
