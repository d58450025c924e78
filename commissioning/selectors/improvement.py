"""Reads for visits and improvement plans: the agreement page's visits and plans sections, and the
plan's own page. Each issues a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from accounts.models import AuditEvent, Organisation, OrganisationKind, VerificationStatus

from .. import access
from ..models import (
    IMPROVEMENT_PLAN_TRANSITIONS,
    Agreement,
    ImprovementPlan,
    ImprovementPlanStatus,
    Visit,
    VisitKind,
)
from ..services.improvement import (
    MOVE_LABELS,
    NEEDS_SUPPORT_FIRST,
    improvement_plan_fingerprint,
)

# The agreement page shows this many visits, newest first; the count says if there are more.
VISITS_SHOWN = 20
PAST_PLANS_SHOWN = 10


@dataclass
class VisitRow:
    visit: Visit
    is_physical: bool
    is_completed: bool
    is_late: bool  # planned for a day that has passed and not recorded as done


def visits_section(agreement: Agreement, user, *, today: date | None = None) -> dict:
    """What the agreement page shows of its visits (_visits_section.html): the visits and desk
    reviews, told apart, and when the last physical visit was (seeds/000 11.2.3(f)). Two queries."""
    today = today or timezone.localdate()
    visits = Visit.objects.filter(agreement=agreement)
    summary = visits.aggregate(
        count=Count("pk"),
        physical_done=Count("pk", filter=Q(kind=VisitKind.PHYSICAL, completed_on__isnull=False)),
        desk_done=Count("pk", filter=Q(kind=VisitKind.DESK, completed_on__isnull=False)),
        last_physical=Max(
            "completed_on", filter=Q(kind=VisitKind.PHYSICAL, completed_on__isnull=False)
        ),
        last_desk=Max("completed_on", filter=Q(kind=VisitKind.DESK, completed_on__isnull=False)),
        next_physical=Min(
            "planned_on", filter=Q(kind=VisitKind.PHYSICAL, completed_on__isnull=True)
        ),
    )
    rows = [
        VisitRow(
            visit=visit,
            is_physical=visit.kind == VisitKind.PHYSICAL,
            is_completed=visit.completed_on is not None,
            is_late=visit.completed_on is None and visit.planned_on < today,
        )
        for visit in visits.order_by("-planned_on", "-pk")[:VISITS_SHOWN]
    ]
    return {
        "rows": rows,
        "count": summary["count"],
        "more": max(0, summary["count"] - len(rows)),
        "physical_done": summary["physical_done"],
        "desk_done": summary["desk_done"],
        "last_physical": summary["last_physical"],
        "last_desk": summary["last_desk"],
        "next_physical": summary["next_physical"],
        "days_since_physical": (today - summary["last_physical"]).days
        if summary["last_physical"]
        else None,
    }


@dataclass
class PlanRow:
    plan: ImprovementPlan
    review_overdue: bool
    actions: int
    actions_done: int
    actions_overdue: int


def _plan_rows(plans, today: date) -> list[PlanRow]:
    return [
        PlanRow(
            plan=plan,
            review_overdue=plan.status != ImprovementPlanStatus.CLOSED
            and plan.review_on is not None
            and plan.review_on < today,
            actions=plan.action_count,
            actions_done=plan.actions_done,
            actions_overdue=plan.actions_overdue,
        )
        for plan in plans
    ]


def _with_action_counts(plans, today: date):
    return plans.annotate(
        action_count=Count("actions"),
        actions_done=Count("actions", filter=Q(actions__done_on__isnull=False)),
        actions_overdue=Count(
            "actions", filter=Q(actions__done_on__isnull=True, actions__due_on__lt=today)
        ),
    )


def plans_section(agreement: Agreement, user, *, today: date | None = None) -> dict:
    """What the agreement page shows of its improvement plans (_plans_section.html): the open
    ones first, then the closed, each with its status and review date, an overdue review flagged.
    Two queries."""
    today = today or timezone.localdate()
    plans = _with_action_counts(
        ImprovementPlan.objects.filter(agreement=agreement).select_related("opened_by_return"),
        today,
    )
    live = list(
        plans.exclude(status=ImprovementPlanStatus.CLOSED).order_by(
            "review_on", "-opened_at", "-pk"
        )
    )
    past = list(
        plans.filter(status=ImprovementPlanStatus.CLOSED).order_by("-status_changed_at", "-pk")[
            : PAST_PLANS_SHOWN + 1
        ]
    )
    past_rows = _plan_rows(past[:PAST_PLANS_SHOWN], today)
    live_rows = _plan_rows(live, today)
    return {
        "live": live_rows,
        "past": past_rows,
        "more_past": len(past) > PAST_PLANS_SHOWN,
        "overdue_reviews": sum(row.review_overdue for row in live_rows),
    }


@dataclass
class Move:
    to_status: str
    label: str
    blocked: str  # why it cannot be made yet, or ""


def plan_moves(plan: ImprovementPlan) -> list[Move]:
    """The moves the transitions table allows from the plan's status, escalation last."""
    order = [
        ImprovementPlanStatus.ON_TRACK,
        ImprovementPlanStatus.OPEN,
        ImprovementPlanStatus.CLOSED,
        ImprovementPlanStatus.ESCALATED,
    ]
    allowed = IMPROVEMENT_PLAN_TRANSITIONS[plan.status]
    return [
        Move(
            to_status=status,
            label=MOVE_LABELS[status],
            blocked="support"
            if status in NEEDS_SUPPORT_FIRST and not plan.support_offered.strip()
            else "",
        )
        for status in order
        if status in allowed
    ]


