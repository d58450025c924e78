"""Importing third sector organisations from a CSV file, such as an extract of a charity register.

Rows are matched to organisations by registered number (charity number first, then company
number), so importing the same file twice changes nothing the second time. Each row is saved in
its own transaction: a file with broken rows imports its good rows and reports why it refused the
others.

Reading the file (its encoding and CSV dialect) and running the job are shared with the indicator
import, in accounts/imports.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import is_network_admin
from accounts.imports import (
    CsvFile,
    ImportFileError,
    csv_column_key,
    import_job_create,
    import_job_finish,
    import_job_progress_write,
    import_job_row_record,
    import_job_start,
)
from accounts.models import (
    LEGAL_FORMS_NEEDING_CHARITY_NUMBER,
    LEGAL_FORMS_NEEDING_COMPANY_NUMBER,
    ImportStatus,
    LegalForm,
    Organisation,
    OrganisationKind,
    RowOutcome,
    User,
    VerificationStatus,
)
from accounts.services import audit_event_record
from accounts.validators import (
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from accounts.workflow import delay_on_commit

from ..models import (
    IncomeBand,
    OrganisationImport,
    ProfileVersion,
    ProviderProfile,
)
from .profiles import directory_entry_refresh, profile_ensure

logger = logging.getLogger(__name__)

# Progress is written every this many rows, so the import page can show it.
PROGRESS_EVERY = 50
# Search documents are rebuilt in batches of this many organisations.
SEARCH_REFRESH_BATCH = 500


# The columns, as documented on the upload page and written in the template


@dataclass(frozen=True)
class ImportColumn:
    name: str
    required: bool
    format: str
    example: str


def _choices_text(choices: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{value} ({label})" for value, label in choices)


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "name",
        True,
        "The organisation's name as registered, up to 200 characters. A name that differs "
        "only in capitals or spacing is left as it is.",
        "Example Community Trust",
    ),
    ImportColumn(
        "legal_form",
        False,
        "One of: " + _choices_text(LegalForm.choices) + ". The code or the full name; "
        "capitals do not matter.",
        "clg",
    ),
    ImportColumn(
        "charity_number",
        False,
        "Charity Commission for England and Wales: 7 digits starting with 1, or 6 digits for "
        "older charities. A linked-charity suffix such as -1 is dropped. Needed for charities "
        "and CIOs.",
        "1234567",
    ),
    ImportColumn(
        "company_number",
        False,
        "Companies House: 8 digits, or 2 letters and 6 digits (SC123456). Leading zeros may be "
        "left out. Needed for CICs and companies limited by guarantee.",
        "01234567",
    ),
    ImportColumn("address", False, "The postal address, without the postcode.", "1 High Street"),
    ImportColumn("postcode", False, "A UK postcode.", "E8 1DY"),
    ImportColumn(
        "website",
        False,
        "A web address. https:// is added when it is left out.",
        "https://www.example.org.uk",
    ),
    ImportColumn(
        "description",
        False,
        "A sentence or two about what the organisation does, for the public directory.",
        "Advice and befriending for older people in Lindenford.",
    ),
    ImportColumn(
        "income_band",
        False,
        "Annual income, one of: " + _choices_text(IncomeBand.choices) + ".",
        "small",
    ),
    ImportColumn(
        "year_founded",
        False,
        "The year the organisation was founded: 4 digits, not before 1500.",
        "1998",
    ),
    ImportColumn(
        "contact_email",
        False,
        "The organisation's contact email address. Network members see it; the public does not.",
        "hello@example.org.uk",
    ),
)
COLUMN_NAMES = tuple(column.name for column in IMPORT_COLUMNS)
REQUIRED_COLUMNS = tuple(column.name for column in IMPORT_COLUMNS if column.required)


def import_template_rows() -> list[list[str]]:
    """The template CSV: the column names, then one example row."""
    return [list(COLUMN_NAMES), [column.example for column in IMPORT_COLUMNS]]


# Reading a file


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    # Values beyond the named columns: usually a comma in an unquoted value.
    extra_values: int = 0


@dataclass(frozen=True)
class ParsedCsv:
    encoding: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[CsvRow]


def import_file_read(*, data: bytes) -> ParsedCsv:
    """Decode and parse an uploaded file, or raise ImportFileError saying why it cannot be used."""
    file = CsvFile(data)
    header = file.header
    keys = [csv_column_key(h) for h in header]
    seen: set[str] = set()
    for key in keys:
        if key and key in seen:
            raise ImportFileError(f"The column “{key}” appears twice in the first line.")
        seen.add(key)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise ImportFileError(
            f"The file has no {', '.join(missing)} column, so nothing was imported. "
            "The first line must name the columns, as in the template: "
            f"{', '.join(COLUMN_NAMES)}."
        )
    positions = {key: i for i, key in enumerate(keys) if key in COLUMN_NAMES}
    rows: list[CsvRow] = []
    for line, cells in file.rows():
        values = {key: (cells[i].strip() if i < len(cells) else "") for key, i in positions.items()}
        extra = sum(1 for cell in cells[len(keys) :] if cell.strip())
        rows.append(CsvRow(line=line, values=values, extra_values=extra))
    if not rows:
        raise ImportFileError("The file names its columns but has no rows of organisations.")
    return ParsedCsv(
        encoding=file.encoding,
        columns=[key for key in keys if key in COLUMN_NAMES],
        ignored_columns=[
            h.strip() for h, key in zip(header, keys, strict=True) if key and key not in positions
        ],
        rows=rows,
    )


# Checking a row


@dataclass
class CleanRow:
    """A row's values as the models hold them. Only the cells that were filled in are here: an
    empty cell leaves what the portal already holds."""

    organisation: dict[str, str] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def charity_number(self) -> str:
        return self.organisation.get("charity_number", "")

    @property
    def company_number(self) -> str:
        return self.organisation.get("company_number", "")


def _choice_lookup(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    return lookup


_LEGAL_FORMS = _choice_lookup(LegalForm.choices)
_INCOME_BANDS = _choice_lookup(IncomeBand.choices)
_url_valid = URLValidator(schemes=["http", "https"])
_email_valid = EmailValidator()


def _clean_year(value: str) -> int:
    this_year = timezone.localdate().year
    if not value.isdigit() or not 1500 <= int(value) <= this_year:
        raise ValidationError(f"“{value}” is not a year: give 4 digits from 1500 to {this_year}.")
    return int(value)


def _clean_website(value: str) -> str:
    url = value if "://" in value else f"https://{value}"
    _url_valid(url)
    if len(url) > 200:
        raise ValidationError("The web address is longer than 200 characters.")
    return url


def _clean_email(value: str) -> str:
    _email_valid(value)
    return value


def _clean_choice(lookup: dict[str, str], what: str):
    def clean(value: str) -> str:
        try:
            return lookup[value.lower()]
        except KeyError:
            raise ValidationError(
                f"“{value}” is not {what}. See the list of values on the import page."
            ) from None

    return clean


def _clean_name(value: str) -> str:
    name = " ".join(value.split())
    if len(name) > 200:
        raise ValidationError("The name is longer than 200 characters.")
    return name


# Each column: which record it goes to, and how its text becomes a value.
_CLEANERS = {
    "name": ("organisation", _clean_name),
    "legal_form": ("organisation", _clean_choice(_LEGAL_FORMS, "a legal form")),
    "charity_number": ("organisation", normalise_charity_number),
    "company_number": ("organisation", normalise_company_number),
    "address": ("organisation", str),
    "postcode": ("organisation", normalise_postcode),
    "website": ("profile", _clean_website),
    "description": ("profile", str),
    "income_band": ("profile", _clean_choice(_INCOME_BANDS, "an income band")),
    "year_founded": ("profile", _clean_year),
    "contact_email": ("profile", _clean_email),
}


def import_row_clean(row: CsvRow) -> tuple[CleanRow | None, list[str]]:
    """The row's values, or None and every reason it cannot be imported."""
    clean = CleanRow()
    problems: list[str] = []
    if row.extra_values:
        problems.append(
            "This row has more values than the first line has columns. A value with a comma "
            "in it must be in double quotes."
        )
    for column, (target, cleaner) in _CLEANERS.items():
        raw = row.values.get(column, "")
        if not raw:
            continue
        try:
            value = cleaner(raw)
        except ValidationError as error:
            problems.extend(f"{column}: {message}" for message in error.messages)
            continue
        if value not in ("", None):
            getattr(clean, target)[column] = value
    if "name" not in clean.organisation and not any(p.startswith("name:") for p in problems):
        problems.append("name: Every row needs the organisation's name.")
    number_problem = any(p.startswith(("charity_number:", "company_number:")) for p in problems)
    legal_form = clean.organisation.get("legal_form")
    if legal_form in LEGAL_FORMS_NEEDING_CHARITY_NUMBER and not clean.charity_number:
        if not number_problem:
            problems.append(
                f"charity_number: A {LegalForm(legal_form).label.lower()} needs its charity number."
            )
    elif legal_form in LEGAL_FORMS_NEEDING_COMPANY_NUMBER and not clean.company_number:
        if not number_problem:
            problems.append(
                f"company_number: A {LegalForm(legal_form).label.lower()} needs its company number."
            )
    elif not clean.charity_number and not clean.company_number and not number_problem:
        problems.append(
            "Give a charity number or a company number: rows are matched to organisations by "
            "their registered numbers."
        )
    return (None, problems) if problems else (clean, [])


