"""How an area compares with its comparator, and which way it is going: the public health profile
method, read from the 95% confidence limits.

An area is significantly higher than the comparator when its lower limit is above the comparator's
value, lower when its upper limit is below it, and similar otherwise. Whether higher is better
turns that into better or worse. Without confidence limits, an area is not compared."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import Polarity


@dataclass(frozen=True)
class Rating:
    code: str  # better, similar, worse, higher, lower, not_compared
    label: str

    @property
    def is_worse(self) -> bool:
        return self.code == "worse"


BETTER = Rating("better", "Better than the comparator")
SIMILAR = Rating("similar", "Similar to the comparator")
WORSE = Rating("worse", "Worse than the comparator")
HIGHER = Rating("higher", "Higher than the comparator")
LOWER = Rating("lower", "Lower than the comparator")
NOT_COMPARED = Rating("not_compared", "Not compared")


@dataclass(frozen=True)
class Trend:
    code: str  # improving, worsening, no_change, increasing, decreasing, unknown
    label: str


IMPROVING = Trend("improving", "Improving")
WORSENING = Trend("worsening", "Worsening")
NO_CHANGE = Trend("no_change", "No significant change")
INCREASING = Trend("increasing", "Increasing")
DECREASING = Trend("decreasing", "Decreasing")
UNKNOWN = Trend("unknown", "Not enough data")


def _direction(higher: bool, polarity: str, *, good, bad, up, down):
    if polarity == Polarity.HIGHER_IS_BETTER:
        return good if higher else bad
    if polarity == Polarity.LOWER_IS_BETTER:
        return bad if higher else good
    return up if higher else down


def compare(
    *,
    lower: Decimal | None,
    upper: Decimal | None,
    comparator: Decimal | None,
    polarity: str,
) -> Rating:
    """The area's rating against the comparator's value."""
    if lower is None or upper is None or comparator is None:
        return NOT_COMPARED
    if lower > comparator:
        higher = True
    elif upper < comparator:
        higher = False
    else:
        return SIMILAR
    return _direction(higher, polarity, good=BETTER, bad=WORSE, up=HIGHER, down=LOWER)


@dataclass(frozen=True)
class Point:
    value: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None


def trend(previous: Point | None, latest: Point | None, *, polarity: str) -> Trend:
    """Which way the latest period moved from the one before. With confidence limits on both, a
    change counts only when the intervals do not overlap; without them, any change counts."""
    if previous is None or latest is None:
        return UNKNOWN
    limits = (previous.lower, previous.upper, latest.lower, latest.upper)
    if all(limit is not None for limit in limits):
        if latest.lower > previous.upper:
            higher = True
        elif latest.upper < previous.lower:
            higher = False
        else:
            return NO_CHANGE
    elif latest.value == previous.value:
        return NO_CHANGE
    else:
        higher = latest.value > previous.value
    return _direction(
        higher, polarity, good=IMPROVING, bad=WORSENING, up=INCREASING, down=DECREASING
    )
