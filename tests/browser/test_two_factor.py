"""A commissioner who must use two-factor authentication sets up an authenticator app, then signs in with it."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole
from tests.browser.axe import field, sign_in, sign_out, submit_and_check
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser


def totp(secret: str, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows (RFC 6238, SHA-1, 30-second steps)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def test_commissioner_is_made_to_set_up_totp_and_then_needs_it_to_sign_in(page: Page, settings):
    settings.PORTAL_REQUIRE_MFA = True
    # Accept the code of the neighbouring 30-second step, as authenticator apps drift.
    settings.MFA_TOTP_TOLERANCE = 1
    body = CommissioningBodyFactory(name="Public Health")
    commissioner = UserFactory(email="dr.okoro@example.org", full_name="Dr Ada Okoro")
    MembershipFactory(user=commissioner, organisation=body, role=MembershipRole.ADMIN)

    # Signing in lands on the set-up journey, not the portal; allauth first asks for the password again.
    sign_in(page, commissioner.email, PASSWORD)
    expect(page.get_by_role("main")).to_contain_text("Confirm")
    field(page, "Password").fill(PASSWORD)
    submit_and_check(page, page.get_by_role("button", name="Confirm"))

    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    field(page, "Authenticator code").fill("000000" if totp(secret) != "000000" else "111111")
    submit_and_check(page, page.get_by_role("button", name="Activate"))
    expect(page.locator(".invalid-feedback")).to_contain_text("Incorrect code")

    field(page, "Authenticator code").fill(totp(secret))
    submit_and_check(page, page.get_by_role("button", name="Activate"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Public Health")).to_be_visible()

    # Next time, the password alone is not enough.
    sign_out(page)
    sign_in(page, commissioner.email, PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    # A code from the next step: the one just used to activate is not accepted twice.
    field(page, "Code").fill(totp(secret, at=time.time() + 30))
    submit_and_check(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name="Public Health")).to_be_visible()
