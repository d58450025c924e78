"""Reading periods as public health profiles and people write them: each becomes one label and the
day it starts, so the same period written two ways is one period."""

from datetime import date

import pytest

from commissioning.selectors.evidence import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "label", "start"),
    [
        # Financial years start on 1 April.
        ("2023/24", "2023/24", date(2023, 4, 1)),
        (" 2023 / 2024 ", "2023/24", date(2023, 4, 1)),
        ("1999/00", "1999/00", date(1999, 4, 1)),
        # Calendar years.
        ("2023", "2023", date(2023, 1, 1)),
        # Several years pooled, as in "2021 - 23": from the first year.
        ("2021 - 23", "2021 - 23", date(2021, 1, 1)),
        ("2021-23", "2021 - 23", date(2021, 1, 1)),
        ("2021 \N{EN DASH} 2023", "2021 - 23", date(2021, 1, 1)),
        ("1998 - 02", "1998 - 02", date(1998, 1, 1)),
        # Several financial years.
        ("2019/20 - 21/22", "2019/20 - 21/22", date(2019, 4, 1)),
        # Quarters of a calendar year, and of a financial year (Q1 is April to June).
        ("2023 Q2", "2023 Q2", date(2023, 4, 1)),
        ("2023 q4", "2023 Q4", date(2023, 10, 1)),
        ("2023Q1", "2023 Q1", date(2023, 1, 1)),
        ("2023/24 Q1", "2023/24 Q1", date(2023, 4, 1)),
        ("2023/24 Q4", "2023/24 Q4", date(2024, 1, 1)),
        # Months.
        ("Mar 2024", "Mar 2024", date(2024, 3, 1)),
        ("march 2024", "Mar 2024", date(2024, 3, 1)),
        ("Sept 2023", "Sep 2023", date(2023, 9, 1)),
    ],
)
def test_periods_people_write(text, label, start):
    assert parse_period(text) == (label, start)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the period"),
        ("sometime", "not a period we recognise"),
        ("2023/25", "the second year must follow the first"),
        ("24/25", "not a period we recognise"),
        ("2023 - 21", "not a range of years"),
        ("2023 Q5", "not a period we recognise"),
        ("Smarch 2024", "not a period we recognise"),
        ("1850", "not a year we can use"),
        ("2019/20 - 21/23", "the second year must follow the first"),
    ],
)
def test_text_that_is_not_a_period_says_how_to_write_one(text, message):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert message in str(error.value)
    if "recognise" in message:
        assert "2023/24 (a financial year)" in str(error.value)


def test_periods_sort_by_the_day_they_start():
    periods = [Period(*reversed(parse_period(t))) for t in ("2023/24", "2021 - 23", "Mar 2024")]
    assert [p.label for p in sorted(periods)] == ["2021 - 23", "2023/24", "Mar 2024"]
