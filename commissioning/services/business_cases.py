"""Writes for business cases and the contract thresholds: writing a case on the common template
(with its options and the social value check), approving and reopening it, and the PDF of it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.access import is_network_admin
from accounts.models import Membership, MembershipRole, Organisation, User
from accounts.services import audit_event_record
from accounts.workflow import check_transition

from ..access import acts_for, is_body_admin
from ..models import (
    BUSINESS_CASE_TRANSITIONS,
    BusinessCase,
    BusinessCaseOption,
    BusinessCaseStatus,
    CommissioningRoute,
    ContractThreshold,
    Indicator,
    NeedsAssessment,
    Outcome,
)
from ..social_value import SocialValueCheck, pounds, social_value_check

# The fields of the common template that the form gives and the service saves as they are.
CASE_FIELDS = (
    "title",
    "need",
    "evidence",
    "estimated_annual_value",
    "term_months",
    "route",
    "nationally_driven",
    "local_assessment",
    "threshold",
    "social_value_considered",
)
TEXT_FIELDS = frozenset(
    {"title", "need", "evidence", "local_assessment", "social_value_considered"}
)
OPTION_FIELDS = (
    "title",
    "description",
    "in_house",
    "direct_costs",
    "overhead_costs",
    "benefits",
    "risks",
    "preferred",
)

NO_OUTCOME = (
    "Choose at least one outcome from the outcomes framework: a business case must say what it "
    "is for."
)
NO_OPTION = (
    "Give at least one option for meeting the need, with its costs. Include delivering it "
    "in-house if that could be done."
)
TOO_MANY_PREFERRED = "Mark only one option as preferred."
NO_PREFERRED = "Mark one option as the preferred option."


# Checks shared by saving and approving


def _template_errors(
    *, case: BusinessCase, outcomes: list[Outcome], options: list[dict], check: SocialValueCheck
) -> dict[str, list[str]]:
    """What is missing or wrong on the common template, by field."""
    errors: dict[str, list[str]] = {}
    if not outcomes:
        errors["outcomes"] = [NO_OUTCOME]
    if case.nationally_driven and not case.local_assessment:
        errors["local_assessment"] = [
            "Commissioning driven by national funding or priority must still be informed by a "
            "local assessment of need (seeds/000 7.3.3(h)). Say what the local evidence shows."
        ]
    if case.route != CommissioningRoute.GRANT and case.threshold is None:
        errors["threshold"] = [
            "Choose the kind of body letting the contract, so that the social value check can "
            "compare the estimated value with the right threshold."
        ]
    if check.applies and not case.social_value_considered:
        errors["social_value_considered"] = [
            f"{check.message} Say what was considered for social value: the economic, social "
            "and environmental well-being the service could improve, and how the procurement "
            "will secure it."
        ]
    if not options:
        errors["options"] = [NO_OPTION]
    elif sum(1 for option in options if option.get("preferred")) > 1:
        errors["options"] = [TOO_MANY_PREFERRED]
    return errors


def business_case_social_value(case: BusinessCase) -> SocialValueCheck:
    """The check worked out afresh from the case's figures and its threshold's current amount."""
    return social_value_check(
        annual_value=case.estimated_annual_value,
        term_months=case.term_months,
        route=case.route,
        threshold=case.threshold,
    )


# Writing a case


def _save_options(case: BusinessCase, options: list[dict]) -> None:
    """Make the case's options those given: update the ones with a pk, add the rest, delete the
    ones no longer there."""
    keep = {option["pk"] for option in options if option.get("pk")}
    case.options.exclude(pk__in=keep).delete()
    existing = {option.pk: option for option in case.options.filter(pk__in=keep)}
    for values in options:
        fields = {name: values.get(name) for name in OPTION_FIELDS}
        fields["benefits"] = fields["benefits"] or ""
        fields["risks"] = fields["risks"] or ""
        fields["in_house"] = bool(fields["in_house"])
        fields["preferred"] = bool(fields["preferred"])
        fields["direct_costs"] = fields["direct_costs"] or Decimal(0)
        fields["overhead_costs"] = fields["overhead_costs"] or Decimal(0)
        option = existing.get(values.get("pk")) or BusinessCaseOption(business_case=case)
        for name, value in fields.items():
            setattr(option, name, value)
        option.full_clean(exclude=["business_case"])
        option.save()


def _write(
    *,
    case: BusinessCase,
    data: dict,
    outcomes: Iterable[Outcome],
    options: list[dict],
    needs_assessments: Iterable[NeedsAssessment],
    indicators: Iterable[Indicator],
) -> SocialValueCheck:
    outcomes = list(outcomes)
    for name in CASE_FIELDS:
        value = data.get(name)
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        setattr(case, name, value)
    if case.route not in CommissioningRoute.values:
        raise ValidationError({"route": ["Choose the proposed route."]})
    check = business_case_social_value(case)
    errors = _template_errors(case=case, outcomes=outcomes, options=options, check=check)
    if errors:
        raise ValidationError(errors)
    case.social_value_applies = check.applies
    case.social_value_checked_at = timezone.now()
    case.full_clean(exclude=["outcomes", "needs_assessments", "indicators"])
    case.save()
    case.outcomes.set(outcomes)
    case.needs_assessments.set(list(needs_assessments))
    case.indicators.set(list(indicators))
    _save_options(case, options)
    return check


@transaction.atomic
def business_case_create(
    *,
    actor: User,
    body: Organisation,
    data: dict,
    outcomes: Iterable[Outcome],
    options: list[dict],
    needs_assessments: Iterable[NeedsAssessment] = (),
    indicators: Iterable[Indicator] = (),
) -> BusinessCase:
    """A new draft business case for one of the actor's bodies, with its social value check."""
    if not acts_for(actor, body):
        raise PermissionDenied(f"Only members of {body} can write its business cases.")
    case = BusinessCase(body=body, created_by=actor, status=BusinessCaseStatus.DRAFT)
    check = _write(
        case=case,
        data=data,
        outcomes=outcomes,
        options=options,
        needs_assessments=needs_assessments,
        indicators=indicators,
    )
    audit_event_record(
        actor=actor,
        action="business_case.created",
        obj=case,
        organisation=body,
        to_state=case.status,
        note=check.message,
    )
    return case


