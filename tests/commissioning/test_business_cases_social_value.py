"""The social value check: at, above and below each default threshold (at the threshold the Act
applies), for every contract route, and for a grant; and what a saved case records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commissioning.models import CommissioningRoute, ContractThreshold
from commissioning.social_value import (
    estimated_total_value,
    pounds,
    social_value_check,
    term_text,
)
from tests.factories.commissioning_business_cases import (
    BCOutcomeFactory,
    make_business_case,
    sub_central,
)

pytestmark = pytest.mark.django_db

# The defaults of migration 0002: services thresholds from 1 January 2024, VAT included.
DEFAULT_THRESHOLDS = {
    "central-government": Decimal("139688"),
    "sub-central": Decimal("214904"),
    "light-touch": Decimal("663540"),
}
PENNY = Decimal("0.01")
CONTRACT_ROUTES = [
    CommissioningRoute.CONTRACT,
    CommissioningRoute.PARTNERSHIP,
    CommissioningRoute.JOINT,
]


def test_the_defaults_are_the_services_thresholds():
    assert {t.code: t.amount for t in ContractThreshold.objects.all()} == DEFAULT_THRESHOLDS


@pytest.mark.parametrize("code", DEFAULT_THRESHOLDS)
@pytest.mark.parametrize("route", CONTRACT_ROUTES)
@pytest.mark.parametrize(
    ("offset", "applies", "position"),
    [(Decimal(0), True, "is at"), (PENNY, True, "is above"), (-PENNY, False, "is below")],
    ids=["at", "above", "below"],
)
def test_at_above_and_below_each_threshold(code, route, offset, applies, position):
    threshold = ContractThreshold.objects.get(code=code)
    # Over a twelve-month term the total is the annual value, so it can sit exactly on the line.
    check = social_value_check(
        annual_value=threshold.amount + offset, term_months=12, route=route, threshold=threshold
    )
    assert check.total_value == threshold.amount + offset
    assert check.applies is applies
    assert position in check.message
    assert pounds(threshold.amount) in check.message
    if applies:
        assert check.message.endswith("the Social Value Act applies.")
    else:
        assert "the Social Value Act does not apply" in check.message
        assert "Compact" in check.message


@pytest.mark.parametrize("code", DEFAULT_THRESHOLDS)
def test_the_whole_term_counts_not_one_year(code):
    threshold = ContractThreshold.objects.get(code=code)
    # A third of the threshold a year, for three years, reaches it exactly.
    annual = threshold.amount / 3
    check = social_value_check(
        annual_value=annual, term_months=36, route=CommissioningRoute.CONTRACT, threshold=threshold
    )
    assert check.total_value == threshold.amount
    assert check.applies is True
    one_year = social_value_check(
        annual_value=annual, term_months=12, route=CommissioningRoute.CONTRACT, threshold=threshold
    )
    assert one_year.applies is False


def test_the_message_gives_the_figures_in_plain_words():
    check = social_value_check(
        annual_value=Decimal("240000"),
        term_months=36,
        route=CommissioningRoute.CONTRACT,
        threshold=sub_central(),
    )
    assert check.message == (
        "Estimated value £720,000 over 3 years is above the £214,904 threshold for other public "
        "bodies, such as councils and NHS trusts: the Social Value Act applies."
    )


@pytest.mark.parametrize("code", DEFAULT_THRESHOLDS)
def test_a_grant_is_never_under_the_act_however_large(code):
    threshold = ContractThreshold.objects.get(code=code)
    for threshold_given in (threshold, None):
        check = social_value_check(
            annual_value=threshold.amount * 10,
            term_months=36,
            route=CommissioningRoute.GRANT,
            threshold=threshold_given,
        )
        assert check.applies is False
        assert check.complete
        assert "does not apply to grants" in check.message
        assert "Compact expects social value to be considered anyway" in check.message


def test_a_contract_without_a_threshold_is_not_checked_yet():
    check = social_value_check(
        annual_value=Decimal("1000000"),
        term_months=36,
        route=CommissioningRoute.CONTRACT,
        threshold=None,
    )
    assert check.applies is None
    assert not check.complete
    assert "choose the kind of body" in check.message


def test_an_unknown_route_is_refused():
    with pytest.raises(ValueError, match="Unknown commissioning route"):
        social_value_check(
            annual_value=Decimal(1), term_months=12, route="loan", threshold=sub_central()
        )


@pytest.mark.parametrize(
    ("annual", "months", "total"),
    [
        (Decimal("240000"), 36, Decimal("720000.00")),
        (Decimal("1000"), 7, Decimal("583.33")),
        (Decimal("1000"), 5, Decimal("416.67")),
        (Decimal("0"), 36, Decimal("0.00")),
    ],
)
def test_the_total_is_to_the_penny(annual, months, total):
    assert estimated_total_value(annual, months) == total


@pytest.mark.parametrize(
    ("months", "text"), [(12, "1 year"), (36, "3 years"), (18, "18 months"), (1, "1 month")]
)
def test_the_term_in_words(months, text):
    assert term_text(months) == text


def test_pounds_keep_pence_only_when_there_are_some():
    assert pounds(Decimal("214904")) == "£214,904"
    assert pounds(Decimal("1234.5")) == "£1,234.50"


# What a saved case records


def test_a_saved_contract_records_the_check(commissioner, commissioning_body):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    assert case.social_value_applies is True
    assert case.social_value_checked_at is not None
    assert case.threshold == sub_central()


def test_a_saved_case_below_the_threshold_records_that_it_does_not_apply(
    commissioner, commissioning_body
):
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        estimated_annual_value=Decimal("50000"),
        social_value_considered="",
    )
    assert case.social_value_applies is False


def test_a_saved_grant_records_that_the_act_does_not_apply(commissioner, commissioning_body):
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        route=CommissioningRoute.GRANT,
        estimated_annual_value=Decimal("900000"),
        social_value_considered="",
        outcomes=[BCOutcomeFactory()],
    )
    assert case.social_value_applies is False
    assert case.social_value_checked_at is not None
