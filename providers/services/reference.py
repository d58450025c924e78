"""Writes for the shared reference data that network admins keep."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from accounts.models import User
from accounts.services import audit_event_record


@transaction.atomic
def reference_item_save(*, actor: User, item: models.Model) -> models.Model:
    """Save a category, client group, language, quality mark or area, cleaned by its form."""
    if not actor.is_network_admin:
        raise PermissionDenied("Only network admins keep the reference data.")
    created = item.pk is None
    item.save()
    audit_event_record(
        actor=actor,
        action=f"reference.{'created' if created else 'updated'}",
        obj=item,
        note=item._meta.verbose_name,
    )
    return item
