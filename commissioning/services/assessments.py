"""Writes for needs assessments: writing and changing one, marking it reviewed, its documents, and
the reminder its owners get once its review date has passed. Each write is audited."""

from __future__ import annotations

import os
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import audit_event_record
from accounts.uploads import (
    uploaded_document_fill,
    uploaded_document_name,
    uploaded_document_store,
    uploaded_document_title,
)
from accounts.workflow import delay_on_commit

from ..access import acts_for, check_acts_for
from ..models import NeedsAssessment, NeedsAssessmentDocument
from ..selectors.assessments import REVIEWED_ACTION
from .overlaps import overlap_pairs_refresh_soon

# What a commissioner writes; the body is chosen apart, and the rest is the service's to set.
ASSESSMENT_FIELDS = (
    "title",
    "summary",
    "data_sources",
    "method",
    "involvement",
    "assessed_on",
    "next_review_on",
    "visibility",
)
ASSESSMENT_M2M = ("themes", "areas", "population_groups", "indicators")

NO_THEME = "Choose at least one theme, so that people can find the assessment."
NO_AREA = "Choose at least one area that the assessment covers."
REVIEW_NOT_AFTER = "The next review date must be after the date of the assessment."


def _check_assessment(assessment: NeedsAssessment, m2m: dict[str, list]) -> None:
    """The rules a saved assessment keeps, with a message beside the field each one is about."""
    errors: dict[str, list[str]] = {}
    if not m2m.get("themes"):
        errors["themes"] = [NO_THEME]
    if not m2m.get("areas"):
        errors["areas"] = [NO_AREA]
    assessed, review = assessment.assessed_on, assessment.next_review_on
    if assessed and review and review <= assessed:
        errors["next_review_on"] = [REVIEW_NOT_AFTER]
    try:
        # The review-date constraint is checked above, in words people understand.
        assessment.full_clean(validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _shown(value) -> str:
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    return str(value)


def _snapshot(assessment: NeedsAssessment) -> dict[str, str]:
    shown = {name: _shown(getattr(assessment, name)) for name in ASSESSMENT_FIELDS}
    shown["body"] = str(assessment.body_id)
    if assessment.pk:
        for name in ASSESSMENT_M2M:
            shown[name] = ",".join(
                str(pk) for pk in sorted(getattr(assessment, name).values_list("pk", flat=True))
            )
    return shown


def _set_m2m(assessment: NeedsAssessment, m2m: dict[str, list]) -> None:
    for name in ASSESSMENT_M2M:
        if name in m2m:
            getattr(assessment, name).set(m2m[name])


@transaction.atomic
def needs_assessment_create(
    *, actor: User, body: Organisation, data: dict, m2m: dict[str, list]
) -> NeedsAssessment:
    """A commissioner writes an assessment for one of their bodies."""
    if not acts_for(actor, body):
        raise PermissionDenied(f"Only members of {body} can write its needs assessments.")
    assessment = NeedsAssessment(
        body=body,
        created_by=actor,
        **{name: value for name, value in data.items() if name in ASSESSMENT_FIELDS},
    )
    _check_assessment(assessment, m2m)
    assessment.save()
    _set_m2m(assessment, m2m)
    audit_event_record(
        actor=actor,
        action="needs_assessment.created",
        obj=assessment,
        organisation=body,
        to_state=assessment.visibility,
    )
    overlap_pairs_refresh_soon()
    return assessment


@transaction.atomic
def needs_assessment_update(
    *,
    actor: User,
    assessment: NeedsAssessment,
    data: dict,
    m2m: dict[str, list],
    body: Organisation | None = None,
) -> NeedsAssessment:
    """Change an assessment. Its owners may hand it to another of their bodies."""
    check_acts_for(actor, assessment.body)
    if body is not None and not acts_for(actor, body):
        raise PermissionDenied(f"Only members of {body} can take on this assessment.")
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    before = _snapshot(assessment)
    from_visibility = assessment.visibility
    for name, value in data.items():
        if name in ASSESSMENT_FIELDS:
            setattr(assessment, name, value)
    if body is not None:
        assessment.body = body
    current = {name: list(getattr(assessment, name).all()) for name in ASSESSMENT_M2M}
    _check_assessment(assessment, {**current, **m2m})
    assessment.save()
    _set_m2m(assessment, m2m)
    after = _snapshot(assessment)
    changed = [name for name, value in after.items() if before.get(name) != value]
    audit_event_record(
        actor=actor,
        action="needs_assessment.updated",
        obj=assessment,
        organisation=assessment.body,
        from_state=from_visibility,
        to_state=assessment.visibility,
        note=("Changed: " + ", ".join(changed)) if changed else "Saved with no changes.",
    )
    overlap_pairs_refresh_soon()
    return assessment


@transaction.atomic
def needs_assessment_mark_reviewed(
    *, actor: User, assessment: NeedsAssessment, next_review_on: date, note: str
) -> NeedsAssessment:
    """The owning body has looked at the assessment again: it is current until the new review
    date, and its owners will be reminded afresh when that passes."""
    check_acts_for(actor, assessment.body)
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    errors: dict[str, str] = {}
    if next_review_on <= timezone.localdate():
        errors["next_review_on"] = "The next review date must be in the future."
    elif next_review_on <= assessment.assessed_on:
        errors["next_review_on"] = REVIEW_NOT_AFTER
    if not note.strip():
        errors["note"] = "Say what the review found, or why the assessment still stands."
    if errors:
        raise ValidationError(errors)
    previous = assessment.next_review_on
    assessment.next_review_on = next_review_on
    assessment.reminded_for = None
    assessment.save(update_fields=["next_review_on", "reminded_for", "updated_at"])
    audit_event_record(
        actor=actor,
        action=REVIEWED_ACTION,
        obj=assessment,
        organisation=assessment.body,
        from_state=previous.isoformat(),
        to_state=next_review_on.isoformat(),
        note=note.strip(),
    )
    return assessment


# Documents: the evidence behind an assessment, in private storage

# Extension: (content type, the name people know it by, the bytes a real file starts with).
# Office Open XML and OpenDocument files are zip archives; the older Office files share one
# container format. A CSV file has no signature: it is checked to be text instead.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
EVIDENCE_DOCUMENT_TYPES: dict[str, tuple[str, str, bytes | None]] = {
    ".pdf": ("application/pdf", "PDF", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
        ZIP_SIGNATURE,
    ),
    ".doc": ("application/msword", "Word 97-2003", OLE_SIGNATURE),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        ZIP_SIGNATURE,
    ),
    ".xls": ("application/vnd.ms-excel", "Excel 97-2003", OLE_SIGNATURE),
    ".csv": ("text/csv", "CSV", None),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text", ZIP_SIGNATURE),
    ".ods": (
        "application/vnd.oasis.opendocument.spreadsheet",
        "OpenDocument spreadsheet",
        ZIP_SIGNATURE,
    ),
    ".odp": (
        "application/vnd.oasis.opendocument.presentation",
        "OpenDocument presentation",
        ZIP_SIGNATURE,
    ),
}
EVIDENCE_TYPES_TEXT = (
    "PDF, Word (.docx or .doc), Excel (.xlsx or .xls), CSV or OpenDocument (.odt, .ods or .odp)"
)
EVIDENCE_ACCEPT_ATTRIBUTE = ",".join(EVIDENCE_DOCUMENT_TYPES)
DEFAULT_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# How much of a CSV file is read to tell that it is text.
CSV_SNIFF_BYTES = 8192


