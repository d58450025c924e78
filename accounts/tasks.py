"""Background work for accounts. Tasks take ids, look the rows up afresh and can safely run twice."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from .emails import send_templated_email
from .models import Invitation, Membership, Organisation, User, VerificationStatus


def _member_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def organisation_verification_notify(organisation_id: int) -> int:
    """Tell an organisation's users that it was verified or rejected."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.verification_status == VerificationStatus.PENDING:
        return 0
    name = (
        "organisation_verified"
        if organisation.verification_status == VerificationStatus.VERIFIED
        else "organisation_rejected"
    )
    return send_templated_email(
        name=name,
        to=_member_emails(organisation),
        context={
            "organisation": organisation,
            "organisation_url": reverse("accounts:organisation_detail", args=[organisation.pk]),
        },
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def organisation_registered_notify(organisation_id: int) -> int:
    """Tell the network admins that an organisation is waiting to be verified."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.verification_status != VerificationStatus.PENDING:
        return 0
    admins = User.objects.filter(is_network_admin=True, is_active=True).values_list(
        "email", flat=True
    )
    return send_templated_email(
        name="organisation_registered",
        to=list(admins),
        context={
            "organisation": organisation,
            "review_url": reverse("accounts:organisation_review", args=[organisation.pk]),
        },
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def invitation_send(invitation_id: int, token: str) -> int:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return 0
    return send_templated_email(
        name="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "accept_url": reverse("accounts:invitation_accept", args=[token]),
        },
    )


@shared_task
def audit_heartbeat(note: str) -> int:
    """Write a system audit event. Used to check that a worker is consuming from the broker."""
    from .services import audit_event_record

    return audit_event_record(actor=None, action="system.heartbeat", note=note).pk
