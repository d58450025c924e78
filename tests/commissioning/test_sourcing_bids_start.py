"""Starting a bid: the eligibility questions first (a "no" stops it and creates nothing), the
stage (expressions of interest, then full bids for the shortlisted only), lots, consortia, and
starting twice."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Bid, BidStage, BidStatus, Procedure
from providers.models import ConsortiumStatus
from tests.factories.commissioning_sourcing import (
    BidFactory,
    EligibilityQuestionFactory,
    OpportunityFactory,
)
from tests.factories.providers import ConsortiumFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body)
    EligibilityQuestionFactory(opportunity=opportunity)
    return opportunity


def start(client, opportunity, *, answer="yes", bid_as="organisation"):
    question = opportunity.eligibility_questions.get()
    return client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {
            "lots": [lot.pk for lot in opportunity.lots.all()],
            "bid_as": bid_as,
            f"eligibility_{question.pk}": answer,
        },
    )


def test_a_no_stops_the_bidder_and_creates_nothing(client, provider, opportunity):
    client.force_login(provider)
    response = start(client, opportunity, answer="no")
    page = response.content.decode()
    assert response.status_code == 200
    assert "speak to Sam Okafor (sam.okafor@lindenford-council.example.org) before you start" in (
        page
    )
    assert not Bid.objects.exists()


def test_all_yes_creates_a_draft_and_starting_again_finds_it(client, provider, opportunity):
    client.force_login(provider)
    response = start(client, opportunity)
    bid = Bid.objects.get()
    assert response.url == reverse("commissioning:bid", args=[bid.pk])
    assert (bid.status, bid.stage) == (BidStatus.DRAFT, BidStage.FULL)
    assert list(bid.lots.all()) == list(opportunity.lots.all())
    assert bid.eligibility_answers.get().answer is True
    again = client.get(reverse("commissioning:bid_start", args=[opportunity.pk]))
    assert again.url == reverse("commissioning:bid", args=[bid.pk])
    start(client, opportunity)
    assert Bid.objects.count() == 1


def test_an_eligibility_answer_is_required(client, provider, opportunity):
    client.force_login(provider)
    response = client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {"lots": [opportunity.lots.get().pk], "bid_as": "organisation"},
    )
    assert "yes or no" in response.content.decode()
    assert not Bid.objects.exists()


def test_no_start_after_the_deadline(client, provider, commissioning_body):
    opportunity = OpportunityFactory(
        body=commissioning_body,
        clarifications_close_at=timezone.now() - timedelta(days=2),
        bid_deadline=timezone.now() - timedelta(seconds=1),
    )
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_start", args=[opportunity.pk]))
    assert "It has passed" in page.content.decode()
    client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {"lots": [opportunity.lots.get().pk], "bid_as": "organisation"},
    )
    assert not Bid.objects.exists()


def test_a_two_stage_opportunity_starts_with_an_expression_of_interest(
    client, provider, commissioning_body
):
    opportunity = OpportunityFactory(body=commissioning_body, procedure=Procedure.TWO_STAGE)
    client.force_login(provider)
    client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {"lots": [opportunity.lots.get().pk], "bid_as": "organisation"},
    )
    assert Bid.objects.get().stage == BidStage.EOI


def _after_eoi(commissioning_body):
    now = timezone.now()
    return OpportunityFactory(
        body=commissioning_body,
        procedure=Procedure.TWO_STAGE,
        clarifications_close_at=now - timedelta(days=2),
        eoi_deadline=now - timedelta(days=1),
    )


def test_only_the_shortlisted_write_a_full_bid(client, provider, provider_org, commissioning_body):
    opportunity = _after_eoi(commissioning_body)
    BidFactory(
        opportunity=opportunity,
        stage=BidStage.EOI,
        organisation=provider_org,
        status=BidStatus.NOT_SHORTLISTED,
    )
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_start", args=[opportunity.pk])).content.decode()
    assert "Riverside Advice was not shortlisted" in page
    client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {"lots": [opportunity.lots.get().pk], "bid_as": "organisation"},
    )
    assert not Bid.objects.filter(stage=BidStage.FULL).exists()


def test_a_shortlisted_organisation_starts_its_full_bid(
    client, provider, provider_org, commissioning_body
):
    opportunity = _after_eoi(commissioning_body)
    BidFactory(
        opportunity=opportunity,
        stage=BidStage.EOI,
        organisation=provider_org,
        status=BidStatus.SHORTLISTED,
    )
    client.force_login(provider)
    client.post(
        reverse("commissioning:bid_start", args=[opportunity.pk]),
        {"lots": [opportunity.lots.get().pk], "bid_as": "organisation"},
    )
    assert Bid.objects.filter(stage=BidStage.FULL, organisation=provider_org).exists()


def test_bidding_as_the_lead_of_an_active_consortium(client, provider, provider_org, opportunity):
    active = ConsortiumFactory(lead=provider_org, status=ConsortiumStatus.ACTIVE, name="Active")
    ConsortiumFactory(lead=provider_org, status=ConsortiumStatus.FORMING, name="Still forming")
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_start", args=[opportunity.pk])).content.decode()
    assert "the consortium Active" in page
    assert "Still forming" not in page
    start(client, opportunity, bid_as=str(active.pk))
    assert Bid.objects.get().consortium == active


def test_no_consortium_choice_when_the_opportunity_refuses_them(
    client, provider, provider_org, commissioning_body
):
    opportunity = OpportunityFactory(body=commissioning_body, consortium_bids=False)
    ConsortiumFactory(lead=provider_org, status=ConsortiumStatus.ACTIVE, name="Active")
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_start", args=[opportunity.pk])).content.decode()
    assert "the consortium Active" not in page


def test_commissioners_and_unverified_organisations_cannot_bid(
    client, commissioner, pending_provider, opportunity
):
    for user in (commissioner, pending_provider):
        client.force_login(user)
        assert (
            client.get(reverse("commissioning:bid_start", args=[opportunity.pk])).status_code == 403
        )
