"""Agreements as a source of chances to commission together (overlaps.py): each live agreement
that comes up for renewal within the horizon, with its lead body, outcomes, categories, areas,
dates and the providers that deliver it.

The chance to commission together comes when an agreement is re-commissioned, so only those
ending within RENEWAL_HORIZON are compared. That also keeps the finder's work in proportion at
national scale, where tens of thousands of live agreements would otherwise all meet one another."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .models import Agreement, AgreementMember, AgreementStatus
from .overlaps import PlanningItem, links_by_owner, url_maker

LIVE = (AgreementStatus.ACTIVE, AgreementStatus.ENDING)
RENEWAL_HORIZON = relativedelta(months=18)


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
    outcomes = links_by_owner(Agreement.outcomes.through, "agreement", "outcome", owners)
    categories = links_by_owner(
        Agreement.categories.through, "agreement", "servicecategory", owners
    )
    areas = links_by_owner(Agreement.areas.through, "agreement", "area", owners)
    members = links_by_owner(AgreementMember, "agreement", "organisation", owners)
    url = url_maker("commissioning:agreement")
    for pk, body_id, title, start_on, end_on, provider_id in rows:
        yield PlanningItem(
            kind="agreement",
            id=pk,
            body_id=body_id,
            label=title,
            url=url(pk),
            outcome_ids=outcomes.get(pk, frozenset()),
            category_ids=categories.get(pk, frozenset()),
            area_ids=areas.get(pk, frozenset()),
            starts_on=start_on,
            ends_on=end_on,
            provider_ids=frozenset({provider_id, *members.get(pk, ())}),
        )
