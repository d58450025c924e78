"""The commission-together page, dismissing a pair, and the joint exercise flow: starting one
from a pair, its contributions by partner and year, its edits and its status."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, MembershipRole
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    JOINT_EXERCISE_TRANSITIONS,
    JointContribution,
    JointExercise,
    JointExerciseStatus,
    JointModel,
    OverlapPair,
)
from commissioning.services.joint import (
    joint_contribution_set,
    joint_exercise_status_change,
)
from commissioning.services.overlaps import overlap_pairs_refresh
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.commissioning_together import (
    TogetherIntentionFactory,
    TogetherOutcomeFactory,
)

pytestmark = pytest.mark.django_db

TOGETHER = reverse("commissioning:together")


@pytest.fixture
def world(commissioner, commissioning_body):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    central = WardFactory(name="Hackney Central", parent=borough)
    debt = ServiceCategory.objects.get(code="debt-advice")
    outcome = TogetherOutcomeFactory(name="Fewer people in problem debt")
    police = CommissioningBodyFactory(name="Lindenford Police")
    officer = UserFactory(email="officer@example.org")
    MembershipFactory(user=officer, organisation=police, role=MembershipRole.MEMBER)
    ours = TogetherIntentionFactory(
        body=commissioning_body, title="Debt advice hub", outcome=outcome,
        categories=[debt], areas=[central],
    )  # fmt: skip
    theirs = TogetherIntentionFactory(
        body=police, title="Money worries and crime", outcome=outcome,
        categories=[debt], areas=[central],
    )  # fmt: skip
    overlap_pairs_refresh()
    return {
        "body": commissioning_body,
        "police": police,
        "officer": officer,
        "central": central,
        "debt": debt,
        "outcome": outcome,
        "ours": ours,
        "theirs": theirs,
        "pair": OverlapPair.objects.get(),
    }


def start_exercise(client, world, **overrides) -> JointExercise:
    data = {
        "title": "Joint debt advice in Hackney Central",
        "purpose": "One service rather than two.",
        "lead": world["body"].pk,
        "model": JointModel.ALIGNED,
        "partners": [world["police"].pk],
        "outcome": world["outcome"].pk,
        "categories": [world["debt"].pk],
        "areas": [world["central"].pk],
        **overrides,
    }
    response = client.post(
        reverse("commissioning:joint_exercise_create", args=[world["pair"].pk]), data
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return JointExercise.objects.get()


# The commission-together page


def test_the_page_lists_open_pairs_with_both_records_and_actions(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(TOGETHER)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 overlap waiting for a decision" in page
    assert "Debt advice hub" in page and "Money worries and crime" in page
    assert reverse("commissioning:intention", args=[world["ours"].pk]) in page
    assert "Both fund debt advice in Hackney Central from April 2027 to March 2030" in page
    assert reverse("commissioning:overlap_dismiss", args=[world["pair"].pk]) in page
    assert reverse("commissioning:joint_exercise_create", args=[world["pair"].pk]) in page
    assert "The overlaps were last found at" in page


def test_network_admins_see_pairs_but_no_actions(client, network_admin, world):
    client.force_login(network_admin)
    page = client.get(TOGETHER).content.decode()
    assert "Debt advice hub" in page
    assert reverse("commissioning:overlap_dismiss", args=[world["pair"].pk]) not in page


def test_filters_by_body_kind_and_score(client, commissioner, world):
    client.force_login(commissioner)
    other = CommissioningBodyFactory(name="Schools Trust")
    for params, found in [
        ({"body": world["police"].pk}, True),
        ({"body": other.pk}, False),
        ({"kind": "intention"}, True),
        ({"kind": "assessment"}, False),
        ({"min_score": 85}, True),
        ({"min_score": 86}, False),
    ]:
        page = client.get(TOGETHER, params).content.decode()
        assert ("Debt advice hub" in page) is found, params
    page = client.get(TOGETHER, {"min_score": "lots"}).content.decode()
    assert "There is a problem" in page


def test_dismissing_needs_a_reason_then_moves_the_pair_to_the_dismissed_tab(
    client, commissioner, world
):
    client.force_login(commissioner)
    url = reverse("commissioning:overlap_dismiss", args=[world["pair"].pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why you are dismissing this overlap." in response.content.decode()

    response = client.post(url, {"reason": "The police fund a different client group."})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="overlap.dismissed", actor=commissioner).exists()

    assert "Debt advice hub" not in client.get(TOGETHER).content.decode()
    page = client.get(TOGETHER, {"show": "dismissed"}).content.decode()
    assert "Debt advice hub" in page
    assert "The police fund a different client group." in page
    assert str(commissioner) in page

    overlap_pairs_refresh()
    page = client.get(TOGETHER, {"show": "dismissed"}).content.decode()
    assert "1 dismissed overlap" in page


def test_a_member_of_the_other_body_may_act_and_an_admin_may_not(client, world, network_admin):
    client.force_login(world["officer"])
    url = reverse("commissioning:overlap_dismiss", args=[world["pair"].pk])
    assert client.get(url).status_code == 200
    client.force_login(network_admin)
    assert client.post(url, {"reason": "No."}).status_code == 403
    assert OverlapPair.objects.get().dismissed_at is None


# Starting a joint exercise


def test_the_exercise_form_is_prefilled_from_the_pair(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:joint_exercise_create", args=[world["pair"].pk]))
    form = response.context["form"]
    assert form.initial["title"] == "Joint commissioning: Debt advice in Hackney Central"
    assert form.initial["lead"] == world["body"].pk  # the user's own body leads by default
    assert form.initial["partners"] == [world["police"].pk]
    assert form.initial["outcome"] == world["outcome"].pk
    assert form.initial["categories"] == [world["debt"].pk]
    assert form.initial["areas"] == [world["central"].pk]
    assert "Both fund debt advice" in form.initial["purpose"]


def test_the_officer_sees_the_police_as_the_default_lead(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("commissioning:joint_exercise_create", args=[world["pair"].pk]))
    assert response.context["form"].initial["lead"] == world["police"].pk
    assert response.context["form"].initial["partners"] == [world["body"].pk]


def test_starting_an_exercise_links_the_pair_and_is_audited(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)

    assert exercise.lead == world["body"]
    assert list(exercise.partners.values_list("body", flat=True)) == [world["police"].pk]
    assert exercise.status == JointExerciseStatus.PROPOSED
    assert list(exercise.areas.all()) == [world["central"]]
    pair = OverlapPair.objects.get()
    assert pair.exercise == exercise
    assert AuditEvent.objects.filter(action="joint_exercise.proposed").exists()

    assert "Debt advice hub" not in client.get(TOGETHER).content.decode()
    page = client.get(TOGETHER, {"show": "exercises"}).content.decode()
    assert "Joint debt advice in Hackney Central" in page
    # a recount keeps the link
    overlap_pairs_refresh()
    assert OverlapPair.objects.get().exercise == exercise


def test_both_bodies_of_the_pair_must_take_part(client, commissioner, world):
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:joint_exercise_create", args=[world["pair"].pk]),
        {
            "title": "Just us",
            "purpose": "Alone.",
            "lead": world["body"].pk,
            "model": JointModel.PARTNERSHIP,
            "partners": [],
        },
    )
    assert response.status_code == 200
    assert "so both take part. Add Lindenford Police as a partner or the lead." in (
        response.content.decode()
    )
    assert not JointExercise.objects.exists()


# The exercise, its contributions and status


def test_the_exercise_page_shows_contributions_by_year_and_partner(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    url = reverse("commissioning:joint_contribution_edit", args=[exercise.pk])
    for body, year, amount in [
        (world["body"], 2027, "60000"),
        (world["body"], 2028, "60000"),
        (world["police"], 2027, "15000.50"),
    ]:
        response = client.post(url, {"body": body.pk, "financial_year": year, "amount": amount})
        assert response.status_code == 302

    response = client.get(reverse("commissioning:joint_exercise", args=[exercise.pk]))
    table = response.context["table"]
    assert [year.label for year in table.years] == ["2027/28", "2028/29"]
    assert [(body.name, amounts, total) for body, amounts, total in table.rows] == [
        ("Adult Social Care", [Decimal(60000), Decimal(60000)], Decimal(120000)),
        ("Lindenford Police", [Decimal("15000.50"), None], Decimal("15000.50")),
    ]
    assert table.year_totals == [Decimal("75000.50"), Decimal(60000)]
    assert table.total == Decimal("135000.50")
    page = response.content.decode()
    assert "2027/28" in page and "£135,000.50" in page
    assert "Money worries and crime" in page  # the pair it came from
    assert "Proposed" in page


def test_changing_a_contribution_replaces_it(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    url = reverse("commissioning:joint_contribution_edit", args=[exercise.pk])
    client.post(url, {"body": world["body"].pk, "financial_year": 2027, "amount": "100"})
    client.post(url, {"body": world["body"].pk, "financial_year": 2027, "amount": "250"})
    assert JointContribution.objects.get().amount == Decimal(250)
    response = client.get(url, {"body": world["body"].pk, "year": 2027})
    assert response.context["form"].initial["amount"] == Decimal(250)
    client.post(url, {"body": world["body"].pk, "financial_year": 2027, "remove": "1"})
    assert not JointContribution.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Enter an amount of £0 or more."),
        ("", "Enter the amount for the year, in pounds."),
        ("lots", "Enter the amount as a number of pounds"),
    ],
)
def test_contribution_amounts_must_be_pounds_of_zero_or_more(
    client, commissioner, world, amount, message
):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    response = client.post(
        reverse("commissioning:joint_contribution_edit", args=[exercise.pk]),
        {"body": world["body"].pk, "financial_year": 2027, "amount": amount},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JointContribution.objects.exists()


def test_a_contribution_is_only_for_a_party(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    stranger = CommissioningBodyFactory(name="Schools Trust")
    response = client.post(
        reverse("commissioning:joint_contribution_edit", args=[exercise.pk]),
        {"body": stranger.pk, "financial_year": 2027, "amount": "10"},
    )
    assert "Choose one of the bodies taking part in this exercise." in response.content.decode()
    with pytest.raises(ValidationError, match="does not take part"):
        joint_contribution_set(
            actor=commissioner,
            exercise=exercise,
            body=stranger,
            financial_year=2027,
            amount=Decimal(10),
        )


def test_a_partner_records_its_own_contribution_only(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    joint_contribution_set(
        actor=world["officer"],
        exercise=exercise,
        body=world["police"],
        financial_year=2027,
        amount=Decimal(5000),
    )
    with pytest.raises(PermissionDenied):
        joint_contribution_set(
            actor=world["officer"],
            exercise=exercise,
            body=world["body"],
            financial_year=2027,
            amount=Decimal(1),
        )
    client.force_login(world["officer"])
    response = client.post(
        reverse("commissioning:joint_contribution_edit", args=[exercise.pk]),
        {"body": world["body"].pk, "financial_year": 2027, "amount": "1"},
    )
    assert "can record its contribution" in response.content.decode()


def test_editing_keeps_contributing_bodies_and_the_editor_as_parties(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    joint_contribution_set(
        actor=commissioner,
        exercise=exercise,
        body=world["police"],
        financial_year=2027,
        amount=Decimal(5000),
    )
    url = reverse("commissioning:joint_exercise_edit", args=[exercise.pk])
    base = {
        "title": "Renamed",
        "purpose": "Still together.",
        "model": JointModel.PARTNERSHIP,
        "lead": world["body"].pk,
    }
    response = client.post(url, {**base, "partners": []})
    assert "Lindenford Police has contributions recorded" in response.content.decode()

    schools = CommissioningBodyFactory(name="Schools Trust")
    response = client.post(url, {**base, "lead": world["police"].pk, "partners": [schools.pk]})
    assert "Your own body must stay the lead or a partner" in response.content.decode()

    response = client.post(
        url, {**base, "lead": world["police"].pk, "partners": [world["body"].pk, schools.pk]}
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.title == "Renamed" and exercise.lead == world["police"]
    assert exercise.model == JointModel.PARTNERSHIP
    assert set(exercise.partners.values_list("body", flat=True)) == {world["body"].pk, schools.pk}
    assert AuditEvent.objects.filter(action="joint_exercise.updated").exists()


def test_only_parties_change_an_exercise(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    outsider_body = CommissioningBodyFactory(name="Schools Trust")
    teacher = UserFactory()
    MembershipFactory(user=teacher, organisation=outsider_body)
    client.force_login(teacher)
    assert (
        client.get(reverse("commissioning:joint_exercise", args=[exercise.pk])).status_code == 200
    )
    assert (
        client.get(reverse("commissioning:joint_exercise_edit", args=[exercise.pk])).status_code
        == 403
    )
    response = client.post(
        reverse("commissioning:joint_exercise_status", args=[exercise.pk]), {"status": "agreed"}
    )
    assert response.status_code == 403


def test_the_status_moves_through_the_page(client, commissioner, world):
    client.force_login(commissioner)
    exercise = start_exercise(client, world)
    url = reverse("commissioning:joint_exercise_status", args=[exercise.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"status": "agreed"})
    client.post(url, {"status": "active"})
    exercise.refresh_from_db()
    assert exercise.status == JointExerciseStatus.ACTIVE
    response = client.post(url, {"status": "proposed"}, follow=True)
    assert "cannot become proposed" in response.content.decode()
    page = client.get(reverse("commissioning:joint_exercise", args=[exercise.pk])).content.decode()
    assert "Agreed by the partners → Active" in page
    client.post(url, {"status": "closed"})
    response = client.get(reverse("commissioning:joint_contribution_edit", args=[exercise.pk]))
    assert response.status_code == 302  # closed: nothing changes any more


@pytest.mark.parametrize("from_status", JointExerciseStatus.values)
@pytest.mark.parametrize("to_status", JointExerciseStatus.values)
def test_every_status_move_is_allowed_or_refused_without_change(
    commissioner, commissioning_body, from_status, to_status
):
    exercise = JointExercise.objects.create(
        title="Walk",
        purpose="Every pair.",
        lead=commissioning_body,
        model=JointModel.ALIGNED,
        status=from_status,
        created_by=commissioner,
    )
    if to_status in JOINT_EXERCISE_TRANSITIONS[from_status]:
        joint_exercise_status_change(actor=commissioner, exercise=exercise, to_status=to_status)
        exercise.refresh_from_db()
        assert exercise.status == to_status
        assert AuditEvent.objects.filter(
            action=f"joint_exercise.{to_status}", from_state=from_status, to_state=to_status
        ).exists()
    else:
        with pytest.raises(TransitionNotAllowed):
            joint_exercise_status_change(actor=commissioner, exercise=exercise, to_status=to_status)
        exercise.refresh_from_db()
        assert exercise.status == from_status
        assert not AuditEvent.objects.exists()


def test_the_exercise_list_filters_by_status_and_body(client, commissioner, world):
    client.force_login(commissioner)
    start_exercise(client, world)
    url = reverse("commissioning:joint_exercise_list")
    page = client.get(url).content.decode()
    assert "Joint debt advice in Hackney Central" in page and "Lindenford Police" in page
    assert "Joint debt advice" in client.get(url, {"body": world["police"].pk}).content.decode()
    assert "Joint debt advice" not in client.get(url, {"status": "active"}).content.decode()


def test_a_pair_whose_record_has_gone_still_shows(client, commissioner, world):
    world["theirs"].delete()
    client.force_login(commissioner)
    page = client.get(TOGETHER).content.decode()
    assert "A record that no longer exists" in page
    overlap_pairs_refresh()
    page = client.get(TOGETHER).content.decode()
    assert "0 overlaps waiting for a decision" in page
