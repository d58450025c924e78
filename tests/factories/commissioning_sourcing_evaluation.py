"""Helpers for evaluation tests: an opportunity whose bid deadline has passed, submitted bids in
its lot, and a panel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import MembershipRole
from commissioning.models import BidStage, BidStatus, OpportunityStatus, PanelRole, Procedure

from .accounts import MembershipFactory, OrganisationFactory, UserFactory
from .commissioning_sourcing import BidFactory, OpportunityFactory, PanelMemberFactory


def closed_opportunity(**kwargs):
    """An opportunity whose full bids are open to the panel: the deadline passed an hour ago."""
    now = timezone.now()
    values = {
        "publish_at": now - timedelta(days=30),
        "clarifications_close_at": now - timedelta(days=10),
        "bid_deadline": now - timedelta(hours=1),
        "status": OpportunityStatus.EVALUATING,
    }
    if kwargs.get("procedure") == Procedure.TWO_STAGE:
        values["eoi_deadline"] = now - timedelta(days=5)
    values.update(kwargs)
    return OpportunityFactory(**values)


def eoi_closed_opportunity(**kwargs):
    """A two-stage opportunity whose expressions of interest are closed and open to the panel;
    its full bids are due in a week."""
    now = timezone.now()
    values = {
        "procedure": Procedure.TWO_STAGE,
        "publish_at": now - timedelta(days=30),
        "clarifications_close_at": now - timedelta(days=10),
        "eoi_deadline": now - timedelta(hours=1),
        "bid_deadline": now + timedelta(days=7),
        "status": OpportunityStatus.EOI_CLOSED,
    }
    values.update(kwargs)
    return OpportunityFactory(**values)


def submitted_bid(opportunity, *, organisation=None, stage=BidStage.FULL, member=None, **kwargs):
    """A submitted bid in every lot of the opportunity, by an organisation with one member."""
    organisation = organisation or OrganisationFactory()
    if member is None:
        member = UserFactory()
        MembershipFactory(user=member, organisation=organisation, role=MembershipRole.ADMIN)
    bid = BidFactory(
        opportunity=opportunity,
        organisation=organisation,
        stage=stage,
        status=BidStatus.SUBMITTED,
        created_by=member,
        **kwargs,
    )
    if stage == BidStage.FULL:
        bid.lots.set(opportunity.lots.all())
    return bid


def panellist(opportunity, *, role=PanelRole.COMMISSIONER, user=None):
    """A commissioner (a member of a commissioning body) seated on the panel."""
    if user is None:
        user = UserFactory()
        MembershipFactory(user=user, organisation=opportunity.body, role=MembershipRole.MEMBER)
    return PanelMemberFactory(opportunity=opportunity, user=user, role=role)
