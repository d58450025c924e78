"""The demo logins work through the real sign-in page, and the public and admin pages pass axe."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Organisation, OrganisationKind, VerificationStatus
from tests.browser.axe import CHECKED_PAGES, field, sign_in, submit_and_check, visit

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"
BOOTSTRAP_CSS = "/static/vendor/bootstrap/css/bootstrap.min.css"
PUBLIC_PAGES = ("/", "/accessibility/", "/privacy/", "/accounts/signup/", "/accounts/login/")


@pytest.fixture
def demo_network(transactional_db):
    call_command("seed_demo", stdout=StringIO())


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def expect_network_admin_home(page: Page) -> None:
    expect(page.get_by_role("heading", name="The network")).to_be_visible()
    expect(page.get_by_role("heading", name="Verification queue", exact=True)).to_be_visible()
    pending = Organisation.objects.filter(verification_status=VerificationStatus.PENDING).count()
    assert pending > 0, "the demo network should have organisations waiting"
    waiting = page.locator(".card-body").filter(has_text="waiting for verification")
    expect(waiting.locator(".stat")).to_have_text(str(pending))
    total = Organisation.objects.count()
    expect(page.get_by_role("row", name="All organisations")).to_contain_text(str(total))
    expect(page.get_by_role("heading", name="What to do next")).to_have_count(0)


def expect_commissioner_home(page: Page) -> None:
    expect(
        page.get_by_role("heading", name="Lindenford Council: Adult Social Care")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Members of your body")).to_be_visible()
    expect(page.get_by_role("link", name="Invite a commissioner")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Your body")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Verification queue")).to_have_count(0)


def expect_provider_home(page: Page) -> None:
    organisation = Organisation.objects.get(name="Lindenford Community Advice")
    heading = page.get_by_role("heading", name=organisation.name)
    expect(heading).to_contain_text(organisation.get_verification_status_display())
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    expect(page.get_by_role("heading", name="Members of your body")).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name="Your organisation")).to_be_visible()


def expect_panel_member_home(page: Page) -> None:
    body = Organisation.objects.get(
        memberships__user__email="panel@example.org",
        kind=OrganisationKind.COMMISSIONING_BODY,
    )
    expect(page.get_by_role("heading", name=body.name)).to_be_visible()
    expect(page.get_by_role("heading", name="Members of your body")).to_be_visible()
    # A member, not an admin, of the body: no inviting.
    expect(page.get_by_role("link", name="Invite a commissioner")).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name="Verification queue")).to_have_count(0)


@pytest.mark.parametrize(
    ("email", "first_name", "expect_home"),
    [
        pytest.param("admin@example.org", "Ada", expect_network_admin_home, id="network-admin"),
        pytest.param(
            "commissioner@example.org", "Colin", expect_commissioner_home, id="commissioner"
        ),
        pytest.param("provider@example.org", "Priya", expect_provider_home, id="provider"),
        pytest.param("panel@example.org", "Pat", expect_panel_member_home, id="panel-member"),
    ],
)
def test_demo_login_lands_on_the_home_page_for_the_role(
    page: Page, live_server, demo_network, email, first_name, expect_home
):
    first_check = len(CHECKED_PAGES)
    sign_in(page, email, DEMO_PASSWORD)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {first_name}")
    expect_home(page)
    # axe ran on both pages: the sign-in page and the home page it led to.
    checked = [check.url for check in CHECKED_PAGES[first_check:]]
    assert checked == [f"{live_server.url}/accounts/login/", f"{live_server.url}/"]


def test_wrong_password_is_refused_on_the_sign_in_page(page: Page, demo_network):
    sign_in(page, "provider@example.org", "not-the-demo-password")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(field(page, "Email")).to_have_value("provider@example.org")


def test_anonymous_visitor_reads_the_public_pages(page: Page):
    with page.expect_response(f"**{BOOTSTRAP_CSS}") as stylesheet:
        visit(page, "/")
    assert stylesheet.value.status == 200
    assert stylesheet.value.header_value("content-type").startswith("text/css")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commission together")

    footer = page.get_by_role("contentinfo")
    submit_and_check(page, footer.get_by_role("link", name="Accessibility statement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    submit_and_check(
        page, page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    submit_and_check(page, main_nav(page).get_by_role("link", name="Register an organisation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your organisation")
    submit_and_check(page, main_nav(page).get_by_role("link", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Every public page, reached by its link and by its address.
    for path in PUBLIC_PAGES:
        visit(page, path)
        expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()


def test_public_pages_keep_to_the_content_security_policy(browser, live_server):
    """The other tests bypass the CSP to inject axe; here the policy is enforced, and nothing
    on the public pages breaks it."""
    context = browser.new_context(base_url=live_server.url)
    strict_page = context.new_page()
    refused = []
    strict_page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        for path in PUBLIC_PAGES:
            response = strict_page.goto(path)
            assert response.status == 200
            assert "script-src 'self'" in response.header_value("content-security-policy")
            # Bootstrap's stylesheet applies under the policy: the navigation is laid out by it.
            display = strict_page.get_by_role("navigation", name="Main").evaluate(
                "nav => getComputedStyle(nav.querySelector('.navbar-nav')).display"
            )
            assert display == "flex", path
    finally:
        context.close()
    assert refused == []


def test_the_accessibility_check_fails_on_a_serious_finding(page: Page, axe):
    """The harness itself: axe runs despite the site's CSP, and a serious finding fails the test."""
    visit(page, "/")
    page.get_by_role("main").evaluate(
        "main => main.insertAdjacentHTML('beforeend', '<img src=\"data:,\">')"
    )
    with pytest.raises(pytest.fail.Exception, match=r"\[critical\] image-alt"):
        axe(page)
    # The broken page is this test's own making: keep it out of the run's summary.
    planted = CHECKED_PAGES.pop()
    assert [v["id"] for v in planted.blocking] == ["image-alt"]


