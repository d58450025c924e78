"""The provision map: areas by categories, counts of active services and organisations, visible
gaps, links into the directory, a CSV, and only for network members."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import VerificationStatus
from providers.models import Area, ProvisionCount, ServiceCategory, ServiceStatus
from providers.reference_data import reference_data_ensure
from providers.services.profiles import service_create, service_update
from providers.services.provision import provision_counts_refresh
from providers.tasks import provision_counts_refresh as provision_counts_task
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


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
    provision_counts_refresh()


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


def test_the_map_shows_the_stored_counts_until_they_are_recounted(client, commissioner, provision):
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
    provision_counts_task.delay()  # as the beat schedule runs it
    assert cells(client.get(MAP, params))[("Brookside", "Debt advice")] == (1, 1)


def test_before_the_first_recount_the_map_counts_as_it_is_shown(client, commissioner, borough):
    ServiceFactory(categories=[category("debt-advice")], areas=[ward("Brookside")])
    assert not ProvisionCount.objects.exists()
    client.force_login(commissioner)
    found = cells(client.get(MAP, {"category": category("advice").pk}))
    assert found[("Brookside", "Debt advice")] == (1, 1)


def test_a_recount_stores_every_enclosing_cell_and_drops_cells_left_empty(provision, borough):
    stored = {
        (row.area.name, row.category.name): (row.services, row.organisations)
        for row in ProvisionCount.objects.select_related("area", "category")
    }
    # Each service counts in its ward and its borough, and in its category and the one above it.
    assert stored[("Abbey Fields", "Debt advice")] == (2, 1)
    assert stored[("Lindenford", "Advice and information")] == (3, 2)
    assert ("Castle Hill", "Debt advice") not in stored
    ProvisionCount.objects.update(services=99)
    Service = ServiceFactory._meta.model
    Service.objects.filter(categories=category("youth-clubs")).update(
        status=ServiceStatus.TEMPORARILY_CLOSED
    )
    assert provision_counts_refresh() == len(stored) - 6  # 3 areas x 2 categories
    assert not ProvisionCount.objects.filter(area=ward("Brookside")).exists()
    assert not ProvisionCount.objects.filter(services=99).exists()


def test_changing_a_service_recounts_the_map_once_the_change_is_committed(
    provider, provider_org, borough, django_capture_on_commit_callbacks
):
    provision_counts_refresh()
    with django_capture_on_commit_callbacks(execute=True):
        service = service_create(
            actor=provider,
            organisation=provider_org,
            data={"name": "Money Matters", "description": "Debt casework."},
            m2m={"categories": [category("debt-advice")], "areas": [ward("Castle Hill")]},
        )
    cell = ProvisionCount.objects.get(area=ward("Castle Hill"), category=category("debt-advice"))
    assert (cell.services, cell.organisations) == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        service_update(
            actor=provider, service=service, data={"status": ServiceStatus.INACTIVE}, m2m={}
        )
    assert not ProvisionCount.objects.filter(area=ward("Castle Hill")).exists()


def test_the_beat_schedule_recounts_the_map_every_few_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE["provision-map-recount"]
    assert schedule["task"] == provision_counts_task.name
    assert schedule["schedule"].total_seconds() <= 15 * 60


def test_verifying_an_organisation_recounts_the_map_once_committed(
    network_admin, borough, django_capture_on_commit_callbacks
):
    from accounts.services import organisation_verify

    pending = OrganisationFactory(verification_status=VerificationStatus.PENDING, verified_at=None)
    ServiceFactory(
        organisation=pending, categories=[category("debt-advice")], areas=[ward("Brookside")]
    )
    provision_counts_refresh()
    assert not ProvisionCount.objects.filter(area=ward("Brookside")).exists()
    with django_capture_on_commit_callbacks(execute=True):
        organisation_verify(organisation=pending, actor=network_admin)
    cell = ProvisionCount.objects.get(area=ward("Brookside"), category=category("debt-advice"))
    assert (cell.services, cell.organisations) == (1, 1)
