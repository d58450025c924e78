"""What is commissioned, for the gap analysis (selectors/gaps.py): the live agreements in each
area that cover the categories shown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from providers.models import Area, ServiceCategory

from ..models import Agreement, AgreementStatus

LIVE = (AgreementStatus.ACTIVE, AgreementStatus.ENDING)
# Areas nest at most this deep (borough, ward, neighbourhood; providers.selectors.TREE_DEPTH).
AREA_DEPTH = 3


def _related_categories(category_ids: Iterable[int]) -> set[int]:
    """The categories, those above them and those inside them: an agreement for advice covers
    debt advice, and one for debt advice is part of advice. One query."""
    parent = dict(ServiceCategory.objects.values_list("pk", "parent_id"))
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in parent.items():
        if parent_id is not None:
            children[parent_id].append(pk)
    related: set[int] = set()
    for pk in category_ids:
        node = pk
        while node is not None and node not in related:
            related.add(node)
            node = parent.get(node)
        stack = [pk]
        while stack:
            node = stack.pop()
            related.add(node)
            stack.extend(child for child in children.get(node, ()) if child not in related)
    return related


def _areas_above(area_ids: list[int]) -> dict[int, list[int]]:
    """{area id: the area and those above it}, one query."""
    fields = ["pk"] + ["parent__" * depth + "parent_id" for depth in range(AREA_DEPTH)]
    return {
        row[0]: [pk for pk in row if pk is not None]
        for row in Area.objects.filter(pk__in=area_ids).values_list(*fields)
    }


def live_agreements_by_area(*, area_ids, category_ids) -> dict[int, int]:
    """{area id: the number of live agreements covering one of the categories in the area, or in
    an area above it}, in three queries whatever the number of areas and agreements."""
    area_ids = list(area_ids)
    if not area_ids:
        return {}
    categories = _related_categories(category_ids)
    if not categories:
        return dict.fromkeys(area_ids, 0)
    chains = _areas_above(area_ids)
    wanted = {pk for chain in chains.values() for pk in chain}
    covering = Agreement.objects.filter(
        status__in=LIVE,
        pk__in=Agreement.categories.through.objects.filter(
            servicecategory_id__in=categories
        ).values("agreement_id"),
    ).values("pk")
    by_area: dict[int, set[int]] = defaultdict(set)
    for agreement_id, area_id in Agreement.areas.through.objects.filter(
        area_id__in=wanted, agreement__in=covering
    ).values_list("agreement_id", "area_id"):
        by_area[area_id].add(agreement_id)
    return {
        area_id: len(set().union(*(by_area.get(pk, set()) for pk in chains.get(area_id, []))))
        for area_id in area_ids
    }