@transaction.atomic
def business_case_update(
    *,
    actor: User,
    case: BusinessCase,
    data: dict,
    outcomes: Iterable[Outcome],
    options: list[dict],
    needs_assessments: Iterable[NeedsAssessment] = (),
    indicators: Iterable[Indicator] = (),
) -> BusinessCase:
    """Change a draft case. An approved case must be reopened first."""
    case = BusinessCase.objects.select_for_update().select_related("body").get(pk=case.pk)
    if not acts_for(actor, case.body):
        raise PermissionDenied(f"Only members of {case.body} can change its business cases.")
    if case.status != BusinessCaseStatus.DRAFT:
        raise ValidationError(
            "This business case is approved, so it cannot be changed. An admin of "
            f"{case.body} can reopen it as a draft first."
        )
    check = _write(
        case=case,
        data=data,
        outcomes=outcomes,
        options=options,
        needs_assessments=needs_assessments,
        indicators=indicators,
    )
    audit_event_record(
        actor=actor,
        action="business_case.updated",
        obj=case,
        organisation=case.body,
        note=check.message,
    )
    return case


# Approving and reopening


def business_case_admin_count(body: Organisation) -> int:
    return Membership.objects.filter(organisation=body, role=MembershipRole.ADMIN).count()


def business_case_approval_problems(case: BusinessCase) -> list[str]:
    """What stops the case being approved, in plain words; empty when it is ready."""
    problems = []
    if not case.outcomes.exists():
        problems.append(NO_OUTCOME)
    options = list(case.options.all())
    if not options:
        problems.append(NO_OPTION)
    elif sum(1 for option in options if option.preferred) != 1:
        problems.append(NO_PREFERRED)
    if case.social_value_checked_at is None or case.social_value_applies is None:
        problems.append(
            "Complete the social value check: choose the kind of body letting the contract and "
            "save the case."
        )
    elif case.social_value_applies and not case.social_value_considered.strip():
        problems.append("The Social Value Act applies: say what was considered for social value.")
    return problems


