"""The indicator page on worked values: each ward rated better, similar or worse than England by
its 95% confidence interval, its change from the year before, the trend over time, the choices
of area and period, pagination, the CSV, and latest_ratings for other parts."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning import ratings
from commissioning.selectors.evidence import latest_ratings
from tests.factories import AreaFactory, WardFactory
from tests.factories.commissioning_evidence import (
    ComparatorValueFactory,
    IndicatorFactory,
    IndicatorValueFactory,
)

pytestmark = pytest.mark.django_db

YEAR_STARTS = {"2022/23": date(2022, 4, 1), "2023/24": date(2023, 4, 1)}


def value(indicator, area, period, v, lower=None, upper=None):
    return IndicatorValueFactory(
        indicator=indicator,
        area=area,
        period=period,
        period_start=YEAR_STARTS[period],
        value=D(v),
        lower_ci=D(lower) if lower else None,
        upper_ci=D(upper) if upper else None,
    )


@pytest.fixture
def world():
    """Breastfeeding at 6 to 8 weeks (%; higher is better) against England: 47.6 then 48.0."""
    indicator = IndicatorFactory(name="Breastfeeding at 6 to 8 weeks", unit="percent")
    borough = AreaFactory(name="Lindenford")
    wards = {
        name: WardFactory(name=name, parent=borough)
        for name in ("Abbey", "Brook", "Castle", "Dale", "Elm")
    }
    ComparatorValueFactory(
        indicator=indicator, period="2022/23", period_start=YEAR_STARTS["2022/23"], value=D("47.6")
    )
    ComparatorValueFactory(
        indicator=indicator, period="2023/24", period_start=YEAR_STARTS["2023/24"], value=D("48.0")
    )
    value(indicator, borough, "2022/23", "46.0", "45.2", "46.8")
    value(indicator, borough, "2023/24", "47.1", "46.3", "47.9")
    # Abbey: 52.0 (49.5 to 54.5) is wholly above England's 48.0, so better; last year's interval
    # (43.0 to 47.0) is wholly below this year's, so improving.
    value(indicator, wards["Abbey"], "2022/23", "45.0", "43.0", "47.0")
    value(indicator, wards["Abbey"], "2023/24", "52.0", "49.5", "54.5")
    # Brook: 47.0 (45.0 to 49.0) includes 48.0, so similar; the intervals overlap, so no change.
    value(indicator, wards["Brook"], "2022/23", "47.5", "45.5", "49.5")
    value(indicator, wards["Brook"], "2023/24", "47.0", "45.0", "49.0")
    # Castle: 40.0 (38.0 to 42.0) is wholly below, so worse; and worsening from 46.0 (44.5 to
    # 47.8), which was similar to England's 47.6.
    value(indicator, wards["Castle"], "2022/23", "46.0", "44.5", "47.8")
    value(indicator, wards["Castle"], "2023/24", "40.0", "38.0", "42.0")
    # Dale: no confidence interval, so not compared; up from 49.0, so improving.
    value(indicator, wards["Dale"], "2022/23", "49.0")
    value(indicator, wards["Dale"], "2023/24", "50.0")
    # Elm has no value in 2023/24.
    value(indicator, wards["Elm"], "2022/23", "44.0", "42.0", "46.0")
    return {"indicator": indicator, "borough": borough, "wards": wards}


def page_url(indicator, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("commissioning:indicator", args=[indicator.pk])
    return f"{url}?{urlencode(query)}" if query else url


def comparison(response) -> dict[str, tuple[str, str]]:
    return {
        row.area.name: (row.rating.code, row.trend.code)
        for row in response.context["page"].comparison.object_list
    }


def test_each_ward_is_rated_against_england_with_its_change_from_last_year(
    client, commissioner, world
):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"]))

    assert response.status_code == 200
    page = response.context["page"]
    assert (page.period.label, page.previous.label) == ("2023/24", "2022/23")
    assert page.parent_area == world["borough"]  # the only top-level area's wards by default
    assert comparison(response) == {
        "Abbey": ("better", "improving"),
        "Brook": ("similar", "no_change"),
        "Castle": ("worse", "worsening"),
        "Dale": ("not_compared", "improving"),
        "Elm": ("not_compared", "unknown"),
    }
    html = response.content.decode()
    # In words as well as colour, and as a chart with a title, a description and a comparator line.
    abbey = html[html.index('Abbey<span class="visually-hidden">: show its trend') :]
    abbey = abbey[: abbey.index("</tr>")]
    for words in ("52.0", "49.5 to 54.5", ">Better<", "Improving", "(was 45.0)"):
        assert words in abbey
    assert 'aria-labelledby="comparison-chart-title comparison-chart-desc"' in html
    assert (
        '<title id="comparison-chart-title">Breastfeeding at 6 to 8 weeks by area, 2023/24</title>'
        in html
    )
    assert "The dashed line is England at 48.0%" in html
    assert 'class="chart-reference"' in html
    assert "Castle: 40.0%, Worse than the comparator" in html


def test_the_trend_is_for_the_borough_unless_another_area_is_chosen(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"]))
    page = response.context["page"]
    assert page.trend_area == world["borough"]
    assert [
        (r.period, r.value.value, r.comparator.value, r.rating.code) for r in page.trend_rows
    ] == [
        ("2022/23", D("46"), D("47.6"), "worse"),
        ("2023/24", D("47.1"), D("48"), "worse"),
    ]
    assert page.trend_rows[1].trend == ratings.NO_CHANGE
    html = response.content.decode()
    assert 'aria-labelledby="trend-chart-title trend-chart-desc"' in html
    assert "from 2022/23 to 2023/24: 46.0% in 2022/23 and 47.1% in 2023/24" in html
    assert "chart-series-comparator" in html  # England's line

    castle = world["wards"]["Castle"]
    response = client.get(page_url(world["indicator"], trend_area=castle.pk))
    rows = response.context["page"].trend_rows
    assert [r.rating.code for r in rows] == ["similar", "worse"]
    assert rows[1].trend == ratings.WORSENING


def test_an_earlier_period_is_compared_with_englands_value_for_that_period(
    client, commissioner, world
):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"], period="2022/23"))
    page = response.context["page"]
    assert page.comparator.value == D("47.6")
    assert page.previous is None
    assert comparison(response)["Elm"] == ("worse", "unknown")  # 42.0 to 46.0 is below 47.6
    assert comparison(response)["Castle"] == ("similar", "unknown")


def test_top_level_areas_can_be_compared_instead(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"], parent=""))
    assert response.context["page"].parent_area is None
    assert comparison(response) == {"Lindenford": ("worse", "no_change")}


def test_areas_can_be_ordered_by_value(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"], sort="high"))
    names = [row.area.name for row in response.context["page"].comparison.object_list]
    assert names == ["Abbey", "Dale", "Brook", "Castle", "Elm"]  # no value last
    response = client.get(page_url(world["indicator"], sort="low"))
    names = [row.area.name for row in response.context["page"].comparison.object_list]
    assert names == ["Castle", "Brook", "Dale", "Abbey", "Elm"]


def test_a_choice_that_does_not_exist_falls_back_and_says_so(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(page_url(world["indicator"], period="1066", trend_area="999999"))
    assert response.status_code == 200
    assert response.context["page"].period.label == "2023/24"
    assert response.context["page"].trend_area == world["borough"]
    assert "There is a problem" in response.content.decode()


def test_more_than_fifty_areas_are_paginated(client, commissioner):
    indicator = IndicatorFactory()
    borough = AreaFactory(name="Big borough")
    wards = [WardFactory(name=f"Ward {n:02d}", parent=borough) for n in range(55)]
    for ward in wards:
        value(indicator, ward, "2023/24", "50.0", "45.0", "55.0")
    client.force_login(commissioner)
    first = client.get(page_url(indicator))
    assert len(first.context["page"].comparison.object_list) == 50
    assert "areas 1 to 50 of 55" in first.content.decode()
    second = client.get(page_url(indicator, page=2))
    assert [row.area.name for row in second.context["page"].comparison.object_list] == [
        f"Ward {n}" for n in range(50, 55)
    ]


def test_no_judgement_indicators_are_higher_or_lower(client, commissioner, world):
    indicator = world["indicator"]
    indicator.polarity = "no_judgement"
    indicator.save()
    client.force_login(commissioner)
    response = client.get(page_url(indicator))
    assert comparison(response)["Abbey"] == ("higher", "increasing")
    assert comparison(response)["Castle"] == ("lower", "decreasing")


def test_an_indicator_without_values_says_so(client, commissioner):
    indicator = IndicatorFactory()
    client.force_login(commissioner)
    response = client.get(page_url(indicator))
    assert "There are no values for this indicator yet." in response.content.decode()


def test_the_csv_has_every_areas_values_for_the_shown_period(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(
        reverse("commissioning:indicator_csv", args=[world["indicator"].pk]) + "?period=2023/24"
    )
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, england, *areas = rows
    assert header[:6] == [
        "Indicator ID",
        "Indicator Name",
        "Area Code",
        "Area Name",
        "Time period",
        "Value",
    ]
    assert header[-2] == "Compared with England"
    assert england[3:6] == ["England", "2023/24", "48"]
    by_name = {row[3]: row for row in areas}
    assert set(by_name) == {"Lindenford", "Abbey", "Brook", "Castle", "Dale"}
    assert by_name["Abbey"][5:8] == ["52", "49.5", "54.5"]
    assert by_name["Abbey"][-2:] == ["Better than the comparator", "Improving"]
    assert by_name["Castle"][-2:] == ["Worse than the comparator", "Worsening"]


def test_latest_ratings_gives_each_indicators_latest_period_in_three_queries(
    world, django_assert_num_queries
):
    wards = world["wards"]
    other = IndicatorFactory(polarity="lower_better")
    value(other, wards["Abbey"], "2022/23", "10.0", "9.0", "11.0")
    no_data = IndicatorFactory()

    with django_assert_num_queries(3):
        found = latest_ratings(
            [world["indicator"], other, no_data.pk], [*wards.values(), world["borough"]]
        )

    indicator = world["indicator"]
    abbey = found[(indicator.pk, wards["Abbey"].pk)]
    assert (abbey.period, abbey.value, abbey.lower, abbey.upper, abbey.comparator) == (
        "2023/24",
        D("52"),
        D("49.5"),
        D("54.5"),
        D("48"),
    )
    assert (abbey.rating, abbey.trend) == (ratings.BETTER, ratings.IMPROVING)
    assert (abbey.previous_period, abbey.previous_value) == ("2022/23", D("45"))
    assert found[(indicator.pk, wards["Castle"].pk)].is_worse
    assert (indicator.pk, wards["Elm"].pk) not in found  # no value in the latest period
    # Another indicator's latest period is its own; with no comparator value it is not compared.
    other_abbey = found[(other.pk, wards["Abbey"].pk)]
    assert (other_abbey.period, other_abbey.rating, other_abbey.trend) == (
        "2022/23",
        ratings.NOT_COMPARED,
        ratings.UNKNOWN,
    )
    assert not any(key[0] == no_data.pk for key in found)
    assert latest_ratings([], [world["borough"]]) == {}
