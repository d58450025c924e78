"""The demo data command: demo logins that work, a believable network, reruns that add nothing."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import (
    LEGAL_FORMS_NEEDING_CHARITY_NUMBER,
    LEGAL_FORMS_NEEDING_COMPANY_NUMBER,
    AuditEvent,
    LegalForm,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
)
from accounts.validators import (
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from providers.models import Area, ProviderProfile, Service, ServiceStatus
from reporting.management.commands.seed_demo import seed

DEMO_EMAILS = (
    "admin@example.org",
    "commissioner@example.org",
    "provider@example.org",
    "panel@example.org",
)

pytestmark = pytest.mark.django_db


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "areas": Area.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "profiles": ProviderProfile.objects.count(),
        "services": Service.objects.count(),
        "service_categories": Service.categories.through.objects.count(),
        "service_areas": Service.areas.through.objects.count(),
        "profile_areas": ProviderProfile.areas_served.through.objects.count(),
    }


@pytest.fixture
def seeded() -> str:
    return run_seed()


def test_demo_logins_authenticate_with_the_demo_password(seeded):
    for email in DEMO_EMAILS:
        assert authenticate(email=email, password="demo-pass-2026") is not None, email
        assert authenticate(email=email, password="wrong-pass-2026") is None
        address = EmailAddress.objects.get(email=email)
        assert address.verified and address.primary


def test_the_output_lists_the_demo_logins(seeded):
    assert "Demo logins (password demo-pass-2026):" in seeded
    for role, email in (
        ("network admin", "admin@example.org"),
        ("commissioner", "commissioner@example.org"),
        ("provider", "provider@example.org"),
        ("panel member", "panel@example.org"),
    ):
        assert f"  {role:<16}{email}" in seeded


def test_demo_users_hold_the_right_roles(seeded):
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_network_admin and admin.is_staff and admin.is_superuser
    assert not admin.memberships.exists()

    commissioner = Membership.objects.get(user__email="commissioner@example.org")
    assert commissioner.role == MembershipRole.ADMIN
    assert commissioner.organisation.kind == OrganisationKind.COMMISSIONING_BODY
    assert "Adult Social Care" in commissioner.organisation.name
    assert not User.objects.get(email="commissioner@example.org").is_network_admin

    provider = Membership.objects.get(user__email="provider@example.org")
    assert provider.role == MembershipRole.ADMIN
    assert provider.organisation.kind == OrganisationKind.THIRD_SECTOR
    assert provider.organisation.verification_status == VerificationStatus.VERIFIED
    assert provider.organisation.charity_number

    panel = Membership.objects.get(user__email="panel@example.org")
    assert panel.role == MembershipRole.MEMBER
    assert panel.organisation.kind == OrganisationKind.COMMISSIONING_BODY
    assert panel.organisation != commissioner.organisation


def test_the_network_has_the_expected_shape(seeded):
    bodies = Organisation.objects.filter(kind=OrganisationKind.COMMISSIONING_BODY)
    assert bodies.count() >= 8
    assert Organisation.objects.filter(kind=OrganisationKind.INFRASTRUCTURE).count() == 1
    assert not bodies.exclude(verification_status=VerificationStatus.VERIFIED).exists()
    for body in bodies:
        assert body.memberships.count() >= 3, body
        assert body.memberships.filter(role=MembershipRole.ADMIN).exists(), body

    providers = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR)
    assert 140 <= providers.count() <= 160
    assert set(providers.values_list("legal_form", flat=True)) == set(LegalForm.values)
    assert 8 <= providers.filter(verification_status=VerificationStatus.PENDING).count() <= 16
    rejected = providers.filter(verification_status=VerificationStatus.REJECTED)
    assert rejected.count() == 3
    assert all(org.verification_reason for org in rejected)
    verified = providers.filter(verification_status=VerificationStatus.VERIFIED)
    assert verified.count() > 120
    assert not verified.filter(verified_at__isnull=True).exists()
    # Every provider has an admin who can manage it.
    assert not providers.exclude(memberships__role=MembershipRole.ADMIN).exists()

    borough = Area.objects.get(level="borough")
    assert borough.ons_code == "E09900001"
    wards = Area.objects.filter(level="ward", parent=borough)
    assert wards.count() == 12
    assert all(len(code) == 9 for code in wards.values_list("ons_code", flat=True))


def test_registered_numbers_and_postcodes_are_valid(seeded):
    for org in Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR):
        if org.legal_form in LEGAL_FORMS_NEEDING_CHARITY_NUMBER:
            assert org.charity_number, org
        if org.legal_form in LEGAL_FORMS_NEEDING_COMPANY_NUMBER:
            assert org.company_number, org
        assert normalise_charity_number(org.charity_number) == org.charity_number
        assert normalise_company_number(org.company_number) == org.company_number
        assert normalise_postcode(org.postcode) == org.postcode
        assert org.postcode.startswith("LF")


def test_verification_decisions_are_in_the_audit_log(seeded):
    admin = User.objects.get(email="admin@example.org")
    for org in Organisation.objects.filter(verification_status=VerificationStatus.REJECTED):
        event = AuditEvent.objects.get(action="organisation.rejected", object_id=str(org.pk))
        assert event.actor == admin
        assert event.note == org.verification_reason
    assert AuditEvent.objects.filter(action="organisation.verified", actor=admin).count() > 100
    pending = Organisation.objects.filter(verification_status=VerificationStatus.PENDING)
    assert (
        AuditEvent.objects.filter(
            action="organisation.registered", organisation__in=pending
        ).count()
        == pending.count()
    )


def test_a_second_run_changes_nothing(seeded):
    before = table_counts()
    output = run_seed()
    assert table_counts() == before
    assert "(0 new)" in output
    for email in DEMO_EMAILS:
        assert authenticate(email=email, password="demo-pass-2026") is not None


def test_a_second_run_repairs_a_changed_demo_password(seeded):
    provider = User.objects.get(email="provider@example.org")
    provider.set_password("something-else-2026")
    provider.save()
    run_seed()
    assert authenticate(email="provider@example.org", password="demo-pass-2026") == provider


def test_an_organisation_with_the_same_name_but_another_number_is_left_alone():
    # Bulk rows reuse names such as "Lindenford Carers Centre"; numbers tell them apart.
    namesake = Organisation.objects.create(
        name="Lindenford Carers Centre",
        kind=OrganisationKind.THIRD_SECTOR,
        legal_form=LegalForm.CLG,
        company_number="90999999",
        verification_status=VerificationStatus.VERIFIED,
    )
    run_seed()
    assert Organisation.objects.filter(name="Lindenford Carers Centre").count() == 2
    assert not namesake.memberships.exists()
    before = table_counts()
    run_seed()
    assert table_counts() == before


def test_the_seed_helper_reports_what_it_created():
    first = seed()
    assert first["third_sector"] == 150
    assert first["areas"] == 13
    assert first["audit_events"] > 150
    second = seed()
    created = (
        "areas",
        "public_bodies",
        "third_sector",
        "bulk",
        "users",
        "memberships",
        "profiles",
        "services",
    )
    assert all(second[key] == 0 for key in (*created, "audit_events")), second
    assert second["total_third_sector"] == first["total_third_sector"]


def test_scale_multiplies_providers_and_is_idempotent():
    run_seed("--scale", "3")
    providers = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR)
    assert providers.count() >= 450
    before = table_counts()
    run_seed("--scale", "3")
    assert table_counts() == before
    for charity_number, company_number in providers.values_list("charity_number", "company_number"):
        assert normalise_charity_number(charity_number) == charity_number
        assert normalise_company_number(company_number) == company_number
    # Going up a scale adds only the difference.
    run_seed("--scale", "4")
    assert providers.count() == before["organisations"] - 9 + 150


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0", stdout=StringIO())
    assert not Organisation.objects.exists()


def test_every_provider_has_a_profile_and_services(seeded):
    providers = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR)
    assert not providers.filter(profile__isnull=True).exists()
    for organisation in providers.prefetch_related("services__categories"):
        profile = organisation.profile
        assert profile.description and profile.income_band and profile.website, organisation
        assert profile.contact_email and profile.contact_phone and profile.safeguarding_lead
        assert profile.areas_served.exists() and profile.languages.exists(), organisation
        services = list(organisation.services.all())
        assert 1 <= len(services) <= 4, organisation
        for service in services:
            categories = list(service.categories.all())
            assert categories and all(c.parent_id for c in categories), service
    services = Service.objects.all()
    assert services.filter(status=ServiceStatus.ACTIVE).count() > 0.75 * services.count()
    assert services.exclude(status=ServiceStatus.ACTIVE).exists()
    assert services.exclude(commissioned_by="").count() > 0.3 * services.count()
    assert services.filter(areas__isnull=False).distinct().count() == services.count()
    assert ProviderProfile.objects.filter(quality_marks__isnull=False).exists()


def test_the_directory_can_search_the_seeded_providers(seeded, client):
    assert not ProviderProfile.objects.filter(search_document="").exists()
    if connection.vendor == "postgresql":
        assert not ProviderProfile.objects.filter(search_vector__isnull=True).exists()
    response = client.get("/directory/", {"q": "debt"})
    names = [row.name for row in response.context["rows"]]
    assert "Lindenford Debt Advice Service" in names


def test_a_second_run_adds_no_profiles_or_services(seeded):
    before = table_counts()
    second = seed()
    assert second["profiles"] == second["services"] == 0
    assert table_counts() == before


def test_scale_gives_bulk_providers_about_three_services_each():
    first = seed(scale=3)
    bulk = Organisation.objects.filter(
        kind=OrganisationKind.THIRD_SECTOR, charity_number__startswith="190"
    )
    assert (
        first["profiles"] == Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR).count()
    )
    per_org = Service.objects.filter(organisation__in=bulk).count() / bulk.count()
    assert 2.5 <= per_org <= 3.5
    assert not ProviderProfile.objects.filter(search_document="").exists()
    if connection.vendor == "postgresql":
        assert not ProviderProfile.objects.filter(search_vector__isnull=True).exists()
    assert seed(scale=3)["services"] == 0


def test_the_planning_demo_has_evidence_plans_and_a_subscriber(seeded):
    from commissioning.models import (
        BusinessCase,
        CommissioningIntention,
        IndicatorValue,
        IntentionStatus,
        NeedsAssessment,
        Subscription,
    )

    wards = Area.objects.filter(parent__ons_code="E09900001").count()
    # Every indicator has five years of values for every ward.
    assert IndicatorValue.objects.count() == 11 * wards * 5
    assert NeedsAssessment.objects.filter(next_review_on__lt=timezone.localdate()).exists()
    assert BusinessCase.objects.filter(status="approved").count() == 1
    published = CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED)
    assert published.count() == 6
    subscription = Subscription.objects.get(user__email="provider@example.org")
    assert [c.code for c in subscription.categories.all()] == ["advice"]
    again = seed()
    assert (again["indicator_values"], again["intentions"], again["needs_assessments"]) == (0, 0, 0)


def test_the_sourcing_demo_has_an_open_round_a_two_stage_tender_and_an_award(seeded):
    from commissioning.models import Bid, FeedbackLetter, Opportunity, OpportunityStatus

    statuses = dict(Opportunity.objects.values_list("reference", "status"))
    assert statuses["LC-ASC-2027-0001"] == OpportunityStatus.PUBLISHED
    assert statuses["LC-PH-2027-0001"] == OpportunityStatus.PUBLISHED
    assert statuses["LC-ASC-2026-0007"] == OpportunityStatus.AWARDED
    awarded = Opportunity.objects.get(reference="LC-ASC-2026-0007")
    # Every bidder has a letter; the demo provider won.
    assert FeedbackLetter.objects.filter(bid__opportunity=awarded).count() == 3
    won = Bid.objects.get(opportunity=awarded, status="successful")
    assert won.organisation.memberships.filter(user__email="provider@example.org").exists()
    assert seed()["opportunities"] == 0
