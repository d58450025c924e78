"""A bid is sealed until its stage's deadline: before it, nobody outside the bidding side can
read it, network admins and the opportunity's own commissioners included; after it, the panel
and the commissioners can read submitted bids, and still nobody else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import MembershipRole
from commissioning import access
from commissioning.models import BidStage, BidStatus, ConflictDeclaration, Procedure
from providers.models import Consortium, ConsortiumMember
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.commissioning_sourcing import (
    BidFactory,
    OpportunityFactory,
    PanelMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commissioner, commissioning_body, provider, provider_org, outsider, network_admin):
    opportunity = OpportunityFactory(body=commissioning_body)
    bid = BidFactory(opportunity=opportunity, organisation=provider_org, status=BidStatus.SUBMITTED)
    panellist = UserFactory(email="panel@example.org")
    seat = PanelMemberFactory(opportunity=opportunity, user=panellist)
    ConflictDeclaration.objects.create(panel_member=seat, bid=bid, has_conflict=False)
    partner_org = OrganisationFactory(name="Partner Group")
    partner = UserFactory(email="partner@example.org")
    MembershipFactory(user=partner, organisation=partner_org, role=MembershipRole.ADMIN)
    consortium = Consortium.objects.create(
        name="Riverside Partnership", lead=provider_org, created_by=provider
    )
    ConsortiumMember.objects.create(
        consortium=consortium, organisation=partner_org, role="Outreach", indicative_share=30
    )
    bid.consortium = consortium
    bid.save()
    return {
        "bid": bid,
        "people": {
            "provider": provider,
            "consortium partner": partner,
            "commissioner": commissioner,
            "panel member": panellist,
            "network admin": network_admin,
            "outsider": outsider,
        },
    }


def readers(bid, people, *, now=None) -> set[str]:
    return {
        role
        for role, user in people.items()
        if access.bids_visible_to(user, now=now).filter(pk=bid.pk).exists()
    }


def test_before_the_deadline_only_the_bidding_side_reads_the_bid(world):
    assert readers(world["bid"], world["people"]) == {"provider", "consortium partner"}


def test_one_second_before_the_deadline_it_is_still_sealed(world):
    bid = world["bid"]
    now = bid.opportunity.bid_deadline - timedelta(seconds=1)
    assert readers(bid, world["people"], now=now) == {"provider", "consortium partner"}
    assert access.is_sealed(bid, now=now)


def test_one_second_after_the_deadline_the_panel_and_commissioners_read_it(world):
    bid = world["bid"]
    now = bid.opportunity.bid_deadline + timedelta(seconds=1)
    assert not access.is_sealed(bid, now=now)
    assert readers(bid, world["people"], now=now) == {
        "provider",
        "consortium partner",
        "commissioner",
        "panel member",
    }


def test_a_panel_member_reads_only_after_declaring_no_conflict(world, commissioner):
    bid = world["bid"]
    now = bid.opportunity.bid_deadline + timedelta(seconds=1)
    declaration = ConflictDeclaration.objects.get(bid=bid)
    declaration.has_conflict = True
    declaration.save()
    assert "panel member" not in readers(bid, world["people"], now=now)
    declaration.delete()
    assert "panel member" not in readers(bid, world["people"], now=now)
    # A commissioner who sits on the panel is held to the same rule.
    PanelMemberFactory(opportunity=bid.opportunity, user=commissioner)
    assert "commissioner" not in readers(bid, world["people"], now=now)


def test_a_draft_is_never_opened_to_the_panel(world):
    bid = world["bid"]
    bid.status = BidStatus.DRAFT
    bid.save()
    now = bid.opportunity.bid_deadline + timedelta(seconds=1)
    assert readers(bid, world["people"], now=now) == {"provider", "consortium partner"}


def test_an_expression_of_interest_opens_at_its_own_deadline(commissioner, commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body, procedure=Procedure.TWO_STAGE)
    eoi = BidFactory(opportunity=opportunity, stage=BidStage.EOI, status=BidStatus.SUBMITTED)
    before = opportunity.eoi_deadline - timedelta(seconds=1)
    after = opportunity.eoi_deadline + timedelta(seconds=1)
    assert not access.bids_visible_to(commissioner, now=before).filter(pk=eoi.pk).exists()
    assert access.bids_visible_to(commissioner, now=after).filter(pk=eoi.pk).exists()
    full = BidFactory(
        opportunity=opportunity,
        stage=BidStage.FULL,
        status=BidStatus.SUBMITTED,
        organisation=eoi.organisation,
    )
    assert not access.bids_visible_to(commissioner, now=after).filter(pk=full.pk).exists()


def test_anonymous_people_read_no_bids(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    later = timezone.now() + timedelta(days=30)
    assert not access.bids_visible_to(AnonymousUser(), now=later).exists()
