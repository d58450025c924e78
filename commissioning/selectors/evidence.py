"""Reads for the outcomes framework and indicator data: periods, the indicator page, and each
area's latest rating against the comparator.

For other parts:
- latest_ratings(indicators, areas): each indicator's latest period, rated area by area, in a
  fixed number of queries (the gap analysis reads need through this);
- parse_period(text): a period as written ("2023/24", "2021 - 23", "Mar 2024") to its label and
  the day it starts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.paginator import Page, Paginator
from django.db.models import Model, OuterRef, Prefetch, Q, Subquery

from providers.models import Area

from .. import charts, ratings
from ..models import (
    ComparatorValue,
    Indicator,
    IndicatorUnit,
    IndicatorValue,
    Outcome,
    Polarity,
    StrategyPriority,
)

COMPARISON_PAGE_SIZE = 50

# Periods


class PeriodError(ValueError):
    """Text that is not a period we can read, with a message saying how to write one."""


PERIOD_HELP = (
    "Write it like 2023/24 (a financial year), 2023 (a calendar year), 2021 - 23 (several "
    "years), 2023 Q2 (a quarter of a calendar year), 2023/24 Q2 (a quarter of a financial year) "
    "or Mar 2024 (a month)."
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_LABELS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DASH = r"\s*[-–—]\s*"  # noqa: RUF001 - en and em dashes, as spreadsheets write them
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


@dataclass(frozen=True, order=True)
class Period:
    """A period as the portal labels it, ordered by the day it starts."""

    start: date
    label: str

    def __str__(self) -> str:
        return self.label


def _year(text: str) -> int:
    year = int(text)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise PeriodError(f"{year} is not a year we can use: give one from {_FIRST_YEAR} on.")
    return year


def _end_year(start: int, text: str) -> int:
    """The end of a range written with two or four digits: 2021 - 23 ends in 2023."""
    if len(text) == 4:
        return _year(text)
    end = start - start % 100 + int(text)
    return end if end >= start else end + 100


def _next_year_suffix(start: int, text: str, written: str) -> None:
    if _end_year(start, text) != start + 1:
        raise PeriodError(
            f"“{written}” is not a financial year: the second year must follow the first, "
            f"as in {start}/{(start + 1) % 100:02d}."
        )


def parse_period(text: str) -> tuple[str, date]:
    """The label the portal keeps a period by, and the day it starts; PeriodError if the text is
    not a period. Financial years start on 1 April; ranges start when their first year does."""
    written = " ".join(str(text).split())
    if not written:
        raise PeriodError(f"Give the period. {PERIOD_HELP}")
    if match := re.fullmatch(r"(\d{4})", written):
        year = _year(match[1])
        return str(year), date(year, 1, 1)
    if match := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})", written):
        year = _year(match[1])
        _next_year_suffix(year, match[2], written)
        return f"{year}/{(year + 1) % 100:02d}", date(year, 4, 1)
    if match := re.fullmatch(rf"(\d{{4}}){_DASH}(\d{{2}}|\d{{4}})", written):
        first = _year(match[1])
        last = _end_year(first, match[2])
        if not first < last <= first + 20:
            raise PeriodError(
                f"“{written}” is not a range of years: the last must follow the first."
            )
        return f"{first} - {last % 100:02d}", date(first, 1, 1)
    if match := re.fullmatch(
        rf"(\d{{4}})\s*/\s*(\d{{2}}|\d{{4}}){_DASH}(\d{{2}}|\d{{4}})\s*/\s*(\d{{2}}|\d{{4}})",
        written,
    ):
        first = _year(match[1])
        _next_year_suffix(first, match[2], written)
        last = _end_year(first, match[3])
        _next_year_suffix(last, match[4], written)
        if not first < last <= first + 20:
            raise PeriodError(
                f"“{written}” is not a range of financial years: the last must follow the first."
            )
        return (
            f"{first}/{(first + 1) % 100:02d} - {last % 100:02d}/{(last + 1) % 100:02d}",
            date(first, 4, 1),
        )
    if match := re.fullmatch(r"(\d{4})\s*Q([1-4])", written, flags=re.IGNORECASE):
        year, quarter = _year(match[1]), int(match[2])
        return f"{year} Q{quarter}", date(year, 3 * quarter - 2, 1)
    if match := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})\s*Q([1-4])", written, re.IGNORECASE):
        year, quarter = _year(match[1]), int(match[3])
        _next_year_suffix(year, match[2], written)
        month = 3 * quarter + 1  # Q1 starts in April
        start = date(year, month, 1) if month <= 12 else date(year + 1, month - 12, 1)
        return f"{year}/{(year + 1) % 100:02d} Q{quarter}", start
    if match := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", written):
        month = _MONTHS.get(match[1].lower())
        if month is not None:
            year = _year(match[2])
            return f"{_MONTH_LABELS[month - 1]} {year}", date(year, month, 1)
    raise PeriodError(f"“{written}” is not a period we recognise. {PERIOD_HELP}")


# Numbers as people read them


NO_VALUE = "\N{EN DASH}"
UNIT_SHORT = {
    IndicatorUnit.PERCENT: "%",
    IndicatorUnit.RATE_PER_1000: "per 1,000",
    IndicatorUnit.RATE_PER_100000: "per 100,000",
    IndicatorUnit.COUNT: "",
    IndicatorUnit.YEARS: "years",
    IndicatorUnit.SCORE: "",
    IndicatorUnit.POUNDS: "£",
}


def format_number(value: Decimal | None, unit: str = "") -> str:
    """A value as a table shows it: counts whole, pounds to the penny when there are pennies,
    anything else to one decimal place (two below 1)."""
    if value is None:
        return NO_VALUE
    value = Decimal(value)
    whole = value == value.to_integral_value()
    if unit == IndicatorUnit.COUNT:
        return f"{value:,.0f}" if whole else f"{value:,.1f}"
    if unit == IndicatorUnit.POUNDS:
        return f"£{value:,.0f}" if whole else f"£{value:,.2f}"
    decimals = 1 if abs(value) >= 1 else 2
    return f"{value:,.{decimals}f}"


def format_measure(value: Decimal | None, unit: str) -> str:
    """A value with its unit, for charts and sentences: "12.3%", "45.6 per 1,000"."""
    text = format_number(value, unit)
    if value is None or unit in (IndicatorUnit.POUNDS, IndicatorUnit.COUNT, IndicatorUnit.SCORE):
        return text
    suffix = UNIT_SHORT.get(unit, "")
    return f"{text}{suffix}" if suffix == "%" else f"{text} {suffix}".strip()


def format_interval(lower: Decimal | None, upper: Decimal | None, unit: str) -> str:
    if lower is None or upper is None:
        return NO_VALUE
    return f"{format_number(lower, unit)} to {format_number(upper, unit)}"


# Ratings


@dataclass(slots=True)
class AreaRating:
    """An area's value for an indicator in one period, its rating against the comparator in that
    period and its trend from the period before."""

    indicator_id: int
    area_id: int
    period: str
    period_start: date
    value: Decimal
    lower: Decimal | None
    upper: Decimal | None
    comparator: Decimal | None
    rating: ratings.Rating
    trend: ratings.Trend
    previous_period: str | None = None
    previous_value: Decimal | None = None

    @property
    def is_worse(self) -> bool:
        return self.rating.is_worse


class Measured(Protocol):
    """A value with its limits: a model row, or a named tuple of the same columns."""

    period: str
    value: Decimal
    lower_ci: Decimal | None
    upper_ci: Decimal | None


class AreaValue(Measured, Protocol):
    area_id: int
    period_start: date


def _point(row: Measured | None) -> ratings.Point | None:
    if row is None:
        return None
    return ratings.Point(row.value, row.lower_ci, row.upper_ci)


def rate(
    *,
    indicator: Indicator,
    row: AreaValue,
    previous: Measured | None,
    comparator: Measured | None,
    previous_period: str | None = None,
) -> AreaRating:
    """Rate one value against the comparator's value for the same period."""
    comparator_value = comparator.value if comparator is not None else None
    return AreaRating(
        indicator_id=indicator.pk,
        area_id=row.area_id,
        period=row.period,
        period_start=row.period_start,
        value=row.value,
        lower=row.lower_ci,
        upper=row.upper_ci,
        comparator=comparator_value,
        rating=ratings.compare(
            lower=row.lower_ci,
            upper=row.upper_ci,
            comparator=comparator_value,
            polarity=indicator.polarity,
        ),
        trend=ratings.trend(_point(previous), _point(row), polarity=indicator.polarity),
        previous_period=previous.period if previous is not None else previous_period,
        previous_value=previous.value if previous is not None else None,
    )


