"""Writes for visits and improvement plans: visits and desk reviews, planned then completed
(seeds/000 11.2.3(f)); improvement plans opened by a poorly rated return or by hand, with the
support offered first (10.3.2(e)), their actions, and the one guarded change of a plan's status.
The provider's admins are emailed, once, when a plan opens and when it is escalated."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership, MembershipRole, User
from accounts.services import audit_event_record
from accounts.workflow import check_transition, delay_on_commit

from ..access import manages_agreement
from ..models import (
    IMPROVEMENT_PLAN_TRANSITIONS,
    Agreement,
    ImprovementAction,
    ImprovementPlan,
    ImprovementPlanStatus,
    MonitoringReturn,
    Visit,
    VisitKind,
)

# Statuses a plan cannot reach until the support offered is recorded: support comes first.
NEEDS_SUPPORT_FIRST = (ImprovementPlanStatus.ON_TRACK, ImprovementPlanStatus.CLOSED)
LIVE_PLAN_STATUSES = (
    ImprovementPlanStatus.OPEN,
    ImprovementPlanStatus.ON_TRACK,
    ImprovementPlanStatus.ESCALATED,
)

SUPPORT_FIRST = (
    "Record the support offered first, such as mentoring or help from an infrastructure body. "
    "A plan is marked on track or closed only once the provider has been offered support."
)
ESCALATION_NEEDS_NOTE = (
    "Say why the plan is escalated: what has not improved, and what happens next. The provider "
    "is told."
)
PLAN_CLOSED = "This plan is closed, so it is kept as it was. Open a new plan if one is needed."
PLAN_CHANGED = (
    "This plan was changed by someone else after you opened this page, so your changes were not "
    "saved over theirs. Reload the page to see the plan as it is now, then make your changes again."
)

OPENED_EMAILED = "improvement_plan.opened_emailed"
ESCALATED_EMAILED = "improvement_plan.escalated_emailed"

# The status a move leads to, as a button says it and as the history records it.
MOVE_LABELS = {
    ImprovementPlanStatus.OPEN: "Reopen: back to open",
    ImprovementPlanStatus.ON_TRACK: "Mark as on track",
    ImprovementPlanStatus.CLOSED: "Close the plan: improvement made",
    ImprovementPlanStatus.ESCALATED: "Escalate",
}


def _check_manages(actor: User, agreement: Agreement, what: str) -> None:
    if not manages_agreement(actor, agreement):
        raise PermissionDenied(f"Only members of {agreement.body} can {what}.")


# Visits


def _visit_problems(
    *, planned_on: date | None, completed_on: date | None, findings: str, visitors: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if planned_on is None:
        problems["planned_on"] = ["Give the date the visit or review is planned for."]
    if not visitors:
        problems["visitors"] = ["Say who will carry it out, such as a name and role."]
    if completed_on is not None:
        if completed_on > timezone.localdate():
            problems["completed_on"] = [
                "The date it was completed cannot be in the future. Leave it blank until the "
                "visit or review has happened."
            ]
        if not findings:
            problems["findings"] = [
                "Record the findings: a completed visit or review needs what was found."
            ]
    elif findings:
        problems["completed_on"] = [
            "Give the date it was completed, or leave the findings blank until it has happened."
        ]
    return problems


@transaction.atomic
def visit_plan(
    *, actor: User, agreement: Agreement, kind: str, planned_on: date, visitors: str
) -> Visit:
    """Record a planned visit or desk review. Submitting the same plan twice records it once."""
    _check_manages(actor, agreement, "record visits to this agreement")
    visitors = (visitors or "").strip()
    if kind not in VisitKind.values:
        raise ValidationError({"kind": ["Choose a physical visit or a desk review."]})
    problems = _visit_problems(
        planned_on=planned_on, completed_on=None, findings="", visitors=visitors
    )
    if problems:
        raise ValidationError(problems)
    # One write at a time for the agreement, so that a double submit finds the first.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    existing = Visit.objects.filter(
        agreement=agreement,
        kind=kind,
        planned_on=planned_on,
        visitors=visitors,
        completed_on__isnull=True,
    ).first()
    if existing is not None:
        return existing
    visit = Visit.objects.create(
        agreement=agreement,
        kind=kind,
        planned_on=planned_on,
        visitors=visitors,
        recorded_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="visit.planned",
        obj=visit,
        organisation=agreement.provider,
        to_state="planned",
        note=f"{visit.get_kind_display()} planned for {planned_on:%d/%m/%Y} by {visitors}",
    )
    return visit


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: Visit,
    kind: str,
    planned_on: date,
    visitors: str,
    completed_on: date | None,
    findings: str,
    follow_up_actions: str,
) -> Visit:
    """Change a visit's plan or record it as completed: the date it happened (not in the future)
    and its findings, which a completed visit must have, with any follow-up actions."""
    visit = Visit.objects.select_for_update().select_related("agreement__body").get(pk=visit.pk)
    _check_manages(actor, visit.agreement, "record visits to this agreement")
    visitors = (visitors or "").strip()
    findings = (findings or "").strip()
    follow_up_actions = (follow_up_actions or "").strip()
    if kind not in VisitKind.values:
        raise ValidationError({"kind": ["Choose a physical visit or a desk review."]})
    problems = _visit_problems(
        planned_on=planned_on, completed_on=completed_on, findings=findings, visitors=visitors
    )
    if problems:
        raise ValidationError(problems)
    was_completed = visit.completed_on is not None
    new = {
        "kind": kind,
        "planned_on": planned_on,
        "visitors": visitors,
        "completed_on": completed_on,
        "findings": findings,
        "follow_up_actions": follow_up_actions,
    }
    changed = [name for name, value in new.items() if getattr(visit, name) != value]
    if not changed:
        return visit
    for name in changed:
        setattr(visit, name, new[name])
    visit.save(update_fields=changed)
    if completed_on is not None and not was_completed:
        action, from_state, to_state = "visit.completed", "planned", "completed"
        note = f"{visit.get_kind_display()} completed on {completed_on:%d/%m/%Y}"
    elif completed_on is None and was_completed:
        action, from_state, to_state = "visit.reopened", "completed", "planned"
        note = "Marked as not yet completed"
    else:
        state = "completed" if was_completed else "planned"
        action, from_state, to_state = "visit.changed", state, state
        note = "Changed: " + ", ".join(Visit._meta.get_field(n).verbose_name for n in changed)
    audit_event_record(
        actor=actor,
        action=action,
        obj=visit,
        organisation=visit.agreement.provider,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
    return visit


# Improvement plans


def _queue_email(kind: str, plan: ImprovementPlan) -> None:
    from ..tasks.agreements_improvement import (
        improvement_plan_escalated_notify,
        improvement_plan_opened_notify,
    )

    task = improvement_plan_opened_notify if kind == "opened" else improvement_plan_escalated_notify
    delay_on_commit(task, plan.pk)


@transaction.atomic
def improvement_plan_open(*, actor: User, monitoring_return: MonitoringReturn) -> ImprovementPlan:
    """Open the improvement plan a poorly rated return calls for: once for the return, whatever
    calls it. The plan starts with the return's rating comment as its issues; the commissioner
    then records the support offered first, the actions and a review date."""
    plan, created = ImprovementPlan.objects.get_or_create(
        opened_by_return=monitoring_return,
        defaults={
            "agreement_id": monitoring_return.agreement_id,
            "issues": monitoring_return.rating_comment,
        },
    )
    if created:
        audit_event_record(
            actor=actor,
            action="improvement_plan.opened",
            obj=plan,
            organisation=monitoring_return.agreement.provider,
            to_state=plan.status,
            note=f"Return rated {monitoring_return.get_rating_display().lower()}",
        )
        _queue_email("opened", plan)
    return plan


def _review_problems(review_on: date | None, opened_on: date) -> dict[str, list[str]]:
    if review_on is not None and review_on < opened_on:
        return {"review_on": ["The review date cannot be before the plan was opened."]}
    return {}


@transaction.atomic
def improvement_plan_create(
    *,
    actor: User,
    agreement: Agreement,
    issues: str,
    support_offered: str = "",
    review_on: date | None = None,
) -> ImprovementPlan:
    """Open an improvement plan by hand, for concerns that did not come from a return. Submitting
    the same plan twice opens it once."""
    _check_manages(actor, agreement, "open an improvement plan for this agreement")
    issues = (issues or "").strip()
    support_offered = (support_offered or "").strip()
    problems: dict[str, list[str]] = {}
    if not agreement.is_live:
        problems["__all__"] = [
            f"This agreement is {agreement.get_status_display().lower()}, so no new improvement "
            "plan can be opened for it."
        ]
    if not issues:
        problems["issues"] = ["Say what needs to improve."]
    problems.update(_review_problems(review_on, timezone.localdate()))
    if problems:
        raise ValidationError(problems)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    existing = ImprovementPlan.objects.filter(
        agreement=agreement,
        opened_by_return__isnull=True,
        status__in=LIVE_PLAN_STATUSES,
        issues=issues,
    ).first()
    if existing is not None:
        return existing
    plan = ImprovementPlan.objects.create(
        agreement=agreement,
        issues=issues,
        support_offered=support_offered,
        review_on=review_on,
    )
    audit_event_record(
        actor=actor,
        action="improvement_plan.opened",
        obj=plan,
        organisation=agreement.provider,
        to_state=plan.status,
        note="Opened by hand",
    )
    _queue_email("opened", plan)
    return plan


def improvement_plan_fingerprint(plan: ImprovementPlan, actions: list[ImprovementAction]) -> str:
    """A short digest of what the edit page shows, so that a save made from a page opened before
    someone else's save is refused rather than written over theirs."""
    content = [
        plan.issues,
        plan.support_offered,
        plan.review_on.isoformat() if plan.review_on else "",
        [
            [
                a.pk,
                a.description,
                a.owner,
                a.due_on.isoformat(),
                a.done_on.isoformat() if a.done_on else "",
            ]
            for a in actions
        ],
    ]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]


