"""Invitations: emailed links that work once, until they expire."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership, MembershipRole, User
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, organisation, email, django_capture_on_commit_callbacks, role="member"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation_create", args=[organisation.pk]),
            {"email": email, "role": role},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = mail.outbox[-1]
    assert message.to == [email]
    return re.search(r"(/invitations/[^/\s]+/)", message.body).group(1)


def test_organisation_admin_invites_a_colleague_who_creates_an_account(
    client, provider, provider_org, django_capture_on_commit_callbacks
):
    client.force_login(provider)
    link = invite(client, provider_org, "sam@example.org", django_capture_on_commit_callbacks)
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Join Riverside Advice" in page.content.decode()
    response = client.post(
        link,
        {
            "full_name": "Sam Okafor",
            "password1": "river-lantern-quietly",
            "password2": "river-lantern-quietly",
        },
    )
    assert response.status_code == 302
    sam = User.objects.get(email="sam@example.org")
    assert sam.emailaddress_set.get().verified
    membership = Membership.objects.get(user=sam, organisation=provider_org)
    assert membership.role == MembershipRole.MEMBER
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=sam).exists()
    # and they are signed in, acting for the organisation
    assert "Acting for" in client.get(reverse("home")).content.decode()


def test_a_used_invitation_cannot_be_used_again(
    client, provider, provider_org, django_capture_on_commit_callbacks
):
    client.force_login(provider)
    link = invite(client, provider_org, "sam@example.org", django_capture_on_commit_callbacks)
    client.logout()
    client.post(
        link,
        {
            "full_name": "Sam",
            "password1": "river-lantern-quietly",
            "password2": "river-lantern-quietly",
        },
    )
    client.logout()

    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    again = client.post(
        link,
        {"full_name": "Mallory", "password1": "x-river-lantern", "password2": "x-river-lantern"},
    )
    assert again.status_code == 410
    assert User.objects.filter(email="sam@example.org").count() == 1
    assert Membership.objects.filter(organisation=provider_org).count() == 2


def test_an_expired_invitation_is_refused_with_a_clear_message(client, provider_org):
    created = timezone.now() - timedelta(days=20)
    InvitationFactory(
        organisation=provider_org,
        email="late@example.org",
        token="expired-token",
        created_at=created,
        expires_at=created + timedelta(days=14),
    )
    response = client.get(reverse("accounts:invitation_accept", args=["expired-token"]))
    assert response.status_code == 410
    assert "This invitation expired on" in response.content.decode()
    response = client.post(
        reverse("accounts:invitation_accept", args=["expired-token"]),
        {
            "full_name": "Late",
            "password1": "river-lantern-quietly",
            "password2": "river-lantern-quietly",
        },
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_unknown_or_withdrawn_link_is_refused(client, provider, provider_org):
    response = client.get(reverse("accounts:invitation_accept", args=["no-such-token"]))
    assert response.status_code == 410
    invitation = InvitationFactory(
        organisation=provider_org, token="withdrawn", invited_by=provider
    )
    services.invitation_revoke(actor=provider, invitation=invitation)
    response = client.get(reverse("accounts:invitation_accept", args=["withdrawn"]))
    assert "was withdrawn" in response.content.decode()


def test_an_existing_user_signs_in_then_accepts(client, provider_org):
    someone = UserFactory(email="already@example.org")
    InvitationFactory(organisation=provider_org, email="already@example.org", token="tok-existing")
    url = reverse("accounts:invitation_accept", args=["tok-existing"])
    assert "Sign in to accept" in client.get(url).content.decode()
    client.force_login(someone)
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=someone, organisation=provider_org).exists()


def test_the_wrong_person_cannot_accept(client, provider_org, outsider):
    InvitationFactory(organisation=provider_org, email="intended@example.org", token="tok-wrong")
    client.force_login(outsider)
    response = client.post(reverse("accounts:invitation_accept", args=["tok-wrong"]))
    assert "sent to intended@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, organisation=provider_org).exists()


def test_a_member_who_is_not_an_admin_cannot_invite(client, provider_member, provider_org):
    client.force_login(provider_member)
    response = client.post(
        reverse("accounts:invitation_create", args=[provider_org.pk]),
        {"email": "x@example.org", "role": "member"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused_on_the_form(
    client, provider, provider_org, provider_member
):
    client.force_login(provider)
    response = client.post(
        reverse("accounts:invitation_create", args=[provider_org.pk]),
        {"email": provider_member.email, "role": "member"},
    )
    assert response.status_code == 200
    assert "is already a member" in response.content.decode()


def test_network_admin_creates_a_commissioning_body_and_invites_a_commissioner(
    client, network_admin, django_capture_on_commit_callbacks
):
    client.force_login(network_admin)
    response = client.post(
        reverse("accounts:commissioning_body_create"),
        {"name": "Public Health", "kind": "commissioning_body", "address": "", "postcode": ""},
    )
    assert response.status_code == 302
    from accounts.models import Organisation

    body = Organisation.objects.get(name="Public Health")
    assert body.is_commissioning_body and body.is_verified
    link = invite(
        client, body, "dr.jones@example.org", django_capture_on_commit_callbacks, role="admin"
    )
    client.logout()
    client.post(
        link,
        {
            "full_name": "Dr Jones",
            "password1": "river-lantern-quietly",
            "password2": "river-lantern-quietly",
        },
    )
    membership = Membership.objects.get(user__email="dr.jones@example.org")
    assert membership.organisation == body
    assert membership.role == MembershipRole.ADMIN
    assert "Members of your body" in client.get(reverse("home")).content.decode()


def test_a_new_invitation_replaces_an_open_one(provider, provider_org):
    first, _ = services.invitation_create(
        actor=provider, organisation=provider_org, email="a@example.org"
    )
    second, _ = services.invitation_create(
        actor=provider, organisation=provider_org, email="A@example.org"
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_open