# What a rating reads of a value: rows are read as named tuples, not models, because a page or a
# gap analysis may rate thousands of them.
_VALUE_COLUMNS = (
    "indicator_id",
    "area_id",
    "period",
    "period_start",
    "value",
    "lower_ci",
    "upper_ci",
)


def _ids(items: Iterable[Model | int]) -> list[int]:
    return sorted({item if isinstance(item, int) else item.pk for item in items})


def latest_ratings(
    indicators: Iterable[Indicator | int], areas: Iterable[Area | int]
) -> dict[tuple[int, int], AreaRating]:
    """For each indicator, its latest period (across every area), rated for each of these areas
    against the comparator, with the trend from the period before. Keyed by (indicator id, area
    id); an area with no value in its indicator's latest period is left out.

    Three queries, whatever the number of indicators and areas: the indicators with their latest
    two periods (read from the index on indicator and period start), the values, and the
    comparator's values."""
    indicator_ids, area_ids = _ids(indicators), _ids(areas)
    if not indicator_ids or not area_ids:
        return {}
    newest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-period_start")
    before = IndicatorValue.objects.filter(
        indicator=OuterRef("pk"), period_start__lt=OuterRef("latest_start")
    ).order_by("-period_start")
    found = list(
        Indicator.objects.filter(pk__in=indicator_ids)
        .annotate(
            latest_start=Subquery(newest.values("period_start")[:1]),
            latest_period=Subquery(newest.values("period")[:1]),
        )
        .annotate(
            previous_start=Subquery(before.values("period_start")[:1]),
            previous_period=Subquery(before.values("period")[:1]),
        )
        .filter(latest_start__isnull=False)
        .only("pk", "polarity")
    )
    if not found:
        return {}
    # One index scan for every indicator's two periods: a few more rows than needed when the
    # indicators' periods differ, rather than an OR the planner answers with a full scan.
    starts = {s for i in found for s in (i.latest_start, i.previous_start) if s is not None}
    values = {
        (row.indicator_id, row.area_id, row.period): row
        for row in IndicatorValue.objects.filter(
            indicator_id__in=[i.pk for i in found],
            period_start__in=sorted(starts),
            area_id__in=area_ids,
        ).values_list(*_VALUE_COLUMNS, named=True)
    }
    comparator_wanted = Q()
    for indicator in found:
        comparator_wanted |= Q(indicator_id=indicator.pk, period=indicator.latest_period)
    comparators = {
        row.indicator_id: row
        for row in ComparatorValue.objects.filter(comparator_wanted).values_list(
            "indicator_id", "period", "value", "lower_ci", "upper_ci", named=True
        )
    }
    by_id = {indicator.pk: indicator for indicator in found}
    result: dict[tuple[int, int], AreaRating] = {}
    for (indicator_id, area_id, period), row in values.items():
        indicator = by_id[indicator_id]
        if period != indicator.latest_period:
            continue
        result[(indicator_id, area_id)] = rate(
            indicator=indicator,
            row=row,
            previous=values.get((indicator_id, area_id, indicator.previous_period)),
            comparator=comparators.get(indicator_id),
            previous_period=indicator.previous_period,
        )
    return result


