"""An organisation's directory page and a service's page: public fields for everyone, contacts and
passports for network members, and nothing of an unverified organisation or an inactive service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import VerificationStatus
from providers.models import (
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    Passport,
    ServiceFocus,
    ServiceStatus,
)
from tests.factories import (
    ClientGroupFactory,
    LanguageFactory,
    OrganisationFactory,
    ProviderProfileFactory,
    QualityMarkFactory,
    ServiceFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


def organisation_url(organisation) -> str:
    return reverse("providers:organisation", args=[organisation.pk])


def service_url(service) -> str:
    return reverse("providers:service", args=[service.pk])


@pytest.fixture
def profile(provider_org):
    return ProviderProfileFactory(
        organisation=provider_org,
        description="Free advice for everyone in Lindenford.",
        website="https://riverside.example.org/",
        contact_name="Rita Contact",
        contact_email="rita@riverside.example.org",
        contact_phone="01632 960555",
        safeguarding_lead="Sol Safeguard",
        areas_served=[WardFactory(name="Millbrook")],
        client_groups=[ClientGroupFactory(name="Carers")],
        languages=[LanguageFactory(name="Somali")],
        quality_marks={QualityMarkFactory(name="Advice Quality Standard"): None},
    )


def test_the_public_page_shows_public_fields_and_no_contacts(client, profile, provider_org):
    page = client.get(organisation_url(provider_org)).content.decode()
    for shown in (
        "Riverside Advice",
        "Free advice for everyone in Lindenford.",
        "GB-CHC-1123456",
        "https://riverside.example.org/",
        "Millbrook",
        "Carers",
        "Somali",
        "Advice Quality Standard",
    ):
        assert shown in page, shown
    for hidden in ("Rita Contact", "rita@riverside.example.org", "01632 960555", "Sol Safeguard"):
        assert hidden not in page, hidden
    assert "Sign in</a> to see them" in page


@pytest.mark.parametrize("member", ["commissioner", "provider", "outsider", "network_admin"])
def test_members_see_contacts_and_passport(request, client, profile, provider_org, member):
    Passport.objects.create(
        organisation=provider_org,
        accepted_at=timezone.now(),
        expires_on=timezone.localdate() + timedelta(days=300),
    )
    client.force_login(request.getfixturevalue(member))
    response = client.get(organisation_url(provider_org))
    page = response.content.decode()
    for shown in ("Rita Contact", "rita@riverside.example.org", "01632 960555", "Sol Safeguard"):
        assert shown in page, shown
    assert response.context["page"].passport.code == "current"
    assert "Current</span> until" in page


def test_an_unverified_organisation_is_hidden_from_the_public_and_outsiders(
    client, pending_org, pending_provider, outsider, network_admin
):
    url = organisation_url(pending_org)
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(pending_provider)
    response = client.get(url)
    assert response.status_code == 200
    assert "Not in the public directory yet" in response.content.decode()
    client.force_login(network_admin)
    assert client.get(url).status_code == 200


def test_a_public_body_has_no_directory_page(client, commissioning_body):
    assert client.get(organisation_url(commissioning_body)).status_code == 404


def test_the_page_lists_visible_services_and_live_consortia(client, provider_org, network_admin):
    ServiceFactory(organisation=provider_org, name="Open Service")
    ServiceFactory(
        organisation=provider_org, name="Paused Service", status=ServiceStatus.TEMPORARILY_CLOSED
    )
    ServiceFactory(organisation=provider_org, name="Closed Service", status=ServiceStatus.INACTIVE)
    partner = OrganisationFactory(name="Partner Lead")
    led = Consortium.objects.create(
        name="Advice Alliance",
        lead=partner,
        status=ConsortiumStatus.ACTIVE,
        created_by=network_admin,
    )
    ConsortiumMember.objects.create(
        consortium=led, organisation=provider_org, role="Debt advice", indicative_share=30
    )
    Consortium.objects.create(
        name="Old Alliance",
        lead=provider_org,
        status=ConsortiumStatus.DISSOLVED,
        created_by=network_admin,
    )
    page = client.get(organisation_url(provider_org)).content.decode()
    assert "Open Service" in page
    assert "Paused Service" in page
    assert "Closed Service" not in page
    assert "Advice Alliance" in page
    assert "led by Partner Lead" in page
    assert "Old Alliance" not in page


def test_an_organisation_sees_its_own_inactive_services(client, provider, provider_org):
    ServiceFactory(organisation=provider_org, name="Closed Service", status=ServiceStatus.INACTIVE)
    client.force_login(provider)
    assert "Closed Service" in client.get(organisation_url(provider_org)).content.decode()


def test_the_service_page_shows_every_field_and_the_mapping_answers(client, provider_org):
    ward = WardFactory(name="Castle Hill")
    service = ServiceFactory(
        organisation=provider_org,
        name="Benefits Check",
        description="We check what you are entitled to.",
        eligibility="Adults living in the borough.",
        minimum_age=18,
        delivery_locations="The Old Library, 14 Chapel Walk",
        accessibility="Step-free access.",
        capacity=40,
        capacity_unit="places",
        cost_to_users="Free",
        areas=[ward],
        client_groups=[ClientGroupFactory(name="Disabled people")],
        languages=[LanguageFactory(name="Bengali")],
        provides_information=True,
        focus=ServiceFocus.EARLY_INTERVENTION,
        who_provides_what="Caseworkers, to anyone referred by the council.",
        provider_quality="Accredited advisers.",
        good_practice="Same-day appointments.",
        commissioned_by="Grant from the council.",
        market_spend=Decimal("45000.00"),
        market_staff=3,
    )
    page = client.get(service_url(service)).content.decode()
    for shown in (
        "Benefits Check",
        "We check what you are entitled to.",
        "Adults living in the borough.",
        "18 and over",
        "The Old Library, 14 Chapel Walk",
        "Step-free access.",
        "40 places",
        "Free",
        "Castle Hill",
        "Disabled people",
        "Bengali",
        "Early intervention",
        "Caseworkers, to anyone referred by the council.",
        "Accredited advisers.",
        "Same-day appointments.",
        "Grant from the council.",
        "£45,000.00 a year",
        "3 staff delivering it",
    ):
        assert shown in page, shown


def test_an_inactive_service_is_hidden_from_the_public_and_outsiders(
    client, provider_org, provider, outsider, network_admin
):
    service = ServiceFactory(organisation=provider_org, status=ServiceStatus.INACTIVE)
    assert client.get(service_url(service)).status_code == 404
    client.force_login(outsider)
    assert client.get(service_url(service)).status_code == 404
    client.force_login(provider)
    assert client.get(service_url(service)).status_code == 200
    client.force_login(network_admin)
    assert client.get(service_url(service)).status_code == 200


def test_a_service_of_an_unverified_organisation_is_hidden(client, pending_org, pending_provider):
    service = ServiceFactory(organisation=pending_org)
    assert pending_org.verification_status == VerificationStatus.PENDING
    assert client.get(service_url(service)).status_code == 404
    client.force_login(pending_provider)
    assert client.get(service_url(service)).status_code == 200


def test_the_directory_pages_answer_405_to_a_post(client, provider_org):
    service = ServiceFactory(organisation=provider_org)
    for url in (
        reverse("providers:directory"),
        reverse("providers:directory_csv"),
        organisation_url(provider_org),
        service_url(service),
    ):
        assert client.post(url).status_code == 405, url
