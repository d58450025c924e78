"""Charts drawn on the server as inline SVG: a line chart over periods and a bar chart of areas.

The functions here work out the geometry; templates/commissioning/evidence/_line_chart.html and
_bar_chart.html draw it. Colours come from CSS classes (static/css/commissioning.css), never from
style attributes, and every chart has a title and a description, with its data also in a table on
the page. Any part may use them: build the chart here, then include the template with chart=...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = Decimal | float | int

# Widths and heights are in SVG user units; the SVG scales to the width of its container.
LINE_WIDTH = 640
LINE_HEIGHT = 320
LINE_MARGIN = {"left": 64, "right": 16, "top": 16, "bottom": 56}
BAR_WIDTH = 640
BAR_ROW = 22
BAR_LABEL_WIDTH = 190
BAR_MARGIN = {"right": 24, "top": 28, "bottom": 36}
LABEL_CHARACTERS = 28


# Scales


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def _tick_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def nice_scale(low: float, high: float, *, ticks: int = 5) -> tuple[float, float, float]:
    """A low, high and step that cover the data with round numbers: steps of 1, 2 or 5 times a power of ten."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _scale_ticks(low: float, high: float, step: float, to_position) -> list[Tick]:
    count = round((high - low) / step)
    return [
        Tick(to_position(low + i * step), _tick_label(low + i * step, step))
        for i in range(count + 1)
    ]


def _shorten(text: str, limit: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Line chart: one or more series over the same periods


@dataclass(frozen=True)
class SeriesInput:
    """A series to draw: values line up with the chart's periods; None where there is none."""

    name: str
    css_class: str
    values: Sequence[Number | None]
    lower: Sequence[Number | None] = ()
    upper: Sequence[Number | None] = ()
    value_texts: Sequence[str] = ()


@dataclass(frozen=True)
class LinePoint:
    x: float
    y: float
    period: str
    text: str
    whisker: tuple[float, float] | None = None  # y of the upper and the lower limit


@dataclass(frozen=True)
class LineSeries:
    name: str
    css_class: str
    path: str
    points: list[LinePoint]


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: list[Tick]
    x_labels: list[Tick]
    series: list[LineSeries]
    y_label: str = ""
    # Long runs of periods have their labels turned, so they do not overlap.
    rotate_labels: bool = False


def _path_with_gaps(points: Sequence[LinePoint | None]) -> str:
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point.x:.1f} {point.y:.1f}")
        pen_down = True
    return " ".join(parts)


def _at(sequence: Sequence, index: int):
    return sequence[index] if index < len(sequence) else None


def line_chart(
    *,
    id: str,  # the SVG's id, for aria-labelledby
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[SeriesInput],
    y_label: str = "",
) -> LineChart:
    """Periods run left to right at even spaces; the y axis covers every value and limit."""
    left = LINE_MARGIN["left"]
    right = LINE_WIDTH - LINE_MARGIN["right"]
    top = LINE_MARGIN["top"]
    bottom = LINE_HEIGHT - LINE_MARGIN["bottom"]
    known = [float(v) for s in series for v in (*s.values, *s.lower, *s.upper) if v is not None]
    low, high, step = nice_scale(min(known, default=0.0), max(known, default=1.0))
    if min(known, default=0.0) >= 0 and low < 0:
        low = 0.0

    def y_of(value: float) -> float:
        return round(bottom - (value - low) / (high - low) * (bottom - top), 1)

    count = len(periods)
    gap = (right - left) / count if count else 0.0

    def x_of(index: int) -> float:
        return round(left + gap * (index + 0.5), 1)

    drawn: list[LineSeries] = []
    for s in series:
        points: list[LinePoint | None] = []
        for i, period in enumerate(periods):
            value = _at(s.values, i)
            if value is None:
                points.append(None)
                continue
            lower, upper = _at(s.lower, i), _at(s.upper, i)
            whisker = (
                (y_of(float(upper)), y_of(float(lower)))
                if lower is not None and upper is not None
                else None
            )
            text = _at(s.value_texts, i) or str(value)
            points.append(LinePoint(x_of(i), y_of(float(value)), period, text, whisker))
        drawn.append(
            LineSeries(
                name=s.name,
                css_class=s.css_class,
                path=_path_with_gaps(points),
                points=[p for p in points if p is not None],
            )
        )
    return LineChart(
        id=id,
        title=title,
        description=description,
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=_scale_ticks(low, high, step, y_of),
        x_labels=[Tick(x_of(i), period) for i, period in enumerate(periods)],
        series=drawn,
        y_label=y_label,
        rotate_labels=count > 6,
    )


