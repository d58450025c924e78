"""Writes for monitoring returns: the provider's draft, evidence and submission; the lead body's
review, with a rating and comment for each measure and the return, then acceptance or a return
for more information; and the reminders of an overdue return. Each status change locks the
return, checks RETURN_TRANSITIONS, saves, audits and emails once the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_event_record
from accounts.uploads import (
    uploaded_document_fill,
    uploaded_document_store,
    uploaded_document_title,
)
from accounts.workflow import check_transition, delay_on_commit

from ..access import is_agreement_provider, manages_agreement
from ..models import (
    RETURN_TRANSITIONS,
    ImprovementPlan,
    MonitoringReturn,
    OutcomeMeasure,
    PerformanceRating,
    ReturnEvidence,
    ReturnStatus,
    ReturnValue,
)
from ..models.agreements import POOR_RATINGS
from ..selectors.monitoring import EDITABLE_STATUSES, return_measures
from .assessments import evidence_document_check
from .improvement import improvement_plan_open
from .sourcing_bids import london

STATUS_LABEL = "return's status"
# Overdue returns are reminded twice: a week after the due date, then a fortnight after it.
FIRST_REMINDER_AFTER = timedelta(days=7)
SECOND_REMINDER_AFTER = timedelta(days=14)

STALE = (
    "This return was saved somewhere else (another tab, or a colleague) after you opened this "
    "page, so your changes were not saved over it. Copy anything you need, reload the page and "
    "try again."
)
NARRATIVE_MISSING = (
    "Write the narrative: what you did in this period, for whom, and what difference it made."
)
COMMENT_MISSING = "Add a comment that explains the rating."


@dataclass(frozen=True)
class ReturnDraft:
    """What the provider typed: a value (or None, not yet given) and a note for each measure's
    id, the narrative, the summary of service users' feedback and any concerns. version is the
    return's version when the page was opened, or None to skip the check."""

    values: dict[int, tuple[Decimal | None, str]]
    narrative: str = ""
    feedback_summary: str = ""
    concerns: str = ""
    version: int | None = None


@dataclass(frozen=True)
class EvidenceUpload:
    file: File
    title: str = ""
    measure_id: int | None = None


@dataclass(frozen=True)
class MeasureReview:
    rating: str = ""
    comment: str = ""


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _who(user: User | None) -> str:
    if user is None:
        return "someone"
    return user.full_name or user.email


def already_submitted_message(monitoring_return: MonitoringReturn) -> str:
    when = london(monitoring_return.submitted_at) if monitoring_return.submitted_at else "earlier"
    return (
        f"This return was already submitted, on {when} by {_who(monitoring_return.submitted_by)}, "
        "so nothing was changed."
    )


def _lock(monitoring_return: MonitoringReturn) -> MonitoringReturn:
    return (
        MonitoringReturn.objects.select_for_update(of=("self",))
        .select_related("agreement__provider", "agreement__body", "submitted_by", "reviewed_by")
        .get(pk=monitoring_return.pk)
    )


def _check_provider(actor: User, monitoring_return: MonitoringReturn) -> None:
    if not is_agreement_provider(actor, monitoring_return.agreement):
        raise PermissionDenied("Only the lead provider's members fill in and submit its returns.")


def _check_editable(monitoring_return: MonitoringReturn) -> None:
    if monitoring_return.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This return is {monitoring_return.get_status_display().lower()}, so it can no "
            "longer be changed.",
            code="closed",
        )


# The provider's draft and submission


def _differs(
    monitoring_return: MonitoringReturn, draft: ReturnDraft, measures: list[OutcomeMeasure]
) -> bool:
    """Whether the draft would change what is stored: a second click on the same content is not
    a conflict."""
    if (
        monitoring_return.narrative,
        monitoring_return.feedback_summary,
        monitoring_return.concerns,
    ) != (draft.narrative, draft.feedback_summary, draft.concerns):
        return True
    stored = {
        v.measure_id: (v.value, v.note)
        for v in ReturnValue.objects.filter(monitoring_return=monitoring_return)
    }
    for measure in measures:
        value, note = draft.values.get(measure.pk, (None, ""))
        was = stored.get(measure.pk)
        if (value is None) != (was is None):
            return True
        if was is not None and (was[0] != value or was[1] != note):
            return True
    return False


