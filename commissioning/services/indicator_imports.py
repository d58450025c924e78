"""Importing indicator values from CSV, in the column layout of public health profile (Fingertips)
downloads or in the portal's own short column names.

Rows are matched by indicator code, area code and period, so importing the same file twice
changes nothing the second time. Every row is checked first; the good rows are kept and the bad
ones refused with their reasons. Rows are looked up and written in batches (one read of the
existing values and one upsert a batch), so a file of 100,000 rows takes seconds, not hours. A
file of more than INLINE_ROWS rows runs as a Celery task, writing its progress as it goes.

Reading the file (its encoding and CSV dialect) and running the job are shared with the
organisation import, in accounts/imports.py: UTF-8 with or without a byte order mark, then
Windows-1252; binary files and UTF-16 are refused."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

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
from accounts.models import ImportStatus, RowOutcome, User
from accounts.workflow import delay_on_commit
from providers.models import Area

from .. import access
from ..models import ComparatorValue, Indicator, IndicatorImport, IndicatorValue
from ..selectors.evidence import PERIOD_HELP, PeriodError, parse_period
from .indicators import Measurement, measurement_problems

logger = logging.getLogger(__name__)

# Files up to this size are accepted: a 100,000-row public health profile download is about 30 MB.
MAX_IMPORT_BYTES = 50 * 1024 * 1024
# Files with more rows than this are imported by a Celery task; smaller ones while you wait.
INLINE_ROWS = 2000
# Rows are checked and written this many at a time, and progress is written after each batch.
CHUNK_ROWS = 2000
WRITE_BATCH = 1000

FOUR_PLACES = Decimal("0.0001")
TWO_PLACES = Decimal("0.01")


# The columns, as documented on the upload page and written in the template


@dataclass(frozen=True)
class ImportColumn:
    key: str
    heading: str  # as public health profile downloads name it
    required: bool
    format: str
    example: str


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "indicator",
        "Indicator ID",
        True,
        "The indicator's code in the outcomes framework. For public health profile data, set "
        "each indicator's code to its indicator id.",
        "90366",
    ),
    ImportColumn(
        "indicator_name",
        "Indicator Name",
        False,
        "Not read: rows are matched by the indicator id. Shown in the report.",
        "Life expectancy at birth",
    ),
    ImportColumn(
        "area_code",
        "Area Code",
        True,
        "The area's ONS code, such as E05009367. A row with the indicator's comparator code "
        "(such as E92000001 for England) is the comparator's value.",
        "E09000012",
    ),
    ImportColumn(
        "area_name",
        "Area Name",
        False,
        "Not read: rows are matched by the area code. Shown in the report.",
        "Lindenford",
    ),
    ImportColumn("period", "Time period", True, PERIOD_HELP, "2023/24"),
    ImportColumn(
        "value",
        "Value",
        True,
        "A number, with a point for decimals. Percentages are 0 to 100, without the % sign.",
        "78.4",
    ),
    ImportColumn(
        "lower_ci",
        "Lower CI 95.0 limit",
        False,
        "The lower 95% confidence limit. Give both limits or neither; the value must lie "
        "between them.",
        "77.9",
    ),
    ImportColumn(
        "upper_ci",
        "Upper CI 95.0 limit",
        False,
        "The upper 95% confidence limit, not below the lower one.",
        "78.9",
    ),
    ImportColumn(
        "count",
        "Count",
        False,
        "The number of people or events the value counts; not negative.",
        "1523",
    ),
    ImportColumn(
        "denominator",
        "Denominator",
        False,
        "The population the value is out of; not negative.",
        "1942",
    ),
    ImportColumn(
        "source",
        "Source",
        False,
        "Where the figure comes from. Left out, a new value takes the indicator's source and an "
        "existing one keeps its own.",
        "OHID Fingertips",
    ),
)
COLUMN_HEADINGS = {column.key: column.heading for column in IMPORT_COLUMNS}
REQUIRED = tuple(column.key for column in IMPORT_COLUMNS if column.required)
# Public health profile headings (lower case, spaces as underscores) and our short names.
ALIASES = {
    "indicator_id": "indicator",
    "indicator": "indicator",
    "indicator_code": "indicator",
    "indicator_name": "indicator_name",
    "area_code": "area_code",
    "area_name": "area_name",
    "time_period": "period",
    "period": "period",
    "value": "value",
    "lower_ci_95.0_limit": "lower_ci",
    "lower_ci": "lower_ci",
    "upper_ci_95.0_limit": "upper_ci",
    "upper_ci": "upper_ci",
    "count": "count",
    "denominator": "denominator",
    "source": "source",
    # Breakdowns of the population (deprivation deciles, ethnic groups): such rows are refused.
    "category_type": "category_type",
    "category": "category",
}


def import_template_rows() -> list[list[str]]:
    """The template CSV: the column headings, then one example row."""
    return [
        [column.heading for column in IMPORT_COLUMNS],
        [column.example for column in IMPORT_COLUMNS],
    ]


# Reading a file


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class ParsedFile:
    encoding: str
    headings: dict[str, str]  # key: the heading as the file writes it
    ignored_columns: list[str]
    rows: list[CsvRow]
    total_rows: int = 0


def indicator_file_read(*, data: bytes, count_only: bool = False) -> ParsedFile:
    """Decode and parse an uploaded file, or raise ImportFileError saying why it cannot be used.
    With count_only, the rows are counted but not kept (rows is empty, total_rows is set): the
    check made at upload, before the import reads the file again."""
    file = CsvFile(data)
    positions: dict[str, int] = {}
    headings: dict[str, str] = {}
    ignored: list[str] = []
    for i, heading in enumerate(file.header):
        key = ALIASES.get(csv_column_key(heading))
        if key is None:
            if heading.strip():
                ignored.append(heading.strip())
            continue
        if key in positions:
            raise ImportFileError(
                f"The columns “{headings[key]}” and “{heading.strip()}” both give the "
                f"{COLUMN_HEADINGS.get(key, key)}. Remove one of them."
            )
        positions[key] = i
        headings[key] = heading.strip()
    missing = [COLUMN_HEADINGS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise ImportFileError(
            f"The file has no {', '.join(missing)} column, so nothing was imported. The first "
            "line must name the columns, as in the template: "
            f"{', '.join(column.heading for column in IMPORT_COLUMNS)}."
        )
    rows: list[CsvRow] = []
    total = 0
    for line, cells in file.rows():
        total += 1
        if count_only:
            continue
        width = len(cells)
        rows.append(
            CsvRow(
                line=line,
                values={
                    key: (cells[i].strip() if i < width else "") for key, i in positions.items()
                },
            )
        )
    if not total:
        raise ImportFileError("The file names its columns but has no rows of values.")
    return ParsedFile(
        encoding=file.encoding,
        headings=headings,
        ignored_columns=ignored,
        rows=rows,
        total_rows=total,
    )


# Checking a row


@dataclass
class Lookups:
    """Everything rows are matched against, read once an import: the file's indicators and
    areas by code, and each period's parsing."""

    indicators: dict[str, Indicator]
    areas: dict[str, int]
    periods: dict[str, tuple[str, date] | str] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: list[CsvRow]) -> Lookups:
        codes = {row.values.get("indicator", "") for row in rows} - {""}
        indicators: dict[str, Indicator] = {}
        for indicator in Indicator.objects.filter(code__in=codes):
            indicators[indicator.code] = indicator
        missing = {code.casefold() for code in codes if code not in indicators}
        if missing:
            # Codes that differ only in capitals still match.
            for indicator in Indicator.objects.all().only(
                "pk", "code", "unit", "comparator_code", "source", "name", "polarity"
            ):
                if indicator.code.casefold() in missing:
                    indicators.setdefault(indicator.code.casefold(), indicator)
        area_codes = sorted({row.values.get("area_code", "").upper() for row in rows} - {""})
        areas: dict[str, int] = {}
        for start in range(0, len(area_codes), 5000):
            areas.update(
                Area.objects.filter(ons_code__in=area_codes[start : start + 5000]).values_list(
                    "ons_code", "pk"
                )
            )
        return cls(indicators=indicators, areas={k.upper(): v for k, v in areas.items()})

    def indicator(self, code: str) -> Indicator | None:
        return self.indicators.get(code) or self.indicators.get(code.casefold())

    def period(self, text: str) -> tuple[str, date] | str:
        """The parsed period, or the message saying why it is not one."""
        if text not in self.periods:
            try:
                self.periods[text] = parse_period(text)
            except PeriodError as error:
                self.periods[text] = str(error)
        return self.periods[text]


