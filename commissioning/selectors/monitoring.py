"""Reads for monitoring returns: the measures a return reports on, the return page, the lists of
returns to review and returns due, the agreement page's returns section and the home page counts.
Each read runs a fixed number of queries, whatever the number of returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import OrganisationKind, VerificationStatus

from .. import access
from ..models import (
    AgreementFunder,
    ImprovementPlan,
    MeasureValueKind,
    MonitoringReturn,
    OutcomeMeasure,
    ReturnEvidence,
    ReturnStatus,
    ReturnValue,
)
from ..models.agreements import POOR_RATINGS

LIST_PAGE_SIZE = 25
# The statuses in which the lead provider fills in and submits a return.
EDITABLE_STATUSES = (ReturnStatus.DUE, ReturnStatus.RETURNED)


def return_measures(monitoring_return: MonitoringReturn) -> QuerySet[OutcomeMeasure]:
    """The measures a return reports on: those of its agreement not retired before its period
    began (a measure retired on the period's first day applies to none of it) and, for a return
    after the agreement ended, only those tracked after the end."""
    measures = OutcomeMeasure.objects.filter(agreement_id=monitoring_return.agreement_id).filter(
        Q(retired_on__isnull=True) | Q(retired_on__gt=monitoring_return.period_start)
    )
    if monitoring_return.after_end:
        measures = measures.filter(tracked_after_end=True)
    return measures.order_by("position", "pk")


def _trimmed(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure(value: Decimal | None, measure: OutcomeMeasure) -> str:
    """A figure as people read it, by the measure's kind: “1,204 people”, “81.5%”, “£2,600.00”."""
    if value is None:
        return ""
    kind = measure.value_kind
    if kind == MeasureValueKind.MONEY:
        return f"£{value:,.2f}"
    if kind == MeasureValueKind.PERCENTAGE:
        return f"{_trimmed(value)}%"
    shown = f"{value:,.0f}" if kind == MeasureValueKind.COUNT else _trimmed(value)
    return f"{shown} {measure.unit}".strip()


def label_measures(measures) -> list[OutcomeMeasure]:
    """The measures, each with its target as people read it (target_text), for the templates."""
    measures = list(measures)
    for measure in measures:
        measure.target_text = figure(measure.target, measure)
    return measures


def is_open(monitoring_return: MonitoringReturn, today: date) -> bool:
    """A return the provider owes now: due or returned, for a period that has ended."""
    return monitoring_return.status == ReturnStatus.RETURNED or (
        monitoring_return.status == ReturnStatus.DUE and monitoring_return.period_end < today
    )


def _open_q(today: date) -> Q:
    return Q(status=ReturnStatus.RETURNED) | Q(status=ReturnStatus.DUE, period_end__lt=today)


def _overdue_q(today: date) -> Q:
    return Q(status__in=EDITABLE_STATUSES, due_on__lt=today)


def feedback_for_period(monitoring_return: MonitoringReturn) -> dict:
    """What service users said in the return's period, as counts, average and themes only. An
    empty summary (no feedback yet, or none collected) comes back with a count of 0."""
    from .user_feedback import feedback_summary

    summary = feedback_summary(
        monitoring_return.agreement, monitoring_return.period_start, monitoring_return.period_end
    )
    summary = dict(summary or {})
    summary.setdefault("count", 0)
    summary.setdefault("average", None)
    summary.setdefault("themes", [])
    return summary


@dataclass
class MeasureRow:
    measure: OutcomeMeasure
    value: ReturnValue | None
    evidence: list[ReturnEvidence] = field(default_factory=list)


def return_page(monitoring_return: MonitoringReturn, user) -> dict:
    """Everything the return page shows. The return comes from access.get_return_for_user, with
    its agreement, body, provider, submitter and reviewer joined."""
    agreement = monitoring_return.agreement
    today = timezone.localdate()
    values = {
        value.measure_id: value
        for value in ReturnValue.objects.filter(monitoring_return=monitoring_return)
    }
    evidence = list(
        ReturnEvidence.objects.filter(monitoring_return=monitoring_return)
        .select_related("measure", "uploaded_by")
        .order_by("title", "pk")
    )
    rows = [
        MeasureRow(measure=measure, value=values.get(measure.pk))
        for measure in label_measures(return_measures(monitoring_return))
    ]
    for row in rows:
        if row.value is not None:
            row.value.measure = row.measure
            row.value.value_text = figure(row.value.value, row.measure)
    by_measure = {row.measure.pk: row for row in rows}
    for item in evidence:
        if item.measure_id in by_measure:
            by_measure[item.measure_id].evidence.append(item)
    is_provider = access.is_agreement_provider(user, agreement)
    can_manage = access.manages_agreement(user, agreement)
    editable = monitoring_return.status in EDITABLE_STATUSES
    cofunders = (
        [
            funder.body.name
            for funder in AgreementFunder.objects.filter(agreement=agreement)
            .select_related("body")
            .order_by("body__name")
        ]
        if monitoring_return.accepted_for_cofunders
        else []
    )
    plan = ImprovementPlan.objects.filter(opened_by_return=monitoring_return).first()
    return {
        "monitoring_return": monitoring_return,
        "agreement": agreement,
        "rows": rows,
        "evidence": evidence,
        "feedback": feedback_for_period(monitoring_return),
        "days_overdue": monitoring_return.days_overdue(today),
        "is_open": is_open(monitoring_return, today),
        "is_provider": is_provider,
        "can_manage": can_manage,
        "can_submit": is_provider and editable,
        "can_review": can_manage and monitoring_return.status == ReturnStatus.SUBMITTED,
        "cofunders": cofunders,
        "plan": plan,
        "is_poor": monitoring_return.rating in POOR_RATINGS,
    }


def evidence_of(monitoring_return: MonitoringReturn) -> list[ReturnEvidence]:
    """The files attached to a return, each with the measure it evidences."""
    return list(
        ReturnEvidence.objects.filter(monitoring_return=monitoring_return)
        .select_related("measure")
        .order_by("title", "pk")
    )


# Lists


def _page(queryset: QuerySet, number) -> Page:
    return Paginator(queryset, LIST_PAGE_SIZE).get_page(number)


# What a list of returns never shows: left unread.
_LONG_TEXT = (
    "narrative",
    "feedback_summary",
    "concerns",
    "rating_comment",
    "returned_reason",
    "agreement__description",
    "agreement__clawback_conditions",
    "agreement__full_cost_recovery_note",
    "agreement__multi_year_reason",
    "agreement__end_feedback",
    "agreement__terminated_reason",
)


def returns_to_review_page(user, page_number, overdue_page_number) -> dict:
    """For a commissioner: the submitted returns of the agreements their bodies lead, oldest
    submission first, and, in a second table, those bodies' overdue returns. Four queries for
    any number of returns: a count and a page for each table."""
    bodies = list(access.bodies_of(user).values_list("pk", flat=True))
    # Each return keeps its lead body, so both tables are read from the body's own index.
    returns = (
        MonitoringReturn.objects.filter(body_id__in=bodies)
        .select_related("agreement__provider", "agreement__body", "submitted_by")
        .defer(*_LONG_TEXT)
    )
    today = timezone.localdate()
    submitted = returns.filter(status=ReturnStatus.SUBMITTED).order_by("submitted_at", "pk")
    overdue = returns.filter(_overdue_q(today)).order_by("due_on", "pk")
    overdue_page = _page(overdue, overdue_page_number)
    for item in overdue_page.object_list:
        item.overdue_days = item.days_overdue(today)
    return {
        "page": _page(submitted, page_number),
        "overdue_page": overdue_page,
        "today": today,
    }


def provider_organisation_ids(user) -> list[int]:
    """The verified third sector organisations the person belongs to: whose returns they owe."""
    return list(access.third_sector_organisations_of(user).values_list("pk", flat=True))


def returns_due_page(user, page_number, *, organisation_ids: list[int]) -> dict:
    """For a provider: the returns their organisations owe as lead provider (due for a period
    that has ended, or returned for more information), the earliest due date first. Two queries:
    the count and the page."""
    today = timezone.localdate()
    returns = (
        MonitoringReturn.objects.filter(agreement__provider_id__in=organisation_ids)
        .filter(_open_q(today))
        .select_related("agreement__body", "agreement__provider")
        .order_by("due_on", "pk")
    )
    page = _page(returns, page_number)
    for item in page.object_list:
        item.overdue_days = item.days_overdue(today)
    return {"page": page, "today": today}


# The agreement page's section


def returns_section(agreement, user) -> dict:
    """What the agreement page shows of its returns (templates/commissioning/agreements/
    _returns_section.html): every return with its status and rating, the next one due, and the
    counts. One query, whatever the number of returns."""
    today = timezone.localdate()
    returns = list(MonitoringReturn.objects.filter(agreement=agreement).order_by("period_start"))
    counts = dict.fromkeys(ReturnStatus.values, 0)
    overdue = 0
    for item in returns:
        counts[item.status] += 1
        item.overdue_days = item.days_overdue(today)
        item.is_open = is_open(item, today)
        overdue += item.overdue_days > 0
    waiting = sorted(
        (r for r in returns if r.status in EDITABLE_STATUSES), key=lambda r: (r.due_on, r.pk)
    )
    return {
        "returns": returns,
        "next_due": waiting[0] if waiting else None,
        "total": len(returns),
        "due": counts[ReturnStatus.DUE],
        "submitted": counts[ReturnStatus.SUBMITTED],
        "accepted": counts[ReturnStatus.ACCEPTED],
        "returned": counts[ReturnStatus.RETURNED],
        "overdue": overdue,
        "poor": sum(r.rating in POOR_RATINGS for r in returns),
        "today": today,
    }


# The home page's counts


def _portal_organisation_ids(request, kind: str) -> list[int]:
    """The person's verified organisations of one kind, from the memberships the request has
    already loaded (request.portal), so a panel adds no query to find them."""
    portal = getattr(request, "portal", None)
    if portal is None or not request.user.is_authenticated:
        return []
    return [
        m.organisation_id
        for m in portal.memberships
        if m.organisation.kind == kind
        and m.organisation.verification_status == VerificationStatus.VERIFIED
    ]


def review_counts(request) -> dict | None:
    """For a commissioner: how many of their bodies' returns wait for review, and how many are
    overdue. None for anyone who is not a commissioner. One query."""
    bodies = _portal_organisation_ids(request, OrganisationKind.COMMISSIONING_BODY)
    if not bodies:
        return None
    today = timezone.localdate()
    return MonitoringReturn.objects.filter(body_id__in=bodies).aggregate(
        to_review=Count("pk", filter=Q(status=ReturnStatus.SUBMITTED)),
        overdue=Count("pk", filter=_overdue_q(today)),
    )


def due_counts(request) -> dict | None:
    """For a provider: how many returns their organisations owe now, and how many of those are
    overdue. None for anyone outside a verified third sector organisation. One query."""
    organisations = _portal_organisation_ids(request, OrganisationKind.THIRD_SECTOR)
    if not organisations:
        return None
    today = timezone.localdate()
    return MonitoringReturn.objects.filter(agreement__provider_id__in=organisations).aggregate(
        due=Count("pk", filter=_open_q(today)),
        overdue=Count("pk", filter=_open_q(today) & _overdue_q(today)),
    )
