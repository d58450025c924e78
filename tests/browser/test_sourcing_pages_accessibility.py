"""Every sourcing page on the demo network, for the roles that use it, checked with axe: the
public opportunities, a provider's bids and feedback, the commissioner's pages for writing and
running an opportunity, and a panel member's pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import Organisation, OrganisationKind, User
from commissioning.models import Bid, BidStatus, Clarification, Opportunity, OpportunityStatus
from reporting.management.commands.seed_demo import seed
from tests.browser.axe import sign_in, sign_out, visit
from tests.factories.commissioning_sourcing import OpportunityFactory

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"
COMMISSIONER = "commissioner@example.org"
PROVIDER = "provider@example.org"
PANEL = "panel@example.org"


@pytest.fixture
def demo(transactional_db) -> dict[str, Opportunity]:
    seed()
    return {
        "grants": Opportunity.objects.get(reference="LC-ASC-2027-0001"),
        "two_stage": Opportunity.objects.get(reference="LC-PH-2027-0001"),
        "awarded": Opportunity.objects.get(reference="LC-ASC-2026-0007"),
    }


def url(name: str, *args) -> str:
    return reverse(f"commissioning:{name}", args=args)


def test_public_pages(page: Page, demo):
    for address in (
        url("opportunity_list"),
        f"{url('opportunity_list')}?q=advice",
        url("opportunity", demo["grants"].pk),
        url("opportunity", demo["two_stage"].pk),
        url("clarifications", demo["grants"].pk),
        url("opportunity", demo["awarded"].pk),
    ):
        visit(page, address)
    # The awarded contract's page carries the award notice, naming the winner.
    winner = Bid.objects.get(opportunity=demo["awarded"], status=BidStatus.SUCCESSFUL)
    expect(page.get_by_role("main")).to_contain_text(winner.organisation.name)


def test_provider_pages(page: Page, demo):
    provider = User.objects.get(email=PROVIDER)
    draft = Bid.objects.get(opportunity=demo["grants"], organisation__memberships__user=provider)
    won = Bid.objects.get(opportunity=demo["awarded"], status=BidStatus.SUCCESSFUL)
    Clarification.objects.create(
        opportunity=demo["grants"],
        question="Can a group apply with a partner that is not yet registered?",
        asked_by=provider,
        asked_for=draft.organisation,
    )
    sign_in(page, PROVIDER, DEMO_PASSWORD)
    for address in (
        url("opportunity_list"),
        url("opportunity", demo["grants"].pk),
        url("clarifications", demo["grants"].pk),
        url("bid_list"),
        url("bid", draft.pk),
        url("bid_edit", draft.pk),
        url("bid_budget", draft.pk),
        url("bid_documents", draft.pk),
        url("bid_start", demo["two_stage"].pk),
        url("bid", won.pk),
        url("bid_receipt", won.pk),
        url("feedback", won.pk),
    ):
        visit(page, address)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sign_out(page)


def test_commissioner_pages(page: Page, demo):
    commissioner = User.objects.get(email=COMMISSIONER)
    body = Organisation.objects.get(
        memberships__user=commissioner, kind=OrganisationKind.COMMISSIONING_BODY
    )
    draft = OpportunityFactory(
        body=body, status=OpportunityStatus.DRAFT, published_at=None, created_by=commissioner
    )
    awarded = demo["awarded"]
    any_bid = Bid.objects.filter(opportunity=awarded).first()
    sign_in(page, COMMISSIONER, DEMO_PASSWORD)
    for address in (
        url("opportunity_list"),
        url("opportunity_create"),
        url("opportunity_manage", draft.pk),
        url("opportunity_edit", draft.pk),
        url("opportunity_lots", draft.pk),
        url("opportunity_criteria", draft.pk),
        url("opportunity_eligibility", draft.pk),
        url("opportunity_documents", draft.pk),
        url("opportunity_manage", demo["grants"].pk),
        url("clarifications", demo["grants"].pk),
        url("opportunity_extend", demo["grants"].pk),
        url("opportunity_amend", demo["grants"].pk),
        url("opportunity_cancel", demo["grants"].pk),
        url("opportunity_manage", awarded.pk),
        url("panel", awarded.pk),
        url("moderation", awarded.pk),
        url("bid", any_bid.pk),
    ):
        visit(page, address)
    sign_out(page)


def test_panel_member_pages(page: Page, demo):
    awarded = demo["awarded"]
    bid = Bid.objects.filter(opportunity=awarded).first()
    sign_in(page, PANEL, DEMO_PASSWORD)
    for address in (
        url("panel_bids", awarded.pk),
        url("bid_score", bid.pk),
        url("bid", bid.pk),
    ):
        visit(page, address)
    sign_out(page)
