"""Who reaches the register, the 360 view and a provider's own list: the rows of
tests/access/rows_agreements_register.py walked as every role, and the edges around them."""

import pytest
from django.urls import reverse

from tests.access.access_table import ROLES
from tests.access.rows_agreements_register import ROWS, build
from tests.factories import OrganisationFactory
from tests.factories.commissioning_agreements import AgreementFactory, AgreementMemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_each_page_as_each_role(client, role_users, provider_org, commissioning_body, role):
    explicit = build(
        {
            "users": role_users,
            "provider_org": provider_org,
            "commissioning_body": commissioning_body,
        }
    )
    if role != "anonymous":
        client.force_login(role_users[role])
    for name, expected in ROWS.items():
        response = client.get(reverse(name, kwargs=explicit.get(name, {})))
        assert response.status_code == expected[role], name
        if expected[role] == 302:
            assert response["Location"].startswith(reverse("account_login"))


def test_a_commissioning_bodys_page_is_not_a_providers(client, commissioner, commissioning_body):
    client.force_login(commissioner)
    url = reverse("commissioning:provider_agreements", args=[commissioning_body.pk])
    assert client.get(url).status_code == 404


def test_a_member_of_a_consortium_member_sees_its_own_view_not_the_leads(
    client, provider_org, outsider, outsider_org
):
    agreement = AgreementFactory(provider=provider_org, title="Joint befriending")
    AgreementMemberFactory(agreement=agreement, organisation=outsider_org)
    client.force_login(outsider)
    own = client.get(reverse("commissioning:provider_agreements", args=[outsider_org.pk]))
    assert own.status_code == 200
    assert "Joint befriending" in own.content.decode()
    lead = client.get(reverse("commissioning:provider_agreements", args=[provider_org.pk]))
    assert lead.status_code == 404


def test_a_plain_member_of_the_provider_sees_its_view(client, provider_member, provider_org):
    client.force_login(provider_member)
    url = reverse("commissioning:provider_agreements", args=[provider_org.pk])
    assert client.get(url).status_code == 200


def test_a_pending_charitys_people_have_their_own_list(client, pending_provider):
    client.force_login(pending_provider)
    assert client.get(reverse("commissioning:agreements_ours")).status_code == 200


def test_the_pages_take_get_only(client, commissioner, provider, provider_org):
    client.force_login(commissioner)
    assert client.post(reverse("commissioning:agreements")).status_code == 405
    assert client.post(reverse("commissioning:agreements_csv")).status_code == 405
    url = reverse("commissioning:provider_agreements", args=[provider_org.pk])
    assert client.post(url).status_code == 405
    client.force_login(provider)
    assert client.post(reverse("commissioning:agreements_ours")).status_code == 405


def test_an_unknown_organisation_is_404(client, commissioner):
    client.force_login(commissioner)
    missing = OrganisationFactory().pk + 1000
    url = reverse("commissioning:provider_agreements", args=[missing])
    assert client.get(url).status_code == 404
