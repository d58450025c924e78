"""Sealed bids, URL by URL: before the deadline, the opportunity's commissioners, network admins,
panel members and outsiders get 404 from every bid URL. After it, only the panel and the
commissioners read a submitted bid, read only; changes stay the bidder's, and are refused once
the deadline has passed."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.models import BidStatus, ConflictDeclaration
from tests.factories import UserFactory
from tests.factories.commissioning_sourcing import (
    BidFactory,
    OpportunityFactory,
    PanelMemberFactory,
)
from tests.factories.commissioning_sourcing_bids import (
    BidDocumentFactory,
    BidReceiptFactory,
    complete_bid,
)

pytestmark = pytest.mark.django_db

READ_URLS = ["bid", "bid_receipt"]
EDIT_PAGES = ["bid_edit", "bid_budget", "bid_documents"]
POST_URLS = ["bid_submit", "bid_withdraw", "bid_confirm_member"]


def _world(
    provider, provider_org, commissioning_body, commissioner, network_admin, outsider, *, deadline
):
    opportunity = OpportunityFactory(
        body=commissioning_body,
        clarifications_close_at=deadline - timedelta(days=1),
        bid_deadline=deadline,
    )
    bid = complete_bid(
        BidFactory(
            opportunity=opportunity,
            organisation=provider_org,
            created_by=provider,
            status=BidStatus.SUBMITTED,
        )
    )
    document = BidDocumentFactory(bid=bid, uploaded_by=provider)
    BidReceiptFactory(bid=bid, submitted_by=provider)
    panellist = UserFactory(email="panel@example.org")
    seat = PanelMemberFactory(opportunity=opportunity, user=panellist)
    # The panel member has declared no conflict, as they must before reading anything of it.
    ConflictDeclaration.objects.create(panel_member=seat, bid=bid, has_conflict=False)
    return {
        "bid": bid,
        "document": document,
        "people": {
            "commissioner": commissioner,
            "network admin": network_admin,
            "panel member": panellist,
            "outsider": outsider,
        },
    }


@pytest.fixture
def sealed(provider, provider_org, commissioning_body, commissioner, network_admin, outsider):
    return _world(
        provider,
        provider_org,
        commissioning_body,
        commissioner,
        network_admin,
        outsider,
        deadline=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def opened(provider, provider_org, commissioning_body, commissioner, network_admin, outsider):
    return _world(
        provider,
        provider_org,
        commissioning_body,
        commissioner,
        network_admin,
        outsider,
        deadline=timezone.now() - timedelta(hours=1),
    )


def statuses(client, user, world) -> dict[str, int]:
    client.force_login(user)
    bid = world["bid"]
    found = {}
    for name in READ_URLS + EDIT_PAGES:
        found[name] = client.get(reverse(f"commissioning:{name}", args=[bid.pk])).status_code
    found["bid_document"] = client.get(
        reverse("commissioning:bid_document", args=[world["document"].pk])
    ).status_code
    for name in POST_URLS:
        found[name] = client.post(reverse(f"commissioning:{name}", args=[bid.pk])).status_code
    return found


@pytest.mark.parametrize("role", ["commissioner", "network admin", "panel member", "outsider"])
def test_before_the_deadline_every_bid_url_is_hidden(client, sealed, role):
    found = statuses(client, sealed["people"][role], sealed)
    assert set(found) == {*READ_URLS, *EDIT_PAGES, "bid_document", *POST_URLS}
    assert found == dict.fromkeys(found, 404)
    sealed["bid"].refresh_from_db()
    assert sealed["bid"].status == BidStatus.SUBMITTED


@pytest.mark.parametrize("role", ["network admin", "outsider"])
def test_after_the_deadline_everyone_else_still_gets_404(client, opened, role):
    found = statuses(client, opened["people"][role], opened)
    assert found == dict.fromkeys(found, 404)


@pytest.mark.parametrize("role", ["commissioner", "panel member"])
def test_after_the_deadline_the_panel_and_commissioners_read_only(client, opened, role):
    user = opened["people"][role]
    found = statuses(client, user, opened)
    assert found["bid"] == found["bid_receipt"] == found["bid_document"] == 200
    assert found["bid_edit"] == found["bid_budget"] == found["bid_documents"] == 403
    assert found["bid_submit"] == found["bid_withdraw"] == found["bid_confirm_member"] == 403
    page = client.get(reverse("commissioning:bid", args=[opened["bid"].pk])).content.decode()
    assert "Read only" in page
    assert "We work with local groups." in page
    assert reverse("commissioning:bid_edit", args=[opened["bid"].pk]) not in page
    assert reverse("commissioning:bid_submit", args=[opened["bid"].pk]) not in page
    opened["bid"].refresh_from_db()
    assert opened["bid"].status == BidStatus.SUBMITTED


@pytest.mark.parametrize("conflict", [None, True])
def test_after_the_deadline_a_panel_member_reads_nothing_without_a_clear_declaration(
    client, opened, conflict
):
    """Undeclared, or declared with a conflict: the bid stays hidden from the panel member."""
    declaration = ConflictDeclaration.objects.get(bid=opened["bid"])
    if conflict is None:
        declaration.delete()
    else:
        declaration.has_conflict = True
        declaration.save()
    found = statuses(client, opened["people"]["panel member"], opened)
    assert found == dict.fromkeys(found, 404)


def test_a_draft_stays_hidden_after_the_deadline(client, opened):
    bid = opened["bid"]
    bid.status = BidStatus.DRAFT
    bid.save()
    client.force_login(opened["people"]["commissioner"])
    assert client.get(reverse("commissioning:bid", args=[bid.pk])).status_code == 404


def test_after_the_deadline_the_bidder_can_read_but_not_change(client, provider, opened):
    bid = opened["bid"]
    client.force_login(provider)
    assert client.get(reverse("commissioning:bid", args=[bid.pk])).status_code == 200
    for name in EDIT_PAGES:
        response = client.get(reverse(f"commissioning:{name}", args=[bid.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("commissioning:bid", args=[bid.pk])
        assert "It has passed, so the bid can no longer be changed." in response.content.decode()
    response = client.post(
        reverse("commissioning:bid_edit", args=[bid.pk]),
        {"version": bid.version, f"answer_{bid.opportunity.criteria.get().pk}": "Late change"},
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile("late.pdf", b"%PDF-1.4 late", content_type="application/pdf")
    client.post(reverse("commissioning:bid_documents", args=[bid.pk]), {"file": upload})
    bid.refresh_from_db()
    assert bid.answers.get().text == "We work with local groups."
    assert bid.documents.count() == 1
    client.post(reverse("commissioning:bid_withdraw", args=[bid.pk]))
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_the_bidder_saves_one_second_before_the_deadline_but_not_one_second_after(
    client, provider, sealed
):
    bid = sealed["bid"]
    bid.status = BidStatus.DRAFT
    bid.save()
    criterion = bid.opportunity.criteria.get()
    url = reverse("commissioning:bid_edit", args=[bid.pk])
    deadline = bid.opportunity.bid_deadline
    client.force_login(provider)
    with mock.patch("django.utils.timezone.now", return_value=deadline - timedelta(seconds=1)):
        client.post(url, {"version": bid.version, f"answer_{criterion.pk}": "Just in time"})
    bid.refresh_from_db()
    assert bid.answers.get().text == "Just in time"
    with mock.patch("django.utils.timezone.now", return_value=deadline + timedelta(seconds=1)):
        client.post(url, {"version": bid.version, f"answer_{criterion.pk}": "Too late"})
    bid.refresh_from_db()
    assert bid.answers.get().text == "Just in time"


def test_the_panel_reads_one_second_after_the_deadline_and_not_one_second_before(client, sealed):
    bid, panellist = sealed["bid"], sealed["people"]["panel member"]
    url = reverse("commissioning:bid", args=[bid.pk])
    deadline = bid.opportunity.bid_deadline
    for offset, expected in ((-1, 404), (1, 200)):
        with mock.patch(
            "django.utils.timezone.now", return_value=deadline + timedelta(seconds=offset)
        ):
            client.force_login(panellist)
            assert client.get(url).status_code == expected
