"""Commissioning intentions: writing one, the checks on its values and dates, who may see and
change it, and its status moves (draft → published → withdrawn)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    INTENTION_TRANSITIONS,
    BusinessCase,
    CommissioningIntention,
    CommissioningRoute,
    IntentionStatus,
    NeedsAssessment,
)
from commissioning.services.intentions import (
    intention_publish,
    intention_update,
    intention_withdraw,
)
from providers.models import ClientGroup, ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import AreaFactory, CommissioningBodyFactory, WardFactory
from tests.factories.commissioning_planning import (
    IntentionFactory,
    PlanningOutcomeFactory,
    body_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commissioning_body, commissioner):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    return {
        "body": commissioning_body,
        "commissioner": commissioner,
        "outcome": PlanningOutcomeFactory(name="Fewer people in problem debt"),
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "borough": borough,
        "ward": WardFactory(name="Hackney Central", parent=borough),
        "group": ClientGroup.objects.first(),
    }


def form_data(world, **changes) -> dict:
    data = {
        "title": "Debt advice in Hackney Central",
        "summary": "Free, independent debt advice for residents.",
        "outcome": world["outcome"].pk,
        "categories": [world["debt"].pk],
        "areas": [world["ward"].pk],
        "client_groups": [world["group"].pk],
        "business_case": "",
        "needs_assessment": "",
        "value_low": "60000",
        "value_high": "90000",
        "route": CommissioningRoute.GRANT,
        "consultation_on": "2027-01-11",
        "tender_on": "2027-03-01",
        "start_on": "2027-04-01",
        "end_on": "2030-03-31",
        "contact_name": "Ada Planner",
        "contact_email": "ada.planner@example.org",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def intention_of(world, **kwargs) -> CommissioningIntention:
    return IntentionFactory(
        body=world["body"],
        created_by=world["commissioner"],
        outcome=world["outcome"],
        categories=[world["debt"]],
        areas=[world["ward"]],
        **kwargs,
    )


# Writing an intention


def test_a_commissioner_drafts_an_intention(client, world):
    client.force_login(world["commissioner"])
    response = client.get(reverse("commissioning:intention_create"))
    assert response.status_code == 200
    assert "All of Advice and information" in response.content.decode()

    response = client.post(reverse("commissioning:intention_create"), form_data(world))

    intention = CommissioningIntention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commissioning:intention", args=[intention.pk])
    assert intention.body == world["body"]
    assert intention.status == IntentionStatus.DRAFT
    assert intention.published_at is None
    assert intention.value_low == Decimal("60000")
    assert intention.start_on == date(2027, 4, 1)
    assert list(intention.categories.all()) == [world["debt"]]
    assert list(intention.areas.all()) == [world["ward"]]
    assert list(intention.client_groups.all()) == [world["group"]]
    event = AuditEvent.objects.get(action="intention.created")
    assert (event.actor, event.organisation, event.to_state) == (
        world["commissioner"],
        world["body"],
        "draft",
    )


def test_it_links_a_business_case_and_needs_assessment(client, world):
    case = BusinessCase.objects.create(
        body=world["body"],
        title="Debt advice case",
        need="Rising debt.",
        estimated_annual_value=Decimal("80000"),
        route=CommissioningRoute.GRANT,
        created_by=world["commissioner"],
    )
    assessment = NeedsAssessment.objects.create(
        title="Financial inclusion needs",
        body=world["body"],
        summary="Findings.",
        method="Survey.",
        involvement="Workshops.",
        assessed_on=date(2026, 1, 1),
        next_review_on=date(2028, 1, 1),
        created_by=world["commissioner"],
    )
    client.force_login(world["commissioner"])
    client.post(
        reverse("commissioning:intention_create"),
        form_data(world, business_case=case.pk, needs_assessment=assessment.pk),
    )
    intention = CommissioningIntention.objects.get()
    assert (intention.business_case, intention.needs_assessment) == (case, assessment)
    page = client.get(reverse("commissioning:intention", args=[intention.pk])).content.decode()
    assert "Debt advice case" in page
    assert "Financial inclusion needs" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"value_low": "90000", "value_high": "60000"},
            "The upper value must be the same as or more than the lower value (£90,000).",
        ),
        ({"value_low": "-5"}, "Enter a value of £0 or more."),
        (
            {"consultation_on": "2027-03-02", "tender_on": "2027-03-01"},
            "The expected tender or grant round must be on or after the expected consultation "
            "(2 March 2027).",
        ),
        (
            {"tender_on": "2027-05-01"},
            "The expected start must be on or after the expected tender or grant round "
            "(1 May 2027).",
        ),
        (
            # With no tender date, the start is checked against the consultation.
            {"tender_on": "", "consultation_on": "2027-06-01"},
            "The expected start must be on or after the expected consultation (1 June 2027).",
        ),
        (
            {"end_on": "2027-04-01"},
            "The expected end must be after the expected start (1 April 2027).",
        ),
        ({"categories": []}, "Choose at least one category, so that providers can find it."),
        ({"areas": []}, "Choose at least one area, so that providers can find it."),
        ({"outcome": ""}, "Choose the outcome it works towards."),
        ({"start_on": ""}, "Enter the expected start date."),
        ({"contact_email": "not an address"}, "Enter a valid email address."),
    ],
)
def test_bad_input_gets_a_clear_message(client, world, changes, message):
    client.force_login(world["commissioner"])
    response = client.post(reverse("commissioning:intention_create"), form_data(world, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not CommissioningIntention.objects.exists()


def test_equal_dates_and_values_are_allowed(client, world):
    client.force_login(world["commissioner"])
    response = client.post(
        reverse("commissioning:intention_create"),
        form_data(
            world,
            value_low="70000",
            value_high="70000",
            consultation_on="2027-04-01",
            tender_on="2027-04-01",
            start_on="2027-04-01",
            end_on="",
        ),
    )
    assert response.status_code == 302
    assert CommissioningIntention.objects.get().end_on is None


def test_the_service_checks_the_rules_too(world):
    intention = intention_of(world)
    with pytest.raises(ValidationError) as caught:
        intention_update(
            actor=world["commissioner"],
            intention=intention,
            data={"value_low": Decimal("10"), "value_high": Decimal("5")},
            m2m={},
        )
    assert "value_high" in caught.value.error_dict
    intention.refresh_from_db()
    assert intention.value_low == Decimal("50000")


def test_a_commissioner_changes_an_intention(client, world):
    intention = intention_of(world)
    client.force_login(world["commissioner"])
    response = client.get(reverse("commissioning:intention_edit", args=[intention.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("commissioning:intention_edit", args=[intention.pk]),
        form_data(world, title="Debt and money advice", value_high="95000"),
    )
    assert response.status_code == 302
    intention.refresh_from_db()
    assert (intention.title, intention.value_high) == ("Debt and money advice", Decimal("95000"))
    event = AuditEvent.objects.get(action="intention.updated")
    assert "title" in event.note
    assert "indicative value to" in event.note


def test_a_member_of_several_bodies_chooses_one(client, world):
    second = CommissioningBodyFactory(name="Public Health")
    from tests.factories import MembershipFactory

    MembershipFactory(user=world["commissioner"], organisation=second)
    client.force_login(world["commissioner"])
    client.post(reverse("commissioning:intention_create"), form_data(world, body=second.pk))
    assert CommissioningIntention.objects.get().body == second


def test_a_body_cannot_be_chosen_by_someone_outside_it(client, world):
    other = CommissioningBodyFactory(name="Police")
    client.force_login(world["commissioner"])
    response = client.post(
        reverse("commissioning:intention_create"), form_data(world, body=other.pk)
    )
    assert response.status_code == 200
    assert not CommissioningIntention.objects.exists()


# Who sees and changes what


def test_other_bodies_read_but_do_not_change(client, world):
    intention = intention_of(world)
    someone_else = body_member(CommissioningBodyFactory(name="Schools Trust"))
    client.force_login(someone_else)
    assert client.get(reverse("commissioning:intention", args=[intention.pk])).status_code == 200
    assert client.get(reverse("commissioning:intention_list")).status_code == 200
    assert (
        client.get(reverse("commissioning:intention_edit", args=[intention.pk])).status_code == 403
    )
    response = client.post(reverse("commissioning:intention_publish", args=[intention.pk]))
    assert response.status_code == 403
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.DRAFT
    with pytest.raises(PermissionDenied):
        intention_publish(actor=someone_else, intention=intention)


def test_drafts_are_hidden_from_the_public_and_providers(client, world, provider):
    intention = intention_of(world)
    url = reverse("commissioning:intention", args=[intention.pk])
    assert client.get(url).status_code == 404
    client.force_login(provider)
    assert client.get(url).status_code == 404
    intention_publish(actor=world["commissioner"], intention=intention)
    assert client.get(url).status_code == 200
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    assert "Change the details" not in page.content.decode()
    intention_withdraw(actor=world["commissioner"], intention=intention, reason="No funding.")
    assert client.get(url).status_code == 404


def test_the_list_shows_every_bodys_intentions_with_drafts(client, world, network_admin):
    intention_of(world, title="Our draft")
    IntentionFactory(title="Their draft", categories=[world["debt"]], areas=[world["ward"]])
    for user in (world["commissioner"], network_admin):
        client.force_login(user)
        page = client.get(reverse("commissioning:intention_list")).content.decode()
        assert "Our draft" in page
        assert "Their draft" in page
    assert "New intention" not in page  # network admins read the plans; bodies write them


def test_the_list_filters(client, world):
    intention_of(world, title="Our draft")
    other = IntentionFactory(title="Their draft", categories=[world["debt"]], areas=[world["ward"]])
    intention_publish(actor=body_member(other.body), intention=other)
    client.force_login(world["commissioner"])
    url = reverse("commissioning:intention_list")
    page = client.get(url, {"status": "published"}).content.decode()
    assert "Their draft" in page and "Our draft" not in page
    page = client.get(url, {"body": world["body"].pk}).content.decode()
    assert "Our draft" in page and "Their draft" not in page
    page = client.get(url, {"area": world["borough"].pk, "route": "grant"}).content.decode()
    assert "0 intentions found" in page
    page = client.get(url, {"category": world["debt"].parent_id}).content.decode()
    assert "2 intentions found" in page
    assert "New intention" in page


# Status moves


def test_publishing_puts_it_on_the_forward_plan(client, world):
    intention = intention_of(world)
    client.force_login(world["commissioner"])
    url = reverse("commissioning:intention_publish", args=[intention.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.PUBLISHED
    assert intention.published_at is not None
    event = AuditEvent.objects.get(action="intention.published")
    assert (event.from_state, event.to_state) == ("draft", "published")
    plan = client.get(reverse("commissioning:forward_plan")).content.decode()
    assert intention.title in plan
    # Publishing again is refused with a message, and changes nothing.
    response = client.post(url, follow=True)
    assert "It is already published." in response.content.decode()
    assert AuditEvent.objects.filter(action="intention.published").count() == 1


def test_withdrawing_needs_a_reason(client, world):
    intention = intention_of(world)
    intention_publish(actor=world["commissioner"], intention=intention)
    client.force_login(world["commissioner"])
    url = reverse("commissioning:intention_withdraw", args=[intention.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say why it is withdrawn" in response.content.decode()
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.PUBLISHED

    response = client.post(url, {"reason": "The funding ended."}, follow=True)
    assert "is withdrawn. It is no longer on the forward plan." in response.content.decode()
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.WITHDRAWN
    event = AuditEvent.objects.get(action="intention.withdrawn")
    assert (event.from_state, event.to_state, event.note) == (
        "published",
        "withdrawn",
        "The funding ended.",
    )
    assert intention.title not in client.get(reverse("commissioning:forward_plan")).content.decode()


def test_a_withdrawn_intention_cannot_be_changed(client, world):
    intention = intention_of(world)
    intention_withdraw(actor=world["commissioner"], intention=intention, reason="Merged.")
    client.force_login(world["commissioner"])
    url = reverse("commissioning:intention_edit", args=[intention.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world, title="Changed")).status_code == 403
    with pytest.raises(ValidationError):
        intention_update(
            actor=world["commissioner"], intention=intention, data={"title": "Changed"}, m2m={}
        )
    intention.refresh_from_db()
    assert intention.title != "Changed"


def _in_status(world, status: str) -> CommissioningIntention:
    intention = intention_of(world)
    if status == IntentionStatus.PUBLISHED:
        intention_publish(actor=world["commissioner"], intention=intention)
    elif status == IntentionStatus.WITHDRAWN:
        intention_withdraw(actor=world["commissioner"], intention=intention, reason="Stopped.")
    intention.refresh_from_db()
    assert intention.status == status
    return intention


MOVES = {
    IntentionStatus.PUBLISHED: lambda actor, intention: intention_publish(
        actor=actor, intention=intention
    ),
    IntentionStatus.WITHDRAWN: lambda actor, intention: intention_withdraw(
        actor=actor, intention=intention, reason="A reason."
    ),
}


def test_nothing_goes_back_to_draft():
    assert all(IntentionStatus.DRAFT not in targets for targets in INTENTION_TRANSITIONS.values())


@pytest.mark.parametrize("from_status", IntentionStatus.values)
@pytest.mark.parametrize("to_status", list(MOVES))
def test_every_move_is_allowed_or_refused_without_change(world, from_status, to_status):
    intention = _in_status(world, from_status)
    before = (intention.status, intention.published_at)
    events = AuditEvent.objects.count()
    if to_status in INTENTION_TRANSITIONS[from_status]:
        MOVES[to_status](world["commissioner"], intention)
        intention.refresh_from_db()
        assert intention.status == to_status
        assert AuditEvent.objects.count() == events + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            MOVES[to_status](world["commissioner"], intention)
        intention.refresh_from_db()
        assert (intention.status, intention.published_at) == before
        assert AuditEvent.objects.count() == events
