"""Writes for a provider user's alerts: the categories and areas they want to hear about."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from providers.models import Area, ServiceCategory

from .. import access
from ..models import Subscription


def _check_can_subscribe(user: User) -> None:
    if not access.can_subscribe(user):
        raise PermissionDenied("Alerts are for the people of third sector organisations.")


@transaction.atomic
def subscription_save(
    *, user: User, categories: Iterable[ServiceCategory], areas: Iterable[Area]
) -> Subscription | None:
    """Replace what the person is told about. Choosing nothing is the same as unsubscribing."""
    _check_can_subscribe(user)
    categories, areas = list(categories), list(areas)
    if not categories and not areas:
        subscription_clear(user=user)
        return None
    subscription, _created = Subscription.objects.select_for_update().get_or_create(user=user)
    subscription.categories.set(categories)
    subscription.areas.set(areas)
    subscription.save(update_fields=["updated_at"])
    return subscription


@transaction.atomic
def subscription_clear(*, user: User) -> bool:
    """Unsubscribe from everything. True if there was anything to unsubscribe from."""
    _check_can_subscribe(user)
    deleted, _by_model = Subscription.objects.filter(user=user).delete()
    return bool(deleted)