@dataclass(frozen=True)
class CleanRow:
    line: int
    indicator: Indicator
    indicator_id: int
    area_id: int | None  # None: the comparator's value
    period: str
    period_start: date
    measurement: Measurement
    source_given: bool

    @property
    def key(self) -> tuple[int, int | None, str]:
        return (self.indicator_id, self.area_id, self.period)


class _BadNumber(ValueError):
    pass


def _number(text: str, places: Decimal) -> Decimal:
    cleaned = text.replace(",", "").replace(" ", "").removesuffix("%")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise _BadNumber(f"“{text}” is not a number.") from None
    if not number.is_finite():
        raise _BadNumber(f"“{text}” is not a number.")
    try:
        return number.quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise _BadNumber(f"“{text}” is too large.") from None


def import_row_clean(
    row: CsvRow, lookups: Lookups, headings: dict[str, str]
) -> tuple[CleanRow | None, list[str]]:
    """The row's values, or None and every reason it cannot be imported."""
    problems: list[str] = []
    values = row.values

    def heading(key: str) -> str:
        return headings.get(key) or COLUMN_HEADINGS.get(key, key)

    category = values.get("category", "") or values.get("category_type", "")
    if category:
        problems.append(
            f"This row is for part of the population ({heading('category')}: {category}). Only "
            "values for the whole population are imported: keep the rows whose Category is empty."
        )
    code = values.get("indicator", "")
    indicator = lookups.indicator(code) if code else None
    if not code:
        problems.append(f"{heading('indicator')}: Every row needs the indicator's id.")
    elif indicator is None:
        problems.append(
            f"{heading('indicator')}: No indicator has the code “{code}”. A network admin adds it "
            "to the outcomes framework first, with that code."
        )
    area_code = values.get("area_code", "").upper()
    area_id: int | None = None
    comparator = bool(
        indicator and indicator.comparator_code and area_code == indicator.comparator_code.upper()
    )
    if not area_code:
        problems.append(f"{heading('area_code')}: Every row needs the area's code.")
    elif not comparator:
        area_id = lookups.areas.get(area_code)
        if area_id is None:
            problems.append(
                f"{heading('area_code')}: “{area_code}” is not the code of one of the portal's "
                "areas"
                + (
                    f", nor {indicator.comparator_name or 'the comparator'} "
                    f"({indicator.comparator_code})"
                    if indicator and indicator.comparator_code
                    else ""
                )
                + "."
            )
    period = lookups.period(values.get("period", ""))
    if isinstance(period, str):
        problems.append(f"{heading('period')}: {period}")
    numbers: dict[str, Decimal | None] = {}
    for key, places in (
        ("value", FOUR_PLACES),
        ("lower_ci", FOUR_PLACES),
        ("upper_ci", FOUR_PLACES),
        ("count", TWO_PLACES),
        ("denominator", TWO_PLACES),
    ):
        text = values.get(key, "")
        if not text:
            numbers[key] = None
            continue
        try:
            numbers[key] = _number(text, places)
        except _BadNumber as error:
            problems.append(f"{heading(key)}: {error}")
            numbers[key] = None
    if not values.get("value") and not any(p.startswith(heading("value")) for p in problems):
        problems.append(
            f"{heading('value')}: The value is empty. (Public health profiles leave it empty "
            "where the numbers are too small to publish; such rows cannot be imported.)"
        )
    source = values.get("source", "")
    if indicator is None or numbers["value"] is None or isinstance(period, str):
        return None, problems
    measurement = Measurement(
        value=numbers["value"],
        lower_ci=numbers["lower_ci"],
        upper_ci=numbers["upper_ci"],
        count=numbers["count"],
        denominator=numbers["denominator"],
        source=source,
    )
    for key, messages in measurement_problems(indicator, measurement).items():
        if comparator and key in ("count", "denominator", "source"):
            continue
        problems.extend(f"{heading(key)}: {message}" for message in messages)
    if problems:
        return None, problems
    label, start = period
    return (
        CleanRow(
            line=row.line,
            indicator=indicator,
            indicator_id=indicator.pk,
            area_id=area_id,
            period=label,
            period_start=start,
            measurement=measurement,
            source_given=bool(source),
        ),
        [],
    )


