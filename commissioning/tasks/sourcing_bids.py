"""Tasks for bids: the emailed receipt of a submission (see tasks/__init__.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

__all__ = ["bid_receipt_send"]


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
@transaction.atomic
def bid_receipt_send(receipt_id: int) -> int:
    """Email the receipt of a submission to the person who submitted the bid and the bidding
    organisation's admins: the time in Europe/London and the content hash. Once: the receipt is
    locked and marked as emailed, so a retried or repeated task sends nothing more."""
    from accounts.emails import send_templated_email
    from accounts.models import Membership, MembershipRole

    from ..models import BidReceipt
    from ..services.sourcing_bids import london

    receipt = (
        BidReceipt.objects.select_for_update(of=("self",))
        .select_related("bid__opportunity", "bid__organisation", "bid__consortium", "submitted_by")
        .filter(pk=receipt_id, emailed_at__isnull=True)
        .first()
    )
    if receipt is None:
        return 0
    receipt.emailed_at = timezone.now()
    receipt.save(update_fields=["emailed_at"])
    bid = receipt.bid
    admins = Membership.objects.filter(
        organisation_id=bid.organisation_id, role=MembershipRole.ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    submitter = [receipt.submitted_by.email] if receipt.submitted_by.is_active else []
    return send_templated_email(
        name="bid_receipt",
        to=[*submitter, *admins],
        context={
            "receipt": receipt,
            "bid": bid,
            "opportunity": bid.opportunity,
            "submitted_at": london(receipt.submitted_at, seconds=True),
            "receipt_url": reverse("commissioning:bid_receipt", args=[bid.pk]),
        },
    )
