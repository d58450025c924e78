"""Writes for clarifications and changes: asking a question, answering it (published to all,
without naming who asked), extending a deadline and amending the documents. Answers and changes
are emailed to every organisation that registered interest or started a bid."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Organisation, User
from accounts.services import audit_event_record
from accounts.uploads import uploaded_document_accept
from accounts.workflow import delay_on_commit

from .. import access
from ..models import (
    Bid,
    BidStatus,
    Clarification,
    Opportunity,
    OpportunityChange,
    OpportunityChangeKind,
    OpportunityDocument,
    Procedure,
)
from ..selectors import sourcing_clarifications as selectors
from .assessments import evidence_document_check

QUESTION_MAX_CHARS = 4000
ANSWER_EMAILED = "clarification.answer_emailed"
CHANGE_EMAILED = "opportunity_change.emailed"

# The deadlines an extension may move, in the order they fall.
EXTENDABLE = {
    "clarifications_close_at": "clarification questions close",
    "eoi_deadline": "expression of interest deadline",
    "bid_deadline": "bid deadline",
}


def _lock(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().select_related("body").get(pk=opportunity.pk)


def _check_runs(actor: User, opportunity: Opportunity) -> None:
    if not access.runs_opportunity(actor, opportunity):
        raise PermissionDenied("Only the opportunity's commissioners can do this.")


# Questions and answers


@transaction.atomic
def clarification_ask(
    *,
    actor: User,
    opportunity: Opportunity,
    organisation: Organisation,
    question: str,
    now: datetime | None = None,
) -> Clarification:
    """A question from a verified third sector organisation, while questions are open."""
    now = now or timezone.now()
    opportunity = _lock(opportunity)
    if not access.third_sector_organisations_of(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(
            "Questions are asked for a verified third sector organisation you belong to."
        )
    if not selectors.questions_open(opportunity, now=now):
        closed = selectors.london(opportunity.clarifications_close_at)
        raise ValidationError(
            f"Questions about this opportunity closed on {closed}. Your question has not been "
            f"sent. If it is urgent, contact {opportunity.contact_name} at "
            f"{opportunity.contact_email}."
        )
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Enter your question."})
    if len(question) > QUESTION_MAX_CHARS:
        raise ValidationError(
            {"question": f"Keep your question to {QUESTION_MAX_CHARS:,} characters or fewer."}
        )
    clarification = Clarification.objects.create(
        opportunity=opportunity,
        question=question,
        asked_by=actor,
        asked_for=organisation,
        asked_at=now,
    )
    audit_event_record(
        actor=actor, action="clarification.asked", obj=clarification, organisation=organisation
    )
    return clarification


@transaction.atomic
def clarification_answer(
    *, actor: User, clarification: Clarification, answer: str
) -> Clarification:
    """Publish the answer to everyone, and email it to every interested or bidding organisation
    once the change is committed."""
    clarification = (
        Clarification.objects.select_for_update()
        .select_related("opportunity__body")
        .get(pk=clarification.pk)
    )
    _check_runs(actor, clarification.opportunity)
    if clarification.answered_at is not None:
        raise ValidationError("This question has already been answered.")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Enter the answer."})
    clarification.answer = answer
    clarification.answered_by = actor
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_event_record(
        actor=actor,
        action="clarification.answered",
        obj=clarification,
        organisation=clarification.opportunity.body,
    )
    from ..tasks.sourcing_clarifications import clarification_answered_notify

    delay_on_commit(clarification_answered_notify, clarification.pk)
    return clarification


def clarification_answer_emails_send(*, clarification_id: int) -> int:
    """Email an answered question and its answer, never who asked, to the active members of every
    interested or bidding organisation. Sent once: the audit trail records it under a lock on the
    question, so a second run or a retry sends nothing. Returns how many were emailed."""
    from accounts.emails import send_templated_email

    with transaction.atomic():
        clarification = (
            Clarification.objects.select_for_update()
            .filter(pk=clarification_id)
            .exclude(answered_at=None)
            .select_related("opportunity__body")
            .first()
        )
        if clarification is None or _already_recorded(ANSWER_EMAILED, clarification):
            return 0
        opportunity = clarification.opportunity
        recipients = selectors.interested_emails(opportunity)
        sent = send_templated_email(
            name="clarification_answered",
            to=recipients,
            context={
                "opportunity": opportunity,
                "question": clarification.question,
                "answer": clarification.answer,
                "answered_at": selectors.london(clarification.answered_at),
                "clarifications_url": reverse(
                    "commissioning:clarifications", args=[opportunity.pk]
                ),
            },
        )
        audit_event_record(
            actor=None,
            action=ANSWER_EMAILED,
            obj=clarification,
            organisation=opportunity.body,
            note=f"Emailed to {len(recipients)} people.",
        )
        return sent


def _already_recorded(action: str, obj) -> bool:
    return AuditEvent.objects.filter(
        action=action,
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).exists()


# Changes: extensions and amendments


def _check_changeable(opportunity: Opportunity) -> None:
    if not selectors.can_change(opportunity):
        raise ValidationError(
            f"An opportunity that is “{opportunity.get_status_display().lower()}” cannot be "
            "changed. Deadlines and documents change only while it is open for bids."
        )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why, so that bidders understand the change. It is sent to them."}
        )
    return reason


def _after_change(*, actor: User, opportunity: Opportunity, change: OpportunityChange) -> int:
    """Mark every submitted bid to be resubmitted or confirmed, audit, and email once committed.
    Returns how many bids were marked."""
    marked = Bid.objects.filter(opportunity=opportunity, status=BidStatus.SUBMITTED).update(
        needs_confirmation=True
    )
    audit_event_record(
        actor=actor,
        action=f"opportunity.{change.kind}",
        obj=opportunity,
        organisation=opportunity.body,
        from_state=opportunity.status,
        to_state=opportunity.status,
        note=f"{change.reason} ({marked} submitted bids to resubmit or confirm.)",
    )
    from ..tasks.sourcing_clarifications import opportunity_changed_notify

    delay_on_commit(opportunity_changed_notify, change.pk)
    return marked


@transaction.atomic
def opportunity_extend(
    *, actor: User, opportunity: Opportunity, deadlines: dict[str, datetime | None], reason: str
) -> OpportunityChange:
    """Move one or more deadlines later, with a reason. Each new deadline must be later than the
    current one and still to come; the clarifications close on or before the bid deadline, and
    expressions of interest close before it."""
    opportunity = _lock(opportunity)
    _check_runs(actor, opportunity)
    _check_changeable(opportunity)
    reason = _reason(reason)
    now = timezone.now()
    problems: dict[str, str] = {}
    moved: dict[str, tuple[datetime | None, datetime]] = {}
    for name, label in EXTENDABLE.items():
        new = deadlines.get(name)
        old = getattr(opportunity, name)
        if new is None or new == old:
            continue
        if name == "eoi_deadline" and opportunity.procedure != Procedure.TWO_STAGE:
            problems[name] = "Only a two-stage opportunity has an expression of interest deadline."
        elif old is not None and new < old:
            problems[name] = (
                f"The new {label} must be later than the current one ({selectors.london(old)}). "
                "A deadline can be extended, not brought forward."
            )
        elif new <= now:
            problems[name] = f"The new {label} must be in the future."
        else:
            moved[name] = (old, new)
    if not problems and not moved:
        raise ValidationError("Enter at least one new, later deadline.")
    after = {name: moved.get(name, (None, getattr(opportunity, name)))[1] for name in EXTENDABLE}
    if not problems:
        if after["clarifications_close_at"] > after["bid_deadline"]:
            problems["clarifications_close_at"] = (
                "Clarification questions must close on or before the bid deadline "
                f"({selectors.london(after['bid_deadline'])})."
            )
        if after["eoi_deadline"] is not None and after["eoi_deadline"] >= after["bid_deadline"]:
            problems["eoi_deadline"] = (
                "Expressions of interest must close before the bid deadline "
                f"({selectors.london(after['bid_deadline'])})."
            )
    if problems:
        raise ValidationError(problems)
    fields = {}
    for name, (old, new) in moved.items():
        setattr(opportunity, name, new)
        fields[name] = {
            "label": EXTENDABLE[name],
            "old": old.isoformat() if old else None,
            "new": new.isoformat(),
            "old_text": selectors.london(old) if old else "not set",
            "new_text": selectors.london(new),
        }
    opportunity.save(update_fields=[*moved, "updated_at"])
    change = OpportunityChange.objects.create(
        opportunity=opportunity,
        kind=OpportunityChangeKind.EXTENSION,
        reason=reason,
        details={"fields": fields},
        made_by=actor,
        made_at=now,
    )
    _after_change(actor=actor, opportunity=opportunity, change=change)
    return change


@dataclass(frozen=True)
class DocumentUpload:
    """One file to add: a new document, or the next version of one that it replaces."""

    file: File
    title: str = ""
    replaces: OpportunityDocument | None = None


@transaction.atomic
def opportunity_amend(
    *, actor: User, opportunity: Opportunity, uploads: list[DocumentUpload], reason: str
) -> OpportunityChange:
    """Add new documents or new versions of current ones, with a reason. A replaced document is
    kept, marked replaced, and its new version numbered after it."""
    opportunity = _lock(opportunity)
    _check_runs(actor, opportunity)
    _check_changeable(opportunity)
    reason = _reason(reason)
    if not uploads:
        raise ValidationError({"file": "Choose a file to upload."})
    checked = []
    for upload in uploads:
        original_name, content_type = uploaded_document_accept(
            upload.file, check=evidence_document_check
        )
        replaces = upload.replaces
        if replaces is not None:
            replaces = (
                OpportunityDocument.objects.select_for_update()
                .filter(pk=replaces.pk, opportunity=opportunity)
                .first()
            )
            if replaces is None or replaces.replaced:
                raise ValidationError(
                    {"replaces": "Choose one of the opportunity's current documents to replace."}
                )
        checked.append((upload, original_name, content_type, replaces))
    saved: list[OpportunityDocument] = []
    documents = []
    try:
        for upload, original_name, content_type, replaces in checked:
            title = upload.title.strip() or (
                replaces.title if replaces else os.path.splitext(original_name)[0]
            )
            document = OpportunityDocument(
                opportunity=opportunity,
                title=title[:200],
                original_name=original_name,
                content_type=content_type,
                size=upload.file.size,
                version=replaces.version + 1 if replaces else 1,
                uploaded_by=actor,
            )
            document.file.save(original_name, upload.file, save=False)
            saved.append(document)
            document.save()
            if replaces is not None:
                replaces.replaced = True
                replaces.save(update_fields=["replaced"])
            documents.append(
                {
                    "document": document.pk,
                    "title": document.title,
                    "version": document.version,
                    "original_name": original_name,
                    "replaces": replaces.pk if replaces else None,
                    "replaces_version": replaces.version if replaces else None,
                }
            )
    except Exception:
        for document in saved:
            document.file.delete(save=False)
        raise
    opportunity.save(update_fields=["updated_at"])
    change = OpportunityChange.objects.create(
        opportunity=opportunity,
        kind=OpportunityChangeKind.AMENDMENT,
        reason=reason,
        details={"documents": documents},
        made_by=actor,
    )
    _after_change(actor=actor, opportunity=opportunity, change=change)
    return change


def opportunity_change_emails_send(*, change_id: int) -> int:
    """Email a change, with its reason, to the active members of every interested or bidding
    organisation, once: recorded on the audit trail under a lock on the change."""
    from accounts.emails import send_templated_email

    with transaction.atomic():
        change = (
            OpportunityChange.objects.select_for_update()
            .filter(pk=change_id)
            .select_related("opportunity__body")
            .first()
        )
        if change is None or _already_recorded(CHANGE_EMAILED, change):
            return 0
        opportunity = change.opportunity
        recipients = selectors.interested_emails(opportunity)
        sent = send_templated_email(
            name="opportunity_changed",
            to=recipients,
            context={
                "opportunity": opportunity,
                "row": selectors.change_rows([change])[0],
                "made_at": selectors.london(change.made_at),
                "clarifications_url": reverse(
                    "commissioning:clarifications", args=[opportunity.pk]
                ),
            },
        )
        audit_event_record(
            actor=None,
            action=CHANGE_EMAILED,
            obj=change,
            organisation=opportunity.body,
            note=f"Emailed to {len(recipients)} people.",
        )
        return sent