# Writing a batch of rows


_VALUE_FIELDS = ("period_start", "value", "lower_ci", "upper_ci", "count", "denominator", "source")
_FIELD_NAMES = {
    "period_start": "period",
    "value": "value",
    "lower_ci": "lower limit",
    "upper_ci": "upper limit",
    "count": "count",
    "denominator": "denominator",
    "source": "source",
}


def _entry(row: CsvRow, outcome: str, messages: list[str], period: str = "") -> dict:
    entry = {
        "line": row.line,
        "outcome": outcome,
        "indicator": row.values.get("indicator", ""),
        "area": row.values.get("area_code", "") or row.values.get("area_name", ""),
        "area_name": row.values.get("area_name", ""),
        "period": period or row.values.get("period", ""),
    }
    if messages:
        entry["messages"] = messages
    return entry


def _existing_values(rows: list[CleanRow]) -> dict[tuple[int, int | None, str], tuple]:
    """The values already held for these rows, as named tuples (a batch may hold thousands)."""
    by_indicator: dict[int, tuple[set[str], set[int]]] = {}
    for row in rows:
        periods, areas = by_indicator.setdefault(row.indicator_id, (set(), set()))
        periods.add(row.period)
        areas.add(row.area_id)
    if not by_indicator:
        return {}
    wanted = Q()
    for indicator_id, (periods, areas) in by_indicator.items():
        wanted |= Q(indicator_id=indicator_id, period__in=periods, area_id__in=areas)
    return {
        (value.indicator_id, value.area_id, value.period): value
        for value in IndicatorValue.objects.filter(wanted).values_list(
            "indicator_id", "area_id", "period", *_VALUE_FIELDS, named=True
        )
    }


