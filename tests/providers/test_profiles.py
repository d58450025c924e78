"""An organisation's admins keep its profile, with every change in its history; members keep its services."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from providers.models import ProfileVersion, ProviderProfile, QualityMark, Service, ServiceStatus
from providers.reference_data import reference_data_ensure
from providers.services.profiles import profile_update, service_create
from tests.factories import WardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    reference_data_ensure()
    return WardFactory(name="Hackney Wick")


def profile_post(ward, **overrides):
    data = {
        "description": "Free debt advice for anyone in the borough.",
        "income_band": "small",
        "year_founded": "1998",
        "staff_count": "4",
        "volunteer_count": "20",
        "areas_served": [ward.pk],
        "safeguarding_lead": "Sam Lee",
        "website": "https://riverside-advice.example.org",
        "contact_email": "hello@riverside-advice.example.org",
    }
    mark = QualityMark.objects.get(code="advice-quality-standard")
    data[f"marks-mark_{mark.pk}"] = "on"
    data[f"marks-expires_{mark.pk}"] = "2027-03-31"
    data.update(overrides)
    return data


def test_admin_edits_the_profile_and_the_change_is_kept(client, provider, provider_org, reference):
    client.force_login(provider)
    url = reverse("providers:profile_edit", args=[provider_org.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, profile_post(reference))
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(organisation=provider_org)
    assert profile.income_band == "small"
    assert list(profile.areas_served.all()) == [reference]
    assert profile.quality_marks.get().expires_on.isoformat() == "2027-03-31"
    version = ProfileVersion.objects.get(profile=profile)
    assert version.changed["income band"] == [
        "—",
        "Small (£10,000 to £100,000)",
    ]
    assert AuditEvent.objects.filter(action="profile.updated", actor=provider).exists()

    # Saving again without changes keeps no new version.
    client.post(url, profile_post(reference))
    assert ProfileVersion.objects.filter(profile=profile).count() == 1

    client.post(url, profile_post(reference, income_band="medium"))
    history = client.get(
        reverse("providers:profile_history", args=[provider_org.pk])
    ).content.decode()
    assert "Medium (£100,000 to £1 million)" in history
    assert "Small (£10,000 to £100,000)" in history


def test_bad_profile_input_is_shown_on_the_page_and_nothing_is_saved(
    client, provider, provider_org, reference
):
    client.force_login(provider)
    url = reverse("providers:profile_edit", args=[provider_org.pk])
    response = client.post(url, profile_post(reference, year_founded="3020", website="not a url"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a year between 1500" in html
    assert "Enter a valid URL" in html
    assert not ProfileVersion.objects.exists()


def test_a_member_who_is_not_an_admin_cannot_edit_the_profile(
    client, provider_member, provider_org
):
    client.force_login(provider_member)
    assert client.get(reverse("providers:profile_edit", args=[provider_org.pk])).status_code == 403


def test_other_organisations_and_commissioners_cannot_see_it(
    client, outsider, commissioner, provider_org
):
    for user in (outsider, commissioner):
        client.force_login(user)
        assert (
            client.get(reverse("providers:profile_edit", args=[provider_org.pk])).status_code == 404
        )
        assert (
            client.get(reverse("providers:profile_history", args=[provider_org.pk])).status_code
            == 404
        )


def test_a_member_adds_a_service_which_needs_a_category(
    client, provider_member, provider_org, reference
):
    from providers.models import ServiceCategory

    client.force_login(provider_member)
    url = reverse("providers:service_create", args=[provider_org.pk])
    data = {"name": "Money Matters", "description": "Debt casework.", "status": "active"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose at least one category" in response.content.decode()
    assert not Service.objects.exists()

    debt = ServiceCategory.objects.get(code="debt-advice")
    data.update({"categories": [debt.pk], "areas": [reference.pk], "minimum_age": "18"})
    assert client.post(url, data).status_code == 302
    service = Service.objects.get(name="Money Matters")
    assert list(service.categories.all()) == [debt]
    profile = ProviderProfile.objects.get(organisation=provider_org)
    assert "Money Matters" in profile.search_document
    assert "Debt advice" in profile.search_document


def test_a_service_with_ages_the_wrong_way_round_is_refused(
    client, provider, provider_org, reference
):
    from providers.models import ServiceCategory

    client.force_login(provider)
    response = client.post(
        reverse("providers:service_create", args=[provider_org.pk]),
        {
            "name": "Youth Club",
            "description": "Fridays.",
            "status": "active",
            "categories": [ServiceCategory.objects.get(code="youth-clubs").pk],
            "minimum_age": "19",
            "maximum_age": "11",
        },
    )
    assert "The oldest age must be the same as or above the youngest" in response.content.decode()
    assert not Service.objects.exists()


def test_editing_a_service_and_closing_it_is_audited(client, provider, provider_org, reference):
    from providers.models import ServiceCategory

    category = ServiceCategory.objects.get(code="befriending")
    service = service_create(
        actor=provider,
        organisation=provider_org,
        data={"name": "Phone Friends", "description": "Weekly calls."},
        m2m={"categories": [category]},
    )
    client.force_login(provider)
    response = client.post(
        reverse("providers:service_edit", args=[service.pk]),
        {
            "name": "Phone Friends",
            "description": "Weekly calls.",
            "status": "temporarily_closed",
            "categories": [category.pk],
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.TEMPORARILY_CLOSED
    event = AuditEvent.objects.get(action="service.updated")
    assert (event.from_state, event.to_state) == ("active", "temporarily_closed")


def test_outsiders_cannot_edit_a_service(client, provider, outsider, provider_org, reference):
    from providers.models import ServiceCategory

    service = service_create(
        actor=provider,
        organisation=provider_org,
        data={"name": "Phone Friends", "description": "Weekly calls."},
        m2m={"categories": [ServiceCategory.objects.get(code="befriending")]},
    )
    client.force_login(outsider)
    assert client.get(reverse("providers:service_edit", args=[service.pk])).status_code == 404


def test_network_admin_keeps_the_reference_data(client, network_admin, provider, reference):
    client.force_login(network_admin)
    assert client.get(reverse("providers:reference_index")).status_code == 200
    response = client.post(
        reverse("providers:reference_create", args=["languages"]),
        {"name": "Tigrinya", "code": "ti"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="reference.created", object_repr="Tigrinya").exists()
    assert (
        "Tigrinya"
        in client.get(reverse("providers:reference_list", args=["languages"])).content.decode()
    )
    response = client.post(
        reverse("providers:reference_create", args=["languages"]),
        {"name": "Tigrinya", "code": "ti"},
    )
    assert "already exists" in response.content.decode()
    assert client.get(reverse("providers:reference_list", args=["nonsense"])).status_code == 404
    client.force_login(provider)
    assert client.get(reverse("providers:reference_index")).status_code == 403


def test_profile_update_refuses_people_who_are_not_admins(provider_member, provider_org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        profile_update(actor=provider_member, organisation=provider_org, data={"description": "x"})
