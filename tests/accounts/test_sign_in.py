"""Signing in, signing out and resetting a password all go through django-allauth, rate-limited."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_in_and_out(client, provider, password):
    response = client.post(
        reverse("account_login"), {"login": provider.email, "password": password}
    )
    assert response.status_code == 302
    assert "What to do next" in client.get(reverse("home")).content.decode()
    client.post(reverse("account_logout"))
    assert "Register an organisation" in client.get(reverse("home")).content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, provider):
    response = client.post(reverse("account_login"), {"login": provider.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_repeated_failures_are_rate_limited(client, provider):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": provider.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": provider.email, "password": "wrong"})
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_by_email(client, provider):
    client.post(reverse("account_reset_password"), {"email": provider.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.check_password("a-brand-new-passphrase")


def test_unverified_email_cannot_sign_in(client):
    from tests.factories import UserFactory

    user = UserFactory(email="unverified@example.org", verified_email=False)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