def _same_content(plan: ImprovementPlan, current: list[ImprovementAction], wanted: dict) -> bool:
    """Whether saving would change nothing: a second submit of the same page, for one."""
    if (plan.issues, plan.support_offered, plan.review_on) != (
        wanted["issues"],
        wanted["support_offered"],
        wanted["review_on"],
    ):
        return False
    have = [(a.description, a.owner, a.due_on, a.done_on) for a in current]
    want = [
        (row["description"], row["owner"], row["due_on"], row["done_on"])
        for row in wanted["actions"]
        if not row.get("remove")
    ]
    return have == want


def _action_problems(actions: list[dict], existing_ids: set[int]) -> list[str]:
    today = timezone.localdate()
    problems = []
    for number, row in enumerate(actions, start=1):
        if row.get("id") is not None and row["id"] not in existing_ids:
            problems.append(f"Action {number} is no longer part of this plan. Reload the page.")
        if row.get("remove"):
            continue
        missing = [
            label
            for label, key in (("a description", "description"), ("an owner", "owner"))
            if not row.get(key)
        ]
        if row.get("due_on") is None:
            missing.append("a due date")
        if missing:
            problems.append(f"Action {number} needs {', '.join(missing)}.")
        if row.get("done_on") is not None and row["done_on"] > today:
            problems.append(f"Action {number}: the date it was done cannot be in the future.")
    return problems