# Saving a row


class RowRefused(Exception):
    """A row that is well formed but cannot be applied, with the reason."""


@dataclass
class RowResult:
    outcome: str
    organisation: Organisation | None = None
    messages: list[str] = field(default_factory=list)


def _shown(name: str, value: Any) -> str:
    if value in ("", None):
        return "—"
    if name == "income_band":
        return str(IncomeBand(value).label)
    if name == "legal_form":
        return str(LegalForm(value).label)
    return str(value)


def _same(name: str, current: Any, new: Any) -> bool:
    if name == "name":
        return " ".join(str(current).split()).casefold() == str(new).casefold()
    return current == new


def _row_create(clean: CleanRow, *, actor: User, source: str) -> RowResult:
    now = timezone.now()
    organisation = Organisation(
        kind=OrganisationKind.THIRD_SECTOR,
        verification_status=VerificationStatus.VERIFIED,
        verified_at=now,
        submitted_at=now,
        verification_reason=f"Imported by a network admin from a public register ({source}).",
        **clean.organisation,
    )
    organisation.full_clean()
    organisation.save()
    profile = profile_ensure(organisation)
    for name, value in clean.profile.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    audit_event_record(
        actor=actor,
        action="organisation.imported",
        obj=organisation,
        to_state=VerificationStatus.VERIFIED,
        note=source,
    )
    return RowResult(RowOutcome.CREATED, organisation)


