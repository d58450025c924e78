"""An anchor organisation lists the small groups it subcontracts to or supports (seeds/004)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from providers.models import SupportKind, SupportLink
from providers.services import consortia as services
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_group(db):
    return OrganisationFactory(name="Tenants Together", charity_number="1160002")


def links_url(organisation):
    return reverse("providers:support_links", args=[organisation.pk])


def test_an_admin_adds_and_removes_a_group(client, provider, provider_org, small_group):
    client.force_login(provider)
    page = client.get(links_url(provider_org), {"q": "tenants"}).content.decode()
    assert "Tenants Together (charity 1160002)" in page
    response = client.post(
        links_url(provider_org),
        {
            "q": "tenants",
            "partner": small_group.pk,
            "kind": SupportKind.SUBCONTRACTS,
            "note": "Outreach on the estates.",
        },
    )
    assert response.status_code == 302
    link = SupportLink.objects.get()
    assert (link.anchor, link.partner, link.kind) == (
        provider_org,
        small_group,
        SupportKind.SUBCONTRACTS,
    )
    assert AuditEvent.objects.filter(action="support_link.added").exists()
    page = client.get(links_url(provider_org)).content.decode()
    assert "Outreach on the estates." in page

    response = client.post(
        reverse("providers:support_link_delete", args=[provider_org.pk, link.pk])
    )
    assert response.status_code == 302
    assert not SupportLink.objects.exists()
    assert AuditEvent.objects.filter(action="support_link.removed").exists()


def test_the_same_link_twice_is_refused(client, provider, provider_org, small_group):
    services.support_link_add(
        actor=provider, anchor=provider_org, partner=small_group, kind=SupportKind.SUPPORTS
    )
    client.force_login(provider)
    response = client.post(
        links_url(provider_org),
        {"q": "tenants", "partner": small_group.pk, "kind": SupportKind.SUPPORTS},
    )
    assert response.status_code == 200
    assert "is already listed like that" in response.content.decode()
    assert SupportLink.objects.count() == 1


def test_only_verified_groups_and_not_oneself(
    provider, provider_org, pending_org, commissioning_body
):
    for partner in (provider_org, pending_org, commissioning_body):
        with pytest.raises(ValidationError):
            services.support_link_add(
                actor=provider, anchor=provider_org, partner=partner, kind=SupportKind.SUPPORTS
            )
    assert not SupportLink.objects.exists()


def test_members_see_and_admins_change(
    client, provider_member, provider_org, small_group, provider
):
    link = services.support_link_add(
        actor=provider, anchor=provider_org, partner=small_group, kind=SupportKind.SUPPORTS
    )
    client.force_login(provider_member)
    page = client.get(links_url(provider_org))
    assert page.status_code == 200
    assert "Tenants Together" in page.content.decode()
    assert "Add a group" not in page.content.decode()
    response = client.post(
        links_url(provider_org), {"partner": small_group.pk, "kind": SupportKind.SUBCONTRACTS}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("providers:support_link_delete", args=[provider_org.pk, link.pk])
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.support_link_remove(actor=provider_member, link=link)
    assert SupportLink.objects.count() == 1


def test_others_cannot_see_or_remove(
    client, outsider, commissioner, provider, provider_org, small_group
):
    link = services.support_link_add(
        actor=provider, anchor=provider_org, partner=small_group, kind=SupportKind.SUPPORTS
    )
    delete_url = reverse("providers:support_link_delete", args=[provider_org.pk, link.pk])
    for user in (outsider, commissioner):
        client.force_login(user)
        assert client.get(links_url(provider_org)).status_code == 404
        assert client.post(delete_url).status_code == 404
    assert client.get(delete_url).status_code == 405
    assert SupportLink.objects.count() == 1


def test_a_link_is_removed_only_through_its_own_anchor(
    client, outsider, outsider_org, provider, provider_org, small_group
):
    link = services.support_link_add(
        actor=provider, anchor=provider_org, partner=small_group, kind=SupportKind.SUPPORTS
    )
    client.force_login(outsider)
    response = client.post(
        reverse("providers:support_link_delete", args=[outsider_org.pk, link.pk])
    )
    assert response.status_code == 404
    assert SupportLink.objects.count() == 1


def test_selectors_for_the_directory(provider, provider_org, small_group):
    services.support_link_add(
        actor=provider, anchor=provider_org, partner=small_group, kind=SupportKind.SUBCONTRACTS
    )
    assert [link.partner for link in services.support_links_of(provider_org)] == [small_group]
    assert [link.anchor for link in services.supported_by(small_group)] == [provider_org]
