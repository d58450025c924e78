"""The schedule of monitoring returns: one return for each reporting period of an agreement, due
a month after the period ends, and more after the end while outcomes go on being tracked.

The schedule is kept in step with the agreement: call returns_schedule_sync after creating it and
after any change to its dates, reporting frequency or outcome tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction

from ..models import Agreement, MonitoringReturn, ReturnStatus
from ..models.agreements import REPORTING_MONTHS

# A return is due one calendar month after its period ends: 31 July for a quarter to 30 June.
DUE_AFTER = relativedelta(months=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    after_end: bool

    @property
    def due_on(self) -> date:
        return self.end + timedelta(days=1) + DUE_AFTER - timedelta(days=1)


def reporting_periods(
    start_on: date, end_on: date, frequency: str, tracking_until: date | None = None
) -> list[Period]:
    """The periods from the start to the end, the last cut short at the end date; then, while
    outcomes are tracked after the end, periods of the same length from the day after the end
    up to tracking_until."""
    step = relativedelta(months=REPORTING_MONTHS[frequency])

    def grid(first: date, last: date, after_end: bool) -> list[Period]:
        found, start, n = [], first, 0
        while start <= last:
            n += 1
            end = min(first + step * n - timedelta(days=1), last)
            found.append(Period(start=start, end=end, after_end=after_end))
            start = end + timedelta(days=1)
        return found

    periods = grid(start_on, end_on, False)
    if tracking_until and tracking_until > end_on:
        periods += grid(end_on + timedelta(days=1), tracking_until, True)
    return periods


@transaction.atomic
def returns_schedule_sync(agreement: Agreement) -> tuple[int, int]:
    """Create the returns the agreement's periods call for, and remove those that were never
    started and no longer fall in a period. Returns (created, removed). Idempotent."""
    periods = reporting_periods(
        agreement.start_on,
        agreement.end_on,
        agreement.reporting_frequency,
        agreement.tracking_until,
    )
    wanted = {period.start: period for period in periods}
    existing = {r.period_start: r for r in agreement.returns.all()}
    removable = [
        r.pk
        for start, r in existing.items()
        if start not in wanted and r.status == ReturnStatus.DUE and r.submitted_at is None
    ]
    removed = MonitoringReturn.objects.filter(pk__in=removable).delete()[0] if removable else 0
    created = MonitoringReturn.objects.bulk_create(
        [
            MonitoringReturn(
                agreement=agreement,
                body_id=agreement.body_id,
                period_start=period.start,
                period_end=period.end,
                due_on=period.due_on,
                after_end=period.after_end,
            )
            for start, period in wanted.items()
            if start not in existing
        ]
    )
    # A period whose end moved (a new end date) keeps its return, with the new end and due date.
    for start, r in existing.items():
        period = wanted.get(start)
        if (
            period
            and r.status == ReturnStatus.DUE
            and (r.period_end, r.due_on)
            != (
                period.end,
                period.due_on,
            )
        ):
            MonitoringReturn.objects.filter(pk=r.pk).update(
                period_end=period.end, due_on=period.due_on, after_end=period.after_end
            )
    return len(created), removed
