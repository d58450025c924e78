"""Writes for opportunities: drafting one with its lots, eligibility questions, criteria and
documents, and moving it through its statuses (publish, close expressions of interest, close,
start evaluation, cancel). Other parts move it on with opportunity_move."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import (
    AuditEvent,
    Membership,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
)
from accounts.services import audit_event_record
from accounts.uploads import (
    uploaded_document_fill,
    uploaded_document_store,
    uploaded_document_title,
)
from accounts.workflow import TransitionNotAllowed, check_transition, delay_on_commit

from .. import access
from ..models import (
    OPPORTUNITY_TRANSITIONS,
    BidStage,
    Criterion,
    EligibilityQuestion,
    Interest,
    Lot,
    Opportunity,
    OpportunityDocument,
    OpportunityStatus,
    Procedure,
)
from ..models.sourcing import DEFAULT_TERM_MONTHS
from ..timetable import standstill_end
from .assessments import evidence_document_check

OPPORTUNITY_FIELDS = (
    "kind",
    "procedure",
    "title",
    "summary",
    "outcomes_sought",
    "intention",
    "term_months",
    "short_term_reason",
    "consortium_bids",
    "contact_name",
    "contact_email",
    "publish_at",
    "clarifications_close_at",
    "eoi_deadline",
    "shortlist_on",
    "bid_deadline",
    "evaluation_on",
    "award_on",
    "standstill_ends_on",
    "contract_start_on",
)
OPPORTUNITY_M2M = ("partners", "outcomes", "needs_assessments", "categories", "areas")

# The timetable in order: each must be on or after the one before it (times before later times).
TIMETABLE = (
    "publish_at",
    "clarifications_close_at",
    "eoi_deadline",
    "shortlist_on",
    "bid_deadline",
    "evaluation_on",
    "award_on",
    "standstill_ends_on",
    "contract_start_on",
)
TIMETABLE_REQUIRED = (
    "publish_at",
    "clarifications_close_at",
    "bid_deadline",
    "evaluation_on",
    "award_on",
    "contract_start_on",
)
EOI_MAX_CRITERIA = 3
EOI_MAX_WORDS = 500


def _label(name: str) -> str:
    return str(Opportunity._meta.get_field(name).verbose_name)


def _local_day(value):
    """A date, or the Europe/London date of a time."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _shown(value) -> str:
    if isinstance(value, datetime):
        return (
            date_format(timezone.localtime(value), "l j F Y \\a\\t g:iA")
            .replace("AM", "am")
            .replace("PM", "pm")
        )
    return date_format(value, "l j F Y")


def _comes_before(earlier, later) -> bool:
    """Whether `earlier` is in order before `later`: two times strictly, a date against a time
    by Europe/London day (same day allowed)."""
    if isinstance(earlier, datetime) and isinstance(later, datetime):
        return earlier < later
    return _local_day(earlier) <= _local_day(later)


def timetable_problems(data: dict) -> dict[str, str]:
    """Each date after the nearest earlier one given, with a message on the later date."""
    problems: dict[str, str] = {}
    two_stage = data.get("procedure") == Procedure.TWO_STAGE
    for name in TIMETABLE_REQUIRED:
        if data.get(name) is None:
            problems[name] = f"Enter the {_label(name)} date."
    if two_stage and data.get("eoi_deadline") is None:
        problems["eoi_deadline"] = (
            "Enter the expression of interest deadline: a two-stage opportunity needs one."
        )
    if not two_stage and data.get("eoi_deadline") is not None:
        problems["eoi_deadline"] = (
            "Leave the expression of interest deadline empty: only two-stage opportunities "
            "take expressions of interest."
        )
    if not two_stage and data.get("shortlist_on") is not None:
        problems["shortlist_on"] = (
            "Leave the shortlist date empty: only two-stage opportunities have a shortlist."
        )
    for index, later in enumerate(TIMETABLE):
        later_value = data.get(later)
        if later_value is None or later in problems:
            continue
        for earlier in reversed(TIMETABLE[:index]):
            earlier_value = data.get(earlier)
            if earlier_value is None or earlier in problems:
                continue
            if not _comes_before(earlier_value, later_value):
                problems[later] = (
                    f"The {_label(later)} date must be after the {_label(earlier)} date "
                    f"({_shown(earlier_value)})."
                )
            break
    return problems


