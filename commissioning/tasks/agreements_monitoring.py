"""Tasks for monitoring returns (see tasks/__init__.py): the emails when a return is submitted
and reviewed, and the daily reminders of overdue returns. Each email goes once, however often
its task runs: the task locks the return and records the sending in the audit trail, and a
retry after a failed send finds no record and tries again."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.urls import reverse

__all__ = [
    "return_overdue_reminder_notify",
    "return_reviewed_notify",
    "return_submitted_notify",
    "returns_overdue_reminders_send",
]

EMAILED = "monitoring_return.emailed"


def _locked_return(return_id: int):
    from ..models import MonitoringReturn

    return (
        MonitoringReturn.objects.select_for_update(of=("self",))
        .select_related("agreement__provider", "agreement__body", "submitted_by", "reviewed_by")
        .filter(pk=return_id)
        .first()
    )


def _first_time(monitoring_return, marker: str) -> bool:
    """Record that this email is going out; False if it went out before. The caller holds the
    return's row lock, so two workers cannot both find no record."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import AuditEvent
    from accounts.services import audit_event_record

    sent = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(monitoring_return),
        object_id=str(monitoring_return.pk),
        action=EMAILED,
        note=marker,
    ).exists()
    if sent:
        return False
    audit_event_record(
        actor=None,
        action=EMAILED,
        obj=monitoring_return,
        organisation=monitoring_return.agreement.provider,
        note=marker,
    )
    return True


def _admins_of(organisation_id: int) -> list[str]:
    from accounts.models import Membership, MembershipRole

    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, role=MembershipRole.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _context(monitoring_return) -> dict:
    return {
        "monitoring_return": monitoring_return,
        "agreement": monitoring_return.agreement,
        "return_url": reverse("commissioning:return", args=[monitoring_return.pk]),
        "submit_url": reverse("commissioning:return_submit", args=[monitoring_return.pk]),
        "review_url": reverse("commissioning:return_review", args=[monitoring_return.pk]),
    }


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
@transaction.atomic
def return_submitted_notify(return_id: int, version: int) -> int:
    """Tell the lead body's admins that a return is waiting for their review. Nothing is sent if
    it has moved on since (reviewed, or returned and submitted again)."""
    from accounts.emails import send_templated_email

    from ..models import ReturnStatus

    monitoring_return = _locked_return(return_id)
    if (
        monitoring_return is None
        or monitoring_return.status != ReturnStatus.SUBMITTED
        or monitoring_return.version != version
        or not _first_time(monitoring_return, f"submitted v{version}")
    ):
        return 0
    return send_templated_email(
        name="returns_submitted",
        to=_admins_of(monitoring_return.agreement.body_id),
        context=_context(monitoring_return),
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
@transaction.atomic
def return_reviewed_notify(return_id: int, version: int) -> int:
    """Tell the lead provider's admins, and whoever submitted the return, that it was accepted
    or returned for more information, with the ratings and what more is needed."""
    from accounts.emails import send_templated_email
    from accounts.models import Membership

    from ..models import ReturnStatus

    monitoring_return = _locked_return(return_id)
    if (
        monitoring_return is None
        or monitoring_return.status not in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED)
        or monitoring_return.version != version
        or not _first_time(monitoring_return, f"reviewed v{version}")
    ):
        return 0
    agreement = monitoring_return.agreement
    to = _admins_of(agreement.provider_id)
    submitter = monitoring_return.submitted_by
    if (
        submitter is not None
        and submitter.is_active
        and Membership.objects.filter(
            user=submitter, organisation_id=agreement.provider_id
        ).exists()
    ):
        to.append(submitter.email)
    cofunders = (
        list(agreement.funders.order_by("body__name").values_list("body__name", flat=True))
        if monitoring_return.accepted_for_cofunders
        else []
    )
    return send_templated_email(
        name="returns_reviewed",
        to=to,
        context={
            **_context(monitoring_return),
            "accepted": monitoring_return.status == ReturnStatus.ACCEPTED,
            "cofunders": cofunders,
        },
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
@transaction.atomic
def return_overdue_reminder_notify(return_id: int, stage: str) -> int:
    """Remind the lead provider's admins of an overdue return: stage "first" a week after the
    due date, "second" a fortnight after. Nothing is sent once it has been submitted."""
    from django.utils import timezone

    from accounts.emails import send_templated_email

    from ..models import ReturnStatus

    monitoring_return = _locked_return(return_id)
    if (
        monitoring_return is None
        or monitoring_return.status != ReturnStatus.DUE
        or not _first_time(monitoring_return, f"reminder {stage}")
    ):
        return 0
    return send_templated_email(
        name="returns_overdue_reminder",
        to=_admins_of(monitoring_return.agreement.provider_id),
        context={
            **_context(monitoring_return),
            "stage": stage,
            "days_overdue": monitoring_return.days_overdue(timezone.localdate()),
        },
    )


@shared_task
def returns_overdue_reminders_send() -> int:
    """Run daily by the beat schedule: claim today's reminders of overdue returns and queue their
    emails. Running it twice, or two runs at once, reminds no one twice."""
    from ..services.agreements_monitoring import returns_overdue_reminders_claim

    return len(returns_overdue_reminders_claim())
