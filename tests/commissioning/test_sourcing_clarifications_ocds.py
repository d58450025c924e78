"""OCDS 1.1 open data: every published opportunity's releases validate against the official
release package schema; drafts and sealed bid content never appear; awards name only the winners
once awarded; the package pages in a fixed number of queries."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from commissioning import ocds
from commissioning.models import (
    AwardDecision,
    BidAnswer,
    BidStatus,
    OpportunityStatus,
    Procedure,
)
from commissioning.services import sourcing_clarifications as services
from tests.factories import OrganisationFactory
from tests.factories.commissioning_sourcing import BidFactory, LotFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "ocds-1.1"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
SEALED = "Kestrelwhistle sealed method statement"


@functools.cache
def validator() -> Draft4Validator:
    """The package schema, with the release schema under the URL it is referred to by; nothing
    is fetched."""
    documents = {
        SCHEMA_BASE + name: json.loads((SCHEMAS / name).read_text())
        for name in ("release-package-schema.json", "release-schema.json")
    }

    def refuse(uri: str):
        raise LookupError(f"{uri} is not stored locally, and the tests never fetch schemas")

    registry = Registry(retrieve=refuse).with_resources(
        (uri, DRAFT4.create_resource(document)) for uri, document in documents.items()
    )
    return Draft4Validator(
        documents[SCHEMA_BASE + "release-package-schema.json"],
        registry=registry,
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )


def valid(package: dict) -> dict:
    errors = sorted(validator().iter_errors(package), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]
    for release in package["releases"]:
        datetime.fromisoformat(release["date"])
        datetime.fromisoformat(release["tender"]["tenderPeriod"]["endDate"])
    return package


def get(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def world(commissioning_body, commissioner):
    """A published open opportunity with a sealed bid, a two-stage one with an extension, an
    awarded one, and a draft."""
    open_one = OpportunityFactory(body=commissioning_body, title="Open befriending service")
    sealed = BidFactory(opportunity=open_one, status=BidStatus.SUBMITTED, price=Decimal("98765"))
    BidAnswer.objects.create(
        bid=sealed, criterion=open_one.criteria.get(), text=f"{SEALED}: we will knock on doors."
    )
    two_stage = OpportunityFactory(
        body=commissioning_body, procedure=Procedure.TWO_STAGE, title="Two-stage advice"
    )
    services.opportunity_extend(
        actor=commissioner,
        opportunity=two_stage,
        deadlines={"bid_deadline": two_stage.bid_deadline + timedelta(days=7)},
        reason="More time for consortia to form.",
    )
    awarded = OpportunityFactory(
        body=commissioning_body,
        title="Awarded carers support",
        status=OpportunityStatus.AWARDED,
        bid_deadline=timezone.now() - timedelta(days=30),
        clarifications_close_at=timezone.now() - timedelta(days=40),
        publish_at=timezone.now() - timedelta(days=60),
        awarded_at=timezone.now() - timedelta(days=2),
        standstill_ends_on=timezone.localdate() + timedelta(days=6),
    )
    winner_org = OrganisationFactory(name="Carers Together", charity_number="1123987")
    winner = BidFactory(opportunity=awarded, organisation=winner_org, status=BidStatus.SUCCESSFUL)
    loser = BidFactory(opportunity=awarded, status=BidStatus.UNSUCCESSFUL)
    BidAnswer.objects.create(
        bid=loser, criterion=awarded.criteria.get(), text=f"{SEALED} of the losing bidder"
    )
    AwardDecision.objects.create(
        opportunity=awarded,
        lot=awarded.lots.get(),
        bid=winner,
        reason="Highest moderated score",
        decided_by=commissioner,
    )
    draft = OpportunityFactory(
        body=commissioning_body,
        title="Secret draft opportunity",
        status=OpportunityStatus.DRAFT,
        published_at=None,
    )
    return {"open": open_one, "two_stage": two_stage, "awarded": awarded, "draft": draft}


def test_the_package_validates_and_holds_every_published_opportunity(client, world):
    package = valid(get(client, reverse("commissioning:ocds_releases")))
    assert package["version"] == "1.1"
    assert package["publisher"]["name"] == "Commissioners Network Portal"
    ocids = {release["ocid"] for release in package["releases"]}
    assert ocids == {world[name].ocid for name in ("open", "two_stage", "awarded")}
    assert world["open"].ocid.startswith("ocds-cnp000-")
    ids = [release["id"] for release in package["releases"]]
    assert len(ids) == len(set(ids))
    text = json.dumps(package)
    assert "Secret draft opportunity" not in text
    assert world["draft"].ocid not in text


def test_sealed_bid_content_never_appears(client, world):
    text = json.dumps(get(client, reverse("commissioning:ocds_releases")))
    for name in ("open", "awarded"):
        text += json.dumps(
            get(client, reverse("commissioning:ocds_release", args=[world[name].pk]))
        )
    assert SEALED not in text
    assert "98765" not in text
    assert "Highest moderated score" not in text


def test_releases_of_one_opportunity(client, world):
    two_stage = valid(
        get(client, reverse("commissioning:ocds_release", args=[world["two_stage"].pk]))
    )
    tags = [release["tag"] for release in two_stage["releases"]]
    assert tags == [["tender"], ["tenderUpdate"]]
    first, update = two_stage["releases"]
    assert first["tender"]["procurementMethod"] == "selective"
    assert first["tender"]["tenderPeriod"]["endDate"] != update["tender"]["tenderPeriod"]["endDate"]
    assert update["tender"]["amendments"][0]["rationale"] == "More time for consortia to form."
    assert first["tender"]["value"] == {"amount": 750000.0, "currency": "GBP"}
    assert first["tender"]["lots"][0]["value"]["amount"] == 750000.0
    assert first["buyer"]["name"] == world["two_stage"].body.name


def test_an_award_names_only_the_winner_and_is_pending_in_standstill(client, world):
    package = valid(get(client, reverse("commissioning:ocds_release", args=[world["awarded"].pk])))
    award_release = package["releases"][-1]
    assert award_release["tag"] == ["award"]
    (award,) = award_release["awards"]
    assert award["status"] == "pending"
    assert award["suppliers"] == [{"id": "GB-CHC-1123987", "name": "Carers Together"}]
    assert award["relatedLots"] == [str(world["awarded"].lots.get().number)]
    supplier = next(p for p in award_release["parties"] if p["roles"] == ["supplier"])
    assert supplier["identifier"] == {
        "scheme": "GB-CHC",
        "id": "1123987",
        "legalName": "Carers Together",
    }
    assert award_release["tender"]["status"] == "complete"
    suppliers = [p for p in award_release["parties"] if "supplier" in p["roles"]]
    assert len(suppliers) == 1


def test_no_award_release_before_the_award(client, world, commissioner):
    open_one = world["open"]
    bid = open_one.bids.get()
    AwardDecision.objects.create(
        opportunity=open_one, lot=open_one.lots.get(), bid=bid, reason="x", decided_by=commissioner
    )
    package = get(client, reverse("commissioning:ocds_release", args=[open_one.pk]))
    assert [release["tag"] for release in package["releases"]] == [["tender"]]
    assert "awards" not in json.dumps(package)


def test_a_draft_has_no_package(client, world):
    response = client.get(reverse("commissioning:ocds_release", args=[world["draft"].pk]))
    assert response.status_code == 404


def test_the_package_pages_with_links_in_fixed_queries(client, commissioning_body, monkeypatch):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 3)

    def count(page: int) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            package = get(client, reverse("commissioning:ocds_releases") + f"?page={page}")
        return len(queries), package

    for _ in range(4):
        opportunity = OpportunityFactory(body=commissioning_body)
        LotFactory(opportunity=opportunity, number=9)
    small, first = count(1)
    assert len(first["releases"]) == 3
    assert first["links"]["next"].endswith("/open-data/ocds/?page=2")
    assert "prev" not in first["links"]
    valid(first)
    _, second = count(2)
    assert len(second["releases"]) == 1
    assert "next" not in second["links"]
    assert second["links"]["prev"].endswith("/open-data/ocds/?page=1")
    for _ in range(6):
        OpportunityFactory(body=commissioning_body)
    large, _ = count(1)
    assert small == large


def test_a_malformed_page_is_a_400(client):
    assert client.get(reverse("commissioning:ocds_releases") + "?page=x").status_code == 400