def _check_opportunity(*, actor: User, body: Organisation, data: dict, m2m: dict) -> None:
    problems: dict[str, str] = {}
    term = data.get("term_months")
    if term is not None and term < 1:
        problems["term_months"] = "Enter a term of at least 1 month."
    elif (
        term is not None
        and term < DEFAULT_TERM_MONTHS
        and not (data.get("short_term_reason") or "").strip()
    ):
        problems["short_term_reason"] = (
            f"Say why the term is shorter than three years ({term} months): the Compact expects "
            "multi-year funding unless there is a good reason."
        )
    problems.update(timetable_problems(data))
    if not list(m2m.get("categories", [])):
        problems["categories"] = "Choose at least one category, so that providers can find it."
    if not list(m2m.get("areas", [])):
        problems["areas"] = "Choose at least one area, so that providers can find it."
    for partner in m2m.get("partners", []):
        if partner.pk == body.pk:
            problems["partners"] = "The owning body cannot also be a partner."
        elif partner.kind != OrganisationKind.COMMISSIONING_BODY:
            problems["partners"] = f"{partner} is not a commissioning body."
    intention = data.get("intention")
    if (
        intention is not None
        and not access.intentions_visible_to(actor).filter(pk=intention.pk).exists()
    ):
        problems["intention"] = "Choose a commissioning intention you can see."
    assessments = [item.pk for item in m2m.get("needs_assessments", [])]
    if assessments and access.assessments_visible_to(actor).filter(
        pk__in=assessments
    ).count() != len(set(assessments)):
        problems["needs_assessments"] = "Choose needs assessments you can see."
    if problems:
        raise ValidationError(problems)


def _plain(data: dict) -> dict:
    cleaned = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    if "short_term_reason" in cleaned:
        cleaned["short_term_reason"] = (cleaned["short_term_reason"] or "").strip()
    return cleaned


def _with_default_standstill(data: dict) -> dict:
    if data.get("standstill_ends_on") is None and data.get("award_on") is not None:
        data = {**data, "standstill_ends_on": standstill_end(data["award_on"])}
    return data


def body_initials(body: Organisation) -> str:
    words = re.findall(r"[A-Za-z0-9]+", body.name)
    skip = {"of", "the", "and", "for"}
    initials = "".join(word[0] for word in words if word.lower() not in skip).upper()
    return (initials or "OPP")[:6]


def reference_next(body: Organisation, *, year: int | None = None) -> str:
    """The next free reference for the body this year, such as "LBC-2027-0003". Call it with the
    body locked, so two commissioners saving at once do not take the same number."""
    year = year or timezone.localdate().year
    prefix = f"{body_initials(body)}-{year}-"
    used = Opportunity.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    number = max(numbers, default=0) + 1
    return f"{prefix}{number:04d}"


def _set_m2m(opportunity: Opportunity, m2m: dict) -> list[str]:
    changed = []
    for name in OPPORTUNITY_M2M:
        if name not in m2m:
            continue
        before = set(getattr(opportunity, name).values_list("pk", flat=True))
        after = {item.pk for item in m2m[name]}
        if before != after:
            getattr(opportunity, name).set(m2m[name])
            changed.append(_label(name))
    return changed


@transaction.atomic
def opportunity_create(*, actor: User, body: Organisation, data: dict, m2m: dict) -> Opportunity:
    """A draft opportunity of the body, with a new reference."""
    access.check_acts_for(actor, body)
    data = _with_default_standstill(_plain(data))
    _check_opportunity(actor=actor, body=body, data=data, m2m=m2m)
    Organisation.objects.select_for_update().filter(pk=body.pk).first()
    opportunity = Opportunity.objects.create(
        body=body, created_by=actor, reference=reference_next(body), **data
    )
    _set_m2m(opportunity, m2m)
    audit_event_record(
        actor=actor,
        action="opportunity.created",
        obj=opportunity,
        organisation=body,
        to_state=opportunity.status,
    )
    return opportunity


