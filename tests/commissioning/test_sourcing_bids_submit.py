"""Submitting a bid: the receipt (page and email, with a Europe/London time and a content hash),
one submission for a double click, the deadline checked by the server one second either side,
withdrawal and resubmission, consortium confirmations, and "resubmit or confirm"."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, MembershipRole
from accounts.workflow import TransitionNotAllowed
from commissioning.models import BID_TRANSITIONS, BidAnswer, BidReceipt, BidStatus
from commissioning.services import sourcing_bids as services
from commissioning.tasks.sourcing_bids import bid_receipt_send
from providers.models import ConsortiumStatus
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.commissioning_sourcing import (
    BidFactory,
    EligibilityQuestionFactory,
    OpportunityFactory,
)
from tests.factories.commissioning_sourcing_bids import complete_bid
from tests.factories.providers import ConsortiumFactory, ConsortiumMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bid(provider, provider_org, commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body)
    return complete_bid(
        BidFactory(opportunity=opportunity, organisation=provider_org, created_by=provider)
    )


def submit(client, bid):
    return client.post(reverse("commissioning:bid_submit", args=[bid.pk]))


def test_submitting_gives_a_receipt_page_and_an_email(
    client, provider, bid, django_capture_on_commit_callbacks
):
    # Noon UTC on 5 March 2027 is noon in London (GMT); the deadline is a day later.
    moment = datetime(2027, 3, 5, 12, 0, 5, tzinfo=UTC)
    bid.opportunity.bid_deadline = moment + timedelta(days=1)
    bid.opportunity.save()
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # Signed in at the same pretend time, so that the session has not expired.
        client.force_login(provider)
        response = submit(client, bid)
        page = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("commissioning:bid_receipt", args=[bid.pk])
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED
    assert bid.submitted_at == moment
    assert len(bid.content_hash) == 64
    assert bid.content_hash == services.bid_content_hash(bid)
    receipt = BidReceipt.objects.get(bid=bid)
    assert (receipt.content_hash, receipt.action) == (bid.content_hash, "submitted")
    assert AuditEvent.objects.filter(action="bid.submitted", object_id=str(bid.pk)).exists()
    assert [m.to for m in mail.outbox] == [[provider.email]]
    body = mail.outbox[0].body
    assert "Friday 5 March 2027 at 12:00:05pm" in body
    assert bid.content_hash in body
    assert page.status_code == 200
    assert bid.content_hash in page.content.decode()
    # The receipt is emailed once, however often its task runs (a retry, a second worker).
    bid_receipt_send(receipt.pk)
    assert len(mail.outbox) == 1
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None


def test_london_summer_time_is_shown():
    moment = datetime(2027, 7, 2, 11, 30, tzinfo=UTC)
    assert services.london(moment) == "Friday 2 July 2027 at 12:30pm"


def test_a_double_clicked_submit_makes_one_submission(client, provider, bid):
    client.force_login(provider)
    first = submit(client, bid)
    second = submit(client, bid)
    assert first.url == second.url
    assert BidReceipt.objects.filter(bid=bid).count() == 1
    assert AuditEvent.objects.filter(action="bid.submitted", object_id=str(bid.pk)).count() == 1


def test_the_service_returns_the_same_receipt_for_a_second_submit(provider, bid):
    receipt, created = services.bid_submit(actor=provider, bid=bid)
    again, created_again = services.bid_submit(actor=provider, bid=bid)
    assert created and not created_again
    assert again.pk == receipt.pk


def test_one_second_before_the_deadline_is_accepted(provider, bid):
    now = bid.opportunity.bid_deadline - timedelta(seconds=1)
    receipt, created = services.bid_submit(actor=provider, bid=bid, now=now)
    assert created and receipt.submitted_at == now


@pytest.mark.parametrize("late_by", [timedelta(0), timedelta(seconds=1)])
def test_at_or_after_the_deadline_is_refused_and_the_draft_kept(provider, bid, late_by):
    now = bid.opportunity.bid_deadline + late_by
    with pytest.raises(ValidationError, match="has passed"):
        services.bid_submit(actor=provider, bid=bid, now=now)
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT
    assert bid.answers.count() == 1
    assert not BidReceipt.objects.exists()


def test_a_late_submission_through_the_page_is_refused_with_a_message(client, provider, bid):
    client.force_login(provider)
    after = bid.opportunity.bid_deadline + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        response = client.post(reverse("commissioning:bid_submit", args=[bid.pk]), follow=True)
    assert "It has passed, so the portal cannot accept this. Your draft is kept." in (
        response.content.decode()
    )
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT


def test_the_page_submits_one_second_before_the_deadline(client, provider, bid):
    client.force_login(provider)
    before = bid.opportunity.bid_deadline - timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=before):
        submit(client, bid)
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_an_answer_over_its_limit_blocks_submission(client, provider, bid):
    criterion = bid.opportunity.criteria.get()
    criterion.word_limit = 5
    criterion.save()
    BidAnswer.objects.filter(bid=bid).update(text="one two three four five six seven")
    with pytest.raises(ValidationError) as raised:
        services.bid_submit(actor=provider, bid=bid)
    assert any(
        f"Your answer to “{criterion.title}” is 7 words; the limit is 5" in message
        for message in raised.value.messages
    )
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT


def test_a_full_bid_needs_its_budget(provider, provider_org, commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body)
    bid = BidFactory(opportunity=opportunity, organisation=provider_org, created_by=provider)
    bid.lots.set(opportunity.lots.all())
    BidAnswer.objects.create(bid=bid, criterion=opportunity.criteria.get(), text="An answer.")
    with pytest.raises(ValidationError, match="full cost recovery budget"):
        services.bid_submit(actor=provider, bid=bid)


def test_eligibility_must_be_all_yes_to_submit(provider, bid):
    question = EligibilityQuestionFactory(opportunity=bid.opportunity)
    with pytest.raises(ValidationError, match="Answer the eligibility question"):
        services.bid_submit(actor=provider, bid=bid)
    bid.eligibility_answers.create(question=question, answer=False)
    with pytest.raises(ValidationError, match="speak to Sam Okafor"):
        services.bid_submit(actor=provider, bid=bid)


def test_withdraw_keeps_the_content_and_the_bid_can_be_submitted_again(client, provider, bid):
    client.force_login(provider)
    submit(client, bid)
    response = client.post(reverse("commissioning:bid_withdraw", args=[bid.pk]))
    assert response.status_code == 302
    bid.refresh_from_db()
    assert bid.status == BidStatus.WITHDRAWN
    assert bid.answers.count() == 1 and bid.budget_lines.count() == 3
    submit(client, bid)
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED
    assert BidReceipt.objects.filter(bid=bid).count() == 2


def test_withdrawal_after_the_deadline_is_refused(provider, bid):
    services.bid_submit(actor=provider, bid=bid)
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        services.bid_withdraw(
            actor=provider, bid=bid, now=bid.opportunity.bid_deadline + timedelta(seconds=1)
        )
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_needs_confirmation_is_cleared_by_a_confirmation_receipt(client, provider, bid):
    client.force_login(provider)
    submit(client, bid)
    bid.refresh_from_db()
    bid.needs_confirmation = True
    bid.save()
    page = client.get(reverse("commissioning:bid", args=[bid.pk])).content.decode()
    assert "Resubmit or confirm" in page
    submit(client, bid)
    bid.refresh_from_db()
    assert not bid.needs_confirmation
    assert list(bid.receipts.order_by("pk").values_list("action", flat=True)) == [
        "submitted",
        "confirmed",
    ]


def test_the_content_hash_changes_with_the_content(bid):
    before = services.bid_content_hash(bid)
    assert before == services.bid_content_hash(bid)
    BidAnswer.objects.filter(bid=bid).update(text="A different answer.")
    assert services.bid_content_hash(bid) != before


def test_the_bid_statuses_walk_every_pair():
    allowed = {
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
        ("submitted", "shortlisted"),
        ("submitted", "not_shortlisted"),
        ("submitted", "successful"),
        ("submitted", "unsuccessful"),
        ("withdrawn", "submitted"),
    }
    from accounts.workflow import check_transition

    for source in BidStatus.values:
        for target in BidStatus.values:
            if (source, target) in allowed:
                check_transition(BID_TRANSITIONS, source, target)
            else:
                with pytest.raises(TransitionNotAllowed):
                    check_transition(BID_TRANSITIONS, source, target)


# Consortium bids


@pytest.fixture
def consortium_bid(provider, provider_org, commissioning_body):
    partner_org = OrganisationFactory(name="Partner Group")
    partner = UserFactory(email="partner@example.org")
    MembershipFactory(user=partner, organisation=partner_org, role=MembershipRole.ADMIN)
    consortium = ConsortiumFactory(lead=provider_org, status=ConsortiumStatus.ACTIVE)
    ConsortiumMemberFactory(consortium=consortium, organisation=partner_org)
    opportunity = OpportunityFactory(body=commissioning_body)
    bid = complete_bid(
        BidFactory(
            opportunity=opportunity,
            organisation=provider_org,
            consortium=consortium,
            created_by=provider,
        )
    )
    return bid, partner


def test_submission_waits_for_every_member_to_confirm(client, provider, consortium_bid):
    bid, partner = consortium_bid
    with pytest.raises(ValidationError, match="Still to confirm: Partner Group"):
        services.bid_submit(actor=provider, bid=bid)
    client.force_login(partner)
    page = client.get(reverse("commissioning:bid", args=[bid.pk]))
    assert page.status_code == 200
    assert "Confirm Partner Group" in page.content.decode()
    response = client.post(reverse("commissioning:bid_confirm_member", args=[bid.pk]))
    assert response.status_code == 302
    assert bid.member_confirmations.filter(organisation__name="Partner Group").exists()
    _receipt, created = services.bid_submit(actor=provider, bid=bid)
    assert created


def test_only_a_member_admin_can_confirm(client, provider, consortium_bid):
    bid, _partner = consortium_bid
    client.force_login(provider)
    response = client.post(reverse("commissioning:bid_confirm_member", args=[bid.pk]))
    assert response.status_code == 403
    assert not bid.member_confirmations.exists()


def test_a_consortium_member_cannot_submit_for_the_lead(client, consortium_bid):
    bid, partner = consortium_bid
    client.force_login(partner)
    assert submit(client, bid).status_code == 403
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT


def test_price_decimal_survives_into_the_hash(provider, bid):
    bid.price = Decimal("100000.50")
    bid.save()
    assert '"price":"100000.50"' in __import__("json").dumps(
        services.bid_content(bid), separators=(",", ":")
    )