# The outcomes framework


def outcomes_framework() -> list[StrategyPriority]:
    """The whole tree, each indicator with its latest period (latest_period, latest_start).
    Four queries: priorities, outcomes, their categories, and indicators."""
    newest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-period_start")
    indicators = Indicator.objects.annotate(
        latest_period=Subquery(newest.values("period")[:1]),
        latest_start=Subquery(newest.values("period_start")[:1]),
    ).order_by("name")
    outcomes = Outcome.objects.prefetch_related(
        "categories", Prefetch("indicators", queryset=indicators)
    ).order_by("position", "name")
    return list(StrategyPriority.objects.prefetch_related(Prefetch("outcomes", queryset=outcomes)))


# The indicator page


def indicator_periods(indicator: Indicator) -> list[Period]:
    """The periods the indicator has values for, newest first: a distinct read of the index on
    (indicator, period start)."""
    rows = (
        IndicatorValue.objects.filter(indicator=indicator)
        .order_by("-period_start", "-period")
        .values_list("period_start", "period")
        .distinct()
    )
    return [Period(start, label) for start, label in rows]


def previous_period(periods: list[Period], period: Period) -> Period | None:
    """The latest period that starts before this one."""
    return next((p for p in periods if p.start < period.start), None)


@dataclass
class AreaIndex:
    """Every area, read once: the page's choice lists and the areas it compares come from here."""

    areas: dict[int, Area]
    children: dict[int | None, list[Area]]

    @classmethod
    def load(cls) -> AreaIndex:
        areas = list(Area.objects.only("id", "name", "ons_code", "level", "parent_id"))
        areas.sort(key=lambda a: (a.name.casefold(), a.pk))
        children: dict[int | None, list[Area]] = defaultdict(list)
        for area in areas:
            children[area.parent_id].append(area)
        return cls({area.pk: area for area in areas}, dict(children))

    @property
    def top(self) -> list[Area]:
        return self.children.get(None, [])

    @property
    def parents(self) -> list[Area]:
        """Areas with areas inside them, in name order."""
        return [area for area in self.areas.values() if area.pk in self.children]

    def default_parent(self) -> Area | None:
        """Like the provision map: the only top-level area, if it has areas inside it."""
        top = self.top
        if len(top) == 1 and top[0].pk in self.children:
            return top[0]
        return None

    def default_trend_area(self) -> Area | None:
        top = self.top
        return top[0] if top else None

    def inside(self, parent: Area | None) -> list[Area]:
        return self.children.get(parent.pk if parent else None, [])


