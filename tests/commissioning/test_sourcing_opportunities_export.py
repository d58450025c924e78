"""The opportunities list downloads as CSV, filtered as the page is, and never with drafts."""

import csv
import io

import pytest
from django.urls import reverse

from commissioning.models import OpportunityStatus
from tests.factories.commissioning_sourcing import OpportunityFactory

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_follows_the_filters_and_leaves_out_drafts(client):
    OpportunityFactory(title="Befriending grants", reference="LC-2027-0001")
    OpportunityFactory(title="Debt advice hub", reference="LC-2027-0002")
    OpportunityFactory(
        title="Secret draft", reference="LC-2027-0003", status=OpportunityStatus.DRAFT
    )
    everything = rows_of(client.get(reverse("commissioning:opportunity_list_csv")))
    assert sorted(row["Reference"] for row in everything) == ["LC-2027-0001", "LC-2027-0002"]
    assert everything[0]["State"] == "Open for bids"
    hub = next(row for row in everything if row["Reference"] == "LC-2027-0002")
    assert hub["Address"].startswith("http") and "/opportunities/" in hub["Address"]
    found = rows_of(client.get(reverse("commissioning:opportunity_list_csv"), {"q": "debt"}))
    assert [row["Title"] for row in found] == ["Debt advice hub"]
    page = client.get(reverse("commissioning:opportunity_list"), {"q": "debt"}).content.decode()
    assert f"{reverse('commissioning:opportunity_list_csv')}?q=debt" in page
