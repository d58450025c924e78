"""Agreements as a source of chances to commission together (overlaps.py): each live agreement
that comes up for renewal within the horizon, with its lead body, outcomes, categories, areas,
dates and the providers that deliver it.

The chance to commission together comes when an agreement is re-commissioned, so only those
ending within RENEWAL_HORIZON are compared. That also keeps the finder's work in proportion at
national scale, where tens of thousands of live agreements would otherwise all meet one another."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import Agreement, AgreementMember, AgreementStatus
from .overlaps import PlanningItem

LIVE = (AgreementStatus.ACTIVE, AgreementStatus.ENDING)
RENEWAL_HORIZON = relativedelta(months=18)


def _links(through, target: str, owners: QuerySet) -> dict[int, frozenset[int]]:
    """{agreement id: the ids it links to} through one of its many-to-many tables, one query."""
    grouped: dict[int, set[int]] = defaultdict(set)
    for agreement_id, target_id in through.objects.filter(agreement__in=owners).values_list(
        "agreement_id", f"{target}_id"
    ):
        grouped[agreement_id].add(target_id)
    return {pk: frozenset(targets) for pk, targets in grouped.items()}


def _agreement_url(pk: int) -> str:
    try:
        return reverse("commissioning:agreement", args=[pk])
    except NoReverseMatch:
        return ""


def agreement_items(ids: Collection[int] | None = None) -> Iterator[PlanningItem]:
    """Live agreements ending within the renewal horizon (or just those asked for, whatever their
    state), in five queries: the agreements, their outcomes, categories, areas and consortium
    members or subcontractors."""
    agreements = Agreement.objects.all()
    if ids is None:
        agreements = agreements.filter(
            status__in=LIVE, end_on__lte=timezone.localdate() + RENEWAL_HORIZON
        )
    else:
        agreements = agreements.filter(pk__in=list(ids))
    rows = list(
        agreements.order_by("pk").values_list(
            "pk", "body_id", "title", "start_on", "end_on", "provider_id"
        )
    )
    if not rows:
        return
    owners = agreements.values("pk")
    outcomes = _links(Agreement.outcomes.through, "outcome", owners)
    categories = _links(Agreement.categories.through, "servicecategory", owners)
    areas = _links(Agreement.areas.through, "area", owners)
    members: dict[int, set[int]] = defaultdict(set)
    for agreement_id, organisation_id in AgreementMember.objects.filter(
        agreement__in=owners
    ).values_list("agreement_id", "organisation_id"):
        members[agreement_id].add(organisation_id)
    for pk, body_id, title, start_on, end_on, provider_id in rows:
        yield PlanningItem(
            kind="agreement",
            id=pk,
            body_id=body_id,
            label=title,
            url=_agreement_url(pk),
            outcome_ids=outcomes.get(pk, frozenset()),
            category_ids=categories.get(pk, frozenset()),
            area_ids=areas.get(pk, frozenset()),
            starts_on=start_on,
            ends_on=end_on,
            provider_ids=frozenset({provider_id, *members.get(pk, ())}),
        )
