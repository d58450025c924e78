"""Background work for provider mapping. Tasks take ids, look the rows up afresh and can safely
run twice."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from accounts.emails import send_templated_email
from accounts.models import Membership

from .models import Passport, PassportDocument, PassportDocumentStatus


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
