"""Writes for indicator data entered on a page: an area's (or the comparator's) value for a period.

The checks on a value are shared with the CSV import (services/indicator_imports.py), so a value
refused on the page is refused in a file for the same reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_event_record
from providers.models import Area

from .. import access
from ..models import ComparatorValue, Indicator, IndicatorUnit, IndicatorValue
from ..selectors.evidence import format_number

# The largest number the value fields hold: 14 digits, 4 of them after the point.
MAX_VALUE = Decimal("9999999999.9999")
MAX_COUNT = Decimal("999999999999.99")
_NEVER_NEGATIVE = (IndicatorUnit.COUNT, IndicatorUnit.RATE_PER_1000, IndicatorUnit.RATE_PER_100000)


@dataclass(frozen=True)
class Measurement:
    """A value and what goes with it, cleaned into numbers."""

    value: Decimal
    lower_ci: Decimal | None = None
    upper_ci: Decimal | None = None
    count: Decimal | None = None
    denominator: Decimal | None = None
    source: str = ""


def _shown(number: Decimal) -> str:
    """A number as it was given, without the zeros the database pads it with."""
    return format(number.normalize(), "f")


def measurement_problems(indicator: Indicator, m: Measurement) -> dict[str, list[str]]:
    """Every reason the value cannot be kept, by the field it is about. Empty when it is fine."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    unit = indicator.unit
    for name, number in (("value", m.value), ("lower_ci", m.lower_ci), ("upper_ci", m.upper_ci)):
        if number is not None and abs(number) > MAX_VALUE:
            add(name, f"{_shown(number)} is too large: numbers can be up to {MAX_VALUE:,.0f}.")
    for name, number in (("count", m.count), ("denominator", m.denominator)):
        if number is not None and number < 0:
            add(name, f"The {name} cannot be negative: it is {_shown(number)}.")
        elif number is not None and number > MAX_COUNT:
            add(name, f"The {name} {_shown(number)} is too large.")
    if unit == IndicatorUnit.PERCENT:
        for name, what, number in (
            ("value", "The value", m.value),
            ("lower_ci", "The lower limit", m.lower_ci),
            ("upper_ci", "The upper limit", m.upper_ci),
        ):
            if number is not None and not 0 <= number <= 100:
                add(
                    name,
                    f"{what} is {_shown(number)}, but this indicator is a percentage: "
                    "give 0 to 100.",
                )
    elif unit in _NEVER_NEGATIVE and m.value < 0:
        add(
            "value",
            f"The value is {_shown(m.value)}, but a {indicator.get_unit_display().lower()} cannot be "
            "negative.",
        )
    if (m.lower_ci is None) != (m.upper_ci is None):
        add(
            "upper_ci" if m.upper_ci is None else "lower_ci",
            "Give both confidence limits, or neither.",
        )
    elif m.lower_ci is not None and m.upper_ci is not None:
        if m.lower_ci > m.upper_ci:
            add(
                "lower_ci",
                f"The lower limit ({format_number(m.lower_ci, unit)}) is above the upper limit "
                f"({format_number(m.upper_ci, unit)}). Check that they are the right way round.",
            )
        elif not m.lower_ci <= m.value <= m.upper_ci:
            add(
                "value",
                f"The value ({format_number(m.value, unit)}) is outside its own confidence "
                f"limits ({format_number(m.lower_ci, unit)} to "
                f"{format_number(m.upper_ci, unit)}).",
            )
    if len(m.source) > 250:
        add("source", "The source is longer than 250 characters.")
    return problems


def measurement_check(indicator: Indicator, m: Measurement) -> None:
    """Raise a ValidationError naming each field with a problem."""
    problems = measurement_problems(indicator, m)
    if problems:
        raise ValidationError(problems)


def _fields(m: Measurement) -> dict:
    return {
        "value": m.value,
        "lower_ci": m.lower_ci,
        "upper_ci": m.upper_ci,
    }


@transaction.atomic
def indicator_value_record(
    *,
    actor: User,
    indicator: Indicator,
    area: Area | None,
    period: str,
    period_start,
    measurement: Measurement,
) -> tuple[IndicatorValue | ComparatorValue, bool]:
    """Create or update the area's value for the period; with area None, the comparator's.
    Returns the row and whether it was created. The period is a label from parse_period."""
    if not access.can_plan(actor):
        raise PermissionDenied("Only commissioners and network admins enter indicator data.")
    measurement_check(indicator, measurement)
    if area is None:
        if not indicator.comparator_name:
            raise ValidationError({"area": "This indicator has no comparator."})
        row, created = ComparatorValue.objects.select_for_update().update_or_create(
            indicator=indicator,
            period=period,
            defaults={"period_start": period_start, **_fields(measurement)},
        )
        where = indicator.comparator_name
    else:
        row, created = IndicatorValue.objects.select_for_update().update_or_create(
            indicator=indicator,
            area=area,
            period=period,
            defaults={
                "period_start": period_start,
                **_fields(measurement),
                "count": measurement.count,
                "denominator": measurement.denominator,
                "source": measurement.source,
                "entered_by": actor,
                "updated_at": timezone.now(),
            },
        )
        where = area.name
    audit_event_record(
        actor=actor,
        action="indicator_value.created" if created else "indicator_value.updated",
        obj=indicator,
        note=f"{where}, {period}: {format_number(measurement.value, indicator.unit)}",
    )
    return row, created
