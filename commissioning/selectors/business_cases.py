"""Reads for business cases: the list page, and everything the case page and its PDF show, each in
a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from accounts.models import AuditEvent, User

from .. import access
from ..models import (
    BusinessCase,
    BusinessCaseOption,
    BusinessCaseStatus,
    ContractThreshold,
    Indicator,
    NeedsAssessment,
    Outcome,
)
from ..services.business_cases import (
    business_case_admin_count,
    business_case_approval_problems,
    business_case_social_value,
)
from ..social_value import SocialValueCheck, term_text

PAGE_SIZE = 25


def business_case_page(queryset: QuerySet[BusinessCase], page_number) -> Page:
    """One page of cases, most recently updated first, with what the list shows of each: a count,
    the page and the page's outcomes."""
    cases = (
        queryset.select_related("body")
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.select_related("priority")))
        .order_by("-updated_at", "-pk")
    )
    return Paginator(cases, PAGE_SIZE).get_page(page_number)


@dataclass(frozen=True)
class OptionRow:
    option: BusinessCaseOption
    full_cost: Decimal
    full_cost_over_term: Decimal


@dataclass(frozen=True)
class BusinessCaseDetail:
    case: BusinessCase
    outcomes: list[Outcome]
    options: list[OptionRow]
    check: SocialValueCheck
    # The recorded result differs from today's: the threshold was changed since the case was saved.
    check_is_stale: bool
    history: list[AuditEvent]
    term: str

    @property
    def preferred(self) -> OptionRow | None:
        return next((row for row in self.options if row.option.preferred), None)


def business_case_history(case: BusinessCase) -> list[AuditEvent]:
    """The case's audit trail, oldest first: written, changed, approved, reopened."""
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(BusinessCase), object_id=str(case.pk)
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


def business_case_detail(case: BusinessCase) -> BusinessCaseDetail:
    """Everything about one case. The case comes from an access helper with its body; this reads
    its people and threshold, outcomes, options, evidence and history."""
    case = (
        BusinessCase.objects.select_related("body", "created_by", "approved_by", "threshold")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("priority")),
            Prefetch("options", queryset=BusinessCaseOption.objects.order_by("-preferred", "pk")),
            Prefetch(
                "needs_assessments",
                queryset=NeedsAssessment.objects.select_related("body").order_by("title"),
            ),
            Prefetch("indicators", queryset=Indicator.objects.order_by("name")),
        )
        .get(pk=case.pk)
    )
    months = Decimal(case.term_months)
    options = [
        OptionRow(
            option=option,
            full_cost=option.full_cost,
            full_cost_over_term=(option.full_cost * months / 12).quantize(Decimal("0.01")),
        )
        for option in case.options.all()
    ]
    check = business_case_social_value(case)
    return BusinessCaseDetail(
        case=case,
        outcomes=list(case.outcomes.all()),
        options=options,
        check=check,
        check_is_stale=case.social_value_checked_at is not None
        and check.applies != case.social_value_applies,
        history=business_case_history(case),
        term=term_text(case.term_months),
    )


@dataclass(frozen=True)
class ApprovalState:
    """What the person looking at the case may do about its approval, and why."""

    can_approve: bool
    can_reopen: bool
    is_admin: bool
    is_author: bool
    sole_admin_author: bool
    problems: list[str]


def business_case_approval_state(user: User, case: BusinessCase) -> ApprovalState:
    is_admin = access.is_body_admin(user, case.body)
    is_author = case.created_by_id == user.pk
    draft = case.status == BusinessCaseStatus.DRAFT
    sole = is_admin and is_author and business_case_admin_count(case.body) == 1
    return ApprovalState(
        can_approve=is_admin and draft and (not is_author or sole),
        can_reopen=is_admin and case.status == BusinessCaseStatus.APPROVED,
        is_admin=is_admin,
        is_author=is_author,
        sole_admin_author=sole,
        problems=business_case_approval_problems(case) if is_admin and draft else [],
    )


def thresholds() -> QuerySet[ContractThreshold]:
    return ContractThreshold.objects.order_by("position", "name")