# Bar chart: one horizontal bar an area, with its confidence interval and a reference line


@dataclass(frozen=True)
class BarInput:
    label: str
    value: Number | None
    lower: Number | None = None
    upper: Number | None = None
    css_class: str = ""
    # Said in the bar's tooltip, after the value: such as the rating in words.
    note: str = ""
    value_text: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    y: float  # the top of the bar
    height: float
    x: float
    width: float
    css_class: str
    text: str  # the value and note, for the bar's own <title>
    whisker: tuple[float, float] | None = None  # x of the lower and the upper limit
    missing: bool = False

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def label_y(self) -> float:
        return self.middle + 4


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_width: float
    left: float
    right: float
    top: float
    bottom: float
    ticks: list[Tick]
    bars: list[Bar]
    baseline: float
    reference_x: float | None = None
    reference_label: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, words)


def bar_chart(
    *,
    id: str,  # the SVG's id, for aria-labelledby
    title: str,
    description: str,
    bars: Sequence[BarInput],
    reference: Number | None = None,
    reference_label: str = "",
    legend: Sequence[tuple[str, str]] = (),
) -> BarChart:
    """Bars start at zero (or at the lowest value, if that is below zero)."""
    left = BAR_LABEL_WIDTH
    right = BAR_WIDTH - BAR_MARGIN["right"]
    top = BAR_MARGIN["top"]
    bottom = top + BAR_ROW * max(len(bars), 1)
    height = bottom + BAR_MARGIN["bottom"]
    known = [float(v) for b in bars for v in (b.value, b.lower, b.upper) if v is not None]
    if reference is not None:
        known.append(float(reference))
    low, high, step = nice_scale(min([0.0, *known]), max([0.0, *known]) or 1.0)
    low = min(low, 0.0)

    def x_of(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    baseline = x_of(0.0)
    drawn: list[Bar] = []
    for i, b in enumerate(bars):
        y = top + i * BAR_ROW + 3
        bar_height = BAR_ROW - 6
        value_text = b.value_text or ("no value" if b.value is None else str(b.value))
        text = f"{b.label}: {value_text}" + (f", {b.note}" if b.note else "")
        if b.value is None:
            drawn.append(
                Bar(
                    b.label,
                    _shorten(b.label),
                    y,
                    bar_height,
                    baseline,
                    0.0,
                    b.css_class,
                    text,
                    missing=True,
                )
            )
            continue
        end = x_of(float(b.value))
        whisker = (
            (x_of(float(b.lower)), x_of(float(b.upper)))
            if b.lower is not None and b.upper is not None
            else None
        )
        drawn.append(
            Bar(
                label=b.label,
                short_label=_shorten(b.label),
                y=y,
                height=bar_height,
                x=min(baseline, end),
                width=round(abs(end - baseline), 1),
                css_class=b.css_class,
                text=text,
                whisker=whisker,
            )
        )
    return BarChart(
        id=id,
        title=title,
        description=description,
        width=BAR_WIDTH,
        height=height,
        label_width=BAR_LABEL_WIDTH,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        ticks=_scale_ticks(low, high, step, x_of),
        bars=drawn,
        baseline=baseline,
        reference_x=x_of(float(reference)) if reference is not None else None,
        reference_label=reference_label,
        legend=list(legend),
    )