def _lock_draft(actor: User, opportunity: Opportunity) -> Opportunity:
    opportunity = (
        Opportunity.objects.select_for_update().select_related("body").get(pk=opportunity.pk)
    )
    if not access.runs_opportunity(actor, opportunity):
        raise PermissionDenied("Only the opportunity's commissioners can change it.")
    if opportunity.status != OpportunityStatus.DRAFT:
        raise ValidationError(
            "Only a draft can be changed here. Once published, extend a deadline or amend the "
            "documents from its clarifications pages."
        )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor: User, opportunity: Opportunity, data: dict, m2m: dict
) -> Opportunity:
    """Change a draft. A published opportunity changes only by extension or amendment."""
    opportunity = _lock_draft(actor, opportunity)
    data = _plain(data)
    merged = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS} | data
    if "award_on" in data and data.get("standstill_ends_on") is None:
        merged["standstill_ends_on"] = None
    merged = _with_default_standstill(merged)
    _check_opportunity(
        actor=actor,
        body=opportunity.body,
        data=merged,
        m2m={name: m2m.get(name, getattr(opportunity, name).all()) for name in OPPORTUNITY_M2M},
    )
    changed = [
        _label(name) for name, value in merged.items() if getattr(opportunity, name) != value
    ]
    for name, value in merged.items():
        setattr(opportunity, name, value)
    opportunity.save()
    changed += _set_m2m(opportunity, m2m)
    audit_event_record(
        actor=actor,
        action="opportunity.updated",
        obj=opportunity,
        organisation=opportunity.body,
        from_state=opportunity.status,
        to_state=opportunity.status,
        note=f"Changed: {', '.join(changed)}." if changed else "Saved with no changes.",
    )
    return opportunity


# Lots, eligibility questions and criteria: each saved as a whole list from its formset


def _replace_rows(model, opportunity: Opportunity, rows: list[dict], fields: tuple) -> int:
    """Keep the rows given (updating those with a pk), add new ones, remove the rest."""
    existing = {row.pk: row for row in model.objects.filter(opportunity=opportunity)}
    kept = set()
    # Lot numbers are unique: clear the old ones first so that renumbering never clashes.
    for row in rows:
        pk = row.get("pk")
        if pk is not None and pk in existing:
            kept.add(pk)
    model.objects.filter(opportunity=opportunity).exclude(pk__in=kept).delete()
    if model is Lot and kept:
        for offset, pk in enumerate(sorted(kept)):
            Lot.objects.filter(pk=pk).update(number=10000 + offset)
    for row in rows:
        values = {name: row[name] for name in fields if name in row}
        pk = row.get("pk")
        if pk is not None and pk in existing:
            model.objects.filter(pk=pk).update(**values)
        else:
            model.objects.create(opportunity=opportunity, **values)
    return len(rows)


@transaction.atomic
def opportunity_lots_save(*, actor: User, opportunity: Opportunity, lots: list[dict]) -> int:
    opportunity = _lock_draft(actor, opportunity)
    problems = []
    numbers = [lot["number"] for lot in lots]
    if len(numbers) != len(set(numbers)):
        problems.append("Give each lot a different number.")
    if any(lot["annual_budget"] < 0 for lot in lots):
        problems.append("A lot's budget must be £0 or more.")
    if problems:
        raise ValidationError(problems)
    count = _replace_rows(
        Lot, opportunity, lots, ("number", "title", "description", "annual_budget")
    )
    audit_event_record(
        actor=actor,
        action="opportunity.lots_saved",
        obj=opportunity,
        organisation=opportunity.body,
        note=f"{count} lot{'s' if count != 1 else ''}.",
    )
    return count


@transaction.atomic
def opportunity_eligibility_save(
    *, actor: User, opportunity: Opportunity, questions: list[dict]
) -> int:
    opportunity = _lock_draft(actor, opportunity)
    for position, question in enumerate(questions):
        question["position"] = position
    count = _replace_rows(EligibilityQuestion, opportunity, questions, ("text", "position"))
    audit_event_record(
        actor=actor,
        action="opportunity.eligibility_saved",
        obj=opportunity,
        organisation=opportunity.body,
        note=f"{count} question{'s' if count != 1 else ''}.",
    )
    return count


def _stage_name(stage: str) -> str:
    return "expression of interest" if stage == BidStage.EOI else "full bid"


