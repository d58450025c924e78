"""The comparator rating and the trend, on worked examples with known confidence limits."""

from decimal import Decimal as D

import pytest

from commissioning import ratings
from commissioning.models import Polarity

HIGHER_BETTER, LOWER_BETTER = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("lower", "upper", "comparator", "polarity", "expected"),
    [
        # Smoking prevalence 17.2% (15.1 to 19.3) against England's 12.7%: lower is better.
        (D("15.1"), D("19.3"), D("12.7"), LOWER_BETTER, ratings.WORSE),
        # Breastfeeding 52.0% (49.5 to 54.5) against 47.6%: higher is better.
        (D("49.5"), D("54.5"), D("47.6"), HIGHER_BETTER, ratings.BETTER),
        # An interval that straddles the comparator is similar, whichever way is better.
        (D("11.0"), D("14.0"), D("12.7"), LOWER_BETTER, ratings.SIMILAR),
        (D("11.0"), D("14.0"), D("12.7"), HIGHER_BETTER, ratings.SIMILAR),
        # Touching the comparator is not significantly different.
        (D("12.7"), D("14.0"), D("12.7"), LOWER_BETTER, ratings.SIMILAR),
        # Below the comparator with lower better.
        (D("8.0"), D("10.1"), D("12.7"), LOWER_BETTER, ratings.BETTER),
        (D("8.0"), D("10.1"), D("12.7"), HIGHER_BETTER, ratings.WORSE),
        # No judgement of which way is better: only higher or lower.
        (D("8.0"), D("10.1"), D("12.7"), Polarity.NO_JUDGEMENT, ratings.LOWER),
        (D("15.0"), D("16.0"), D("12.7"), Polarity.NO_JUDGEMENT, ratings.HIGHER),
        # Missing limits or comparator: not compared.
        (None, D("16.0"), D("12.7"), LOWER_BETTER, ratings.NOT_COMPARED),
        (D("15.0"), D("16.0"), None, LOWER_BETTER, ratings.NOT_COMPARED),
    ],
)
def test_compare(lower, upper, comparator, polarity, expected):
    assert ratings.compare(lower=lower, upper=upper, comparator=comparator, polarity=polarity) == (
        expected
    )


def point(value, lower=None, upper=None):
    return ratings.Point(
        D(value), None if lower is None else D(lower), None if upper is None else D(upper)
    )


@pytest.mark.parametrize(
    ("previous", "latest", "polarity", "expected"),
    [
        # Intervals apart: a real change.
        (point("20", "18", "22"), point("15", "13", "17"), LOWER_BETTER, ratings.IMPROVING),
        (point("20", "18", "22"), point("15", "13", "17"), HIGHER_BETTER, ratings.WORSENING),
        (
            point("15", "13", "17"),
            point("20", "18", "22"),
            Polarity.NO_JUDGEMENT,
            ratings.INCREASING,
        ),
        # Overlapping intervals: no significant change.
        (point("20", "18", "22"), point("19", "17", "21"), LOWER_BETTER, ratings.NO_CHANGE),
        # Without limits, the direction of the value.
        (point("20"), point("19"), LOWER_BETTER, ratings.IMPROVING),
        (point("20"), point("20"), LOWER_BETTER, ratings.NO_CHANGE),
        (None, point("20"), LOWER_BETTER, ratings.UNKNOWN),
    ],
)
def test_trend(previous, latest, polarity, expected):
    assert ratings.trend(previous, latest, polarity=polarity) == expected