@dataclass(frozen=True)
class TrendRow:
    period: str
    value: IndicatorValue
    comparator: ComparatorValue | None
    rating: ratings.Rating
    trend: ratings.Trend
    value_text: str
    interval_text: str
    comparator_text: str


@dataclass(frozen=True)
class ComparisonRow:
    area: Area
    value: AreaValue | None
    rating: ratings.Rating
    trend: ratings.Trend
    value_text: str
    interval_text: str
    previous_text: str


SORTS = {
    "name": "Area name",
    "high": "Value, highest first",
    "low": "Value, lowest first",
}


@dataclass
class IndicatorPage:
    indicator: Indicator
    periods: list[Period]
    period: Period | None
    previous: Period | None
    comparator: ComparatorValue | None
    parent_area: Area | None
    trend_area: Area | None
    trend_rows: list[TrendRow] = field(default_factory=list)
    trend_chart: charts.LineChart | None = None
    comparison: Page | None = None
    comparison_chart: charts.BarChart | None = None
    comparison_total: int = 0
    sort: str = "name"

    @property
    def unit_text(self) -> str:
        return self.indicator.get_unit_display()

    @property
    def comparator_name(self) -> str:
        return self.indicator.comparator_name or "the comparator"

    @property
    def comparator_text(self) -> str:
        if self.comparator is None:
            return ""
        return format_measure(self.comparator.value, self.indicator.unit)


RATING_WORDS = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not_compared": "Not compared",
}


def rating_legend(polarity: str) -> list[tuple[str, str]]:
    """The ratings an indicator's areas can have, as (CSS class, words)."""
    codes = (
        ["higher", "similar", "lower", "not_compared"]
        if polarity == Polarity.NO_JUDGEMENT
        else ["better", "similar", "worse", "not_compared"]
    )
    return [(f"rating-{code}", RATING_WORDS[code]) for code in codes]


def comparator_values(indicator: Indicator) -> dict[str, ComparatorValue]:
    return {row.period: row for row in ComparatorValue.objects.filter(indicator=indicator)}