def criteria_problems(opportunity: Opportunity, criteria: list[dict]) -> list[str]:
    """What is wrong with a set of criteria: each stage's weights sum to exactly 100, an
    expression of interest is short, and only a two-stage opportunity has one."""
    problems = []
    by_stage: dict[str, list[dict]] = defaultdict(list)
    for criterion in criteria:
        by_stage[criterion["stage"]].append(criterion)
    if by_stage.get(BidStage.EOI) and opportunity.procedure != Procedure.TWO_STAGE:
        problems.append(
            "Only a two-stage opportunity has expression of interest criteria. Set them to the "
            "full bid stage, or make the procedure two-stage."
        )
    for stage in (BidStage.EOI, BidStage.FULL):
        rows = by_stage.get(stage)
        if not rows:
            continue
        total = sum((Decimal(row["weight"]) for row in rows), Decimal(0))
        if total != 100:
            problems.append(
                f"The weights of the {_stage_name(stage)} criteria add up to "
                f"{total.normalize():f}, not 100. Change them so that they add up to exactly 100."
            )
    eoi = by_stage.get(BidStage.EOI, [])
    if len(eoi) > EOI_MAX_CRITERIA:
        problems.append(
            f"An expression of interest is kept short: at most {EOI_MAX_CRITERIA} questions, "
            f"not {len(eoi)}."
        )
    for row in eoi:
        if not row.get("word_limit") or row["word_limit"] > EOI_MAX_WORDS:
            problems.append(
                f"Give “{row['title']}” a word limit of at most {EOI_MAX_WORDS} words: an "
                "expression of interest is kept short."
            )
    for row in criteria:
        guidance = row.get("scale_guidance") or {}
        outside = [key for key in guidance if not 0 <= int(key) <= row["scale_max"]]
        if outside:
            problems.append(
                f"“{row['title']}” has guidance for scores above its highest score "
                f"({row['scale_max']})."
            )
    return problems


@transaction.atomic
def opportunity_criteria_save(
    *, actor: User, opportunity: Opportunity, criteria: list[dict]
) -> int:
    opportunity = _lock_draft(actor, opportunity)
    problems = criteria_problems(opportunity, criteria)
    if problems:
        raise ValidationError(problems)
    for position, criterion in enumerate(criteria):
        criterion["position"] = position
    count = _replace_rows(
        Criterion,
        opportunity,
        criteria,
        (
            "stage",
            "kind",
            "position",
            "title",
            "question",
            "weight",
            "scale_max",
            "scale_guidance",
            "word_limit",
        ),
    )
    audit_event_record(
        actor=actor,
        action="opportunity.criteria_saved",
        obj=opportunity,
        organisation=opportunity.body,
        note=f"{count} criteri{'a' if count != 1 else 'on'}.",
    )
    return count


# Documents


@transaction.atomic
def opportunity_document_add(
    *, actor: User, opportunity: Opportunity, file: File, title: str = ""
) -> OpportunityDocument:
    """A document of a draft; after publication, documents change by amendment."""
    opportunity = _lock_draft(actor, opportunity)
    document = OpportunityDocument(opportunity=opportunity, uploaded_by=actor)
    original_name = uploaded_document_fill(document, file, check=evidence_document_check)
    document.title = uploaded_document_title(title, original_name)
    uploaded_document_store(document, file)
    audit_event_record(
        actor=actor,
        action="opportunity.document_added",
        obj=opportunity,
        organisation=opportunity.body,
        note=f"{document.title} ({original_name})",
    )
    return document


@transaction.atomic
def opportunity_document_delete(*, actor: User, document: OpportunityDocument) -> None:
    opportunity = _lock_draft(actor, document.opportunity)
    stored_name, storage = document.file.name, document.file.storage
    note = f"{document.title} ({document.original_name})"
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
    audit_event_record(
        actor=actor,
        action="opportunity.document_deleted",
        obj=opportunity,
        organisation=opportunity.body,
        note=note,
    )


# Status moves


def publish_problems(opportunity: Opportunity, *, now=None) -> list[str]:
    """What stops a draft being published, in plain words."""
    now = now or timezone.now()
    problems = []
    if not opportunity.lots.exists():
        problems.append("Add at least one lot, with its budget.")
    criteria = list(
        opportunity.criteria.values("stage", "weight", "title", "word_limit", "scale_max")
    )
    stages = {row["stage"] for row in criteria}
    if BidStage.FULL not in stages:
        problems.append("Add the full bid criteria, with weights that add up to 100.")
    if opportunity.procedure == Procedure.TWO_STAGE and BidStage.EOI not in stages:
        problems.append("Add the expression of interest criteria, with weights that add up to 100.")
    problems += criteria_problems(opportunity, criteria)
    timetable = {name: getattr(opportunity, name) for name in TIMETABLE}
    timetable["procedure"] = opportunity.procedure
    problems += list(timetable_problems(timetable).values())
    if opportunity.standstill_ends_on is None:
        problems.append("Enter the standstill end date.")
    if opportunity.bid_deadline <= now:
        problems.append("The bid deadline has passed: move it later before publishing.")
    if opportunity.eoi_deadline is not None and opportunity.eoi_deadline <= now:
        problems.append(
            "The expression of interest deadline has passed: move it later before publishing."
        )
    return problems


