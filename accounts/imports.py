"""What the CSV imports share (organisations in providers, indicator values in commissioning):
reading an uploaded file, running an ImportJob from upload to its finishing audit event, and what
an import's page shows.

Encoding: files are read as UTF-8, with or without a byte order mark. A file that is not valid
UTF-8 but is valid Windows-1252 (what Excel's "CSV (Comma delimited)" writes) is read as
Windows-1252; anything else is refused with a message saying how to save it as "CSV UTF-8".
Each app keeps its own columns, its own checks on a row and its own writes.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .forms import ImportReportFilterForm
from .models import ImportJob, ImportStatus, RowOutcome, User
from .services import audit_event_record

logger = logging.getLogger(__name__)

Job = TypeVar("Job", bound=ImportJob)
Parsed = TypeVar("Parsed")


# The job's count of each outcome.
COUNTERS = {
    RowOutcome.CREATED: "created_count",
    RowOutcome.UPDATED: "updated_count",
    RowOutcome.UNCHANGED: "unchanged_count",
    RowOutcome.REFUSED: "refused_count",
}


# Reading a file


class ImportFileError(Exception):
    """A file that cannot be imported at all, with a message for the person who uploaded it."""


SAVE_AS_CSV = "In your spreadsheet, choose Save as, then “CSV UTF-8 (comma delimited)”."
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or another zipped file",
    b"\xd0\xcf\x11\xe0": "an older Excel workbook",
    b"%PDF": "a PDF",
}


def _decode(data: bytes) -> tuple[str, str]:
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(f"This looks like {what}, not a CSV file. {SAVE_AS_CSV}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            f"This file is saved as UTF-16 (“Unicode text”), which we cannot read. {SAVE_AS_CSV}"
        )
    if b"\x00" in data:
        raise ImportFileError(f"This is not a CSV file: it holds binary data. {SAVE_AS_CSV}")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise ImportFileError(
            f"This file is not in the UTF-8 text encoding: line {line} has characters we cannot "
            f"read. {SAVE_AS_CSV}"
        ) from None


def import_file_encoding(data: bytes) -> str:
    """The encoding an uploaded file is read with: "utf-8" or "cp1252"."""
    return _decode(data)[1]


def _delimiter(first_line: str) -> str:
    """Commas, unless the header is plainly separated by semicolons or tabs."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def csv_column_key(heading: str) -> str:
    """A column's heading as a key: lower case, with spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


class CsvFile:
    """An uploaded file read as CSV: its encoding, its first line (the column headings), then
    each later line that holds a value. Raises ImportFileError when the file is empty, is not
    text in an encoding we read, or is not well-formed CSV."""

    def __init__(self, data: bytes) -> None:
        if not data.strip():
            raise ImportFileError("The file is empty.")
        text, self.encoding = _decode(data)
        self._reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0])
        )
        try:
            self.header: list[str] = next(self._reader, [])
        except csv.Error as error:
            raise self._unreadable(error) from None

    def _unreadable(self, error: csv.Error) -> ImportFileError:
        return ImportFileError(
            f"Line {self._reader.line_num} could not be read as CSV ({error}). {SAVE_AS_CSV}"
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each line after the first that is not blank: its number in the file (line 1 names the
        columns), and its cells."""
        reader = self._reader
        last_line = reader.line_num
        try:
            for cells in reader:
                line = last_line + 1
                last_line = reader.line_num
                if any(cell.strip() for cell in cells):
                    yield line, cells
        except csv.Error as error:
            raise self._unreadable(error) from None


# The import job


def import_job_create(
    model: type[Job],
    *,
    actor: User,
    original_name: str,
    data: bytes,
    total_rows: int,
    action: str,
) -> Job:
    """Keep the uploaded file in private storage as a queued job, and record it with the audit
    event `action`. The caller checks the file first, and starts the import."""
    job = model(
        uploaded_by=actor,
        original_name=original_name[:255],
        total_rows=total_rows,
        status=ImportStatus.QUEUED,
    )
    job.file.save(f"{uuid.uuid4().hex}.csv", ContentFile(data), save=False)
    job.save()
    audit_event_record(
        actor=actor,
        action=action,
        obj=job,
        to_state=ImportStatus.QUEUED,
        note=f"{job.original_name}: {job.total_rows} rows",
    )
    return job