def test_network_admin_walks_the_admin_pages(page: Page, demo_network):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)

    submit_and_check(page, main_nav(page).get_by_role("link", name="Organisations"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    field(page, "Status").select_option(label="Waiting for verification")
    submit_and_check(page, page.get_by_role("button", name="Filter"))
    pending = Organisation.objects.filter(verification_status=VerificationStatus.PENDING)
    expect(page.get_by_role("main")).to_contain_text(f"{pending.count()} organisations.")
    first = pending.order_by("name").first()
    submit_and_check(page, page.get_by_role("link", name=first.name, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(first.name)
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()

    submit_and_check(page, main_nav(page).get_by_role("link", name="Audit log"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.get_by_role("table").get_by_role("row")).not_to_have_count(1)

    submit_and_check(page, main_nav(page).get_by_role("link", name="Home"))
    submit_and_check(page, page.get_by_role("link", name="Add a commissioning body"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a commissioning body")
    body_name = "Lindenford Fire and Rescue: Prevention"
    field(page, "Name").fill(body_name)
    field(page, "Address (optional)").fill("Lindenford Fire Station\nCross Street")
    field(page, "Postcode (optional)").fill("lf1 2fr")
    submit_and_check(page, page.get_by_role("button", name="Add the body"))

    # Adding a body leads straight to inviting its first commissioner.
    expect(page.get_by_role("status")).to_contain_text(f"{body_name} is added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite someone to {body_name}")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    submit_and_check(page, breadcrumbs.get_by_role("link", name=body_name))
    expect(page.get_by_role("heading", level=1)).to_have_text(body_name)
    expect(page.get_by_role("main")).to_contain_text("LF1 2FR")
    submit_and_check(page, page.get_by_role("link", name="Invite someone"))

    field(page, "Their email address").fill("fire.commissioner@lindenford-fire.example.org")
    page.get_by_role("radio", name="Organisation admin").check()
    mail.outbox.clear()
    submit_and_check(page, page.get_by_role("button", name="Send the invitation"))
    expect(page.get_by_role("status")).to_contain_text(
        "We have emailed an invitation to fire.commissioner@lindenford-fire.example.org"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(body_name)
    expect(page.get_by_role("table", name="Invitations not yet used")).to_contain_text(
        "fire.commissioner@lindenford-fire.example.org"
    )
    assert [m.to for m in mail.outbox] == [["fire.commissioner@lindenford-fire.example.org"]]
