"""Financial years and quarters run from April."""

from datetime import date

import pytest

from accounts.periods import (
    FinancialYear,
    financial_quarter,
    financial_year,
    financial_years_between,
)


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (date(2026, 4, 1), 2026, 1),
        (date(2026, 6, 30), 2026, 1),
        (date(2026, 7, 1), 2026, 2),
        (date(2026, 12, 31), 2026, 3),
        (date(2027, 1, 1), 2026, 4),
        (date(2027, 3, 31), 2026, 4),
    ],
)
def test_the_year_and_quarter_of_a_day(day, year, quarter):
    assert financial_year(day) == FinancialYear(year)
    assert financial_quarter(day) == (FinancialYear(year), quarter)


def test_a_year_knows_its_dates_and_label():
    year = FinancialYear(2026)
    assert (year.starts_on, year.ends_on, str(year)) == (
        date(2026, 4, 1),
        date(2027, 3, 31),
        "2026/27",
    )


def test_the_years_a_period_touches():
    years = financial_years_between(date(2026, 10, 1), date(2029, 9, 30))
    assert [y.label for y in years] == ["2026/27", "2027/28", "2028/29", "2029/30"]
