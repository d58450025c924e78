"""CSV downloads for every app: streamed, readable by spreadsheet programs, and safe to open."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A value as text that a spreadsheet shows rather than runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    header: list[str], rows: Iterable[Iterable], *, filename: str
) -> StreamingHttpResponse:
    """Stream the header and rows as CSV, so a large export starts at once and never sits in
    memory. It opens with a byte order mark, so spreadsheet programs read it as UTF-8."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([safe_cell(value) for value in header])
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
