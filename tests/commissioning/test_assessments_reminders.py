"""The daily review reminder: the owners of an assessment past its review date get one email per
review date, however often the task runs; a reviewed assessment gets none until its new date
passes."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.services import assessments as services
from commissioning.tasks.assessments import needs_assessment_review_reminders_send
from tests.factories import MembershipFactory, UserFactory
from tests.factories.commissioning_assessments import NeedsAssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(commissioning_body, commissioner):
    """The author (a plain member), another admin, and a member who is not told."""
    author = UserFactory(email="author@example.org")
    MembershipFactory(user=author, organisation=commissioning_body, role=MembershipRole.MEMBER)
    other_admin = UserFactory(email="other.admin@example.org")
    MembershipFactory(user=other_admin, organisation=commissioning_body, role=MembershipRole.ADMIN)
    bystander = UserFactory(email="bystander@example.org")
    MembershipFactory(user=bystander, organisation=commissioning_body, role=MembershipRole.MEMBER)
    return {"author": author, "admins": [commissioner, other_admin], "bystander": bystander}


@pytest.fixture
def overdue(commissioning_body, people):
    today = timezone.localdate()
    return NeedsAssessmentFactory(
        title="Carers' breaks",
        body=commissioning_body,
        created_by=people["author"],
        assessed_on=today - timedelta(days=400),
        next_review_on=today - timedelta(days=1),
    )


def run_task(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return needs_assessment_review_reminders_send.delay().get()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


EXPECTED = ["author@example.org", "commissioner@example.org", "other.admin@example.org"]


def test_run_twice_it_sends_one_email_to_each_owner(django_capture_on_commit_callbacks, overdue):
    assert run_task(django_capture_on_commit_callbacks) == 1
    assert run_task(django_capture_on_commit_callbacks) == 0
    assert recipients() == EXPECTED
    message = mail.outbox[0]
    assert message.subject == "Needs assessment due for review: Carers' breaks"
    assert overdue.get_absolute_url() in message.body
    assert f"{overdue.next_review_on:%-d %B %Y}" in message.body
    overdue.refresh_from_db()
    assert overdue.reminded_for == overdue.next_review_on
    assert AuditEvent.objects.filter(action="needs_assessment.review_reminded").count() == 1


def test_nothing_is_sent_before_the_review_date_has_passed(
    django_capture_on_commit_callbacks, commissioning_body, people
):
    today = timezone.localdate()
    NeedsAssessmentFactory(body=commissioning_body, next_review_on=today)
    NeedsAssessmentFactory(body=commissioning_body, next_review_on=today + timedelta(days=3))
    assert run_task(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_reviewed_assessment_gets_no_reminder(
    django_capture_on_commit_callbacks, commissioner, overdue
):
    services.needs_assessment_mark_reviewed(
        actor=commissioner,
        assessment=overdue,
        next_review_on=timezone.localdate() + timedelta(days=180),
        note="Still stands.",
    )
    assert run_task(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_later_review_date_gets_a_new_reminder_when_it_passes(
    django_capture_on_commit_callbacks, commissioner, overdue
):
    run_task(django_capture_on_commit_callbacks)
    assert recipients() == EXPECTED
    new_date = timezone.localdate() + timedelta(days=30)
    services.needs_assessment_mark_reviewed(
        actor=commissioner, assessment=overdue, next_review_on=new_date, note="Refreshed."
    )
    overdue.refresh_from_db()
    assert overdue.reminded_for is None
    mail.outbox = []
    # Thirty-one days on, the new date has passed: one new reminder, once.
    later = new_date + timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        assert run_task(django_capture_on_commit_callbacks) == 1
        assert run_task(django_capture_on_commit_callbacks) == 0
    assert recipients() == EXPECTED
    assert f"{new_date:%-d %B %Y}" in mail.outbox[0].body
    overdue.refresh_from_db()
    assert overdue.reminded_for == new_date


def test_an_email_queued_before_a_review_is_not_sent_after_it(commissioner, overdue):
    """The email task looks the assessment up afresh: reviewed in between, it sends nothing."""
    from commissioning.tasks.assessments import needs_assessment_review_due_notify

    old_date = overdue.next_review_on
    services.needs_assessment_mark_reviewed(
        actor=commissioner,
        assessment=overdue,
        next_review_on=timezone.localdate() + timedelta(days=90),
        note="Done.",
    )
    assert needs_assessment_review_due_notify.delay(overdue.pk, old_date.isoformat()).get() == 0
    assert mail.outbox == []


def test_each_overdue_assessment_is_reminded_once(
    django_capture_on_commit_callbacks, commissioning_body, people, overdue
):
    today = timezone.localdate()
    NeedsAssessmentFactory(
        title="Second",
        body=commissioning_body,
        created_by=people["author"],
        assessed_on=today - timedelta(days=400),
        next_review_on=today - timedelta(days=40),
    )
    assert run_task(django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 2 * len(EXPECTED)


def test_the_task_runs_daily_at_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["needs-assessment-review-reminders"]
    assert entry["task"] == needs_assessment_review_reminders_send.name
    assert entry["schedule"] == crontab(hour=7, minute=0)
