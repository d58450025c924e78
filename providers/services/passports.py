"""The pre-qualification passport ("tell us once", seeds/001 principles 5 and 6): an organisation
uploads its core documents once, a network admin accepts or returns each, and a complete set of
accepted, current documents makes a passport.

When the Passport row exists and when it goes:
- It is written when every kind has a live document that is accepted and current. It then expires
  two years after the earliest acceptance among those documents, or on the earliest "valid until"
  date among them, whichever comes first. So renewing one document (say the insurance) does not
  stretch the life of the others: the accounts accepted two years ago still need renewing.
- It is deleted when a kind has a returned document, or none: the network has said the set is
  not good enough.
- A replacement that is waiting for review leaves it standing, so that renewing early never
  costs an organisation its passport; its expiry date already covers the document replaced.
Otherwise expiry speaks: the directory's "has a current passport" reads Passport.expires_on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.access import is_network_admin
from accounts.models import Membership, Organisation, OrganisationKind, User
from accounts.services import audit_event_record
from accounts.uploads import uploaded_document_fill, uploaded_document_store
from accounts.workflow import check_transition, delay_on_commit

from ..models import (
    PASSPORT_DOCUMENT_TRANSITIONS,
    PASSPORT_VALID_YEARS,
    PASSPORT_WARNING_DAYS,
    Passport,
    PassportDocument,
    PassportDocumentKind,
    PassportDocumentStatus,
)
from .uploads import uploaded_document_check

# Expiry is shown this many days ahead, on the passport and on each document.
# Kinds whose documents always run out on a date people must give.
KINDS_NEEDING_VALID_UNTIL = frozenset({PassportDocumentKind.INSURANCE})


def add_years(day: date, years: int) -> date:
    """The same day some years on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# Reads


@dataclass(frozen=True)
class PassportRow:
    """One kind of document on the passport page, with its live document if there is one."""

    kind: str
    label: str
    document: PassportDocument | None
    expires_soon: bool
    has_expired: bool


@dataclass(frozen=True)
class PassportOverview:
    organisation: Organisation
    passport: Passport | None
    rows: list[PassportRow]

    @property
    def accepted_count(self) -> int:
        return sum(1 for row in self.rows if row.document is not None and row.document.is_current)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def passport_expires_soon(self) -> bool:
        return self.passport is not None and self.passport.expires_within(PASSPORT_WARNING_DAYS)


def live_passport_documents(organisation: Organisation):
    """The organisation's documents that are not superseded: at most one of each kind."""
    return (
        PassportDocument.objects.filter(organisation=organisation)
        .exclude(status=PassportDocumentStatus.SUPERSEDED)
        .select_related("uploaded_by", "reviewed_by")
    )


def passport_overview(organisation: Organisation) -> PassportOverview:
    """Every kind with its live document and how near it is to running out. Two queries."""
    today = timezone.localdate()
    live = {document.kind: document for document in live_passport_documents(organisation)}
    rows = []
    for kind, label in PassportDocumentKind.choices:
        document = live.get(kind)
        valid_until = document.valid_until if document else None
        rows.append(
            PassportRow(
                kind=kind,
                label=label,
                document=document,
                has_expired=valid_until is not None and valid_until < today,
                expires_soon=valid_until is not None
                and 0 <= (valid_until - today).days <= PASSPORT_WARNING_DAYS,
            )
        )
    passport = Passport.objects.filter(organisation=organisation).first()
    return PassportOverview(organisation=organisation, passport=passport, rows=rows)


def passport_expiry(documents: list[PassportDocument]) -> date:
    """Two years after the earliest acceptance, or the earliest valid-until date, if sooner."""
    ends = [
        add_years(timezone.localdate(document.reviewed_at), PASSPORT_VALID_YEARS)
        for document in documents
    ]
    ends.extend(document.valid_until for document in documents if document.valid_until)
    return min(ends)


# Writes


def passport_refresh(*, organisation: Organisation) -> Passport | None:
    """Bring the organisation's Passport row into line with its live documents (see the module
    docstring). Returns the passport, or None if it has none."""
    live = {document.kind: document for document in live_passport_documents(organisation)}
    kinds = PassportDocumentKind.values
    if all(kind in live and live[kind].is_current for kind in kinds):
        passport, _created = Passport.objects.update_or_create(
            organisation=organisation,
            defaults={
                "accepted_at": timezone.now(),
                "expires_on": passport_expiry(list(live.values())),
            },
        )
        return passport
    incomplete = any(
        kind not in live or live[kind].status == PassportDocumentStatus.RETURNED for kind in kinds
    )
    if incomplete:
        Passport.objects.filter(organisation=organisation).delete()
        return None
    return Passport.objects.filter(organisation=organisation).first()