def import_job_claim(model: type[Job], import_id: int) -> Job | None:
    """Mark the job running, with its counts and report cleared; None if it has already
    finished. A job left running by a lost worker starts again from the top: rows are matched
    to what the portal holds, so that is safe."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=import_id)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        job.status = ImportStatus.RUNNING
        job.processed_rows = 0
        job.created_count = job.updated_count = job.unchanged_count = job.refused_count = 0
        job.report = []
        job.error = ""
        job.save()
        return job


def import_job_start(
    model: type[Job], import_id: int, read: Callable[[bytes], Parsed], *, action: str
) -> tuple[Job, Parsed | None]:
    """Claim the job and read its stored file with `read`. The file is None when there is nothing
    to import: the job had already finished, or its file cannot be read or parsed, and the job is
    now finished as failed, with the audit event `action`."""
    job = import_job_claim(model, import_id)
    if job is None:
        return model.objects.get(pk=import_id), None
    return job, _stored_file_read(job, read, action=action)


def _stored_file_read(job: Job, read: Callable[[bytes], Parsed], *, action: str) -> Parsed | None:
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
        return read(data)
    except ImportFileError as error:
        import_job_finish(job, status=ImportStatus.FAILED, action=action, error=str(error))
    except OSError:
        logger.exception("%s %s: could not read the stored file", job._meta.verbose_name, job.pk)
        import_job_finish(
            job,
            status=ImportStatus.FAILED,
            action=action,
            error="The uploaded file could not be read.",
        )
    return None


def import_job_row_record(job: ImportJob, entry: dict) -> None:
    """Add one row's report entry to the job, and count it under its outcome."""
    job.report.append(entry)
    counter = COUNTERS[entry["outcome"]]
    setattr(job, counter, getattr(job, counter) + 1)
    job.processed_rows += 1


def import_job_progress_write(job: ImportJob) -> None:
    """Write the job's counts so far, for its page to show while it runs. The report is written
    when the job finishes."""
    type(job).objects.filter(pk=job.pk).update(
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        **{name: getattr(job, name) for name in COUNTERS.values()},
    )


def import_job_finish(job: ImportJob, *, status: str, action: str, error: str = "") -> None:
    """Save the finished job with its report, and record the audit event `action`."""
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save()
    audit_event_record(
        actor=job.uploaded_by,
        action=action,
        obj=job,
        from_state=ImportStatus.RUNNING,
        to_state=status,
        note=error
        or (
            f"{job.created_count} created, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged, {job.refused_count} refused"
        ),
    )


# An import's page


def import_report_context(request, job: ImportJob, *, detail_view: str, page_size: int) -> dict:
    """What an import's page (templates/includes/import_detail.html) shows: the job and a page of
    its report, filtered by outcome. detail_view names the page's URL."""
    filter_form = ImportReportFilterForm(request.GET or None)
    outcome = filter_form.cleaned_data["outcome"] if filter_form.is_valid() else ""
    rows = [r for r in job.report if r["outcome"] == outcome] if outcome else job.report
    return {
        "job": job,
        "detail_url": reverse(detail_view, args=[job.pk]),
        "filter_form": filter_form,
        "outcome": outcome,
        "page": Paginator(rows, page_size).get_page(request.GET.get("page")),
        "filter_query": f"outcome={outcome}" if outcome else "",
        "in_progress": job.in_progress,
    }


def import_encoding_warn(request, data: bytes, *, check: str) -> None:
    """Tell the person when their file was read as Windows-1252, so they check `check`."""
    if import_file_encoding(data) != "utf-8":
        messages.warning(
            request,
            "The file was not saved as UTF-8, so it was read as Windows-1252 (what Excel "
            f"calls “CSV (Comma delimited)”). Check that {check} look right below.",
        )
