"""An opportunity's timetable: working days in England for the standstill, the order of the
dates with a clear message for each, the term, and the reference."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from commissioning.services import sourcing_opportunities as services
from commissioning.timetable import is_working_day, standstill_end, working_days_after
from tests.factories import CommissioningBodyFactory
from tests.factories.commissioning_sourcing_opportunities import (
    draft_opportunity,
    london,
    opportunity_data,
)


def test_working_days_skip_christmas_boxing_day_substitute_and_new_year():
    # 25 Dec 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28th is the bank holiday.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2026, 12, 29))
    # 29, 30, 31 Dec, then 4 to 8 Jan
    assert working_days_after(date(2026, 12, 24), 8) == date(2027, 1, 8)


def test_working_days_skip_easter():
    # Good Friday 26 March 2027 and Easter Monday 29 March 2027
    assert not is_working_day(date(2027, 3, 26))
    assert not is_working_day(date(2027, 3, 29))
    assert standstill_end(date(2027, 3, 25)) == date(2027, 4, 8)


def test_working_days_skip_weekends_and_do_not_count_the_day_itself():
    assert working_days_after(date(2027, 6, 4), 1) == date(2027, 6, 7)  # Friday to Monday
    assert working_days_after(date(2027, 6, 7), 0) == date(2027, 6, 7)
    assert standstill_end(date(2027, 6, 7)) == date(2027, 6, 17)


pytestmark = pytest.mark.django_db


def test_the_standstill_defaults_to_eight_working_days(commissioning_body, commissioner):
    opportunity = draft_opportunity(
        commissioner,
        commissioning_body,
        award_on=date(2027, 3, 25),
        contract_start_on=date(2027, 6, 1),
        publish_at=london(2027, 1, 4),
        clarifications_close_at=london(2027, 1, 20),
        bid_deadline=london(2027, 2, 1),
        evaluation_on=date(2027, 2, 15),
    )
    assert opportunity.standstill_ends_on == date(2027, 4, 8)


def _problems(commissioner, body, **overrides) -> dict:
    with pytest.raises(ValidationError) as error:
        draft_opportunity(commissioner, body, **overrides)
    return {field: messages[0] for field, messages in error.value.message_dict.items()}


def test_dates_out_of_order_are_refused_with_a_clear_message(commissioning_body, commissioner):
    data = opportunity_data()
    problems = _problems(
        commissioner,
        commissioning_body,
        bid_deadline=data["clarifications_close_at"] - timedelta(hours=1),
    )
    assert problems["bid_deadline"].startswith(
        "The bid deadline date must be after the clarification questions close date ("
    )
    problems = _problems(
        commissioner, commissioning_body, contract_start_on=data["award_on"] - timedelta(days=1)
    )
    assert list(problems) == ["contract_start_on"]
    assert "after the standstill ends date" in problems["contract_start_on"]


def test_a_two_stage_opportunity_needs_an_eoi_deadline_and_others_refuse_one(
    commissioning_body, commissioner
):
    problems = _problems(commissioner, commissioning_body, procedure="two_stage", eoi_deadline=None)
    assert "two-stage opportunity needs one" in problems["eoi_deadline"]
    data = opportunity_data(two_stage=True)
    problems = _problems(commissioner, commissioning_body, eoi_deadline=data["eoi_deadline"])
    assert "only two-stage opportunities" in problems["eoi_deadline"]


def test_the_eoi_deadline_comes_before_the_bid_deadline(commissioning_body, commissioner):
    data = opportunity_data(two_stage=True)
    problems = _problems(
        commissioner,
        commissioning_body,
        procedure="two_stage",
        eoi_deadline=data["bid_deadline"] + timedelta(days=1),
        shortlist_on=None,
    )
    assert (
        "The bid deadline date must be after the expression of interest deadline"
        in (problems["bid_deadline"])
    )


def test_a_short_term_needs_a_reason(commissioning_body, commissioner):
    problems = _problems(commissioner, commissioning_body, term_months=24)
    assert problems["short_term_reason"].startswith(
        "Say why the term is shorter than three years (24 months)"
    )
    opportunity = draft_opportunity(
        commissioner, commissioning_body, term_months=24, short_term_reason="A pilot"
    )
    assert opportunity.term_months == 24


def test_references_are_the_body_initials_year_and_a_number(commissioner, commissioning_body):
    first = draft_opportunity(commissioner, commissioning_body)
    second = draft_opportunity(commissioner, commissioning_body)
    prefix = f"{services.body_initials(commissioning_body)}-{first.created_at.year}-"
    assert first.reference == f"{prefix}0001"
    assert second.reference == f"{prefix}0002"
    other = CommissioningBodyFactory(name="Lindenford Borough Council")
    assert services.body_initials(other) == "LBC"
