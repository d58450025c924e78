"""From sign-up to verification, through the real pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import (
    AuditEvent,
    Membership,
    MembershipRole,
    Organisation,
    User,
    VerificationStatus,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "full_name": "Priya Shah",
        "email": "priya@riverside-advice.org.uk",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
        "organisation_name": "Riverside Welfare Rights",
        "legal_form": "charity",
        "charity_number": "1145678",
        "company_number": "",
        "address": "12 Mare Street\nLindenford",
        "postcode": "e8 4rp",
    }
    data.update(overrides)
    return data


def confirm_email(client):
    message = mail.outbox[-1]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert link, message.body
    response = client.post(link.group(1))
    assert response.status_code == 302
    return response


def test_sign_up_registers_a_pending_organisation_and_its_admin(client):
    response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302

    user = User.objects.get(email="priya@riverside-advice.org.uk")
    assert user.full_name == "Priya Shah"
    organisation = Organisation.objects.get(name="Riverside Welfare Rights")
    assert organisation.verification_status == VerificationStatus.PENDING
    assert organisation.charity_number == "1145678"
    assert organisation.postcode == "E8 4RP"
    assert Membership.objects.get(user=user).role == MembershipRole.ADMIN
    assert AuditEvent.objects.filter(
        action="organisation.registered", object_id=str(organisation.pk)
    ).exists()
    # allauth asks the person to confirm their address before first use
    assert not EmailAddress.objects.get(user=user).verified
    assert any("confirm" in m.subject.lower() for m in mail.outbox)

    confirm_email(client)
    assert EmailAddress.objects.get(user=user).verified
    home = client.get(reverse("home"))
    assert b"Waiting for verification" in home.content
    assert b"Get verified by the network" in home.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("charity_number", "SC012345", "Enter a charity number using digits only"),
        ("charity_number", "2345678", "not a registered charity number for England and Wales"),
        ("company_number", "XY123456", "is not a Companies House register prefix"),
        ("company_number", "1234567890", "A company number has 8 characters"),
    ],
)
def test_bad_registered_numbers_are_shown_beside_the_field_and_nothing_is_saved(
    client, field, value, message
):
    response = client.post(reverse("account_signup"), signup_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # the message sits with its field, which is marked invalid for assistive technology
    assert re.search(rf'id="error_\d+_id_{field}"', html) or f'id="id_{field}"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="priya@riverside-advice.org.uk").exists()
    assert not Organisation.objects.filter(name="Riverside Welfare Rights").exists()


def test_a_charity_needs_its_charity_number_and_a_cic_its_company_number(client):
    response = client.post(reverse("account_signup"), signup_data(charity_number=""))
    assert "Enter the registered charity number" in response.content.decode()
    response = client.post(
        reverse("account_signup"), signup_data(legal_form="cic", charity_number="")
    )
    assert "Enter the Companies House number" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_registered_number_already_in_use_is_refused(client):
    OrganisationFactory(charity_number="1145678")
    response = client.post(reverse("account_signup"), signup_data())
    assert "already registered" in response.content.decode()
    assert not User.objects.filter(email="priya@riverside-advice.org.uk").exists()


def test_network_admin_verifies_and_the_users_are_emailed(
    client, network_admin, django_capture_on_commit_callbacks
):
    client.post(reverse("account_signup"), signup_data())
    organisation = Organisation.objects.get(name="Riverside Welfare Rights")
    client.logout()
    mail.outbox = []

    client.force_login(network_admin)
    queue = client.get(reverse("accounts:verification_queue"))
    assert b"Riverside Welfare Rights" in queue.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:organisation_review", args=[organisation.pk]),
            {"decision": "verified", "reason": "Checked on the register."},
        )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert organisation.verified_at is not None
    event = AuditEvent.objects.get(action="organisation.verified")
    assert (event.actor, event.from_state, event.to_state) == (network_admin, "pending", "verified")
    assert [m.to for m in mail.outbox] == [["priya@riverside-advice.org.uk"]]
    assert "is verified" in mail.outbox[0].subject


def test_rejection_needs_a_reason_then_emails_it_and_the_organisation_can_resubmit(
    client, network_admin, django_capture_on_commit_callbacks
):
    client.post(reverse("account_signup"), signup_data())
    priya = User.objects.get(email="priya@riverside-advice.org.uk")
    organisation = Organisation.objects.get(name="Riverside Welfare Rights")
    client.logout()
    mail.outbox = []

    client.force_login(network_admin)
    url = reverse("accounts:organisation_review", args=[organisation.pk])
    response = client.post(url, {"decision": "rejected", "reason": ""})
    assert response.status_code == 200
    assert "Give a reason for rejecting" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"decision": "rejected", "reason": "The charity number belongs to another charity."},
        )
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.REJECTED
    assert len(mail.outbox) == 1
    assert "belongs to another charity" in mail.outbox[0].body

    client.force_login(priya)
    home = client.get(reverse("home")).content.decode()
    assert "belongs to another charity" in home
    assert "Correct and resubmit" in home
    response = client.post(
        reverse("accounts:organisation_resubmit", args=[organisation.pk]),
        signup_data(charity_number="1145679"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.PENDING
    assert organisation.charity_number == "1145679"
    assert AuditEvent.objects.filter(action="organisation.resubmitted").count() == 1


def test_a_decision_on_an_already_decided_organisation_changes_nothing(client, network_admin):
    organisation = OrganisationFactory(verification_status=VerificationStatus.VERIFIED)
    client.force_login(network_admin)
    response = client.post(
        reverse("accounts:organisation_review", args=[organisation.pk]),
        {"decision": "rejected", "reason": "Late thoughts"},
        follow=True,
    )
    assert "already verified" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert not AuditEvent.objects.filter(action="organisation.rejected").exists()


def test_signed_in_person_registers_a_second_organisation(client, provider):
    client.force_login(provider)
    response = client.post(
        reverse("accounts:organisation_register"),
        {
            "organisation_name": "Riverside Food Bank",
            "legal_form": "unincorporated",
            "charity_number": "",
            "company_number": "",
            "address": "Church Hall",
            "postcode": "E9 6AB",
        },
    )
    assert response.status_code == 302
    assert provider.memberships.count() == 2
    home = client.get(reverse("home")).content.decode()
    assert "Acting for <strong>Riverside Food Bank</strong>" in home