def _existing_comparators(rows: list[CleanRow]) -> dict[tuple[int, None, str], tuple]:
    if not rows:
        return {}
    wanted = Q()
    for row in rows:
        wanted |= Q(indicator_id=row.indicator_id, period=row.period)
    return {
        (value.indicator_id, None, value.period): value
        for value in ComparatorValue.objects.filter(wanted).values_list(
            "indicator_id", "period", "period_start", "value", "lower_ci", "upper_ci", named=True
        )
    }


def _differences(current, new: dict) -> list[str]:
    return [_FIELD_NAMES[name] for name, value in new.items() if getattr(current, name) != value]


def _batch_apply(
    batch: list[CsvRow],
    *,
    lookups: Lookups,
    headings: dict[str, str],
    seen: dict[tuple, int],
    actor: User,
) -> list[dict]:
    """Check, match and write one batch of rows; the report entry of each, in file order."""
    entries: dict[int, dict] = {}
    clean_rows: list[tuple[CsvRow, CleanRow]] = []
    for row in batch:
        clean, problems = import_row_clean(row, lookups, headings)
        if clean is None:
            entries[row.line] = _entry(row, RowOutcome.REFUSED, problems)
            continue
        if clean.key in seen:
            entries[row.line] = _entry(
                row,
                RowOutcome.REFUSED,
                [
                    f"Line {seen[clean.key]} already gave a value for this indicator, area and "
                    "period. (A download with several sexes or age groups has a row for each: "
                    "keep only the rows you want.)"
                ],
                clean.period,
            )
            continue
        seen[clean.key] = row.line
        clean_rows.append((row, clean))

    area_rows = [c for _, c in clean_rows if c.area_id is not None]
    comparator_rows = [c for _, c in clean_rows if c.area_id is None]
    existing: dict = {**_existing_values(area_rows), **_existing_comparators(comparator_rows)}
    now = timezone.now()
    values_to_write: list[IndicatorValue] = []
    comparators_to_write: list[ComparatorValue] = []
    for row, clean in clean_rows:
        m = clean.measurement
        current = existing.get(clean.key)
        new = {
            "period_start": clean.period_start,
            "value": m.value,
            "lower_ci": m.lower_ci,
            "upper_ci": m.upper_ci,
        }
        if clean.area_id is not None:
            new["count"] = m.count
            new["denominator"] = m.denominator
            if clean.source_given:
                new["source"] = m.source
            elif current is None:
                new["source"] = clean.indicator.source
        if current is None:
            outcome, messages = RowOutcome.CREATED, []
        else:
            changed = _differences(current, new)
            if not changed:
                entries[row.line] = _entry(row, RowOutcome.UNCHANGED, [], clean.period)
                continue
            outcome, messages = RowOutcome.UPDATED, ["Changed: " + ", ".join(changed)]
        entries[row.line] = _entry(row, outcome, messages, clean.period)
        if clean.area_id is None:
            comparators_to_write.append(
                ComparatorValue(indicator=clean.indicator, period=clean.period, **new)
            )
        else:
            if "source" not in new:
                new["source"] = current.source
            values_to_write.append(
                IndicatorValue(
                    indicator=clean.indicator,
                    area_id=clean.area_id,
                    period=clean.period,
                    entered_by=actor,
                    updated_at=now,
                    **new,
                )
            )
    # Upserts: a value another import wrote a moment ago is updated rather than refused.
    if values_to_write:
        IndicatorValue.objects.bulk_create(
            values_to_write,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["indicator", "area", "period"],
            update_fields=[*_VALUE_FIELDS, "entered_by", "updated_at"],
        )
    if comparators_to_write:
        ComparatorValue.objects.bulk_create(
            comparators_to_write,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["indicator", "period"],
            update_fields=["period_start", "value", "lower_ci", "upper_ci"],
        )
    return [entries[row.line] for row in batch]


