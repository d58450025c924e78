"""Entering an indicator value on a page: one row an indicator, area and period, created or
updated, and bad input refused with a message that says what is wrong."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from commissioning.models import ComparatorValue, IndicatorValue
from tests.factories import AreaFactory
from tests.factories.commissioning_evidence import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return {
        "indicator": IndicatorFactory(name="Breastfeeding at 6 to 8 weeks", unit="percent"),
        "area": AreaFactory(name="Lindenford"),
    }


def form(place, **changes) -> dict:
    data = {
        "area": str(place.pk),
        "period": "2023/24",
        "value": "52.0",
        "lower_ci": "49.5",
        "upper_ci": "54.5",
        "count": "520",
        "denominator": "1000",
        "source": "Health visitor returns",
    }
    data.update(changes)
    return data


def add_url(indicator) -> str:
    return reverse("commissioning:indicator_value_add", args=[indicator.pk])


def test_a_commissioner_adds_a_value_then_corrects_it(client, commissioner, world):
    indicator, area = world["indicator"], world["area"]
    client.force_login(commissioner)

    response = client.post(add_url(indicator), form(area, period=" 2023 / 2024 "))

    assert response.status_code == 302
    assert response.url == (
        reverse("commissioning:indicator", args=[indicator.pk]) + "?period=2023%2F24"
    )
    value = IndicatorValue.objects.get()
    assert (value.period, value.period_start) == ("2023/24", date(2023, 4, 1))
    assert (value.value, value.lower_ci, value.upper_ci) == (D("52"), D("49.5"), D("54.5"))
    assert (value.count, value.denominator) == (D("520"), D("1000"))
    assert value.entered_by == commissioner
    assert AuditEvent.objects.filter(action="indicator_value.created").exists()

    client.post(add_url(indicator), form(area, value="53.0"))

    value = IndicatorValue.objects.get()
    assert value.value == D("53")
    assert AuditEvent.objects.filter(action="indicator_value.updated").exists()


def test_the_comparators_value_is_entered_on_the_same_page(client, network_admin, world):
    indicator = world["indicator"]
    client.force_login(network_admin)
    page = client.get(add_url(indicator)).content.decode()
    assert "England (the comparator)" in page

    client.post(
        add_url(indicator),
        form(world["area"], area="comparator", value="49.2", lower_ci="49.0", upper_ci="49.4"),
    )

    comparator = ComparatorValue.objects.get()
    assert (comparator.indicator, comparator.period, comparator.value) == (
        indicator,
        "2023/24",
        D("49.2"),
    )
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "120"}, "The value is 120, but this indicator is a percentage: give 0 to 100."),
        ({"value": "-3", "lower_ci": "", "upper_ci": ""}, "this indicator is a percentage"),
        ({"count": "-5"}, "The count cannot be negative: it is -5."),
        ({"denominator": "-1"}, "The denominator cannot be negative"),
        (
            {"lower_ci": "54.5", "upper_ci": "49.5"},
            "The lower limit (54.5) is above the upper limit (49.5).",
        ),
        (
            {"value": "60", "lower_ci": "49.5", "upper_ci": "54.5"},
            "The value (60.0) is outside its own confidence limits (49.5 to 54.5).",
        ),
        ({"upper_ci": ""}, "Give both confidence limits, or neither."),
        ({"period": "sometime"}, "“sometime” is not a period we recognise."),
        ({"period": "2023/25"}, "the second year must follow the first"),
        ({"value": "about 50"}, "Give the value as a number."),
        ({"value": ""}, "Give the value."),
        ({"area": ""}, "Choose the area the value is for."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, commissioner, world, changes, message
):
    client.force_login(commissioner)
    response = client.post(add_url(world["indicator"]), form(world["area"], **changes))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "There is a problem" in html
    assert message in html
    assert not IndicatorValue.objects.exists()


def test_a_rate_cannot_be_negative_but_a_score_can(client, commissioner, world):
    rate = IndicatorFactory(unit="per_100000")
    score = IndicatorFactory(unit="score")
    client.force_login(commissioner)
    bad = form(world["area"], value="-2", lower_ci="", upper_ci="")
    response = client.post(add_url(rate), bad)
    assert "cannot be negative" in response.content.decode()
    assert client.post(add_url(score), bad).status_code == 302


def test_providers_cannot_enter_values(client, provider, world):
    client.force_login(provider)
    response = client.post(add_url(world["indicator"]), form(world["area"]))
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()