def _check_version(
    monitoring_return: MonitoringReturn, draft: ReturnDraft, measures: list[OutcomeMeasure]
) -> None:
    if draft.version is None or draft.version == monitoring_return.version:
        return
    if _differs(monitoring_return, draft, measures):
        raise ValidationError(STALE, code="stale")


def _measure_field(measure_id: int) -> str:
    return f"value_{measure_id}"


def _upload_problems(
    monitoring_return: MonitoringReturn,
    upload: EvidenceUpload | None,
    measures: list[OutcomeMeasure],
) -> tuple[ReturnEvidence | None, dict[str, list[str]]]:
    """Check an upload without storing it: the row to store, or the problems."""
    if upload is None:
        return None, {}
    problems: dict[str, list[str]] = {}
    if upload.measure_id is not None and upload.measure_id not in {m.pk for m in measures}:
        problems["evidence_measure"] = ["Choose one of this return's measures, or none."]
    document = ReturnEvidence(monitoring_return=monitoring_return, measure_id=upload.measure_id)
    try:
        original_name = uploaded_document_fill(document, upload.file, check=evidence_document_check)
    except ValidationError as error:
        problems.update(error.message_dict)
    else:
        document.title = uploaded_document_title(upload.title, original_name)
    return document, problems


def _submission_problems(draft: ReturnDraft, measures: list[OutcomeMeasure]) -> dict:
    problems: dict[str, list[str]] = {}
    for measure in measures:
        value, _ = draft.values.get(measure.pk, (None, ""))
        if value is None:
            problems[_measure_field(measure.pk)] = [
                f"Enter a figure for “{measure.name}” before you submit."
            ]
    if not draft.narrative.strip():
        problems["narrative"] = [NARRATIVE_MISSING]
    return problems


def _write_draft(
    monitoring_return: MonitoringReturn, draft: ReturnDraft, measures: list[OutcomeMeasure]
) -> None:
    """Store the values and texts as typed. A value cleared in a draft is removed."""
    stored = {
        v.measure_id: v for v in ReturnValue.objects.filter(monitoring_return=monitoring_return)
    }
    cleared = []
    for measure in measures:
        value, note = draft.values.get(measure.pk, (None, ""))
        row = stored.get(measure.pk)
        if value is None:
            if row is not None:
                cleared.append(row.pk)
        elif row is None:
            ReturnValue.objects.create(
                monitoring_return=monitoring_return, measure=measure, value=value, note=note
            )
        elif (row.value, row.note) != (value, note):
            row.value, row.note = value, note
            row.save(update_fields=["value", "note"])
    if cleared:
        ReturnValue.objects.filter(pk__in=cleared).delete()
    monitoring_return.narrative = draft.narrative
    monitoring_return.feedback_summary = draft.feedback_summary
    monitoring_return.concerns = draft.concerns


def _store_upload(
    actor: User, monitoring_return: MonitoringReturn, document: ReturnEvidence | None, upload
) -> ReturnEvidence | None:
    if document is None:
        return None
    document.uploaded_by = actor
    document.uploaded_at = timezone.now()
    uploaded_document_store(document, upload.file)
    audit_event_record(
        actor=actor,
        action="monitoring_return.evidence_added",
        obj=monitoring_return,
        organisation=monitoring_return.agreement.provider,
        note=f"“{document.original_name}” ({document.title})",
    )
    return document


@transaction.atomic
def return_draft_save(
    *,
    actor: User,
    monitoring_return: MonitoringReturn,
    draft: ReturnDraft,
    upload: EvidenceUpload | None = None,
) -> MonitoringReturn:
    """Keep the provider's values and texts without submitting, and any file they attached.
    Nothing is saved if the file is refused; a stale page (saved elsewhere since) is refused."""
    locked = _lock(monitoring_return)
    _check_provider(actor, locked)
    _check_editable(locked)
    measures = list(return_measures(locked))
    _check_version(locked, draft, measures)
    document, problems = _upload_problems(locked, upload, measures)
    if problems:
        raise ValidationError(problems)
    _write_draft(locked, draft, measures)
    locked.version += 1
    locked.save(update_fields=["narrative", "feedback_summary", "concerns", "version"])
    _store_upload(actor, locked, document, upload)
    return locked


