"""An organisation admin invites a colleague, a rejected charity resubmits, and the account pages work."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts import services
from accounts.models import Membership, MembershipRole, Organisation, VerificationStatus
from tests.browser.axe import field, sign_in, sign_out, submit_and_check, visit
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser

INVITE_LINK = re.compile(r"/invitations/[^/\s]+/")


def test_admin_invites_a_colleague_who_joins_and_the_link_then_stops_working(page: Page):
    charity = OrganisationFactory(name="Northgate Carers Centre")
    admin = UserFactory(email="jo@northgate-carers.example", full_name="Jo Admin")
    MembershipFactory(user=admin, organisation=charity, role=MembershipRole.ADMIN)

    sign_in(page, admin.email, PASSWORD)
    submit_and_check(page, page.get_by_role("link", name="Invite a colleague"))
    field(page, "Their email address").fill("not-an-email")
    submit_and_check(page, page.get_by_role("button", name="Send the invitation"))
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid email address")
    field(page, "Their email address").fill("sam@northgate-carers.example")
    page.get_by_label("Organisation admin").check()
    submit_and_check(page, page.get_by_role("button", name="Send the invitation"))
    expect(page.get_by_role("main")).to_contain_text("We have emailed an invitation")
    expect(page.get_by_role("row", name=re.compile("sam@northgate-carers.example"))).to_be_visible()
    link = INVITE_LINK.search(mail.outbox[-1].body).group(0)
    sign_out(page)

    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Northgate Carers Centre")
    field(page, "Your full name").fill("Sam Patel")
    field(page, "Choose a password").fill("kestrel-orchard-ribbon")
    field(page, "Type the password again").fill("kestrel-orchard-ribbon-typo")
    submit_and_check(page, page.get_by_role("button", name="Create my account and join"))
    expect(page.get_by_role("alert")).to_contain_text("The two passwords do not match")
    expect(field(page, "Your full name")).to_have_value("Sam Patel")
    field(page, "Choose a password").fill("kestrel-orchard-ribbon")
    field(page, "Type the password again").fill("kestrel-orchard-ribbon")
    submit_and_check(page, page.get_by_role("button", name="Create my account and join"))
    expect(page.get_by_role("main")).to_contain_text("Welcome to Northgate Carers Centre")
    sam = Membership.objects.get(user__email="sam@northgate-carers.example")
    assert sam.organisation == charity and sam.role == MembershipRole.ADMIN

    # As an admin, Sam names a Compact champion on the organisation's page.
    submit_and_check(page, page.get_by_role("link", name="Your organisation"))
    page.get_by_label("Compact champion (jo@northgate-carers.example)").check()
    submit_and_check(page, page.get_by_role("button", name="Save jo@northgate-carers.example"))
    expect(page.get_by_role("main")).to_contain_text("Saved the changes for Jo Admin")
    assert Membership.objects.get(user=admin).is_compact_champion
    sign_out(page)

    # The link worked once.
    visit(page, link, status=410)
    expect(page.get_by_role("main")).to_contain_text("already been used")


def test_a_rejected_charity_corrects_its_number_and_resubmits(page: Page):
    admin = UserFactory(is_network_admin=True)
    charity = OrganisationFactory(
        name="Southbank Men's Shed",
        charity_number="1176543",
        verification_status=VerificationStatus.PENDING,
        verified_at=None,
    )
    owner = UserFactory(email="ray@southbank-shed.example")
    MembershipFactory(user=owner, organisation=charity, role=MembershipRole.ADMIN)
    services.organisation_reject(
        organisation=charity, actor=admin, reason="1176543 is registered to another charity."
    )

    sign_in(page, owner.email, PASSWORD)
    expect(page.get_by_role("main")).to_contain_text("registered to another charity")
    submit_and_check(page, page.get_by_role("link", name="Correct and resubmit"))
    field(page, "Registered charity number (England and Wales)").fill("1176544")
    submit_and_check(page, page.get_by_role("button", name="Resubmit for verification"))
    expect(page.get_by_role("main")).to_contain_text("Waiting for verification")
    charity.refresh_from_db()
    assert charity.verification_status == VerificationStatus.PENDING
    assert charity.charity_number == "1176544"


def test_a_person_registers_a_second_organisation_and_switches_between_them(page: Page):
    first = OrganisationFactory(name="Eastfield Tenants Association")
    person = UserFactory(email="lee@eastfield.example")
    MembershipFactory(user=person, organisation=first, role=MembershipRole.ADMIN)

    sign_in(page, person.email, PASSWORD)
    visit(page, "/organisations/register/")
    field(page, "Organisation name").fill("Eastfield Community Kitchen")
    field(page, "Legal form").select_option(label="Community interest company (CIC)")
    field(page, "Companies House number").fill("SC12345")
    field(page, "Address").fill("The Old Library, Eastfield")
    field(page, "Postcode").fill("E9 5LN")
    submit_and_check(page, page.get_by_role("button", name="Register the organisation"))
    expect(page.get_by_role("alert")).to_contain_text("Enter a Companies House number")
    field(page, "Companies House number").fill("SC123456")
    submit_and_check(page, page.get_by_role("button", name="Register the organisation"))
    expect(page.locator(".org-bar")).to_contain_text("Acting for Eastfield Community Kitchen")
    assert Organisation.objects.get(name="Eastfield Community Kitchen").company_number == "SC123456"

    page.get_by_label("Switch organisation").select_option(label="Eastfield Tenants Association")
    submit_and_check(page, page.get_by_role("button", name="Switch"))
    expect(page.locator(".org-bar")).to_contain_text("Acting for Eastfield Tenants Association")


def test_account_pages_password_reset_and_not_found(page: Page):
    person = UserFactory(email="mo@example.org")
    MembershipFactory(user=person, organisation=OrganisationFactory())

    visit(page, "/accounts/login/")
    submit_and_check(page, page.get_by_role("link", name="Forgotten your password?"))
    field(page, "Email").fill(person.email)
    submit_and_check(page, page.get_by_role("button", name="Send the link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    reset = re.search(r"/accounts/password/reset/key/[^\s]+/", mail.outbox[-1].body).group(0)
    visit(page, reset)
    field(page, "New password").fill("juniper-canal-thistle")
    field(page, "New password (again)").fill("juniper-canal-thistle")
    submit_and_check(page, page.get_by_role("button", name="Save the new password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")

    sign_in(page, person.email, "juniper-canal-thistle")
    submit_and_check(page, page.get_by_role("link", name="Your account"))
    expect(page.get_by_role("navigation", name="Account settings")).to_be_visible()
    submit_and_check(page, page.get_by_role("link", name="Two-factor authentication"))
    visit(page, "/accounts/logout/")
    visit(page, "/no-such-page/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
