"""Changes to an opportunity: extensions (later only, with a reason) and amended documents (new
versions, the old kept and marked replaced). Each is recorded, audited, emailed to every
interested or bidding organisation, and marks every submitted bid "resubmit or confirm"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from commissioning.models import (
    BidStatus,
    OpportunityChange,
    OpportunityChangeKind,
    OpportunityDocument,
    OpportunityStatus,
    Procedure,
)
from commissioning.services import sourcing_clarifications as services
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory
from tests.factories.commissioning_sourcing_clarifications import InterestFactory
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(commissioning_body, commissioner):
    return OpportunityFactory(body=commissioning_body, created_by=commissioner)


@pytest.fixture
def bids(opportunity):
    return {
        status: BidFactory(opportunity=opportunity, status=status)
        for status in (BidStatus.DRAFT, BidStatus.SUBMITTED, BidStatus.WITHDRAWN)
    }


def test_an_extension_moves_the_deadline_and_marks_submitted_bids(
    opportunity, commissioner, bids, django_capture_on_commit_callbacks
):
    old = opportunity.bid_deadline
    interested = OrganisationFactory()
    MembershipFactory(user=UserFactory(email="interested@example.org"), organisation=interested)
    InterestFactory(opportunity=opportunity, organisation=interested)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.opportunity_extend(
            actor=commissioner,
            opportunity=opportunity,
            deadlines={"bid_deadline": old + timedelta(days=7)},
            reason="The documents were late.",
        )
    opportunity.refresh_from_db()
    assert opportunity.bid_deadline == old + timedelta(days=7)
    assert change.kind == OpportunityChangeKind.EXTENSION
    assert change.details["fields"]["bid_deadline"]["old"] == old.isoformat()
    assert change.reason == "The documents were late."
    for status, bid in bids.items():
        bid.refresh_from_db()
        assert bid.needs_confirmation is (status == BidStatus.SUBMITTED)
    assert AuditEvent.objects.filter(action="opportunity.extension").count() == 1
    # Every interested or bidding organisation's active members: the interested one, and the
    # three bidders' (whose organisations have no members in this test).
    assert [message.to for message in mail.outbox] == [["interested@example.org"]]
    assert "The documents were late." in mail.outbox[0].body
    assert services.opportunity_change_emails_send(change_id=change.pk) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("earlier", [timedelta(seconds=-1), timedelta(days=-2)])
def test_an_extension_to_an_earlier_date_is_refused(opportunity, commissioner, bids, earlier):
    old = opportunity.bid_deadline
    with pytest.raises(ValidationError) as error:
        services.opportunity_extend(
            actor=commissioner,
            opportunity=opportunity,
            deadlines={"bid_deadline": old + earlier},
            reason="Bring it forward",
        )
    assert "later than the current one" in str(error.value)
    opportunity.refresh_from_db()
    assert opportunity.bid_deadline == old
    assert not OpportunityChange.objects.exists()
    assert not bids[BidStatus.SUBMITTED].__class__.objects.filter(needs_confirmation=True).exists()


def test_an_extension_needs_a_reason(opportunity, commissioner):
    with pytest.raises(ValidationError):
        services.opportunity_extend(
            actor=commissioner,
            opportunity=opportunity,
            deadlines={"bid_deadline": opportunity.bid_deadline + timedelta(days=1)},
            reason="  ",
        )
    assert not OpportunityChange.objects.exists()


def test_clarifications_cannot_close_after_the_bid_deadline(opportunity, commissioner):
    with pytest.raises(ValidationError, match="on or before the bid deadline"):
        services.opportunity_extend(
            actor=commissioner,
            opportunity=opportunity,
            deadlines={"clarifications_close_at": opportunity.bid_deadline + timedelta(hours=1)},
            reason="More questions",
        )


def test_a_two_stage_eoi_deadline_is_extended(commissioning_body, commissioner):
    opportunity = OpportunityFactory(body=commissioning_body, procedure=Procedure.TWO_STAGE)
    new = opportunity.eoi_deadline + timedelta(days=1)
    services.opportunity_extend(
        actor=commissioner,
        opportunity=opportunity,
        deadlines={"eoi_deadline": new},
        reason="Bank holiday",
    )
    opportunity.refresh_from_db()
    assert opportunity.eoi_deadline == new


@pytest.mark.parametrize(
    "status", [OpportunityStatus.DRAFT, OpportunityStatus.CLOSED, OpportunityStatus.AWARDED]
)
def test_only_an_open_opportunity_changes(commissioning_body, commissioner, status):
    opportunity = OpportunityFactory(body=commissioning_body, status=status)
    with pytest.raises(ValidationError):
        services.opportunity_extend(
            actor=commissioner,
            opportunity=opportunity,
            deadlines={"bid_deadline": opportunity.bid_deadline + timedelta(days=1)},
            reason="Why not",
        )


def test_only_the_opportunitys_commissioners_change_it(opportunity, provider, network_admin):
    for actor in (provider, network_admin):
        with pytest.raises(PermissionDenied):
            services.opportunity_extend(
                actor=actor,
                opportunity=opportunity,
                deadlines={"bid_deadline": opportunity.bid_deadline + timedelta(days=1)},
                reason="Why not",
            )


def test_the_extend_page(client, opportunity, commissioner, bids):
    client.force_login(commissioner)
    path = reverse("commissioning:opportunity_extend", args=[opportunity.pk])
    assert client.get(path).status_code == 200
    earlier = (opportunity.bid_deadline - timedelta(days=1)).astimezone()
    response = client.post(
        path,
        {"bid_deadline": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": "Earlier"},
    )
    assert response.status_code == 200
    assert "later than the current one" in response.content.decode()
    response = client.post(path, {"bid_deadline": "2099-03-05T12:00", "reason": "Later"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.bid_deadline.year == 2099
    page = client.get(reverse("commissioning:clarifications", args=[opportunity.pk]))
    assert "Changes to this opportunity" in page.content.decode()
    assert "Thursday 5 March 2099 at 12:00pm" in page.content.decode()


# Amending the documents


def _pdf(name="specification.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_an_amendment_adds_a_version_and_marks_the_old_one_replaced(
    opportunity, commissioner, bids, django_capture_on_commit_callbacks
):
    first = services.opportunity_amend(
        actor=commissioner,
        opportunity=opportunity,
        uploads=[services.DocumentUpload(file=_pdf(), title="Specification")],
        reason="Adding the specification",
    )
    original = OpportunityDocument.objects.get(pk=first.details["documents"][0]["document"])
    assert original.version == 1 and not original.replaced
    second = services.opportunity_amend(
        actor=commissioner,
        opportunity=opportunity,
        uploads=[services.DocumentUpload(file=_pdf("spec v2.pdf"), replaces=original)],
        reason="Corrected the hours",
    )
    original.refresh_from_db()
    assert original.replaced
    new = OpportunityDocument.objects.get(replaced=False)
    assert (new.title, new.version, new.original_name) == ("Specification", 2, "spec v2.pdf")
    assert second.details["documents"][0]["replaces"] == original.pk
    assert (
        bids[BidStatus.SUBMITTED]
        .__class__.objects.get(pk=bids[BidStatus.SUBMITTED].pk)
        .needs_confirmation
    )
    assert AuditEvent.objects.filter(action="opportunity.amendment").count() == 2
    # A replaced version cannot be replaced again.
    with pytest.raises(ValidationError):
        services.opportunity_amend(
            actor=commissioner,
            opportunity=opportunity,
            uploads=[services.DocumentUpload(file=_pdf(), replaces=original)],
            reason="Again",
        )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "is empty"),
        ("notes.exe", b"MZ binary", "not a type of file we accept"),
        ("fake.pdf", b"plain text, not a PDF", "its content is not"),
    ],
)
def test_an_amendment_refuses_bad_files(client, opportunity, commissioner, name, data, message):
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:opportunity_amend", args=[opportunity.pk]),
        {"file": SimpleUploadedFile(name, data), "reason": "New document"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OpportunityDocument.objects.exists()
    assert not OpportunityChange.objects.exists()


def test_the_amend_page_uploads_a_document(client, opportunity, commissioner):
    client.force_login(commissioner)
    path = reverse("commissioning:opportunity_amend", args=[opportunity.pk])
    assert client.get(path).status_code == 200
    response = client.post(path, {"file": _pdf(), "title": "Pricing schedule", "reason": "Added"})
    assert response.status_code == 302
    assert OpportunityDocument.objects.get().title == "Pricing schedule"