def business_case_self_approval_allowed(*, actor: User, case: BusinessCase) -> bool:
    """The author may approve only when nobody else could: they are the body's only admin."""
    return case.created_by_id != actor.pk or business_case_admin_count(case.body) == 1


def _move(*, case_id: int, actor: User, to_status: str) -> tuple[BusinessCase, str]:
    case = BusinessCase.objects.select_for_update().select_related("body").get(pk=case_id)
    from_status = case.status
    check_transition(BUSINESS_CASE_TRANSITIONS, from_status, to_status, label="business case")
    if not is_body_admin(actor, case.body):
        raise PermissionDenied(f"Only the admins of {case.body} can approve or reopen its cases.")
    return case, from_status


@transaction.atomic
def business_case_approve(*, actor: User, case: BusinessCase) -> BusinessCase:
    """An admin of the owning body approves a complete draft. Whoever wrote the case should not
    approve it, unless they are the body's only admin; the audit note then says so."""
    case, from_status = _move(case_id=case.pk, actor=actor, to_status=BusinessCaseStatus.APPROVED)
    if not business_case_self_approval_allowed(actor=actor, case=case):
        raise PermissionDenied(
            f"You wrote this business case, so another admin of {case.body} must approve it."
        )
    problems = business_case_approval_problems(case)
    if problems:
        raise ValidationError(problems)
    case.status = BusinessCaseStatus.APPROVED
    case.approved_by = actor
    case.approved_at = timezone.now()
    case.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    note = ""
    if case.created_by_id == actor.pk:
        note = (
            f"Approved by its author, who is the only admin of {case.body}: nobody else could "
            "approve it."
        )
    audit_event_record(
        actor=actor,
        action="business_case.approved",
        obj=case,
        organisation=case.body,
        from_state=from_status,
        to_state=case.status,
        note=note,
    )
    return case


@transaction.atomic
def business_case_reopen(*, actor: User, case: BusinessCase, reason: str) -> BusinessCase:
    """Back to draft so that it can be revised; it then needs approving again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the business case is being reopened."]})
    case, from_status = _move(case_id=case.pk, actor=actor, to_status=BusinessCaseStatus.DRAFT)
    case.status = BusinessCaseStatus.DRAFT
    case.approved_by = None
    case.approved_at = None
    case.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_event_record(
        actor=actor,
        action="business_case.reopened",
        obj=case,
        organisation=case.body,
        from_state=from_status,
        to_state=case.status,
        note=reason,
    )
    return case


# The PDF


def business_case_pdf(*, context: dict) -> bytes:
    """The case as a PDF, from the print template with its own stylesheet embedded. WeasyPrint
    fetches nothing: every resource is in the document."""
    import weasyprint

    css_path = finders.find("css/business-case-pdf.css")
    with open(css_path, encoding="utf-8") as handle:
        css = handle.read()
    html = render_to_string("commissioning/business_cases/pdf.html", {**context, "css": css})
    fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
    return weasyprint.HTML(string=html, base_url=str(css_path), url_fetcher=fetcher).write_pdf()


# Contract thresholds


@transaction.atomic
def contract_threshold_update(
    *, actor: User, threshold: ContractThreshold, amount: Decimal, effective_from
) -> ContractThreshold:
    """A network admin sets a threshold's new amount and the date it takes effect. Cases keep the
    result recorded when they were saved, until they are saved again."""
    if not is_network_admin(actor):
        raise PermissionDenied("Only network admins change the contract thresholds.")
    if amount is None or amount <= 0:
        raise ValidationError(
            {"amount": ["Enter the threshold in pounds: an amount more than £0, such as 214904."]}
        )
    threshold = ContractThreshold.objects.select_for_update().get(pk=threshold.pk)
    before = f"{pounds(threshold.amount)} from {date_format(threshold.effective_from, 'j F Y')}"
    threshold.amount = amount
    threshold.effective_from = effective_from
    threshold.full_clean()
    threshold.save(update_fields=["amount", "effective_from"])
    after = f"{pounds(threshold.amount)} from {date_format(threshold.effective_from, 'j F Y')}"
    audit_event_record(
        actor=actor,
        action="contract_threshold.updated",
        obj=threshold,
        from_state=before[:64],
        to_state=after[:64],
        note=f"{threshold.name}: {before}, now {after}.",
    )
    return threshold
