"""An improvement plan's statuses: every (from, to) pair of IMPROVEMENT_PLAN_TRANSITIONS through
the one service, support first before on track or closed, escalation with a note and its audit,
and the provider's admins emailed once when a plan opens and when it is escalated."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, MembershipRole
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    IMPROVEMENT_PLAN_TRANSITIONS,
    ImprovementPlan,
    ImprovementPlanStatus,
    PerformanceRating,
    ReturnStatus,
)
from commissioning.services import improvement as services
from commissioning.tasks.agreements_improvement import (
    improvement_plan_escalated_notify,
    improvement_plan_opened_notify,
)
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = list(ImprovementPlanStatus)
PAIRS = [(a, b) for a in STATUSES for b in STATUSES]


@pytest.fixture
def agreement(commissioning_body, provider_org):
    return AgreementFactory(body=commissioning_body, provider=provider_org)


def _events(plan) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_id=str(plan.pk), content_type__model="improvementplan"
        ).order_by("id")
    )


def _state(plan) -> tuple:
    plan = ImprovementPlan.objects.get(pk=plan.pk)
    return (plan.status, plan.status_changed_at, plan.escalation_note)


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_status_pair(agreement, commissioner, from_status, to_status):
    plan = ImprovementPlanFactory(agreement=agreement, status=from_status)
    before = _state(plan)
    allowed = to_status in IMPROVEMENT_PLAN_TRANSITIONS[from_status]
    if allowed:
        moved = services.improvement_plan_move(
            actor=commissioner, plan=plan, to_status=to_status, note="Checked at the review"
        )
        assert moved.status == to_status
        plan.refresh_from_db()
        assert plan.status == to_status
        assert plan.status_changed_at > before[1]
        (event,) = _events(plan)
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            f"improvement_plan.{to_status}",
            from_status,
            to_status,
            commissioner,
        )
        assert event.note == "Checked at the review"
    else:
        with pytest.raises(TransitionNotAllowed):
            services.improvement_plan_move(
                actor=commissioner, plan=plan, to_status=to_status, note="Checked at the review"
            )
        assert _state(plan) == before
        assert _events(plan) == []


def test_the_table_walks_from_open_to_closed_only_one_way():
    assert IMPROVEMENT_PLAN_TRANSITIONS[ImprovementPlanStatus.CLOSED] == frozenset()
    assert (
        ImprovementPlanStatus.OPEN
        not in IMPROVEMENT_PLAN_TRANSITIONS[ImprovementPlanStatus.ESCALATED]
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (ImprovementPlanStatus.OPEN, ImprovementPlanStatus.ON_TRACK),
        (ImprovementPlanStatus.OPEN, ImprovementPlanStatus.CLOSED),
        (ImprovementPlanStatus.ON_TRACK, ImprovementPlanStatus.CLOSED),
        (ImprovementPlanStatus.ESCALATED, ImprovementPlanStatus.CLOSED),
    ],
)
def test_support_comes_first(agreement, commissioner, from_status, to_status):
    plan = ImprovementPlanFactory(agreement=agreement, status=from_status, support_offered="  ")
    before = _state(plan)
    with pytest.raises(ValidationError) as raised:
        services.improvement_plan_move(actor=commissioner, plan=plan, to_status=to_status)
    assert "support offered first" in " ".join(raised.value.messages)
    assert _state(plan) == before
    assert _events(plan) == []
    # Once the support is recorded, the same move is made.
    ImprovementPlan.objects.filter(pk=plan.pk).update(support_offered="Mentoring from the CVS")
    assert (
        services.improvement_plan_move(actor=commissioner, plan=plan, to_status=to_status).status
        == to_status
    )


def test_escalation_needs_no_support_but_needs_a_note(agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement, support_offered="")
    with pytest.raises(ValidationError) as raised:
        services.improvement_plan_move(
            actor=commissioner, plan=plan, to_status=ImprovementPlanStatus.ESCALATED, note="  "
        )
    assert "note" in raised.value.error_dict
    assert _state(plan)[0] == ImprovementPlanStatus.OPEN
    assert _events(plan) == []
    assert mail.outbox == []


def test_escalation_is_audited_kept_and_emailed_once(
    agreement, commissioner, provider, provider_member, django_capture_on_commit_callbacks
):
    plan = ImprovementPlanFactory(agreement=agreement)
    with django_capture_on_commit_callbacks(execute=True):
        services.improvement_plan_move(
            actor=commissioner,
            plan=plan,
            to_status=ImprovementPlanStatus.ESCALATED,
            note="Two reviews missed; numbers still falling.",
        )
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.ESCALATED
    assert plan.escalation_note == "Two reviews missed; numbers still falling."
    event = _events(plan)[0]
    assert (event.action, event.from_state, event.to_state, event.note) == (
        "improvement_plan.escalated",
        "open",
        "escalated",
        "Two reviews missed; numbers still falling.",
    )
    assert event.organisation == agreement.provider
    # Only the provider's admins are told, once, with the reason.
    assert [m.to for m in mail.outbox] == [[provider.email]]
    assert "escalated" in mail.outbox[0].subject.lower()
    assert "Two reviews missed" in mail.outbox[0].body
    assert improvement_plan_escalated_notify(plan.pk) == 0
    assert len(mail.outbox) == 1


def test_a_plan_opened_by_a_return_emails_the_providers_admins_once(
    agreement, commissioner, provider, provider_member, django_capture_on_commit_callbacks
):
    second_admin = UserFactory(email="chair@example.org")
    MembershipFactory(user=second_admin, organisation=agreement.provider, role=MembershipRole.ADMIN)
    monitoring_return = MonitoringReturnFactory(
        agreement=agreement,
        status=ReturnStatus.ACCEPTED,
        rating=PerformanceRating.INADEQUATE,
        rating_comment="Half the sessions did not run.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.improvement_plan_open(
            actor=commissioner, monitoring_return=monitoring_return
        )
        again = services.improvement_plan_open(
            actor=commissioner, monitoring_return=monitoring_return
        )
    assert again == plan
    assert plan.issues == "Half the sessions did not run."
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [provider.email, second_admin.email]
    )
    assert "Half the sessions did not run." in mail.outbox[0].body
    assert f"/improvement-plans/{plan.pk}/" in mail.outbox[0].body
    # A retried task sends nothing more.
    assert improvement_plan_opened_notify(plan.pk) == 0
    assert len(mail.outbox) == 2
    assert [e.action for e in _events(plan)] == [
        "improvement_plan.opened",
        services.OPENED_EMAILED,
    ]


def test_a_plan_opened_by_hand_is_audited_and_emailed(
    agreement, commissioner, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.improvement_plan_create(
            actor=commissioner,
            agreement=agreement,
            issues="Safeguarding training is out of date.",
            support_offered="",
        )
        twice = services.improvement_plan_create(
            actor=commissioner, agreement=agreement, issues="Safeguarding training is out of date."
        )
    assert twice == plan
    assert ImprovementPlan.objects.filter(agreement=agreement).count() == 1
    assert plan.opened_by_return is None
    assert [e.action for e in _events(plan)] == [
        "improvement_plan.opened",
        services.OPENED_EMAILED,
    ]
    assert [m.to for m in mail.outbox] == [[provider.email]]


def test_only_the_lead_body_moves_a_plan(agreement, provider, network_admin):
    other_body_commissioner = UserFactory()
    MembershipFactory(user=other_body_commissioner, organisation=CommissioningBodyFactory())
    plan = ImprovementPlanFactory(agreement=agreement)
    for person in (provider, network_admin, other_body_commissioner):
        with pytest.raises(PermissionDenied):
            services.improvement_plan_move(
                actor=person, plan=plan, to_status=ImprovementPlanStatus.ON_TRACK
            )
    assert _state(plan)[0] == ImprovementPlanStatus.OPEN
    assert _events(plan) == []


def test_no_plan_is_opened_by_hand_for_an_ended_agreement(commissioning_body, commissioner):
    ended = AgreementFactory(body=commissioning_body, status="ended")
    with pytest.raises(ValidationError):
        services.improvement_plan_create(actor=commissioner, agreement=ended, issues="Late")
    assert not ImprovementPlan.objects.filter(agreement=ended).exists()
