"""The public provider directory: search, every filter, sorting, paging, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import LegalForm, VerificationStatus
from providers.models import (
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    IncomeBand,
    Language,
    Passport,
    ProviderProfile,
    ServiceCategory,
    ServiceStatus,
)
from providers.reference_data import reference_data_ensure
from providers.services.profiles import service_create, service_update
from tests.factories import (
    AreaFactory,
    ClientGroupFactory,
    LanguageFactory,
    OrganisationFactory,
    ProviderProfileFactory,
    QualityMarkFactory,
    ServiceFactory,
    UserFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("providers:directory")


@pytest.fixture
def categories(db) -> dict[str, ServiceCategory]:
    reference_data_ensure()
    return {c.code: c for c in ServiceCategory.objects.all()}


def names_in(response) -> list[str]:
    assert response.status_code == 200
    return [row.name for row in response.context["rows"]]


def test_lists_only_verified_third_sector_organisations(client, provider_org, commissioning_body):
    OrganisationFactory(
        name="Pending Group", verification_status=VerificationStatus.PENDING, verified_at=None
    )
    OrganisationFactory(
        name="Rejected Group", verification_status=VerificationStatus.REJECTED, verified_at=None
    )
    names = names_in(client.get(DIRECTORY))
    assert names == ["Riverside Advice"]


def test_search_finds_a_word_in_a_service_description_and_a_category_name(client, categories):
    debt = ServiceFactory(
        organisation=OrganisationFactory(name="Northside Helpers"),
        name="Drop-in",
        description="We negotiate with bailiffs and creditors.",
        categories=[categories["debt-advice"]],
    )
    ProviderProfileFactory(organisation=debt.organisation, description="Local people helping.")
    ServiceFactory(
        organisation=OrganisationFactory(name="Southside Gardeners"),
        description="Growing vegetables together.",
        categories=[categories["environment"]],
    )
    assert names_in(client.get(DIRECTORY, {"q": "bailiffs"})) == ["Northside Helpers"]
    assert names_in(client.get(DIRECTORY, {"q": "debt"})) == ["Northside Helpers"]
    assert names_in(client.get(DIRECTORY, {"q": "vegetables"})) == ["Southside Gardeners"]
    assert names_in(client.get(DIRECTORY, {"q": "bailiffs vegetables"})) == []


def test_search_matches_the_organisation_name_and_profile_description(client):
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Tenants Together"),
        description="Campaigning for better repairs.",
    )
    ProviderProfileFactory(organisation=OrganisationFactory(name="Quiet Readers"))
    assert names_in(client.get(DIRECTORY, {"q": "tenants"})) == ["Tenants Together"]
    assert names_in(client.get(DIRECTORY, {"q": "repairs"})) == ["Tenants Together"]


def test_a_parent_category_matches_services_in_its_children(client, categories):
    ServiceFactory(
        organisation=OrganisationFactory(name="Debt Line"), categories=[categories["debt-advice"]]
    )
    ServiceFactory(
        organisation=OrganisationFactory(name="Youth Hub"), categories=[categories["youth-clubs"]]
    )
    advice = categories["advice"].pk
    assert names_in(client.get(DIRECTORY, {"category": advice})) == ["Debt Line"]
    assert names_in(client.get(DIRECTORY, {"category": categories["debt-advice"].pk})) == [
        "Debt Line"
    ]
    assert names_in(client.get(DIRECTORY, {"category": categories["youth-clubs"].pk})) == [
        "Youth Hub"
    ]


def test_an_inactive_service_does_not_make_its_organisation_match(client, categories):
    ServiceFactory(
        organisation=OrganisationFactory(name="Closed Down"),
        categories=[categories["debt-advice"]],
        status=ServiceStatus.INACTIVE,
    )
    assert names_in(client.get(DIRECTORY, {"category": categories["debt-advice"].pk})) == []


def test_the_filters_follow_a_service_as_it_changes(client, categories, provider, provider_org):
    """What the filters match is kept on the profile by the services layer: a service's new
    category, language or area counts at once, and a closed service stops counting."""
    welsh = Language.objects.get(code="cy")
    ward = WardFactory(name="Eastgate")
    service = service_create(
        actor=provider,
        organisation=provider_org,
        data={"name": "Money Matters", "description": "Debt casework."},
        m2m={"categories": [categories["debt-advice"]], "languages": [welsh]},
    )
    matching = {"category": categories["debt-advice"].pk, "language": welsh.pk}
    assert names_in(client.get(DIRECTORY, matching)) == ["Riverside Advice"]
    assert names_in(client.get(DIRECTORY, {"area": ward.pk})) == []
    service_update(
        actor=provider,
        service=service,
        data={},
        m2m={"categories": [categories["housing-advice"]], "areas": [ward]},
    )
    assert names_in(client.get(DIRECTORY, matching)) == []
    assert names_in(client.get(DIRECTORY, {"area": ward.pk})) == ["Riverside Advice"]
    service_update(actor=provider, service=service, data={"status": ServiceStatus.INACTIVE}, m2m={})
    assert names_in(client.get(DIRECTORY, {"area": ward.pk})) == []


def test_an_area_matches_its_wards_through_the_profile_or_a_service(client):
    borough = AreaFactory(name="Lindenford")
    ward = WardFactory(name="Eastgate", parent=borough)
    elsewhere = WardFactory(name="Far Away", parent=AreaFactory(name="Other Borough"))
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Serves Eastgate"), areas_served=[ward]
    )
    ServiceFactory(organisation=OrganisationFactory(name="Runs In Eastgate"), areas=[ward])
    ServiceFactory(organisation=OrganisationFactory(name="Runs Far Away"), areas=[elsewhere])
    assert names_in(client.get(DIRECTORY, {"area": borough.pk})) == [
        "Runs In Eastgate",
        "Serves Eastgate",
    ]
    assert names_in(client.get(DIRECTORY, {"area": ward.pk})) == [
        "Runs In Eastgate",
        "Serves Eastgate",
    ]
    assert names_in(client.get(DIRECTORY, {"area": elsewhere.pk})) == ["Runs Far Away"]


def test_client_group_and_language_match_the_profile_or_a_service(client):
    carers, older = ClientGroupFactory(name="Carers"), ClientGroupFactory(name="Older people")
    welsh, polish = LanguageFactory(name="Welsh"), LanguageFactory(name="Polish")
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Carers Centre"),
        client_groups=[carers],
        languages=[welsh],
    )
    ServiceFactory(
        organisation=OrganisationFactory(name="Lunch Club"),
        client_groups=[older, carers],
        languages=[polish],
    )
    assert names_in(client.get(DIRECTORY, {"client_group": carers.pk})) == [
        "Carers Centre",
        "Lunch Club",
    ]
    assert names_in(client.get(DIRECTORY, {"client_group": older.pk})) == ["Lunch Club"]
    assert names_in(client.get(DIRECTORY, {"language": welsh.pk})) == ["Carers Centre"]
    assert names_in(client.get(DIRECTORY, {"language": polish.pk})) == ["Lunch Club"]


def test_legal_form_and_income_band(client):
    ProviderProfileFactory(
        organisation=OrganisationFactory(
            name="Big Charity", legal_form=LegalForm.CHARITY, charity_number="1170001"
        ),
        income_band=IncomeBand.LARGE,
    )
    ProviderProfileFactory(
        organisation=OrganisationFactory(
            name="Small CIC", legal_form=LegalForm.CIC, charity_number="", company_number="12345678"
        ),
        income_band=IncomeBand.SMALL,
    )
    assert names_in(client.get(DIRECTORY, {"legal_form": LegalForm.CIC})) == ["Small CIC"]
    assert names_in(client.get(DIRECTORY, {"income_band": IncomeBand.LARGE})) == ["Big Charity"]
    assert (
        names_in(
            client.get(DIRECTORY, {"income_band": IncomeBand.LARGE, "legal_form": LegalForm.CIC})
        )
        == []
    )


def test_quality_mark_counts_only_while_current(client):
    mark = QualityMarkFactory(name="Trusted Charity")
    today = timezone.localdate()
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Current Holder"),
        quality_marks={mark: today + timedelta(days=30)},
    )
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Lapsed Holder"),
        quality_marks={mark: today - timedelta(days=1)},
    )
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Open-ended Holder"), quality_marks={mark: None}
    )
    assert names_in(client.get(DIRECTORY, {"quality_mark": mark.pk})) == [
        "Current Holder",
        "Open-ended Holder",
    ]


def test_has_a_current_passport(client):
    today = timezone.localdate()
    # Passports are granted by the passport workflow; here only their dates matter.
    for name, expires_on in (("Passport Holder", 200), ("Expired Passport", -1)):
        Passport.objects.create(
            organisation=OrganisationFactory(name=name),
            accepted_at=timezone.now(),
            expires_on=today + timedelta(days=expires_on),
        )
    OrganisationFactory(name="No Passport")
    assert names_in(client.get(DIRECTORY, {"passport": "on"})) == ["Passport Holder"]
    assert len(names_in(client.get(DIRECTORY))) == 3


def test_in_a_consortium_as_lead_or_member_unless_dissolved(client, network_admin):
    lead, member = OrganisationFactory(name="Lead Org"), OrganisationFactory(name="Member Org")
    gone = OrganisationFactory(name="Dissolved Lead")
    OrganisationFactory(name="Loner")
    # Consortia are formed through their own workflow; here only their status matters.
    active = Consortium.objects.create(
        name="Together", lead=lead, status=ConsortiumStatus.ACTIVE, created_by=network_admin
    )
    ConsortiumMember.objects.create(
        consortium=active, organisation=member, role="Delivery", indicative_share=40
    )
    Consortium.objects.create(
        name="Over", lead=gone, status=ConsortiumStatus.DISSOLVED, created_by=network_admin
    )
    assert names_in(client.get(DIRECTORY, {"consortium": "on"})) == ["Lead Org", "Member Org"]


def test_a_forming_consortium_is_not_revealed_to_the_public(client, network_admin):
    lead = OrganisationFactory(name="Quiet Lead")
    Consortium.objects.create(
        name="Secret", lead=lead, status=ConsortiumStatus.FORMING, created_by=network_admin
    )
    assert names_in(client.get(DIRECTORY, {"consortium": "on"})) == []
    client.force_login(network_admin)
    assert names_in(client.get(DIRECTORY, {"consortium": "on"})) == ["Quiet Lead"]


def test_filters_combine_and_make_a_shareable_link(client, categories):
    ward = WardFactory(name="Brookside")
    ServiceFactory(
        organisation=OrganisationFactory(name="Brookside Debt"),
        categories=[categories["debt-advice"]],
        areas=[ward],
    )
    ServiceFactory(
        organisation=OrganisationFactory(name="Elsewhere Debt"),
        categories=[categories["debt-advice"]],
    )
    params = {"category": categories["advice"].pk, "area": ward.pk, "sort": "name"}
    response = client.get(DIRECTORY, params)
    assert names_in(response) == ["Brookside Debt"]
    # The CSV link and the paging links carry the same filters.
    query = response.context["filter_query"]
    assert f"category={categories['advice'].pk}" in query
    assert f"area={ward.pk}" in query
    assert reverse("providers:directory_csv") + "?" + query.replace("&", "&amp;") in (
        response.content.decode()
    )


def test_an_unknown_choice_is_reported_not_ignored_silently(client, provider_org):
    response = client.get(DIRECTORY, {"category": 999999})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert response.context["filter"].form.errors["category"]


def test_sort_by_name_and_by_recently_updated(client):
    older = ProviderProfileFactory(organisation=OrganisationFactory(name="Alpha"))
    ProviderProfileFactory(organisation=OrganisationFactory(name="Bravo"))
    ProviderProfile.objects.filter(pk=older.pk).update(
        updated_at=timezone.now() - timedelta(days=30)
    )
    OrganisationFactory(name="Charlie")  # no profile yet: last when sorting by updates
    assert names_in(client.get(DIRECTORY)) == ["Alpha", "Bravo", "Charlie"]
    assert names_in(client.get(DIRECTORY, {"sort": "updated"})) == ["Bravo", "Alpha", "Charlie"]
    # Relevance without a search means nothing: the list falls back to names.
    response = client.get(DIRECTORY, {"sort": "relevance"})
    assert names_in(response) == ["Alpha", "Bravo", "Charlie"]
    assert response.context["filter"].form.cleaned_data["sort"] == "name"


def test_searching_sorts_by_relevance(client):
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="A Lunch Club"),
        description="Lunch on Tuesdays.",
    )
    ServiceFactory(
        organisation=ProviderProfileFactory(
            organisation=OrganisationFactory(name="Z Befriending Lunch"),
            description="Lunch, lunch and more lunch for older people.",
        ).organisation,
        name="Lunch club",
        description="A hot lunch.",
    )
    response = client.get(DIRECTORY, {"q": "lunch"})
    assert response.context["filter"].form.cleaned_data["sort"] == "relevance"
    if connection.vendor == "postgresql":
        assert names_in(response) == ["Z Befriending Lunch", "A Lunch Club"]
    else:  # SQLite has no ranking: matches come by name
        assert names_in(response) == ["A Lunch Club", "Z Befriending Lunch"]


def test_pages_of_twenty_five(client):
    for i in range(30):
        OrganisationFactory(name=f"Org {i:02d}")
    first = client.get(DIRECTORY)
    assert names_in(first) == [f"Org {i:02d}" for i in range(25)]
    assert first.context["page"].paginator.count == 30
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(DIRECTORY, {"page": 2})
    assert names_in(second) == [f"Org {i:02d}" for i in range(25, 30)]
    # Past the end, the last page; nonsense, the first.
    assert names_in(client.get(DIRECTORY, {"page": 99})) == names_in(second)
    assert names_in(client.get(DIRECTORY, {"page": "x"})) == names_in(first)


def test_the_public_sees_no_contacts_and_members_do(client, provider, categories):
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Contactable"),
        contact_email="private.person@contactable.example.org",
        contact_phone="01632 960123",
    )
    public = client.get(DIRECTORY).content.decode()
    assert "Contactable" in public
    assert "private.person@contactable.example.org" not in public
    assert "01632 960123" not in public
    client.force_login(provider)
    member = client.get(DIRECTORY).content.decode()
    assert "private.person@contactable.example.org" in member
    assert "01632 960123" in member


def test_members_see_passport_status(client, commissioner):
    today = timezone.localdate()
    for name, days in (("Soon", 20), ("Later", 400)):
        Passport.objects.create(
            organisation=OrganisationFactory(name=name),
            accepted_at=timezone.now(),
            expires_on=today + timedelta(days=days),
        )
    OrganisationFactory(name="Without")
    anonymous = client.get(DIRECTORY)
    assert "Expires soon" not in anonymous.content.decode()
    client.force_login(commissioner)
    rows = {r.name: r.passport.code for r in client.get(DIRECTORY).context["rows"]}
    assert rows == {"Soon": "expires_soon", "Later": "current", "Without": "none"}


def test_someone_whose_organisation_is_not_verified_is_not_a_member(client, pending_provider):
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Listed"),
        contact_email="hidden@listed.example.org",
    )
    client.force_login(pending_provider)
    assert "hidden@listed.example.org" not in client.get(DIRECTORY).content.decode()


def test_a_signed_in_user_with_no_organisation_is_not_a_member(client):
    ProviderProfileFactory(
        organisation=OrganisationFactory(name="Listed"),
        contact_email="hidden@listed.example.org",
    )
    client.force_login(UserFactory())
    assert "hidden@listed.example.org" not in client.get(DIRECTORY).content.decode()


def test_pages_of_a_filtered_list(client):
    """With a filter, the page and the total come from one query; past the end, the last page."""
    for i in range(30):
        OrganisationFactory(name=f"CIC {i:02d}", legal_form=LegalForm.CIC)
    OrganisationFactory(name="A charity", legal_form=LegalForm.CHARITY)
    first = client.get(DIRECTORY, {"legal_form": LegalForm.CIC})
    assert names_in(first) == [f"CIC {i:02d}" for i in range(25)]
    assert first.context["page"].paginator.count == 30
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(DIRECTORY, {"legal_form": LegalForm.CIC, "page": 2})
    assert names_in(second) == [f"CIC {i:02d}" for i in range(25, 30)]
    assert second.context["page"].has_previous() and not second.context["page"].has_next()
    beyond = client.get(DIRECTORY, {"legal_form": LegalForm.CIC, "page": 7})
    assert names_in(beyond) == names_in(second)
    assert beyond.context["page"].number == 2
    nothing = client.get(DIRECTORY, {"legal_form": LegalForm.COOPERATIVE, "page": 3})
    assert names_in(nothing) == []
    assert nothing.context["page"].paginator.count == 0
    assert "0 organisations found" in nothing.content.decode()
    assert "No organisations match" in nothing.content.decode()