@transaction.atomic
def return_submit(
    *,
    actor: User,
    monitoring_return: MonitoringReturn,
    draft: ReturnDraft,
    upload: EvidenceUpload | None = None,
    now: datetime | None = None,
) -> tuple[MonitoringReturn, bool]:
    """Submit the return: a value for every measure and the narrative are needed, and its
    period must have ended. Returns the return and whether it was submitted now: a return
    already submitted (a double click, or a second tab) is left as it is."""
    from ..tasks.agreements_monitoring import return_submitted_notify

    now = now or timezone.now()
    locked = _lock(monitoring_return)
    _check_provider(actor, locked)
    if locked.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED):
        return locked, False
    check_transition(RETURN_TRANSITIONS, locked.status, ReturnStatus.SUBMITTED, label=STATUS_LABEL)
    today = timezone.localdate(now)
    if locked.period_end >= today:
        first_day = locked.period_end + timedelta(days=1)
        raise ValidationError(
            f"This return is for the period to {_day(locked.period_end)}, so it can be submitted "
            f"from {_day(first_day)}. You can save a draft until then.",
            code="early",
        )
    measures = list(return_measures(locked))
    _check_version(locked, draft, measures)
    document, problems = _upload_problems(locked, upload, measures)
    problems = {**_submission_problems(draft, measures), **problems}
    if problems:
        raise ValidationError(problems)
    _write_draft(locked, draft, measures)
    from_status = locked.status
    locked.status = ReturnStatus.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = actor
    locked.version += 1
    locked.save(
        update_fields=[
            "narrative",
            "feedback_summary",
            "concerns",
            "status",
            "submitted_at",
            "submitted_by",
            "version",
        ]
    )
    _store_upload(actor, locked, document, upload)
    audit_event_record(
        actor=actor,
        action="monitoring_return.submitted"
        if from_status == ReturnStatus.DUE
        else "monitoring_return.resubmitted",
        obj=locked,
        organisation=locked.agreement.provider,
        from_state=from_status,
        to_state=locked.status,
    )
    delay_on_commit(return_submitted_notify, locked.pk, locked.version)
    return locked, True


# Evidence


@transaction.atomic
def return_evidence_add(
    *,
    actor: User,
    monitoring_return: MonitoringReturn,
    upload: EvidenceUpload,
    draft: ReturnDraft | None = None,
) -> ReturnEvidence:
    """Attach a file to a return that is not yet submitted, checked for size and type. With the
    rest of the page's form (draft), that is saved too: both, or neither."""
    locked = _lock(monitoring_return)
    _check_provider(actor, locked)
    _check_editable(locked)
    measures = list(return_measures(locked))
    if draft is not None:
        _check_version(locked, draft, measures)
    document, problems = _upload_problems(locked, upload, measures)
    if problems:
        raise ValidationError(problems)
    if draft is not None:
        _write_draft(locked, draft, measures)
        locked.version += 1
        locked.save(update_fields=["narrative", "feedback_summary", "concerns", "version"])
    return _store_upload(actor, locked, document, upload)


@transaction.atomic
def return_evidence_delete(
    *, actor: User, evidence: ReturnEvidence, draft: ReturnDraft | None = None
) -> MonitoringReturn:
    """Remove a file from a return that is not yet submitted; the file goes once this commits.
    With the rest of the page's form (draft), that is saved too."""
    locked = _lock(evidence.monitoring_return)
    _check_provider(actor, locked)
    _check_editable(locked)
    if draft is not None:
        measures = list(return_measures(locked))
        _check_version(locked, draft, measures)
        _write_draft(locked, draft, measures)
        locked.version += 1
        locked.save(update_fields=["narrative", "feedback_summary", "concerns", "version"])
    document = ReturnEvidence.objects.filter(pk=evidence.pk, monitoring_return=locked).first()
    if document is None:
        return locked  # deleted already: a double click
    storage, stored_name = document.file.storage, document.file.name
    document.delete()
    audit_event_record(
        actor=actor,
        action="monitoring_return.evidence_deleted",
        obj=locked,
        organisation=locked.agreement.provider,
        note=f"“{document.original_name}” ({document.title})",
    )
    transaction.on_commit(lambda: storage.delete(stored_name))
    return locked


