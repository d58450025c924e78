"""Background work for provider mapping. Tasks take ids, look the rows up afresh and can safely
run twice."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from accounts.emails import send_templated_email
from accounts.models import Membership, MembershipRole, User

from .models import (
    ConsortiumMember,
    ConsortiumStatus,
    Passport,
    PassportDocument,
    PassportDocumentStatus,
)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def passport_document_reviewed_notify(document_id: int) -> int:
    """Tell an organisation's people that a network admin accepted or returned a document."""
    document = (
        PassportDocument.objects.select_related("organisation")
        .filter(
            pk=document_id,
            status__in=[PassportDocumentStatus.ACCEPTED, PassportDocumentStatus.RETURNED],
        )
        .first()
    )
    if document is None:
        return 0
    organisation = document.organisation
    recipients = Membership.objects.filter(
        organisation=organisation, user__is_active=True
    ).values_list("user__email", flat=True)
    return send_templated_email(
        name="passport_reviewed",
        to=list(recipients),
        context={
            "document": document,
            "organisation": organisation,
            "passport": Passport.objects.filter(organisation=organisation).first(),
            "passport_url": reverse("providers:passport", args=[organisation.pk]),
        },
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def passport_document_uploaded_notify(document_id: int) -> int:
    """Tell the network admins that a passport document is waiting for their review. Nothing is
    sent once it has been reviewed or replaced: by then there is nothing to ask of them."""
    document = (
        PassportDocument.objects.select_related("organisation", "uploaded_by")
        .filter(pk=document_id, status=PassportDocumentStatus.SUBMITTED)
        .first()
    )
    if document is None:
        return 0
    admins = User.objects.filter(is_network_admin=True, is_active=True).values_list(
        "email", flat=True
    )
    return send_templated_email(
        name="passport_document_uploaded",
        to=list(admins),
        context={
            "document": document,
            "organisation": document.organisation,
            "review_url": reverse("providers:passport_review", args=[document.pk]),
        },
    )


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def consortium_member_added_notify(member_id: int) -> int:
    """Ask a new consortium member's admins to confirm, in the portal, that it belongs. Nothing
    is sent once it has confirmed, or once the consortium has stopped forming."""
    member = (
        ConsortiumMember.objects.select_related("organisation", "consortium__lead")
        .filter(
            pk=member_id,
            confirmed_at__isnull=True,
            consortium__status=ConsortiumStatus.FORMING,
        )
        .first()
    )
    if member is None:
        return 0
    admins = Membership.objects.filter(
        organisation=member.organisation, role=MembershipRole.ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    return send_templated_email(
        name="consortium_member_added",
        to=list(admins),
        context={
            "member": member,
            "consortium": member.consortium,
            "organisation": member.organisation,
            "consortium_url": reverse("providers:consortium", args=[member.consortium_id]),
        },
    )


@shared_task
def organisation_import_run(import_id: int) -> str:
    """Run a CSV import of organisations. A finished import is left alone, so running it twice is
    safe; progress is written to the import as it goes."""
    from .services.imports import organisation_import_run as run

    return run(import_id=import_id).status


@shared_task
def provision_counts_refresh() -> int:
    """Recount the provision map. Run after services change, and on the beat schedule so that
    verifications and anything else that moves a count are picked up within minutes."""
    from .services.provision import provision_counts_refresh as refresh

    return refresh()