@transaction.atomic
def improvement_plan_save(
    *,
    actor: User,
    plan: ImprovementPlan,
    issues: str,
    support_offered: str,
    review_on: date | None,
    actions: list[dict],
    fingerprint: str = "",
) -> ImprovementPlan:
    """Save the plan's issues, the support offered, the review date and its actions in one go:
    all of it, or (with a clear reason) none of it. Each action is a dict of id (None for a new
    one), description, owner, due_on, done_on and remove. Raises ValidationError."""
    plan = (
        ImprovementPlan.objects.select_for_update(of=("self",))
        .select_related("agreement__body", "agreement__provider")
        .get(pk=plan.pk)
    )
    _check_manages(actor, plan.agreement, "change this plan")
    if plan.status == ImprovementPlanStatus.CLOSED:
        raise ValidationError(PLAN_CLOSED)
    current = list(plan.actions.all())
    wanted = {
        "issues": (issues or "").strip(),
        "support_offered": (support_offered or "").strip(),
        "review_on": review_on,
        "actions": [
            {
                **row,
                "description": (row.get("description") or "").strip(),
                "owner": (row.get("owner") or "").strip(),
            }
            for row in actions
        ],
    }
    if _same_content(plan, current, wanted):
        return plan
    if fingerprint and fingerprint != improvement_plan_fingerprint(plan, current):
        raise ValidationError(PLAN_CHANGED, code="stale")
    problems: dict[str, list[str]] = {}
    if not wanted["issues"]:
        problems["issues"] = ["Say what needs to improve."]
    problems.update(_review_problems(review_on, timezone.localtime(plan.opened_at).date()))
    action_problems = _action_problems(wanted["actions"], {a.pk for a in current})
    if action_problems:
        problems["__all__"] = action_problems
    if problems:
        raise ValidationError(problems)

    support_recorded = not plan.support_offered and wanted["support_offered"]
    plan.issues = wanted["issues"]
    plan.support_offered = wanted["support_offered"]
    plan.review_on = review_on
    plan.save(update_fields=["issues", "support_offered", "review_on"])

    by_id = {a.pk: a for a in current}
    removed = [row["id"] for row in wanted["actions"] if row.get("remove") and row.get("id")]
    ImprovementAction.objects.filter(plan=plan, pk__in=removed).delete()
    position = 0
    for row in wanted["actions"]:
        if row.get("remove"):
            continue
        position += 1
        fields = {
            "description": row["description"],
            "owner": row["owner"],
            "due_on": row["due_on"],
            "done_on": row.get("done_on"),
            "position": position,
        }
        action = by_id.get(row.get("id"))
        if action is None:
            ImprovementAction.objects.create(plan=plan, **fields)
            continue
        changed = [name for name, value in fields.items() if getattr(action, name) != value]
        if changed:
            for name in changed:
                setattr(action, name, fields[name])
            action.save(update_fields=changed)
    audit_event_record(
        actor=actor,
        action="improvement_plan.changed",
        obj=plan,
        organisation=plan.agreement.provider,
        from_state=plan.status,
        to_state=plan.status,
        note="Support offered recorded" if support_recorded else "Plan and actions updated",
    )
    return plan


