"""An assessment's page, writing and changing one, and marking it reviewed: who may, what bad
input is told, and what is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.models import (
    BusinessCase,
    CommissioningIntention,
    CommissioningRoute,
    IntentionStatus,
    NeedsAssessment,
    Visibility,
)
from commissioning.services import assessments as services
from tests.factories import (
    AreaFactory,
    ClientGroupFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    ServiceCategoryFactory,
    UserFactory,
)
from tests.factories.commissioning_assessments import (
    AssessmentIndicatorFactory,
    AssessmentOutcomeFactory,
    NeedsAssessmentFactory,
)

pytestmark = pytest.mark.django_db


def detail_url(assessment) -> str:
    return reverse("commissioning:assessment", args=[assessment.pk])


@pytest.fixture
def choices():
    return {
        "theme": ServiceCategoryFactory(name="Debt advice", code="t-debt"),
        "area": AreaFactory(name="Lindenford"),
        "group": ClientGroupFactory(
            name="Gypsy and Traveller communities", code="t-travellers", usually_excluded=True
        ),
        "indicator": AssessmentIndicatorFactory(name="Households in problem debt"),
    }


def form_data(commissioning_body, choices, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "body": commissioning_body.pk,
        "title": "Debt advice needs in Lindenford",
        "summary": "Demand for debt advice has doubled since 2023.",
        "themes": [choices["theme"].pk],
        "areas": [choices["area"].pk],
        "population_groups": [choices["group"].pk],
        "indicators": [choices["indicator"].pk],
        "data_sources": "Citizens Advice case records.",
        "method": "Analysis of case records and a survey.",
        "involvement": "Workshops with advice agencies and a service user panel.",
        "assessed_on": (today - timedelta(days=7)).isoformat(),
        "next_review_on": (today + timedelta(days=365)).isoformat(),
        "visibility": Visibility.PUBLIC,
    }
    data.update(overrides)
    return data


# The page


def test_the_page_shows_everything_on_the_record(client, commissioner, commissioning_body):
    group = ClientGroupFactory(
        name="Gypsy and Traveller communities", code="t-travellers", usually_excluded=True
    )
    indicator = AssessmentIndicatorFactory(name="Households in problem debt")
    assessment = NeedsAssessmentFactory(
        title="Debt advice needs",
        body=commissioning_body,
        summary="Demand has doubled.",
        data_sources="Case records.",
        method="A survey of residents.",
        involvement="A panel of service users.",
        themes=[ServiceCategoryFactory(name="Debt advice", code="t-debt")],
        areas=[AreaFactory(name="Lindenford")],
        population_groups=[group],
        indicators=[indicator],
        visibility=Visibility.PUBLIC,
    )
    case = BusinessCase.objects.create(
        body=commissioning_body,
        title="Debt advice service case",
        need="Debt",
        estimated_annual_value=100000,
        route=CommissioningRoute.GRANT,
        created_by=commissioner,
    )
    case.needs_assessments.add(assessment)
    CommissioningIntention.objects.create(
        body=commissioning_body,
        title="Debt advice from April",
        summary="A new service.",
        outcome=AssessmentOutcomeFactory(),
        needs_assessment=assessment,
        value_low=50000,
        value_high=80000,
        route=CommissioningRoute.GRANT,
        start_on=timezone.localdate() + timedelta(days=200),
        contact_name="A Commissioner",
        contact_email="a@example.org",
        status=IntentionStatus.PUBLISHED,
        created_by=commissioner,
    )
    client.force_login(commissioner)
    page = client.get(detail_url(assessment)).content.decode()
    for text in [
        "Debt advice needs",
        "Adult Social Care",
        "Debt advice",
        "Lindenford",
        "Gypsy and Traveller communities (a community usually excluded)",
        "Demand has doubled.",
        "Households in problem debt",
        "Case records.",
        "A survey of residents.",
        "A panel of service users.",
        assessment.assessed_on.strftime("%-d %B %Y"),
        assessment.next_review_on.strftime("%-d %B %Y"),
        "Everyone, including the public",
        "Current",
        "Debt advice service case",
        "Debt advice from April",
        reverse("commissioning:assessment_edit", args=[assessment.pk]),
        reverse("commissioning:assessment_reviewed", args=[assessment.pk]),
    ]:
        assert text in page, text


def test_the_public_sees_published_uses_only_and_no_editing(
    client, commissioner, commissioning_body
):
    assessment = NeedsAssessmentFactory(body=commissioning_body, visibility=Visibility.PUBLIC)
    case = BusinessCase.objects.create(
        body=commissioning_body,
        title="Internal business case",
        need="Debt",
        estimated_annual_value=100000,
        route=CommissioningRoute.GRANT,
        created_by=commissioner,
    )
    case.needs_assessments.add(assessment)
    page = client.get(detail_url(assessment)).content.decode()
    assert "Internal business case" not in page
    assert reverse("commissioning:assessment_edit", args=[assessment.pk]) not in page
    assert "Mark as reviewed" not in page


def test_a_network_only_assessment_is_hidden_from_the_public(client, provider):
    assessment = NeedsAssessmentFactory(visibility=Visibility.NETWORK)
    assert client.get(detail_url(assessment)).status_code == 404
    client.force_login(provider)
    assert client.get(detail_url(assessment)).status_code == 200


def test_an_overdue_assessment_says_so(client, commissioner, commissioning_body):
    today = timezone.localdate()
    assessment = NeedsAssessmentFactory(
        body=commissioning_body,
        assessed_on=today - timedelta(days=400),
        next_review_on=today - timedelta(days=3),
    )
    client.force_login(commissioner)
    page = client.get(detail_url(assessment)).content.decode()
    assert "Overdue for review" in page
    assert f"it was due on {(today - timedelta(days=3)):%-d %B %Y}" in page


# Writing one


def test_a_commissioner_writes_an_assessment(client, commissioner, commissioning_body, choices):
    client.force_login(commissioner)
    assert client.get(reverse("commissioning:assessment_create")).status_code == 200
    response = client.post(
        reverse("commissioning:assessment_create"), form_data(commissioning_body, choices)
    )
    assessment = NeedsAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(assessment)
    assert assessment.body == commissioning_body
    assert assessment.created_by == commissioner
    assert assessment.visibility == Visibility.PUBLIC
    assert list(assessment.themes.all()) == [choices["theme"]]
    assert list(assessment.areas.all()) == [choices["area"]]
    assert list(assessment.population_groups.all()) == [choices["group"]]
    assert list(assessment.indicators.all()) == [choices["indicator"]]
    event = AuditEvent.objects.get(action="needs_assessment.created")
    assert event.actor == commissioner
    assert event.organisation == commissioning_body
    assert event.object_id == str(assessment.pk)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"themes": []}, services.NO_THEME),
        ({"areas": []}, services.NO_AREA),
        ({"next_review_on": "2020-01-01", "assessed_on": "2020-01-01"}, services.REVIEW_NOT_AFTER),
        ({"next_review_on": "2019-12-31", "assessed_on": "2020-01-01"}, services.REVIEW_NOT_AFTER),
        ({"involvement": ""}, "Say how the third sector and service users were involved."),
        ({"assessed_on": "31/02/2026"}, "Enter the date of the assessment as a real date."),
    ],
)
def test_bad_input_gets_a_clear_message(
    client, commissioner, commissioning_body, choices, overrides, message
):
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:assessment_create"),
        form_data(commissioning_body, choices, **overrides),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page.replace("&#x27;", "'")
    assert not NeedsAssessment.objects.exists()
    assert not AuditEvent.objects.filter(action="needs_assessment.created").exists()


def test_the_service_keeps_the_rules_too(commissioner, commissioning_body, choices):
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.needs_assessment_create(
            actor=commissioner,
            body=commissioning_body,
            data={
                "title": "T",
                "summary": "S",
                "method": "M",
                "involvement": "I",
                "assessed_on": today,
                "next_review_on": today - timedelta(days=1),
            },
            m2m={"themes": [], "areas": []},
        )
    assert error.value.message_dict == {
        "themes": [services.NO_THEME],
        "areas": [services.NO_AREA],
        "next_review_on": [services.REVIEW_NOT_AFTER],
    }


def test_only_your_own_bodies_can_be_chosen(client, commissioner, commissioning_body, choices):
    other = CommissioningBodyFactory(name="Police")
    client.force_login(commissioner)
    response = client.post(reverse("commissioning:assessment_create"), form_data(other, choices))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NeedsAssessment.objects.exists()


def test_the_owning_body_edits_it_and_the_edit_is_audited(
    client, commissioner, commissioning_body, choices
):
    assessment = NeedsAssessmentFactory(body=commissioning_body, title="Old title")
    client.force_login(commissioner)
    edit = reverse("commissioning:assessment_edit", args=[assessment.pk])
    assert "Old title" in client.get(edit).content.decode()
    response = client.post(edit, form_data(commissioning_body, choices, title="New title"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.title == "New title"
    assert list(assessment.areas.all()) == [choices["area"]]
    event = AuditEvent.objects.get(action="needs_assessment.updated")
    assert event.actor == commissioner
    assert "title" in event.note
    assert "areas" in event.note


def test_another_body_cannot_edit_it(client, commissioning_body, choices):
    assessment = NeedsAssessmentFactory(body=commissioning_body, title="Theirs")
    other_body = CommissioningBodyFactory(name="Police")
    someone = UserFactory()
    MembershipFactory(user=someone, organisation=other_body, role=MembershipRole.ADMIN)
    client.force_login(someone)
    edit = reverse("commissioning:assessment_edit", args=[assessment.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(other_body, choices, title="Mine")).status_code == 403
    assessment.refresh_from_db()
    assert assessment.title == "Theirs"


# Marking it reviewed


def reviewed_url(assessment) -> str:
    return reverse("commissioning:assessment_reviewed", args=[assessment.pk])


@pytest.fixture
def overdue(commissioning_body):
    today = timezone.localdate()
    return NeedsAssessmentFactory(
        body=commissioning_body,
        title="Carers' breaks",
        assessed_on=today - timedelta(days=400),
        next_review_on=today - timedelta(days=5),
        reminded_for=today - timedelta(days=5),
    )


def test_marking_it_reviewed_clears_overdue_and_resets_the_reminder(client, commissioner, overdue):
    new_date = timezone.localdate() + timedelta(days=365)
    client.force_login(commissioner)
    library_url = reverse("commissioning:evidence_library")
    library = client.get(library_url, {"freshness": "overdue"})
    assert "Carers&#x27; breaks" in library.content.decode()
    response = client.post(
        reviewed_url(overdue),
        {"next_review_on": new_date.isoformat(), "note": "The findings still stand."},
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.next_review_on == new_date
    assert overdue.reminded_for is None
    assert not overdue.is_overdue
    event = AuditEvent.objects.get(action="needs_assessment.reviewed")
    assert (event.actor, event.note, event.to_state) == (
        commissioner,
        "The findings still stand.",
        new_date.isoformat(),
    )
    page = client.get(detail_url(overdue)).content.decode()
    assert "Overdue for review" not in page
    assert "The findings still stand." in page
    library = client.get(library_url, {"freshness": "overdue"})
    assert "Carers&#x27; breaks" not in library.content.decode()


@pytest.mark.parametrize(
    ("days", "note", "message"),
    [
        (0, "Fine.", "The next review date must be in the future."),
        (-10, "Fine.", "The next review date must be in the future."),
        (100, "", "Say what the review found, or why the assessment still stands."),
    ],
)
def test_a_review_needs_a_future_date_and_a_note(
    client, commissioner, overdue, days, note, message
):
    client.force_login(commissioner)
    before = overdue.next_review_on
    response = client.post(
        reviewed_url(overdue),
        {"next_review_on": (timezone.localdate() + timedelta(days=days)).isoformat(), "note": note},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.next_review_on == before
    assert not AuditEvent.objects.filter(action="needs_assessment.reviewed").exists()


def test_only_the_owning_body_marks_it_reviewed(client, provider, network_admin, overdue):
    data = {"next_review_on": (timezone.localdate() + timedelta(days=90)).isoformat(), "note": "x"}
    for user in (provider, network_admin):
        client.force_login(user)
        assert client.post(reviewed_url(overdue), data).status_code == 403
        assert client.get(reviewed_url(overdue)).status_code == 405
    client.logout()
    assert client.post(reviewed_url(overdue), data).status_code == 302  # to sign in
    overdue.refresh_from_db()
    assert overdue.is_overdue
