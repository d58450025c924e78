"""TOTP is open to everyone, and a setting makes commissioners and network admins use it."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_mfa(settings):
    settings.PORTAL_REQUIRE_MFA = True


def test_commissioners_and_network_admins_are_sent_to_set_up_totp(
    client, require_mfa, commissioner, network_admin, password
):
    for user in (commissioner, network_admin):
        client.logout()
        client.post(reverse("account_login"), {"login": user.email, "password": password})
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
        # the set-up journey stays open: allauth asks for the password again, then shows the page
        setup = client.get(reverse("mfa_activate_totp"))
        assert setup["Location"].startswith(reverse("account_reauthenticate"))
        assert client.get(setup["Location"]).status_code == 200
        client.post(setup["Location"], {"password": password})
        assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_with_totp_set_up_they_reach_the_portal(client, require_mfa, commissioner):
    Authenticator.objects.create(
        user=commissioner, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(commissioner)
    assert client.get(reverse("home")).status_code == 200


def test_provider_users_are_not_forced(client, require_mfa, provider):
    client.force_login(provider)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Turn on two-factor authentication" in response.content.decode()


def test_the_demo_setting_leaves_everyone_free(client, settings, commissioner):
    settings.PORTAL_REQUIRE_MFA = False
    client.force_login(commissioner)
    assert client.get(reverse("home")).status_code == 200


def test_the_mfa_pages_are_available_to_everyone(client, provider):
    client.force_login(provider)
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp") in page.content.decode()