HISTORY_LABELS = {
    "improvement_plan.opened": "Opened",
    "improvement_plan.changed": "Plan changed",
    "improvement_plan.open": "Reopened",
    "improvement_plan.on_track": "Marked as on track",
    "improvement_plan.closed": "Closed",
    "improvement_plan.escalated": "Escalated",
}


def plan_history(plan: ImprovementPlan) -> list[AuditEvent]:
    """The plan's audit trail, oldest first, without the system's notes of emails sent. Each
    event gets a label in words."""
    events = list(
        AuditEvent.objects.filter(
            content_type__app_label=plan._meta.app_label,
            content_type__model=plan._meta.model_name,
            object_id=str(plan.pk),
        )
        .exclude(action__endswith="_emailed")
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        event.label = HISTORY_LABELS.get(event.action, event.action)
    return events


def improvement_plan_page(plan: ImprovementPlan, user, *, today: date | None = None) -> dict:
    """Everything the plan's page shows. The plan comes from access.get_improvement_plan_for_user
    (agreement, body, provider and return already joined)."""
    today = today or timezone.localdate()
    can_manage = access.manages_agreement(user, plan.agreement)
    actions = list(plan.actions.all())
    return {
        "plan": plan,
        "agreement": plan.agreement,
        "opened_by_return": plan.opened_by_return,
        "actions": [
            {
                "action": action,
                "overdue": action.done_on is None and action.due_on < today,
            }
            for action in actions
        ],
        "actions_done": sum(action.done_on is not None for action in actions),
        "can_manage": can_manage,
        "is_closed": plan.status == ImprovementPlanStatus.CLOSED,
        "is_escalated": plan.status == ImprovementPlanStatus.ESCALATED,
        "review_overdue": plan.status != ImprovementPlanStatus.CLOSED
        and plan.review_on is not None
        and plan.review_on < today,
        "moves": plan_moves(plan) if can_manage else [],
        "history": plan_history(plan),
    }


def improvement_plan_edit_context(plan: ImprovementPlan) -> dict:
    """The plan's actions and its fingerprint, for the edit page."""
    actions = list(plan.actions.all())
    return {
        "actions": actions,
        "fingerprint": improvement_plan_fingerprint(plan, actions),
    }


def infrastructure_bodies() -> list[Organisation]:
    """The network's verified infrastructure bodies: where support for a provider may come
    from."""
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.INFRASTRUCTURE, verification_status=VerificationStatus.VERIFIED
        ).order_by("name")[:20]
    )
