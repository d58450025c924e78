"""360Giving open data: every grant, live or finished, validates against the official 360Giving 1.4
package schema, with Org-IDs for recipients and funders, ONS codes for the places it serves and
its programme; contracts and other kinds never appear; the package pages in a fixed number of
queries."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import LegalForm
from commissioning import threesixtygiving
from commissioning.models import (
    AgreementKind,
    AgreementStatus,
    AwardDecision,
    BidStatus,
    OpportunityKind,
    OpportunityStatus,
    ProcurementRoute,
)
from tests.commissioning.agreements_opendata_schemas import valid_grants
from tests.factories import AreaFactory, CommissioningBodyFactory, OrganisationFactory, WardFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    InstalmentFactory,
)
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

valid = valid_grants


def get(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def by_id(package: dict) -> dict[str, dict]:
    return {grant["id"]: grant for grant in package["grants"]}


URL = "commissioning:open_data_360giving"


@pytest.fixture
def world(commissioning_body, commissioner, provider_org):
    """A grant from a grant round, co-funded, in a borough and a ward, part paid; a grant entered
    directly to a company with no areas; an ended grant to an unregistered group; a terminated
    one; and a contract and an SLA that are not grants."""
    borough = AreaFactory(name="Lindenford", ons_code="E09900001")
    ward = WardFactory(name="Brookside", ons_code="E05900002", parent=borough)
    round_ = OpportunityFactory(
        body=commissioning_body,
        kind=OpportunityKind.GRANT,
        reference="LC-ASC-2026-0009",
        title="Community befriending grants",
        status=OpportunityStatus.AWARDED,
        awarded_at=timezone.now() - timedelta(days=40),
    )
    bid = BidFactory(opportunity=round_, organisation=provider_org, status=BidStatus.SUCCESSFUL)
    decision = AwardDecision.objects.create(
        opportunity=round_,
        lot=round_.lots.get(),
        bid=bid,
        reason="Sealed reasoning: strongest plan",
        decided_by=commissioner,
    )
    AwardDecision.objects.filter(pk=decision.pk).update(
        decided_at=datetime(2026, 2, 10, 11, 0, tzinfo=timezone.get_current_timezone())
    )
    befriending = AgreementFactory(
        reference="AG-ASC-2026-0001",
        title="Befriending older people",
        description="Weekly visits and calls to older people who live alone.",
        body=commissioning_body,
        provider=provider_org,
        award=decision,
        opportunity=round_,
        lot=round_.lots.get(),
        start_on=date(2026, 4, 1),
        end_on=date(2029, 3, 31),
        total_value=Decimal("150000"),
        created_by=commissioner,
    )
    befriending.areas.set([borough, ward])
    cofunder = CommissioningBodyFactory(name="Lindenford NHS place team")
    AgreementFunderFactory(agreement=befriending, body=cofunder, contribution=Decimal("30000"))
    InstalmentFactory(
        agreement=befriending, number=1, due_on=date(2026, 4, 1), paid_on=date(2026, 4, 3)
    )
    InstalmentFactory(agreement=befriending, number=2, due_on=date(2026, 7, 1))

    company = OrganisationFactory(
        name="Ready for Work CIC",
        legal_form=LegalForm.CIC,
        charity_number="",
        company_number="09876543",
    )
    direct = AgreementFactory(
        reference="AG-ASC-2025-0004",
        title="Job club",
        description="",
        body=commissioning_body,
        provider=company,
        procurement_route=ProcurementRoute.DIRECT_AWARD,
        start_on=date(2025, 10, 1),
        end_on=date(2026, 9, 15),
        total_value=Decimal("12345.50"),
        created_by=commissioner,
    )
    group = OrganisationFactory(
        name="Northcote Over-60s Club",
        legal_form=LegalForm.UNINCORPORATED,
        charity_number="",
        company_number="",
    )
    ended = AgreementFactory(
        reference="AG-ASC-2023-0002",
        title="Lunch club",
        body=commissioning_body,
        provider=group,
        status=AgreementStatus.ENDED,
        start_on=date(2023, 4, 1),
        end_on=date(2025, 3, 31),
        created_by=commissioner,
    )
    ended.areas.set([ward])
    terminated = AgreementFactory(
        body=commissioning_body,
        status=AgreementStatus.TERMINATED,
        terminated_reason="Private: safeguarding concerns",
        created_by=commissioner,
    )
    contract = AgreementFactory(
        kind=AgreementKind.CONTRACT, title="Secret contract", created_by=commissioner
    )
    sla = AgreementFactory(kind=AgreementKind.SLA, title="Secret SLA", created_by=commissioner)
    return {
        "befriending": befriending,
        "direct": direct,
        "ended": ended,
        "terminated": terminated,
        "contract": contract,
        "sla": sla,
        "cofunder": cofunder,
    }


def test_the_package_validates_and_holds_every_grant(client, world):
    package = valid(get(client, reverse(URL)))
    assert package["version"] == "1.4"
    assert package["publisher"]["name"] == "Commissioners Network Portal"
    grants = by_id(package)
    assert set(grants) == {
        f"360G-cnp-{world[name].reference}"
        for name in ("befriending", "direct", "ended", "terminated")
    }
    text = json.dumps(package)
    assert "Secret contract" not in text and "Secret SLA" not in text
    assert "Sealed reasoning" not in text and "safeguarding" not in text


def test_a_grant_from_a_round_with_areas_funders_and_payments(client, world, provider_org):
    grant = by_id(get(client, reverse(URL)))["360G-cnp-AG-ASC-2026-0001"]
    assert grant["title"] == "Befriending older people"
    assert grant["description"] == "Weekly visits and calls to older people who live alone."
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == 150000
    assert grant["amountDisbursed"] == 12500
    assert grant["awardDate"] == "2026-02-10"
    assert grant["plannedDates"] == [
        {"startDate": "2026-04-01", "endDate": "2029-03-31", "duration": 36}
    ]
    assert grant["recipientOrganization"] == [
        {"id": "GB-CHC-1123456", "name": "Riverside Advice", "charityNumber": "1123456"}
    ]
    lead, cofunder = grant["fundingOrganization"]
    assert lead == {
        "id": f"ocds-cnp000-org-{world['befriending'].body_id}",
        "name": "Adult Social Care",
    }
    assert cofunder["name"] == "Lindenford NHS place team"
    assert grant["beneficiaryLocation"] == [
        {"name": "Lindenford", "countryCode": "GB", "geoCode": "E09900001", "geoCodeType": "LONB"},
        {"name": "Brookside", "countryCode": "GB", "geoCode": "E05900002", "geoCodeType": "WD"},
    ]
    (programme,) = grant["grantProgramme"]
    assert programme["code"] == "LC-ASC-2026-0009"
    assert programme["title"] == "Community befriending grants"
    assert programme["url"].endswith(
        reverse("commissioning:opportunity", args=[world["befriending"].opportunity_id])
    )
    assert grant["fromOpenCall"] == "Yes"
    assert datetime.fromisoformat(grant["dateModified"]).tzinfo is not None


def test_a_direct_grant_to_a_company_with_no_areas(client, world):
    grants = by_id(get(client, reverse(URL)))
    direct = grants["360G-cnp-AG-ASC-2025-0004"]
    assert direct["recipientOrganization"] == [
        {"id": "GB-COH-09876543", "name": "Ready for Work CIC", "companyNumber": "09876543"}
    ]
    # With no description, the title stands in: the standard requires one.
    assert direct["description"] == "Job club"
    assert direct["amountAwarded"] == 12345.5
    assert direct["fromOpenCall"] == "No"
    assert direct["plannedDates"][0]["duration"] == 11.5
    assert direct["awardDate"] == timezone.localdate(world["direct"].created_at).isoformat()
    assert "beneficiaryLocation" not in direct
    assert "grantProgramme" not in direct
    assert "amountDisbursed" not in direct
    ended = grants["360G-cnp-AG-ASC-2023-0002"]
    # An unregistered group has no Org-ID: it gets the portal's own identifier, as in OCDS.
    assert ended["recipientOrganization"] == [
        {"id": f"ocds-cnp000-org-{world['ended'].provider_id}", "name": "Northcote Over-60s Club"}
    ]
    assert ended["plannedDates"][0]["duration"] == 24


def test_the_prefix_comes_from_settings(client, world, settings):
    settings.THREESIXTYGIVING_PREFIX = "lindenford"
    package = valid(get(client, reverse(URL)))
    assert all(grant["id"].startswith("360G-lindenford-AG-") for grant in package["grants"])


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("E05011403", "WD"),
        ("E09000001", "LONB"),
        ("E06000001", "UA"),
        ("E07000004", "NMD"),
        ("E08000001", "MD"),
        ("E01000001", "LSOA"),
        ("W06000001", "UA"),
        ("S12000005", "CA"),
        ("X99000001", None),
    ],
)
def test_geo_code_types_follow_the_codelist(code, kind):
    assert threesixtygiving.geo_code_type(code) == kind


def test_the_package_pages_with_links_in_fixed_queries(client, world, monkeypatch):
    monkeypatch.setattr(threesixtygiving, "PAGE_SIZE", 3)

    def count(page: int) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            package = get(client, reverse(URL) + f"?page={page}")
        return len(queries), package

    small, first = count(1)
    assert len(first["grants"]) == 3
    assert first["links"]["next"].endswith("/open-data/360giving/?page=2")
    assert "prev" not in first["links"]
    valid(first)
    _, second = count(2)
    assert len(second["grants"]) == 1
    assert "next" not in second["links"]
    assert second["links"]["prev"].endswith("/open-data/360giving/?page=1")
    valid(second)
    for _ in range(6):
        grant = AgreementFactory(body=world["cofunder"])
        grant.areas.set([AreaFactory()])
        AgreementFunderFactory(agreement=grant)
        InstalmentFactory(agreement=grant, paid_on=date(2026, 5, 1))
    large, bigger = count(1)
    assert len(bigger["grants"]) == 3
    assert small == large
    valid(bigger)


def test_a_malformed_page_is_a_400(client):
    for page in ("x", "0", "-1"):
        response = client.get(reverse(URL) + f"?page={page}")
        assert response.status_code == 400
        assert "error" in response.json()


def test_only_get_is_allowed(client):
    assert client.post(reverse(URL)).status_code == 405
