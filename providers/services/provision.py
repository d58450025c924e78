"""The provision map's counts: recounted in the background (selectors.provision_counts_compute)
and stored, so the map reads them rather than counting as it is shown."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.workflow import delay_on_commit

from .. import selectors
from ..models import ProvisionCount

logger = logging.getLogger(__name__)


@transaction.atomic
def provision_counts_refresh() -> int:
    """Recount the map and store it: every cell with provision is written (or overwritten, so two
    recounts at once cannot clash) and any cell left over from an earlier count is removed.
    Returns the number of cells with provision."""
    counted_at = timezone.now()
    counts = selectors.provision_counts_compute()
    ProvisionCount.objects.bulk_create(
        [
            ProvisionCount(
                area_id=area,
                category_id=category,
                services=services,
                organisations=organisations,
                counted_at=counted_at,
            )
            for (area, category), (services, organisations) in counts.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["area", "category"],
        update_fields=["services", "organisations", "counted_at"],
    )
    ProvisionCount.objects.filter(counted_at__lt=counted_at).delete()
    logger.info("Provision map recounted: %d cells with provision", len(counts))
    return len(counts)


def provision_counts_refresh_soon() -> None:
    """Recount the map in the background once the current change is committed."""
    from ..tasks import provision_counts_refresh as task

    delay_on_commit(task)


def recount_after_verification(sender, *, organisation, **kwargs) -> None:
    """A verification decision moves the map when the organisation runs services."""
    if organisation.services.exists():
        provision_counts_refresh_soon()
