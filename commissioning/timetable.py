"""Working days in England: weekdays that are not bank holidays, for the standstill period after
an award (by default it ends 8 working days after the award date)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

STANDSTILL_WORKING_DAYS = 8


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(day: date, n: int) -> date:
    """The nth working day after `day` (the day itself does not count)."""
    if n < 0:
        raise ValueError("n must be 0 or more")
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def standstill_end(award_on: date) -> date:
    return working_days_after(award_on, STANDSTILL_WORKING_DAYS)