def _row_update(
    organisation: Organisation, clean: CleanRow, *, actor: User, source: str
) -> RowResult:
    if organisation.kind != OrganisationKind.THIRD_SECTOR:
        raise RowRefused(
            f"This number belongs to {organisation}, which is a "
            f"{organisation.get_kind_display().lower()}, not a third sector organisation."
        )
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in clean.organisation.items():
        current = getattr(organisation, name)
        if name in ("charity_number", "company_number") and current and current != value:
            label = "charity" if name == "charity_number" else "company"
            raise RowRefused(
                f"{organisation} has {label} number {current}, but this row says {value}. "
                "Check which is right before importing this row again."
            )
        if not _same(name, current, value):
            changed[name] = (current, value)
            setattr(organisation, name, value)
    profile = ProviderProfile.objects.select_for_update().get(pk=profile_ensure(organisation).pk)
    profile_changed: dict[str, tuple[Any, Any]] = {}
    for name, value in clean.profile.items():
        current = getattr(profile, name)
        if current != value:
            profile_changed[name] = (current, value)
            setattr(profile, name, value)
    messages: list[str] = []
    if organisation.verification_status != VerificationStatus.VERIFIED:
        messages.append(
            f"{organisation} stays {organisation.get_verification_status_display().lower()}: "
            "the import does not decide on organisations that registered themselves."
        )
    if not changed and not profile_changed:
        return RowResult(RowOutcome.UNCHANGED, organisation, messages)
    if changed:
        organisation.full_clean()
        organisation.save(update_fields=[*changed, "updated_at"])
    if profile_changed:
        profile.full_clean()
        profile.save(update_fields=[*profile_changed, "updated_at"])
        ProfileVersion.objects.create(
            profile=profile,
            actor=actor,
            changed={
                str(profile._meta.get_field(name).verbose_name): [
                    _shown(name, before),
                    _shown(name, after),
                ]
                for name, (before, after) in profile_changed.items()
            },
        )
    described = []
    for name, (before, after) in {**changed, **profile_changed}.items():
        if name in ("description", "address"):
            described.append(name)
        else:
            described.append(f"{name} ({_shown(name, before)} → {_shown(name, after)})")
    audit_event_record(
        actor=actor,
        action="organisation.updated_by_import",
        obj=organisation,
        note=f"Changed: {', '.join(described)}. From {source}.",
    )
    messages.insert(0, "Changed: " + ", ".join(name.replace("_", " ") for name in described))
    return RowResult(RowOutcome.UPDATED, organisation, messages)