def evidence_max_bytes() -> int:
    """Evidence runs larger than passport documents: whole reports and data tables."""
    return getattr(settings, "PORTAL_MAX_EVIDENCE_UPLOAD_BYTES", DEFAULT_MAX_EVIDENCE_BYTES)


def evidence_max_text() -> str:
    limit = evidence_max_bytes()
    megabyte = 1024 * 1024
    return f"{limit // megabyte} MB" if limit % megabyte == 0 else filesizeformat(limit)


def evidence_document_check(file: File) -> str:
    """The content type to store for an uploaded piece of evidence, or a ValidationError that
    says why it is refused and what to do instead. The name and the content must agree."""
    name = uploaded_document_name(file)
    size = file.size or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty. Check that it is the right file and try again.")
    if size > evidence_max_bytes():
        raise ValidationError(
            f"“{name}” is {filesizeformat(size)}, which is too large. Files can be up to "
            f"{evidence_max_text()}: split it, or save it as a smaller PDF, and try again."
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in EVIDENCE_DOCUMENT_TYPES:
        raise ValidationError(
            f"“{name}” is not a type of file we accept. Upload a {EVIDENCE_TYPES_TEXT} file."
        )
    content_type, label, signature = EVIDENCE_DOCUMENT_TYPES[extension]
    file.seek(0)
    head = file.read(CSV_SNIFF_BYTES if signature is None else len(signature))
    file.seek(0)
    if signature is None:
        looks_right = b"\x00" not in head and not head.startswith((ZIP_SIGNATURE, OLE_SIGNATURE))
    else:
        looks_right = head == signature
    if not looks_right:
        article = "an" if label[0] in "AEIOU" else "a"
        raise ValidationError(
            f"“{name}” is named as {article} {label} file, but its content is not {label}. "
            f"Open it, save it again as a real {label} file (or as a PDF), and upload that."
        )
    return content_type


@transaction.atomic
def needs_assessment_document_add(
    *, actor: User, assessment: NeedsAssessment, file: File, title: str = ""
) -> NeedsAssessmentDocument:
    check_acts_for(actor, assessment.body)
    document = NeedsAssessmentDocument(assessment=assessment, uploaded_by=actor)
    original_name = uploaded_document_fill(document, file, check=evidence_document_check)
    document.title = uploaded_document_title(title, original_name)
    uploaded_document_store(document, file)
    audit_event_record(
        actor=actor,
        action="needs_assessment.document_added",
        obj=assessment,
        organisation=assessment.body,
        note=f"{document.title} ({original_name})",
    )
    return document


@transaction.atomic
def needs_assessment_document_delete(*, actor: User, document: NeedsAssessmentDocument) -> None:
    """Remove a document; its file goes once the removal is committed."""
    check_acts_for(actor, document.assessment.body)
    assessment = document.assessment
    stored_name, storage = document.file.name, document.file.storage
    note = f"{document.title} ({document.original_name})"
    document.delete()
    audit_event_record(
        actor=actor,
        action="needs_assessment.document_deleted",
        obj=assessment,
        organisation=assessment.body,
        note=note,
    )
    transaction.on_commit(lambda: storage.delete(stored_name))


# Review reminders


def needs_assessment_reminders_due(*, today: date | None = None) -> list[int]:
    """The assessments whose review date has passed and whose owners have not yet been reminded
    of that date."""
    today = today or timezone.localdate()
    return list(
        NeedsAssessment.objects.filter(next_review_on__lt=today)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("next_review_on")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def needs_assessment_review_remind(*, assessment_id: int, today: date | None = None) -> bool:
    """Note that the owners are being reminded of this review date, and email them once that is
    committed. False, and nothing sent, if it is not overdue or they were reminded already."""
    from ..tasks.assessments import needs_assessment_review_due_notify

    today = today or timezone.localdate()
    assessment = NeedsAssessment.objects.select_for_update().filter(pk=assessment_id).first()
    if assessment is None or assessment.next_review_on >= today:
        return False
    if assessment.reminded_for == assessment.next_review_on:
        return False
    assessment.reminded_for = assessment.next_review_on
    assessment.save(update_fields=["reminded_for"])
    audit_event_record(
        actor=None,
        action="needs_assessment.review_reminded",
        obj=assessment,
        organisation=assessment.body,
        to_state=assessment.next_review_on.isoformat(),
    )
    delay_on_commit(
        needs_assessment_review_due_notify, assessment.pk, assessment.next_review_on.isoformat()
    )
    return True