def _trend(
    indicator: Indicator,
    area: Area,
    comparators: dict[str, ComparatorValue],
) -> tuple[list[TrendRow], charts.LineChart | None]:
    """The area's values over time, oldest first, each rated against that period's comparator.
    One query, by the index on (indicator, period start, area)."""
    unit = indicator.unit
    values = list(
        IndicatorValue.objects.filter(indicator=indicator, area=area).order_by(
            "period_start", "period"
        )
    )
    rows: list[TrendRow] = []
    previous = None
    for value in values:
        comparator = comparators.get(value.period)
        rated = rate(indicator=indicator, row=value, previous=previous, comparator=comparator)
        rows.append(
            TrendRow(
                period=value.period,
                value=value,
                comparator=comparator,
                rating=rated.rating,
                trend=rated.trend,
                value_text=format_number(value.value, unit),
                interval_text=format_interval(value.lower_ci, value.upper_ci, unit),
                comparator_text=format_number(comparator.value if comparator else None, unit),
            )
        )
        previous = value
    if not rows:
        return rows, None
    periods = [row.period for row in rows]
    series = [
        charts.SeriesInput(
            name=area.name,
            css_class="chart-series-area",
            values=[row.value.value for row in rows],
            lower=[row.value.lower_ci for row in rows],
            upper=[row.value.upper_ci for row in rows],
            value_texts=[format_measure(row.value.value, unit) for row in rows],
        )
    ]
    compared = [row.comparator.value if row.comparator else None for row in rows]
    if any(v is not None for v in compared):
        series.append(
            charts.SeriesInput(
                name=indicator.comparator_name or "Comparator",
                css_class="chart-series-comparator",
                values=compared,
                value_texts=[format_measure(v, unit) if v is not None else "" for v in compared],
            )
        )
    first, last = rows[0], rows[-1]
    description = (
        f"{indicator.name} in {area.name} from {first.period} to {last.period}: "
        f"{format_measure(first.value.value, unit)} in {first.period} and "
        f"{format_measure(last.value.value, unit)} in {last.period}."
    )
    if len(series) > 1:
        description += f" The dashed line is {indicator.comparator_name or 'the comparator'}."
    chart = charts.line_chart(
        id="trend-chart",
        title=f"{indicator.name} in {area.name} over time",
        description=description,
        periods=periods,
        series=series,
        y_label=indicator.get_unit_display(),
    )
    return rows, chart


def _comparison_rows(
    indicator: Indicator,
    areas: list[Area],
    period: Period,
    previous: Period | None,
    comparator: ComparatorValue | None,
) -> list[ComparisonRow]:
    """Each area's value in the period, rated, with its trend from the previous period. One
    query for both periods, by the index on (indicator, period start, area)."""
    unit = indicator.unit
    starts = [period.start] + ([previous.start] if previous else [])
    labels = [period.label] + ([previous.label] if previous else [])
    found = {
        (row.area_id, row.period): row
        for row in IndicatorValue.objects.filter(
            indicator=indicator,
            period_start__in=starts,
            period__in=labels,
            area_id__in=[area.pk for area in areas],
        ).values_list(*_VALUE_COLUMNS, named=True)
    }
    rows = []
    for area in areas:
        value = found.get((area.pk, period.label))
        before = found.get((area.pk, previous.label)) if previous else None
        if value is None:
            rows.append(
                ComparisonRow(
                    area, None, ratings.NOT_COMPARED, ratings.UNKNOWN, NO_VALUE, NO_VALUE, NO_VALUE
                )
            )
            continue
        rated = rate(indicator=indicator, row=value, previous=before, comparator=comparator)
        rows.append(
            ComparisonRow(
                area=area,
                value=value,
                rating=rated.rating,
                trend=rated.trend,
                value_text=format_number(value.value, unit),
                interval_text=format_interval(value.lower_ci, value.upper_ci, unit),
                previous_text=format_number(before.value if before else None, unit),
            )
        )
    return rows


def _comparison_chart(
    indicator: Indicator,
    rows: list[ComparisonRow],
    period: Period,
    parent: Area | None,
    comparator: ComparatorValue | None,
) -> charts.BarChart | None:
    if not rows:
        return None
    unit = indicator.unit
    where = f"the areas in {parent.name}" if parent else "the top-level areas"
    description = f"{indicator.name} in {period.label} for {where}, one bar an area"
    if any(row.value and row.value.lower_ci is not None for row in rows):
        description += ", with lines across each bar showing its 95% confidence interval"
    if comparator is not None:
        description += (
            f". The dashed line is {indicator.comparator_name or 'the comparator'} at "
            f"{format_measure(comparator.value, unit)}"
        )
    description += ". The table beside the chart gives each value and its rating in words."
    return charts.bar_chart(
        id="comparison-chart",
        title=f"{indicator.name} by area, {period.label}",
        description=description,
        bars=[
            charts.BarInput(
                label=row.area.name,
                value=row.value.value if row.value else None,
                lower=row.value.lower_ci if row.value else None,
                upper=row.value.upper_ci if row.value else None,
                css_class=f"rating-{row.rating.code}",
                note=row.rating.label,
                value_text=format_measure(row.value.value, unit) if row.value else "no value",
            )
            for row in rows
        ],
        reference=comparator.value if comparator else None,
        reference_label=indicator.comparator_name or "Comparator",
        legend=rating_legend(indicator.polarity),
    )


