"""OCDS 1.1 open data for contracts: an agreement of kind contract adds "contract" and
"implementation" releases to its opportunity's ocid, or to an ocid of its own when entered
directly; payments show as milestones and transactions between parties in the party list; the
package still validates, never shows sealed bid content, and pages in a fixed number of
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

from commissioning import ocds
from commissioning.models import (
    AgreementKind,
    AgreementStatus,
    AwardDecision,
    BidAnswer,
    BidStatus,
    OpportunityStatus,
    ProcurementRoute,
)
from tests.commissioning.agreements_opendata_schemas import valid_releases
from tests.factories import CommissioningBodyFactory, OrganisationFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    InstalmentFactory,
)
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

SEALED = "Merganser sealed method statement"
LIST = "commissioning:ocds_releases"
ONE = "commissioning:ocds_release"
valid = valid_releases


def get(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def releases_of(package: dict, ocid: str) -> list[dict]:
    return [release for release in package["releases"] if release["ocid"] == ocid]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def world(commissioning_body, commissioner, provider_org):
    """An awarded tender made into a contract, part paid (one payment late); a contract entered
    directly, co-funded; a terminated direct contract; and a grant, which OCDS leaves to
    360Giving."""
    awarded = OpportunityFactory(
        body=commissioning_body,
        title="Carers' support and breaks",
        status=OpportunityStatus.AWARDED,
        bid_deadline=timezone.now() - timedelta(days=90),
        clarifications_close_at=timezone.now() - timedelta(days=95),
        publish_at=timezone.now() - timedelta(days=120),
        awarded_at=timezone.now() - timedelta(days=60),
        standstill_ends_on=days_ago(50),
    )
    lot = awarded.lots.get()
    winner = BidFactory(
        opportunity=awarded,
        organisation=provider_org,
        status=BidStatus.SUCCESSFUL,
        price=Decimal("98765"),
    )
    loser = BidFactory(opportunity=awarded, status=BidStatus.UNSUCCESSFUL)
    BidAnswer.objects.create(bid=loser, criterion=awarded.criteria.get(), text=SEALED)
    BidAnswer.objects.create(bid=winner, criterion=awarded.criteria.get(), text=SEALED + " 2")
    decision = AwardDecision.objects.create(
        opportunity=awarded,
        lot=lot,
        bid=winner,
        reason="Highest moderated score",
        decided_by=commissioner,
    )
    from_award = AgreementFactory(
        reference="AG-ASC-2026-0100",
        kind=AgreementKind.CONTRACT,
        title="Carers' support and breaks service",
        description="Information, peer support and short breaks for carers.",
        procurement_route=ProcurementRoute.OPEN_COMPETITION,
        body=commissioning_body,
        provider=provider_org,
        award=decision,
        opportunity=awarded,
        lot=lot,
        start_on=days_ago(45),
        end_on=days_ago(45) + timedelta(days=3 * 365),
        total_value=Decimal("540000"),
        created_by=commissioner,
        created_at=timezone.now() - timedelta(days=50),
    )
    InstalmentFactory(
        agreement=from_award, number=1, due_on=days_ago(45), paid_on=days_ago(44),
        amount=Decimal("45000"),
    )  # fmt: skip
    # Paid ten days late.
    InstalmentFactory(
        agreement=from_award, number=2, due_on=days_ago(15), paid_on=days_ago(5),
        amount=Decimal("45000"),
    )  # fmt: skip
    InstalmentFactory(agreement=from_award, number=3, due_on=days_ago(-75), amount=Decimal("45000"))

    cofunder = CommissioningBodyFactory(name="Lindenford NHS place team")
    supplier = OrganisationFactory(name="Lindenford Community Transport", charity_number="")
    supplier.company_number = "08765432"
    supplier.save()
    direct = AgreementFactory(
        reference="AG-PH-2024-0003",
        kind=AgreementKind.CONTRACT,
        title="Community transport to clinics",
        procurement_route=ProcurementRoute.ROLLING,
        body=commissioning_body,
        provider=supplier,
        start_on=date(2024, 4, 1),
        end_on=date(2027, 3, 31),
        total_value=Decimal("90000"),
        created_by=commissioner,
    )
    AgreementFunderFactory(agreement=direct, body=cofunder, contribution=Decimal("30000"))
    InstalmentFactory(agreement=direct, number=1, due_on=date(2024, 4, 1))

    terminated = AgreementFactory(
        reference="AG-PH-2023-0009",
        kind=AgreementKind.CONTRACT,
        title="Drop-in health checks",
        procurement_route=ProcurementRoute.DIRECT_AWARD,
        body=commissioning_body,
        status=AgreementStatus.TERMINATED,
        status_changed_at=timezone.now() - timedelta(days=3),
        terminated_reason="Private: the provider's insurance lapsed",
        created_by=commissioner,
    )
    grant = AgreementFactory(title="Secret grant", body=commissioning_body, created_by=commissioner)
    return {
        "awarded": awarded,
        "from_award": from_award,
        "direct": direct,
        "terminated": terminated,
        "grant": grant,
        "provider_org": provider_org,
        "supplier": supplier,
        "cofunder": cofunder,
    }


def test_a_contract_from_an_award_joins_its_opportunity(client, world):
    package = valid(get(client, reverse(ONE, args=[world["awarded"].pk])))
    ocid = world["awarded"].ocid
    tags = [release["tag"] for release in package["releases"]]
    assert tags == [["tender"], ["award"], ["contract"], ["implementation"]]
    award_release, contract_release, implementation = package["releases"][1:]
    (award,) = award_release["awards"]
    (contract,) = contract_release["contracts"]
    assert contract_release["id"] == f"{ocid}-contract-AG-ASC-2026-0100"
    assert contract["id"] == "AG-ASC-2026-0100"
    assert (
        contract["awardID"]
        == award["id"]
        == f"{ocid}-award-lot-{world['awarded'].lots.get().number}"
    )
    assert contract["title"] == "Carers' support and breaks service"
    assert contract["value"] == {"amount": 540000.0, "currency": "GBP"}
    assert contract["status"] == "active"
    assert contract["period"]["startDate"].startswith(world["from_award"].start_on.isoformat())
    assert contract["period"]["endDate"].startswith(world["from_award"].end_on.isoformat())
    assert "implementation" not in contract
    # As made, nothing had been paid.
    assert [m["status"] for m in contract["milestones"]] == ["scheduled"] * 3

    (current,) = implementation["contracts"]
    assert implementation["id"] == f"{ocid}-implementation-AG-ASC-2026-0100"
    assert implementation["date"].startswith(days_ago(5).isoformat())
    assert current["status"] == "active"
    milestones = current["milestones"]
    assert [m["type"] for m in milestones] == ["payment"] * 3
    assert [m["status"] for m in milestones] == ["met", "met", "scheduled"]
    assert milestones[1]["dueDate"].startswith(days_ago(15).isoformat())
    assert milestones[1]["dateMet"].startswith(days_ago(5).isoformat())
    assert "dateMet" not in milestones[2]
    transactions = current["implementation"]["transactions"]
    assert [t["id"] for t in transactions] == [
        "AG-ASC-2026-0100-instalment-1",
        "AG-ASC-2026-0100-instalment-2",
    ]
    assert transactions[1]["value"] == {"amount": 45000.0, "currency": "GBP"}
    body_id = f"ocds-cnp000-org-{world['from_award'].body_id}"
    assert transactions[0]["payer"] == {"id": body_id, "name": "Adult Social Care"}
    assert transactions[0]["payee"] == {"id": "GB-CHC-1123456", "name": "Riverside Advice"}
    roles = {party["id"]: party["roles"] for party in implementation["parties"]}
    assert set(roles[body_id]) == {"buyer", "procuringEntity", "payer"}
    assert set(roles["GB-CHC-1123456"]) == {"supplier", "payee"}
    assert len(implementation["parties"]) == len(roles)


def test_a_contract_entered_directly_has_its_own_ocid_and_parties(client, world):
    package = valid(get(client, reverse(LIST)))
    direct = world["direct"]
    assert direct.ocid == "ocds-cnp000-AG-PH-2024-0003"
    (release,) = releases_of(package, direct.ocid)
    assert release["tag"] == ["award", "contract"]
    assert release["tender"]["procurementMethod"] == "direct"
    assert release["tender"]["procurementMethodDetails"] == "Rolled over without competition"
    (award,) = release["awards"]
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"]
    assert award["suppliers"] == [
        {"id": "GB-COH-08765432", "name": "Lindenford Community Transport"}
    ]
    assert award["value"] == contract["value"] == {"amount": 90000.0, "currency": "GBP"}
    parties = {party["id"]: party for party in release["parties"]}
    assert set(parties["GB-COH-08765432"]["roles"]) == {"supplier", "payee"}
    assert parties["GB-COH-08765432"]["identifier"] == {
        "scheme": "GB-COH",
        "id": "08765432",
        "legalName": "Lindenford Community Transport",
    }
    assert set(parties[f"ocds-cnp000-org-{direct.body_id}"]["roles"]) == {"buyer", "payer"}
    assert parties[f"ocds-cnp000-org-{world['cofunder'].pk}"]["roles"] == ["funder"]
    # Nothing paid and still live: no implementation release yet.
    assert contract["milestones"][0]["status"] == "scheduled"


def test_an_ended_contract_is_terminated_and_its_reason_stays_private(client, world):
    package = valid(get(client, reverse(LIST)))
    terminated = world["terminated"]
    contract_release, implementation = releases_of(package, terminated.ocid)
    assert contract_release["contracts"][0]["status"] == "active"
    assert implementation["tag"] == ["implementation", "contractTermination"]
    assert implementation["contracts"][0]["status"] == "terminated"
    assert "implementation" not in implementation["contracts"][0]
    assert datetime.fromisoformat(implementation["date"]) >= datetime.fromisoformat(
        contract_release["date"]
    )
    assert "insurance lapsed" not in json.dumps(package)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AgreementStatus.ACTIVE, "active"),
        (AgreementStatus.ENDING, "active"),
        (AgreementStatus.ENDED, "terminated"),
        (AgreementStatus.TERMINATED, "terminated"),
    ],
)
def test_contract_statuses(status, expected, commissioner):
    agreement = AgreementFactory(
        kind=AgreementKind.CONTRACT, status=status, created_by=commissioner
    )
    InstalmentFactory(agreement=agreement, paid_on=timezone.localdate())
    agreement = ocds.contract_agreements().get(pk=agreement.pk)
    releases = ocds.agreement_releases(agreement)
    assert releases[-1]["contracts"][0]["status"] == expected
    valid({**ocds.release_package([], uri="https://example.org/"), "releases": releases})


def test_grants_and_sealed_content_never_appear(client, world):
    text = json.dumps(get(client, reverse(LIST)))
    text += json.dumps(get(client, reverse(ONE, args=[world["awarded"].pk])))
    assert "Secret grant" not in text
    assert world["grant"].reference not in text
    assert SEALED not in text
    assert "98765" not in text
    assert "Highest moderated score" not in text


def test_direct_contracts_follow_the_opportunities_across_pages(client, world, monkeypatch):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 2)
    first = valid(get(client, reverse(LIST)))
    second = valid(get(client, reverse(LIST) + "?page=2"))
    assert {r["ocid"] for r in first["releases"]} == {
        world["awarded"].ocid,
        world["direct"].ocid,
    }
    assert first["links"]["next"].endswith("?page=2")
    assert {r["ocid"] for r in second["releases"]} == {world["terminated"].ocid}
    assert "next" not in second["links"]
    assert client.get(reverse(LIST) + "?page=3").json()["releases"] == []


def test_the_package_pages_in_fixed_queries(client, world, commissioning_body, monkeypatch):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 4)

    def count(page: int) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            package = get(client, reverse(LIST) + f"?page={page}")
        return len(queries), package

    small, package = count(1)
    assert len({r["ocid"] for r in package["releases"]}) == 3
    for n in range(5):
        AgreementFactory(
            kind=AgreementKind.CONTRACT,
            body=commissioning_body,
            created_by=world["direct"].created_by,
        )
        agreement = AgreementFactory(
            kind=AgreementKind.CONTRACT,
            opportunity=world["awarded"],
            reference=f"AG-MORE-{n}",
            body=commissioning_body,
            created_by=world["direct"].created_by,
        )
        InstalmentFactory(agreement=agreement, paid_on=timezone.localdate())
        AgreementFunderFactory(agreement=agreement)
    large, package = count(1)
    valid(package)
    assert len({r["ocid"] for r in package["releases"]}) == 4
    assert small == large