# The lead body's review


def already_reviewed_message(monitoring_return: MonitoringReturn) -> str:
    when = london(monitoring_return.reviewed_at) if monitoring_return.reviewed_at else "earlier"
    done = (
        "accepted"
        if monitoring_return.status == ReturnStatus.ACCEPTED
        else "returned for more information"
    )
    return (
        f"This return was already {done}, on {when} by {_who(monitoring_return.reviewed_by)}, so "
        "nothing was changed."
    )


def _review_problems(
    *,
    decision: str,
    values: list[ReturnValue],
    ratings: dict[int, MeasureReview],
    rating: str,
    rating_comment: str,
    returned_reason: str,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    accepting = decision == "accept"
    for value in values:
        given = ratings.get(value.pk, MeasureReview())
        if given.rating and given.rating not in PerformanceRating.values:
            problems[f"rating_{value.pk}"] = ["Choose one of the ratings."]
        elif accepting and not given.rating:
            problems[f"rating_{value.pk}"] = [f"Rate “{value.measure.name}” before you accept."]
        if given.rating and not given.comment.strip():
            problems[f"comment_{value.pk}"] = [COMMENT_MISSING]
    if rating and rating not in PerformanceRating.values:
        problems["rating"] = ["Choose one of the ratings."]
    elif accepting and not rating:
        problems["rating"] = ["Rate the return as a whole before you accept it."]
    if rating and not rating_comment.strip():
        problems["rating_comment"] = [COMMENT_MISSING]
    if decision == "return" and not returned_reason.strip():
        problems["returned_reason"] = [
            "Say what more is needed, so the provider knows what to add."
        ]
    if decision not in ("accept", "return"):
        problems["decision"] = ["Choose whether to accept the return or ask for more."]
    return problems


@transaction.atomic
def return_review(
    *,
    actor: User,
    monitoring_return: MonitoringReturn,
    decision: str,
    ratings: dict[int, MeasureReview],
    rating: str = "",
    rating_comment: str = "",
    returned_reason: str = "",
    accepted_for_cofunders: bool = False,
    version: int | None = None,
    now: datetime | None = None,
) -> tuple[MonitoringReturn, ImprovementPlan | None]:
    """Rate a submitted return and accept it, or return it for more information. To accept,
    every measure and the return as a whole need a rating on the Procurement Act 2023 scale; to
    return it, a reason. Every rating given needs a comment. Ratings given with a return are
    kept for the next review. Accepted with an overall rating of requires improvement or
    inadequate, the return opens an improvement plan (once). The lead body may accept on behalf
    of the agreement's co-funders. Returns the return and its plan, if it has one."""
    from ..tasks.agreements_monitoring import return_reviewed_notify

    now = now or timezone.now()
    locked = _lock(monitoring_return)
    if not manages_agreement(actor, locked.agreement):
        raise PermissionDenied("Only the lead body's commissioners review this return.")
    if locked.status in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED) and (
        version is None or version != locked.version
    ):
        raise ValidationError(already_reviewed_message(locked), code="already")
    if locked.status != ReturnStatus.SUBMITTED:
        raise ValidationError(
            f"This return is {locked.get_status_display().lower()}: only a submitted return can be "
            "reviewed.",
            code="not_submitted",
        )
    if version is not None and version != locked.version:
        raise ValidationError(STALE, code="stale")
    to_status = ReturnStatus.ACCEPTED if decision == "accept" else ReturnStatus.RETURNED
    measure_ids = [m.pk for m in return_measures(locked)]
    values = list(
        ReturnValue.objects.filter(monitoring_return=locked, measure_id__in=measure_ids)
        .select_related("measure")
        .order_by("measure__position", "measure_id")
    )
    problems = _review_problems(
        decision=decision,
        values=values,
        ratings=ratings,
        rating=rating,
        rating_comment=rating_comment,
        returned_reason=returned_reason,
    )
    if problems:
        raise ValidationError(problems)
    check_transition(RETURN_TRANSITIONS, locked.status, to_status, label=STATUS_LABEL)
    for value in values:
        given = ratings.get(value.pk, MeasureReview())
        value.rating = given.rating
        value.comment = given.comment.strip() if given.rating else ""
    ReturnValue.objects.bulk_update(values, ["rating", "comment"])
    has_cofunders = locked.agreement.funders.exists()
    locked.status = to_status
    locked.rating = rating
    locked.rating_comment = rating_comment.strip() if rating else ""
    locked.returned_reason = returned_reason.strip() if to_status == ReturnStatus.RETURNED else ""
    locked.accepted_for_cofunders = bool(
        accepted_for_cofunders and has_cofunders and to_status == ReturnStatus.ACCEPTED
    )
    locked.reviewed_at = now
    locked.reviewed_by = actor
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "rating",
            "rating_comment",
            "returned_reason",
            "accepted_for_cofunders",
            "reviewed_at",
            "reviewed_by",
            "version",
        ]
    )
    note = (f"Rated {locked.get_rating_display().lower()}" if rating else "Not rated") + (
        " for the co-funders too" if locked.accepted_for_cofunders else ""
    )
    if to_status == ReturnStatus.RETURNED:
        note = f"{note}. More needed: {locked.returned_reason}"
    audit_event_record(
        actor=actor,
        action=f"monitoring_return.{to_status.value}",
        obj=locked,
        organisation=locked.agreement.provider,
        from_state=ReturnStatus.SUBMITTED,
        to_state=to_status,
        note=note,
    )
    plan = None
    if to_status == ReturnStatus.ACCEPTED and rating in POOR_RATINGS:
        plan = improvement_plan_open(actor=actor, monitoring_return=locked)
    else:
        plan = ImprovementPlan.objects.filter(opened_by_return=locked).first()
    delay_on_commit(return_reviewed_notify, locked.pk, locked.version)
    return locked, plan