def _sort_key(sort: str):
    def key(row: ComparisonRow):
        missing = row.value is None
        value = row.value.value if row.value else Decimal(0)
        return (missing, -value if sort == "high" else value, row.area.name.casefold())

    return key


def indicator_page(
    indicator: Indicator,
    *,
    periods: list[Period],
    area_index: AreaIndex,
    comparators: dict[str, ComparatorValue],
    period: Period | None,
    trend_area: Area | None,
    parent_area: Area | None,
    sort: str = "name",
    page_number: str | int | None = None,
) -> IndicatorPage:
    """What the indicator page shows. Reads only what it shows: the trend for one area, and one
    page of the comparison for one period and the period before it."""
    period = period or (periods[0] if periods else None)
    previous = previous_period(periods, period) if period else None
    page = IndicatorPage(
        indicator=indicator,
        periods=periods,
        period=period,
        previous=previous,
        comparator=comparators.get(period.label) if period else None,
        parent_area=parent_area,
        trend_area=trend_area,
        sort=sort if sort in SORTS else "name",
    )
    if period is None:
        return page
    if trend_area is not None:
        page.trend_rows, page.trend_chart = _trend(indicator, trend_area, comparators)
    areas = area_index.inside(parent_area)
    page.comparison_total = len(areas)
    if page.sort == "name":
        comparison = Paginator(areas, COMPARISON_PAGE_SIZE).get_page(page_number)
        comparison.object_list = _comparison_rows(
            indicator, list(comparison.object_list), period, previous, page.comparator
        )
    else:
        rows = _comparison_rows(indicator, areas, period, previous, page.comparator)
        rows.sort(key=_sort_key(page.sort))
        comparison = Paginator(rows, COMPARISON_PAGE_SIZE).get_page(page_number)
        comparison.object_list = list(comparison.object_list)
    page.comparison = comparison
    page.comparison_chart = _comparison_chart(
        indicator, comparison.object_list, period, parent_area, page.comparator
    )
    return page


# The CSV download of one period


EXPORT_HEADER = [
    "Indicator ID",
    "Indicator Name",
    "Area Code",
    "Area Name",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Count",
    "Denominator",
    "Source",
    "Compared with comparator",
    "Trend from previous period",
]


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def indicator_period_export(
    indicator: Indicator, period: Period, previous: Period | None
) -> tuple[list[str], Iterator[list[str]]]:
    """Every area's value in the period, and the comparator's first, in the layout the import
    reads back. Three queries: the comparator, the previous period, and this period's values."""
    header = list(EXPORT_HEADER)
    if indicator.comparator_name:
        header[-2] = f"Compared with {indicator.comparator_name}"
    comparator = ComparatorValue.objects.filter(indicator=indicator, period=period.label).first()
    before = (
        {
            row.area_id: row
            for row in IndicatorValue.objects.filter(
                indicator=indicator, period_start=previous.start, period=previous.label
            ).only("area_id", "value", "lower_ci", "upper_ci")
        }
        if previous
        else {}
    )
    values = (
        IndicatorValue.objects.filter(
            indicator=indicator, period_start=period.start, period=period.label
        )
        .select_related("area")
        .order_by("area__name", "area_id")
    )

    def rows() -> Iterator[list[str]]:
        if comparator is not None:
            yield [
                indicator.code,
                indicator.name,
                indicator.comparator_code,
                indicator.comparator_name,
                comparator.period,
                _plain(comparator.value),
                _plain(comparator.lower_ci),
                _plain(comparator.upper_ci),
                "",
                "",
                "",
                "",
                "",
            ]
        for value in values.iterator(chunk_size=2000):
            rated = rate(
                indicator=indicator,
                row=value,
                previous=before.get(value.area_id),
                comparator=comparator,
            )
            yield [
                indicator.code,
                indicator.name,
                value.area.ons_code,
                value.area.name,
                value.period,
                _plain(value.value),
                _plain(value.lower_ci),
                _plain(value.upper_ci),
                _plain(value.count),
                _plain(value.denominator),
                value.source,
                rated.rating.label,
                rated.trend.label,
            ]

    return header, rows()