# The import job

CREATED_ACTION = "indicator_import.created"
FINISHED_ACTION = "indicator_import.finished"


def indicator_import_create(*, actor: User, original_name: str, data: bytes) -> IndicatorImport:
    """Keep the uploaded file in private storage and import it: at once for a small file, by a
    Celery task for a large one. Raises ValidationError, naming the file field, when the file
    cannot be imported at all; nothing is saved then."""
    if not access.can_plan(actor):
        raise PermissionDenied("Only commissioners and network admins import indicator data.")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": "The file is too large to import: split it into parts."})
    try:
        parsed = indicator_file_read(data=data, count_only=True)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    with transaction.atomic():
        job = import_job_create(
            IndicatorImport,
            actor=actor,
            original_name=original_name,
            data=data,
            total_rows=parsed.total_rows,
            action=CREATED_ACTION,
        )
        if job.total_rows > INLINE_ROWS:
            from ..tasks.evidence import indicator_import_run as run_task

            delay_on_commit(run_task, job.pk)
    if job.total_rows <= INLINE_ROWS:
        job = indicator_import_run(import_id=job.pk)
    return job


def indicator_import_run(*, import_id: int) -> IndicatorImport:
    """Import every row of the file, a batch at a time, writing progress after each batch. Does
    nothing to a finished job. A job left running by a lost worker starts again from the top:
    rows are matched by code and period."""
    job, parsed = import_job_start(
        IndicatorImport,
        import_id,
        lambda data: indicator_file_read(data=data),
        action=FINISHED_ACTION,
    )
    if parsed is None:
        return job

    job.total_rows = len(parsed.rows)
    lookups = Lookups.load(parsed.rows)
    seen: dict[tuple, int] = {}
    batch: list[CsvRow] = []
    try:
        for start in range(0, len(parsed.rows), CHUNK_ROWS):
            batch = parsed.rows[start : start + CHUNK_ROWS]
            with transaction.atomic():
                entries = _batch_apply(
                    batch,
                    lookups=lookups,
                    headings=parsed.headings,
                    seen=seen,
                    actor=job.uploaded_by,
                )
            for entry in entries:
                import_job_row_record(job, entry)
            import_job_progress_write(job)
    except Exception:
        logger.exception("Indicator import %s stopped", job.pk)
        where = f" at lines {batch[0].line} to {batch[-1].line}" if batch else ""
        import_job_finish(
            job,
            status=ImportStatus.FAILED,
            action=FINISHED_ACTION,
            error=f"The import stopped{where} because of an unexpected error. The rows before "
            "them were imported; importing the file again is safe.",
        )
        raise
    import_job_finish(job, status=ImportStatus.DONE, action=FINISHED_ACTION)
    return job
