"""A small charity registers itself through the real pages, and a network admin verifies it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Organisation, VerificationStatus
from tests.browser.axe import CHECKED_PAGES, field, sign_in, sign_out, submit_and_check, visit
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser

ORGANISATION = "Lindenford Food Bank"
PROVIDER_EMAIL = "amara.okafor@lindenford-foodbank.example"
PROVIDER_PASSWORD = "parsnip-lantern-harbour-42"
ADMIN_EMAIL = "network.admin@example.org"
CONFIRM_LINK = re.compile(r"/accounts/confirm-email/[^\s]+/")


def test_provider_registers_and_a_network_admin_verifies_it(page: Page):
    first_check = len(CHECKED_PAGES)
    UserFactory(email=ADMIN_EMAIL, full_name="Nia Network", is_network_admin=True)

    # The public home page leads to the sign-up form.
    visit(page, "/")
    submit_and_check(
        page, page.get_by_role("main").get_by_role("link", name="Register an organisation")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your organisation")

    field(page, "Your full name").fill("Amara Okafor")
    field(page, "Email").fill(PROVIDER_EMAIL)
    field(page, "Password").fill(PROVIDER_PASSWORD)
    field(page, "Password (again)").fill(PROVIDER_PASSWORD)
    field(page, "Organisation name").fill(ORGANISATION)
    field(page, "Legal form").select_option(label="Registered charity (trust or association)")
    # A Scottish charity number: not one the Charity Commission for England and Wales issues.
    field(page, "Registered charity number (England and Wales)").fill("SC012345")
    field(page, "Companies House number").fill("")
    field(page, "Address").fill("Unit 4, Mill Lane\nLindenford")
    field(page, "Postcode").fill("e8 1dy")
    submit_and_check(page, page.get_by_role("button", name="Register"))

    # The form comes back with the error beside the field, and what was typed is kept.
    charity_number = field(page, "Registered charity number (England and Wales)")
    expect(charity_number).to_have_value("SC012345")
    expect(page.locator("#div_id_charity_number")).to_contain_text(
        "Enter a charity number using digits only"
    )
    # Tied to the field, so a screen reader announces it there too.
    expect(charity_number).to_have_attribute("aria-invalid", "true")
    expect(charity_number).to_have_accessible_description(re.compile("digits only"))
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(field(page, "Organisation name")).to_have_value(ORGANISATION)
    assert not Organisation.objects.filter(name=ORGANISATION).exists()

    charity_number.fill("1187001")
    # Browsers never send a password back; the form asks for it again.
    field(page, "Password").fill(PROVIDER_PASSWORD)
    field(page, "Password (again)").fill(PROVIDER_PASSWORD)
    submit_and_check(page, page.get_by_role("button", name="Register"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm your email address")

    organisation = Organisation.objects.get(name=ORGANISATION)
    assert organisation.verification_status == VerificationStatus.PENDING
    assert organisation.charity_number == "1187001"
    assert organisation.postcode == "E8 1DY"
    admin_told = [m for m in mail.outbox if m.to == [ADMIN_EMAIL]]
    assert [m.subject for m in admin_told] == [f"{ORGANISATION} is waiting for verification"]

    # The confirmation email's link, opened in the same browser.
    (confirmation,) = [m for m in mail.outbox if m.to == [PROVIDER_EMAIL]]
    link = CONFIRM_LINK.search(confirmation.body)
    assert link, confirmation.body
    visit(page, link.group(0))
    submit_and_check(page, page.get_by_role("button", name="Confirm"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amara")
    expect(page.get_by_role("heading", name=ORGANISATION)).to_contain_text(
        "Waiting for verification"
    )
    sign_out(page)

    # The network admin finds it in the queue and verifies it.
    sign_in(page, ADMIN_EMAIL, PASSWORD)
    submit_and_check(
        page,
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Verification queue"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Verification queue")
    submit_and_check(page, page.get_by_role("main").get_by_role("link", name=ORGANISATION))
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    page.get_by_role("radio", name=re.compile(r"^Verify:")).check()
    mail.outbox.clear()
    submit_and_check(page, page.get_by_role("button", name="Record the decision"))

    expect(page.get_by_role("status")).to_contain_text(
        f"{ORGANISATION} is verified. Its users have been emailed."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Verification queue")
    expect(page.get_by_role("main")).to_contain_text("No organisations are waiting.")
    expect(page.get_by_role("main").get_by_role("link", name=ORGANISATION)).to_have_count(0)
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    verified = [m for m in mail.outbox if "is verified" in m.subject]
    assert [m.to for m in verified] == [[PROVIDER_EMAIL]]
    sign_out(page)

    # The provider signs in and sees that it is verified.
    sign_in(page, PROVIDER_EMAIL, PROVIDER_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amara")
    expect(page.get_by_role("heading", name=ORGANISATION)).to_contain_text("Verified")

    # Every page on the way was checked with axe, including the ones reached by a form.
    checked = [check.url for check in CHECKED_PAGES[first_check:]]
    assert any("/accounts/confirm-email/" in url for url in checked)
    assert any(f"/network/organisations/{organisation.pk}/review/" in url for url in checked)