def _document_move(
    *, document_id: int, actor: User, to_status: str, action: str, comment: str = ""
) -> PassportDocument:
    """The one guarded status change of a passport document: lock, check, save, audit."""
    document = PassportDocument.objects.select_for_update().get(pk=document_id)
    from_status = document.status
    check_transition(
        PASSPORT_DOCUMENT_TRANSITIONS, from_status, to_status, label="document's status"
    )
    document.status = to_status
    fields = ["status"]
    if to_status in (PassportDocumentStatus.ACCEPTED, PassportDocumentStatus.RETURNED):
        document.reviewed_by = actor
        document.reviewed_at = timezone.now()
        document.review_comment = comment
        fields += ["reviewed_by", "reviewed_at", "review_comment"]
    document.save(update_fields=fields)
    audit_event_record(
        actor=actor,
        action=action,
        obj=document,
        organisation=document.organisation,
        from_state=from_status,
        to_state=to_status,
        note=comment,
    )
    return document


def _check_member(actor: User, organisation: Organisation) -> None:
    if not Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise PermissionDenied("Only the organisation's members can change its passport.")


@transaction.atomic
def passport_document_supersede(*, actor: User, document: PassportDocument) -> PassportDocument:
    """Mark a live document as replaced. A step of passport_document_upload, which refreshes the
    passport once the replacement is saved."""
    _check_member(actor, document.organisation)
    return _document_move(
        document_id=document.pk,
        actor=actor,
        to_status=PassportDocumentStatus.SUPERSEDED,
        action="passport_document.superseded",
        comment="Replaced by a newer upload.",
    )


@transaction.atomic
def passport_document_upload(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    file: File,
    valid_until: date | None = None,
) -> PassportDocument:
    """Upload one document for review. It replaces the live document of the same kind."""
    if organisation.kind != OrganisationKind.THIRD_SECTOR:
        raise ValidationError("Only third sector organisations have a passport.")
    _check_member(actor, organisation)
    if kind not in PassportDocumentKind.values:
        raise ValidationError({"kind": "Choose which document this is."})
    if valid_until is None and kind in KINDS_NEEDING_VALID_UNTIL:
        raise ValidationError(
            {"valid_until": "Enter the date the insurance ends, as shown on the certificate."}
        )
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError(
            {"valid_until": "This date has passed. Upload a document that is still current."}
        )
    document = PassportDocument(
        organisation=organisation,
        kind=kind,
        valid_until=valid_until,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    name = uploaded_document_fill(document, file, check=uploaded_document_check)
    # Serialise uploads per organisation, so that two at once cannot both be live.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    live = PassportDocument.objects.filter(organisation=organisation, kind=kind).exclude(
        status=PassportDocumentStatus.SUPERSEDED
    )
    for previous in live:
        passport_document_supersede(actor=actor, document=previous)
    uploaded_document_store(document, file)
    audit_event_record(
        actor=actor,
        action="passport_document.uploaded",
        obj=document,
        organisation=organisation,
        to_state=document.status,
        note=name,
    )
    passport_refresh(organisation=organisation)
    from ..tasks import passport_document_uploaded_notify

    delay_on_commit(passport_document_uploaded_notify, document.pk)
    return document


def _document_review(
    *, actor: User, document: PassportDocument, to_status: str, comment: str
) -> PassportDocument:
    if not is_network_admin(actor):
        raise PermissionDenied("Only network admins review passport documents.")
    document = _document_move(
        document_id=document.pk,
        actor=actor,
        to_status=to_status,
        action=f"passport_document.{to_status}",
        comment=comment.strip(),
    )
    passport_refresh(organisation=document.organisation)
    from ..tasks import passport_document_reviewed_notify

    delay_on_commit(passport_document_reviewed_notify, document.pk)
    return document


@transaction.atomic
def passport_document_accept(
    *, actor: User, document: PassportDocument, comment: str = ""
) -> PassportDocument:
    return _document_review(
        actor=actor, document=document, to_status=PassportDocumentStatus.ACCEPTED, comment=comment
    )


@transaction.atomic
def passport_document_return(
    *, actor: User, document: PassportDocument, comment: str
) -> PassportDocument:
    """Send a document back; the organisation is told why, so that it can put it right."""
    if not comment.strip():
        raise ValidationError(
            {"comment": "Say why you are returning it, so that the organisation can put it right."}
        )
    return _document_review(
        actor=actor, document=document, to_status=PassportDocumentStatus.RETURNED, comment=comment
    )