def _move_problems(opportunity: Opportunity, to_status: str, now) -> list[str]:
    if to_status == OpportunityStatus.PUBLISHED:
        return publish_problems(opportunity, now=now)
    if to_status == OpportunityStatus.EOI_CLOSED:
        if opportunity.procedure != Procedure.TWO_STAGE:
            return ["Only a two-stage opportunity takes expressions of interest."]
        if now < opportunity.eoi_deadline:
            return [
                "Expressions of interest cannot be closed before their deadline, "
                f"{_shown(opportunity.eoi_deadline)}."
            ]
    if to_status == OpportunityStatus.CLOSED:
        if (
            opportunity.procedure == Procedure.TWO_STAGE
            and opportunity.status == OpportunityStatus.PUBLISHED
        ):
            return [
                "A two-stage opportunity closes its expressions of interest first, then "
                "shortlists and invites full bids."
            ]
        if now < opportunity.bid_deadline:
            return [
                f"Bids cannot be closed before their deadline, {_shown(opportunity.bid_deadline)}."
            ]
    return []


def opportunity_move(
    actor: User, opportunity: Opportunity, to_status: str, note: str = ""
) -> Opportunity:
    """The one guarded status change of an opportunity: lock, check the move and its rules,
    save, audit, and (on publishing) queue the emails to subscribers. Runs in the caller's
    transaction, or its own. Raises TransitionNotAllowed, PermissionDenied or ValidationError."""
    with transaction.atomic():
        opportunity = (
            Opportunity.objects.select_for_update().select_related("body").get(pk=opportunity.pk)
        )
        if not access.runs_opportunity(actor, opportunity):
            raise PermissionDenied("Only the opportunity's commissioners can do this.")
        from_status = opportunity.status
        check_transition(
            OPPORTUNITY_TRANSITIONS, from_status, to_status, label="opportunity's status"
        )
        now = timezone.now()
        problems = _move_problems(opportunity, to_status, now)
        if problems:
            raise ValidationError(problems)
        opportunity.status = to_status
        fields = ["status", "updated_at"]
        if to_status == OpportunityStatus.PUBLISHED:
            opportunity.published_at = now
            fields.append("published_at")
        elif to_status == OpportunityStatus.AWARDED:
            opportunity.awarded_at = now
            fields.append("awarded_at")
        elif to_status == OpportunityStatus.CANCELLED:
            opportunity.cancelled_reason = note
            fields.append("cancelled_reason")
        opportunity.save(update_fields=fields)
        audit_event_record(
            actor=actor,
            action=f"opportunity.{to_status}",
            obj=opportunity,
            organisation=opportunity.body,
            from_state=from_status,
            to_state=to_status,
            note=note,
        )
        if to_status == OpportunityStatus.PUBLISHED:
            from ..tasks.sourcing_opportunities import opportunity_published_notify

            delay_on_commit(opportunity_published_notify, opportunity.pk)
        return opportunity


def opportunity_publish(*, actor: User, opportunity: Opportunity) -> Opportunity:
    return opportunity_move(actor, opportunity, OpportunityStatus.PUBLISHED)


def opportunity_eoi_close(*, actor: User, opportunity: Opportunity) -> Opportunity:
    return opportunity_move(actor, opportunity, OpportunityStatus.EOI_CLOSED)


def opportunity_close(*, actor: User, opportunity: Opportunity) -> Opportunity:
    return opportunity_move(actor, opportunity, OpportunityStatus.CLOSED)


def opportunity_evaluation_start(*, actor: User, opportunity: Opportunity) -> Opportunity:
    return opportunity_move(actor, opportunity, OpportunityStatus.EVALUATING)


def opportunity_cancel(*, actor: User, opportunity: Opportunity, reason: str) -> Opportunity:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why it is cancelled: bidders and the public are told the reason."}
        )
    return opportunity_move(actor, opportunity, OpportunityStatus.CANCELLED, note=reason)


