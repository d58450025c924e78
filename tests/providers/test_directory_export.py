"""The directory's CSV export: every matching row, public columns for the public and contacts for
network members, and the same filters as the page."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Organisation
from providers.models import ServiceCategory, ServiceStatus
from providers.reference_data import reference_data_ensure
from tests.factories import OrganisationFactory, ProviderProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("providers:directory_csv")


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def listed(db):
    reference_data_ensure()
    debt = ServiceCategory.objects.get(code="debt-advice")
    youth = ServiceCategory.objects.get(code="youth-clubs")
    a = ProviderProfileFactory(
        organisation=OrganisationFactory(name="Debt Line", charity_number="1170002"),
        description="Debt help.",
        contact_email="debt@example.org",
    ).organisation
    ServiceFactory(organisation=a, name="Debt drop-in", categories=[debt])
    ServiceFactory(
        organisation=a, name="Old debt line", categories=[debt], status=ServiceStatus.INACTIVE
    )
    b = ProviderProfileFactory(
        organisation=OrganisationFactory(name="Youth Hub"), contact_email="youth@example.org"
    ).organisation
    ServiceFactory(organisation=b, name="Friday club", categories=[youth])
    return {"debt": debt, "youth": youth}


def test_the_public_export_has_public_columns_only(client, listed):
    rows = read_csv(client.get(EXPORT))
    assert [row["Name"] for row in rows] == ["Debt Line", "Youth Hub"]
    debt = rows[0]
    assert debt["Org-ID"] == "GB-CHC-1170002"
    assert debt["Description"] == "Debt help."
    assert debt["Services"] == "Debt drop-in"  # the inactive service is not public
    assert debt["Service categories"] == "Debt advice"
    page = reverse("providers:organisation", args=[Organisation.objects.get(name="Debt Line").pk])
    assert debt["Directory page"] == settings.PORTAL_BASE_URL + page
    assert "Contact email" not in debt
    assert "Passport" not in debt


def test_members_get_contacts_and_passport_status(client, listed, commissioner):
    client.force_login(commissioner)
    rows = read_csv(client.get(EXPORT))
    assert rows[0]["Contact email"] == "debt@example.org"
    assert rows[0]["Passport"] == "No passport"


def test_the_export_respects_search_and_filters(client, listed):
    assert [r["Name"] for r in read_csv(client.get(EXPORT, {"q": "friday"}))] == ["Youth Hub"]
    filtered = read_csv(client.get(EXPORT, {"category": listed["debt"].parent_id}))
    assert [r["Name"] for r in filtered] == ["Debt Line"]


def test_the_export_holds_every_match_not_one_page(client):
    for i in range(60):
        OrganisationFactory(name=f"Org {i:02d}")
    rows = read_csv(client.get(EXPORT, {"page": 2}))
    assert len(rows) == 60


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(client):
    ProviderProfileFactory(organisation=OrganisationFactory(name="=HYPERLINK(1)"))
    rows = read_csv(client.get(EXPORT))
    assert rows[0]["Name"] == "'=HYPERLINK(1)"