# Reminders of overdue returns


def _remind(pk: int, stage: str) -> None:
    from ..tasks.agreements_monitoring import return_overdue_reminder_notify

    monitoring_return = MonitoringReturn.objects.select_related("agreement__provider").get(pk=pk)
    audit_event_record(
        actor=None,
        action="monitoring_return.reminded",
        obj=monitoring_return,
        organisation=monitoring_return.agreement.provider,
        to_state=stage,
        note=f"{monitoring_return.days_overdue()} days overdue",
    )
    delay_on_commit(return_overdue_reminder_notify, pk, stage)


def returns_overdue_reminders_claim(
    *, today: date | None = None, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Claim the reminders due today and queue their emails: "first" for a return still due a
    week after its due date, "second" a fortnight after. Each is claimed by a conditional update
    (... WHERE first_reminder_at IS NULL), so two runs at once never remind twice. A return first
    found a fortnight or more overdue gets only the second reminder, and is marked as having had
    the first: one email, not two on the same day. Returns the (id, stage) pairs claimed."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    due = MonitoringReturn.objects.filter(status=ReturnStatus.DUE)
    claimed: list[tuple[int, str]] = []
    second = due.filter(
        due_on__lte=today - SECOND_REMINDER_AFTER, second_reminder_at__isnull=True
    ).order_by("due_on", "pk")
    for pk in list(second.values_list("pk", flat=True)):
        with transaction.atomic():
            won = due.filter(pk=pk, second_reminder_at__isnull=True).update(
                second_reminder_at=now, first_reminder_at=Coalesce("first_reminder_at", Value(now))
            )
            if won:
                _remind(pk, "second")
                claimed.append((pk, "second"))
    first = due.filter(
        due_on__lte=today - FIRST_REMINDER_AFTER, first_reminder_at__isnull=True
    ).order_by("due_on", "pk")
    for pk in list(first.values_list("pk", flat=True)):
        with transaction.atomic():
            if due.filter(pk=pk, first_reminder_at__isnull=True).update(first_reminder_at=now):
                _remind(pk, "first")
                claimed.append((pk, "first"))
    return claimed
