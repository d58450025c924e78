"""Reminders of overdue returns: the lead provider's admins are emailed once a week after the due
date and once a fortnight after it, however often (or however many at once) the daily task
runs. A return first found a fortnight or more overdue gets only the second reminder."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.models import MonitoringReturn, ReturnStatus
from commissioning.services import agreements_monitoring as services
from commissioning.tasks.agreements_monitoring import (
    return_overdue_reminder_notify,
    returns_overdue_reminders_send,
)
from tests.factories import MembershipFactory, UserFactory
from tests.factories.commissioning_agreements import AgreementFactory, MonitoringReturnFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(commissioning_body, provider_org, provider):
    plain = UserFactory(email="volunteer@example.org")
    MembershipFactory(user=plain, organisation=provider_org, role=MembershipRole.MEMBER)
    return AgreementFactory(body=commissioning_body, provider=provider_org)


def overdue_by(agreement, days: int, **kwargs) -> MonitoringReturn:
    due_on = timezone.localdate() - timedelta(days=days)
    return MonitoringReturnFactory(
        agreement=agreement,
        period_start=due_on - timedelta(days=120),
        period_end=due_on - timedelta(days=31),
        due_on=due_on,
        **kwargs,
    )


def run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return returns_overdue_reminders_send.delay().get()


def test_nothing_is_sent_before_a_week_has_passed(agreement, django_capture_on_commit_callbacks):
    overdue_by(agreement, 6)
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_week_overdue_the_providers_admins_are_reminded_once(
    agreement, django_capture_on_commit_callbacks
):
    monitoring_return = overdue_by(agreement, 7)
    assert run(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["provider@example.org"]]
    assert mail.outbox[0].subject.startswith("Reminder: monitoring return overdue")
    assert "7 days overdue" in mail.outbox[0].body
    monitoring_return.refresh_from_db()
    assert monitoring_return.first_reminder_at is not None
    assert monitoring_return.second_reminder_at is None
    # The second run the same day (or a retry) sends nothing.
    assert run(django_capture_on_commit_callbacks) == 0
    assert return_overdue_reminder_notify(monitoring_return.pk, "first") == 0
    assert len(mail.outbox) == 1


def test_a_fortnight_overdue_the_second_reminder_goes_once(
    agreement, django_capture_on_commit_callbacks
):
    monitoring_return = overdue_by(agreement, 7)
    run(django_capture_on_commit_callbacks)
    MonitoringReturn.objects.filter(pk=monitoring_return.pk).update(
        due_on=timezone.localdate() - timedelta(days=14)
    )
    assert run(django_capture_on_commit_callbacks) == 1
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Reminder", "Second reminder"]
    assert "14 days overdue" in mail.outbox[1].body
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_a_return_first_found_twenty_days_overdue_gets_only_the_second_reminder(
    agreement, django_capture_on_commit_callbacks
):
    monitoring_return = overdue_by(agreement, 20)
    assert run(django_capture_on_commit_callbacks) == 1
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Second reminder"]
    monitoring_return.refresh_from_db()
    assert monitoring_return.first_reminder_at == monitoring_return.second_reminder_at
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_returns_submitted_or_returned_are_not_reminded(
    agreement, django_capture_on_commit_callbacks
):
    overdue_by(agreement, 10, status=ReturnStatus.SUBMITTED)
    overdue_by(agreement, 30, status=ReturnStatus.RETURNED)
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_return_submitted_after_its_reminder_was_claimed_gets_no_email(agreement):
    monitoring_return = overdue_by(agreement, 8)
    claimed = services.returns_overdue_reminders_claim()
    assert claimed == [(monitoring_return.pk, "first")]
    MonitoringReturn.objects.filter(pk=monitoring_return.pk).update(status=ReturnStatus.SUBMITTED)
    assert return_overdue_reminder_notify(monitoring_return.pk, "first") == 0
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="monitoring_return.reminded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_each_return_once(commissioning_body, provider_org, provider):
    agreement = AgreementFactory(body=commissioning_body, provider=provider_org)
    returns = [overdue_by(agreement, days) for days in (7, 9, 15, 30)]
    barrier = threading.Barrier(2)
    claims: list[list[tuple[int, str]]] = []
    errors: list[Exception] = []

    def claim():
        try:
            barrier.wait(timeout=10)
            claims.append(services.returns_overdue_reminders_claim())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    every = sorted(pair for run_claims in claims for pair in run_claims)
    assert every == sorted(
        [
            (returns[0].pk, "first"),
            (returns[1].pk, "first"),
            (returns[2].pk, "second"),
            (returns[3].pk, "second"),
        ]
    )
    # Tasks run eagerly in tests, once each claim commits: one email per claim.
    assert len(mail.outbox) == 4
