"""The indicator page and the outcomes framework issue a fixed number of queries, whatever the
number of areas, periods and indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import ComparatorValue, IndicatorValue
from providers.models import Area, AreaLevel
from tests.factories import AreaFactory
from tests.factories.commissioning_evidence import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

# A signed-in commissioner's request adds the session, the user, the planner check and the
# memberships for the navigation to what the page reads.
PINNED = {
    # the indicator; its periods (one distinct read of the index); every area; the comparator's
    # values; the trend area's values; the comparison's two periods for the shown areas
    "indicator": 10,
    # priorities; outcomes; their categories; indicators with their latest periods
    "outcomes": 8,
}


def grow(*, areas: int, periods: int) -> dict:
    """A borough with `areas` wards, and one indicator with a value for each area and period."""
    borough = AreaFactory(name="Lindenford")
    Area.objects.bulk_create(
        [
            Area(name=f"Ward {n}", ons_code=f"E05{n:06d}", level=AreaLevel.WARD, parent=borough)
            for n in range(areas)
        ]
    )
    indicator = IndicatorFactory()
    starts = [date(2010 + y, 4, 1) for y in range(periods)]
    labels = [f"{s.year}/{(s.year + 1) % 100:02d}" for s in starts]
    ComparatorValue.objects.bulk_create(
        [
            ComparatorValue(indicator=indicator, period=label, period_start=start, value=50)
            for label, start in zip(labels, starts, strict=True)
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                indicator=indicator,
                area=area,
                period=label,
                period_start=start,
                value=Decimal(40 + n % 20),
                lower_ci=Decimal(38 + n % 20),
                upper_ci=Decimal(42 + n % 20),
            )
            for n, area in enumerate(Area.objects.all())
            for label, start in zip(labels, starts, strict=True)
        ]
    )
    return {"indicator": indicator, "borough": borough, "ward": Area.objects.last()}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("areas", "periods"), [(5, 3), (60, 10)])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sort=high",
        "?page=2&sort=low",
        "?parent=&period=2011/12",
        "?trend_area={ward}&period=2012/13",
    ],
)
def test_the_indicator_page_reads_a_fixed_number_of_queries(
    client, commissioner, areas, periods, query
):
    world = grow(areas=areas, periods=periods)
    client.force_login(commissioner)
    url = reverse("commissioning:indicator", args=[world["indicator"].pk])
    url += query.format(ward=world["ward"].pk)
    assert count_queries(client, url) == PINNED["indicator"]


@pytest.mark.parametrize("size", [1, 6])
def test_the_outcomes_framework_reads_a_fixed_number_of_queries(client, commissioner, size):
    from tests.factories import ServiceCategoryFactory

    for _ in range(size):
        outcome = OutcomeFactory()
        outcome.categories.add(ServiceCategoryFactory(), ServiceCategoryFactory())
        for _ in range(size):
            indicator = IndicatorFactory(outcome=outcome)
            IndicatorValue.objects.create(
                indicator=indicator,
                area=AreaFactory(),
                period="2023",
                period_start=date(2023, 1, 1),
                value=1,
            )
    client.force_login(commissioner)
    assert count_queries(client, reverse("commissioning:outcomes")) == PINNED["outcomes"]