# The moves a commissioner makes from the opportunity's page, by name
STATUS_ACTIONS = {
    "close_eoi": (OpportunityStatus.EOI_CLOSED, "Close expressions of interest"),
    "close": (OpportunityStatus.CLOSED, "Close for bids"),
    "evaluate": (OpportunityStatus.EVALUATING, "Start evaluation"),
}

__all__ = [
    "STATUS_ACTIONS",
    "TransitionNotAllowed",
    "interest_register",
    "opportunity_cancel",
    "opportunity_close",
    "opportunity_create",
    "opportunity_criteria_save",
    "opportunity_document_add",
    "opportunity_document_delete",
    "opportunity_eligibility_save",
    "opportunity_eoi_close",
    "opportunity_evaluation_start",
    "opportunity_lots_save",
    "opportunity_move",
    "opportunity_notices_send",
    "opportunity_publish",
    "opportunity_update",
]


# Interest


@transaction.atomic
def interest_register(
    *, actor: User, opportunity: Opportunity, organisation: Organisation
) -> tuple[Interest, bool]:
    """The organisation hears of clarifications and changes. Registering twice changes nothing."""
    if not Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise PermissionDenied("You can register interest only for your own organisation.")
    if (
        organisation.kind != OrganisationKind.THIRD_SECTOR
        or organisation.verification_status != VerificationStatus.VERIFIED
    ):
        raise ValidationError(
            "Interest is registered by a verified third sector organisation. Choose one of "
            "yours, or wait until yours is verified."
        )
    if opportunity.status in (
        OpportunityStatus.DRAFT,
        OpportunityStatus.AWARDED,
        OpportunityStatus.CANCELLED,
    ):
        raise ValidationError("Interest can be registered only while the opportunity is live.")
    interest, created = Interest.objects.get_or_create(
        opportunity=opportunity,
        organisation=organisation,
        defaults={"registered_by": actor},
    )
    if created:
        audit_event_record(
            actor=actor,
            action="opportunity.interest_registered",
            obj=opportunity,
            organisation=organisation,
        )
    return interest, created


# Telling subscribers

NOTICE_ACTION = "opportunity.notice_sent"


def opportunity_notices_send(*, opportunity_id: int, batch_size: int = 200) -> int:
    """Email each subscriber of a published opportunity once. Each batch writes an audit event
    per recipient (note "user:<pk>") in the same transaction as it sends, under a lock on the
    opportunity, so a second run or a retry tells only those not yet told. Nothing is sent once
    it is cancelled. Returns how many were told."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.emails import send_templated_email

    from ..selectors.planning import subscribers_for

    content_type = ContentType.objects.get_for_model(Opportunity)
    told = 0
    while True:
        with transaction.atomic():
            opportunity = (
                Opportunity.objects.select_for_update()
                .filter(pk=opportunity_id)
                .exclude(status__in=[OpportunityStatus.DRAFT, OpportunityStatus.CANCELLED])
                .first()
            )
            if opportunity is None:
                return told
            already = AuditEvent.objects.filter(
                action=NOTICE_ACTION, content_type=content_type, object_id=str(opportunity.pk)
            ).values_list("note", flat=True)
            told_ids = {int(note.split(":", 1)[1]) for note in already if note.startswith("user:")}
            recipients = list(
                subscribers_for(opportunity.categories.all(), opportunity.areas.all())
                .exclude(pk__in=told_ids)
                .values_list("pk", "email")[:batch_size]
            )
            if not recipients:
                return told
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        action=NOTICE_ACTION,
                        content_type=content_type,
                        object_id=str(opportunity.pk),
                        object_repr=str(opportunity)[:255],
                        organisation=opportunity.body,
                        note=f"user:{pk}",
                    )
                    for pk, _email in recipients
                ]
            )
            opportunity = (
                Opportunity.objects.select_related("body")
                .prefetch_related("lots", "categories", "areas")
                .get(pk=opportunity.pk)
            )
            send_templated_email(
                name="opportunity_published",
                to=[email for _pk, email in recipients],
                context={
                    "opportunity": opportunity,
                    "opportunity_url": reverse("commissioning:opportunity", args=[opportunity.pk]),
                    "alerts_url": reverse("commissioning:subscription"),
                },
            )
            told += len(recipients)
