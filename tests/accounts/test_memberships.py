"""Roles and Compact champions are changed by organisation admins, and every change is audited."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Membership, MembershipRole
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_admin_promotes_a_member_and_names_a_champion(
    client, provider, provider_org, provider_member
):
    membership = Membership.objects.get(user=provider_member)
    client.force_login(provider)
    response = client.post(
        reverse("accounts:membership_update", args=[provider_org.pk, membership.pk]),
        {f"m{membership.pk}-role": "admin", f"m{membership.pk}-is_compact_champion": "on"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ADMIN
    assert membership.is_compact_champion
    actions = set(AuditEvent.objects.filter(actor=provider).values_list("action", flat=True))
    assert {"membership.role_changed", "membership.champion_changed"} <= actions


def test_the_last_admin_cannot_step_down(client, provider, provider_org):
    membership = Membership.objects.get(user=provider)
    client.force_login(provider)
    response = client.post(
        reverse("accounts:membership_update", args=[provider_org.pk, membership.pk]),
        {f"m{membership.pk}-role": "member"},
        follow=True,
    )
    assert "needs at least one admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ADMIN
    assert not AuditEvent.objects.filter(action="membership.role_changed").exists()


def test_admin_removes_a_member(client, provider, provider_org, provider_member):
    membership = Membership.objects.get(user=provider_member)
    client.force_login(provider)
    client.post(
        reverse("accounts:membership_update", args=[provider_org.pk, membership.pk]),
        {"remove": "1"},
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed").exists()


def test_a_membership_of_another_organisation_is_not_found(
    client, provider, provider_org, outsider
):
    foreign = Membership.objects.get(user=outsider)
    client.force_login(provider)
    response = client.post(
        reverse("accounts:membership_update", args=[provider_org.pk, foreign.pk]),
        {f"m{foreign.pk}-role": "member"},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == MembershipRole.ADMIN


def test_switching_organisation_changes_what_every_page_acts_for(client, provider, provider_org):
    second = OrganisationFactory(name="Second Chance Trust")
    MembershipFactory(user=provider, organisation=second)
    client.force_login(provider)
    assert "Acting for <strong>Riverside Advice</strong>" in client.get("/").content.decode()
    client.post(reverse("accounts:organisation_switch"), {"organisation": second.pk, "next": "/"})
    assert "Acting for <strong>Second Chance Trust</strong>" in client.get("/").content.decode()


def test_switching_to_an_organisation_you_do_not_belong_to_is_refused(
    client, provider, outsider_org
):
    client.force_login(provider)
    response = client.post(
        reverse("accounts:organisation_switch"), {"organisation": outsider_org.pk}, follow=True
    )
    assert "You are not a member of that organisation" in response.content.decode()
    assert "Acting for <strong>Riverside Advice</strong>" in response.content.decode()
