"""Writes for the outcomes framework that network admins keep: strategy priorities, the outcomes
below them and the indicators that measure each outcome. Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from accounts.access import is_network_admin
from accounts.models import User
from accounts.services import audit_event_record
from providers.models import ServiceCategory

from ..models import Indicator, Outcome, StrategyPriority


def _check_admin(actor: User) -> None:
    if not is_network_admin(actor):
        raise PermissionDenied("Only network admins keep the outcomes framework.")


def _changed_fields(item: models.Model) -> list[str]:
    """The fields that differ from the saved row, by their names as people read them."""
    if item.pk is None:
        return []
    saved = type(item).objects.filter(pk=item.pk).values().first() or {}
    changed = []
    for field in item._meta.concrete_fields:
        if field.primary_key:
            continue
        if saved.get(field.attname) != getattr(item, field.attname):
            changed.append(str(field.verbose_name))
    return changed


def _save(actor: User, item: models.Model, kind: str, extra: list[str] | None = None):
    created = item.pk is None
    changed = _changed_fields(item) + (extra or [])
    item.full_clean()
    item.save()
    audit_event_record(
        actor=actor,
        action=f"{kind}.{'created' if created else 'updated'}",
        obj=item,
        note="" if created else ("Changed: " + ", ".join(changed) if changed else "No changes"),
    )
    return item


@transaction.atomic
def priority_save(*, actor: User, priority: StrategyPriority) -> StrategyPriority:
    """Add or change a strategy priority, cleaned by its form."""
    _check_admin(actor)
    return _save(actor, priority, "strategy_priority")


@transaction.atomic
def outcome_save(
    *, actor: User, outcome: Outcome, categories: Iterable[ServiceCategory]
) -> Outcome:
    """Add or change an outcome and the kinds of service that work towards it."""
    _check_admin(actor)
    categories = list(categories)
    extra = []
    if outcome.pk is not None:
        before = set(outcome.categories.values_list("pk", flat=True))
        if before != {c.pk for c in categories}:
            extra.append("service categories")
    _save(actor, outcome, "outcome", extra)
    outcome.categories.set(categories)
    return outcome


@transaction.atomic
def indicator_save(*, actor: User, indicator: Indicator) -> Indicator:
    """Add or change an indicator: its code, unit, polarity and comparator."""
    _check_admin(actor)
    return _save(actor, indicator, "indicator")