def improvement_plan_move_problems(plan: ImprovementPlan, to_status: str, note: str) -> dict:
    """What stops a move the transitions table allows: support first, and a reason to escalate."""
    if to_status in NEEDS_SUPPORT_FIRST and not plan.support_offered.strip():
        return {"__all__": [SUPPORT_FIRST]}
    if to_status == ImprovementPlanStatus.ESCALATED and not note:
        return {"note": [ESCALATION_NEEDS_NOTE]}
    return {}


def improvement_plan_move(
    *, actor: User, plan: ImprovementPlan, to_status: str, note: str = ""
) -> ImprovementPlan:
    """The one guarded status change of an improvement plan: lock, check the move and its rules,
    save, audit, and (on escalation) email the provider's admins once committed. Raises
    TransitionNotAllowed, PermissionDenied or ValidationError, and changes nothing then."""
    note = (note or "").strip()
    with transaction.atomic():
        plan = (
            ImprovementPlan.objects.select_for_update(of=("self",))
            .select_related("agreement__body", "agreement__provider")
            .get(pk=plan.pk)
        )
        _check_manages(actor, plan.agreement, "change this plan")
        from_status = plan.status
        check_transition(
            IMPROVEMENT_PLAN_TRANSITIONS, from_status, to_status, label="improvement plan's status"
        )
        problems = improvement_plan_move_problems(plan, to_status, note)
        if problems:
            raise ValidationError(problems)
        plan.status = to_status
        plan.status_changed_at = timezone.now()
        fields = ["status", "status_changed_at"]
        if to_status == ImprovementPlanStatus.ESCALATED:
            plan.escalation_note = note
            fields.append("escalation_note")
        plan.save(update_fields=fields)
        audit_event_record(
            actor=actor,
            action=f"improvement_plan.{to_status}",
            obj=plan,
            organisation=plan.agreement.provider,
            from_state=from_status,
            to_state=to_status,
            note=note,
        )
        if to_status == ImprovementPlanStatus.ESCALATED:
            _queue_email("escalated", plan)
        return plan


# Emails to the provider's admins, each sent once


def _already_recorded(action: str, plan: ImprovementPlan) -> bool:
    return AuditEvent.objects.filter(
        action=action,
        content_type__app_label=plan._meta.app_label,
        content_type__model=plan._meta.model_name,
        object_id=str(plan.pk),
    ).exists()


def improvement_plan_emails_send(*, plan_id: int, kind: str) -> int:
    """Email the lead provider's admins that a plan was opened, or escalated. Sent once: the
    audit trail records it under a lock on the plan, so a retry or a second run sends nothing.
    Returns how many were emailed."""
    from accounts.emails import send_templated_email

    marker = OPENED_EMAILED if kind == "opened" else ESCALATED_EMAILED
    with transaction.atomic():
        plan = (
            ImprovementPlan.objects.select_for_update(of=("self",))
            .select_related("agreement__body", "agreement__provider", "opened_by_return")
            .filter(pk=plan_id)
            .first()
        )
        if plan is None or _already_recorded(marker, plan):
            return 0
        if kind == "escalated" and plan.status != ImprovementPlanStatus.ESCALATED:
            return 0
        agreement = plan.agreement
        recipients = list(
            Membership.objects.filter(
                organisation_id=agreement.provider_id,
                role=MembershipRole.ADMIN,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
        sent = send_templated_email(
            name=f"agreements_improvement_plan_{kind}",
            to=recipients,
            context={
                "plan": plan,
                "agreement": agreement,
                "plan_url": reverse("commissioning:improvement_plan", args=[plan.pk]),
            },
        )
        audit_event_record(
            actor=None,
            action=marker,
            obj=plan,
            organisation=agreement.provider,
            note=f"Emailed to {len(set(recipients))} people.",
        )
        return sent