def _row_apply(clean: CleanRow, *, actor: User, source: str) -> RowResult:
    """Create or update the organisation the row's registered numbers name."""
    organisations = Organisation.objects.select_for_update()
    by_charity = (
        organisations.filter(charity_number=clean.charity_number).first()
        if clean.charity_number
        else None
    )
    by_company = (
        organisations.filter(company_number=clean.company_number).first()
        if clean.company_number
        else None
    )
    if by_charity and by_company and by_charity.pk != by_company.pk:
        raise RowRefused(
            f"The charity number belongs to {by_charity} and the company number to "
            f"{by_company}. Check which organisation this row is for."
        )
    organisation = by_charity or by_company
    if organisation is None:
        return _row_create(clean, actor=actor, source=source)
    return _row_update(organisation, clean, actor=actor, source=source)


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def import_row_process(row: CsvRow, *, actor: User, source: str) -> RowResult:
    """Check and save one row in its own transaction; a refused row leaves nothing behind."""
    clean, problems = import_row_clean(row)
    if clean is None:
        return RowResult(RowOutcome.REFUSED, messages=problems)
    try:
        with transaction.atomic():
            return _row_apply(clean, actor=actor, source=f"{source}, line {row.line}")
    except RowRefused as error:
        return RowResult(RowOutcome.REFUSED, messages=[str(error)])
    except ValidationError as error:
        return RowResult(RowOutcome.REFUSED, messages=_error_messages(error))
    except IntegrityError:
        # Another import or registration took the same number a moment ago.
        return RowResult(
            RowOutcome.REFUSED,
            messages=["An organisation with this number was saved at the same moment. Try again."],
        )


# The import job

CREATED_ACTION = "organisation_import.created"
FINISHED_ACTION = "organisation_import.finished"


@transaction.atomic
def organisation_import_create(
    *, actor: User, original_name: str, data: bytes
) -> OrganisationImport:
    """Keep the uploaded file in private storage and queue the import.

    Raises ValidationError, naming the file field, when the file cannot be imported at all:
    nothing is saved then."""
    if not is_network_admin(actor):
        raise PermissionDenied("Only network admins import organisations.")
    try:
        parsed = import_file_read(data=data)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    job = import_job_create(
        OrganisationImport,
        actor=actor,
        original_name=original_name,
        data=data,
        total_rows=len(parsed.rows),
        action=CREATED_ACTION,
    )
    from ..tasks import organisation_import_run as run_task

    delay_on_commit(run_task, job.pk)
    return job


def organisation_import_run(*, import_id: int) -> OrganisationImport:
    """Import every row of the file, writing progress as it goes. Does nothing to a finished job.
    A job left running by a lost worker starts again from the top: rows are matched by number."""
    job, parsed = import_job_start(
        OrganisationImport,
        import_id,
        lambda data: import_file_read(data=data),
        action=FINISHED_ACTION,
    )
    if parsed is None:
        return job

    actor = job.uploaded_by
    job.total_rows = len(parsed.rows)
    touched: list[int] = []
    row = None
    try:
        for row in parsed.rows:
            result = import_row_process(row, actor=actor, source=job.original_name)
            import_job_row_record(
                job,
                {
                    "line": row.line,
                    "outcome": result.outcome,
                    "name": row.values.get("name", ""),
                    "organisation_id": result.organisation.pk if result.organisation else None,
                    "messages": result.messages,
                },
            )
            if result.outcome in (RowOutcome.CREATED, RowOutcome.UPDATED):
                touched.append(result.organisation.pk)
            if job.processed_rows % PROGRESS_EVERY == 0:
                import_job_progress_write(job)
        for start in range(0, len(touched), SEARCH_REFRESH_BATCH):
            directory_entry_refresh(organisation_ids=touched[start : start + SEARCH_REFRESH_BATCH])
    except Exception:
        logger.exception("Import %s stopped", job.pk)
        where = f" at line {row.line}" if row is not None else ""
        import_job_finish(
            job,
            status=ImportStatus.FAILED,
            action=FINISHED_ACTION,
            error=f"The import stopped{where} because of an unexpected error. The rows before "
            "it were imported; importing the file again is safe.",
        )
        raise
    import_job_finish(job, status=ImportStatus.DONE, action=FINISHED_ACTION)
    return job
