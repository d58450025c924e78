"""The schedule of monitoring returns follows the agreement's dates and reporting frequency."""

from datetime import date

import pytest

from commissioning.models import MonitoringReturn, ReturnStatus
from commissioning.services.monitoring_schedule import reporting_periods, returns_schedule_sync
from tests.factories.commissioning_agreements import AgreementFactory

pytestmark = pytest.mark.django_db


def test_quarterly_periods_of_a_financial_year_fall_due_a_month_after_each_quarter():
    periods = reporting_periods(date(2026, 4, 1), date(2027, 3, 31), "quarterly")
    assert [(p.start, p.end, p.due_on) for p in periods] == [
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 31)),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 31)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 31)),
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 30)),
    ]


def test_the_last_period_ends_with_the_agreement_and_tracking_adds_periods_after_it():
    periods = reporting_periods(
        date(2026, 5, 15), date(2026, 8, 20), "quarterly", date(2026, 12, 1)
    )
    assert [(p.start, p.end, p.after_end) for p in periods] == [
        (date(2026, 5, 15), date(2026, 8, 14), False),
        (date(2026, 8, 15), date(2026, 8, 20), False),
        (date(2026, 8, 21), date(2026, 11, 20), True),
        (date(2026, 11, 21), date(2026, 12, 1), True),
    ]


def test_sync_creates_each_return_once_and_drops_unstarted_ones_when_the_term_shortens():
    agreement = AgreementFactory(start_on=date(2026, 4, 1), end_on=date(2029, 3, 31))
    assert returns_schedule_sync(agreement) == (12, 0)
    assert returns_schedule_sync(agreement) == (0, 0)
    first = agreement.returns.order_by("period_start").first()
    MonitoringReturn.objects.filter(pk=first.pk).update(status=ReturnStatus.SUBMITTED)
    agreement.end_on = date(2027, 3, 31)
    agreement.save()
    assert returns_schedule_sync(agreement) == (0, 8)
    assert agreement.returns.count() == 4
    assert agreement.returns.filter(status=ReturnStatus.SUBMITTED).count() == 1
