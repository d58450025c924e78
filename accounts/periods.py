"""Financial years and quarters, for every app: the UK public sector year runs April to March."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FIRST_MONTH = 4  # April


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int  # 2026 is April 2026 to March 2027

    @property
    def starts_on(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH - 1, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    def __str__(self) -> str:
        return self.label


def financial_year(day: date) -> FinancialYear:
    return FinancialYear(day.year if day.month >= FIRST_MONTH else day.year - 1)


def financial_quarter(day: date) -> tuple[FinancialYear, int]:
    """The financial year and its quarter, 1 (April to June) to 4 (January to March)."""
    months_in = (day.month - FIRST_MONTH) % 12
    return financial_year(day), months_in // 3 + 1


def financial_years_between(start: date, end: date) -> list[FinancialYear]:
    """Every financial year that a period from start to end (inclusive) touches."""
    first, last = financial_year(start).start_year, financial_year(end).start_year
    return [FinancialYear(year) for year in range(first, last + 1)]
