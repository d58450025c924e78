"""The gap analysis: for an outcome or a service category, area by area, the need (indicator
ratings against the comparator, and the needs assessments covering the area), the provision
(active services from the provision map's stored counts) and what is commissioned there.

What is commissioned comes from sources registered with `register_commissioned_source(fn)`; the
agreements part registers one. Until one is registered, the page leaves the column out.

    from commissioning.selectors.gaps import register_commissioned_source

    def agreements_by_area(*, area_ids, category_ids):
        # {area id: a number or a short text}, for the areas and categories shown, counting an
        # agreement in an area if it covers the area or an area above it; a fixed number of queries.
        return {...}

    register_commissioned_source(agreements_by_area, label="Live agreements")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Max, OuterRef, Q, Subquery

from providers.models import Area, ProvisionCount, ServiceCategory

from .. import access
from ..models import (
    ComparatorValue,
    Indicator,
    IndicatorUnit,
    IndicatorValue,
    NeedsAssessment,
    Outcome,
)
from ..ratings import NOT_COMPARED, Rating, compare

AREAS_PER_PAGE = 50
INDICATOR_CAP = 6  # indicators shown as columns; the page says when there are more
CATEGORY_CAP = 6  # an outcome's categories shown as provision columns


# What is commissioned, from the parts that record it


@dataclass(frozen=True)
class CommissionedSource:
    label: str
    cells: Callable[..., Mapping[int, object]]


COMMISSIONED_SOURCES: list[CommissionedSource] = []


def register_commissioned_source(
    fn: Callable[..., Mapping[int, object]], *, label: str = "Commissioned"
) -> None:
    """Add a column of what is commissioned: fn(area_ids=[...], category_ids=[...]) returns
    {area id: a number or short text}. Registering the same label again replaces it."""
    COMMISSIONED_SOURCES[:] = [s for s in COMMISSIONED_SOURCES if s.label != label]
    COMMISSIONED_SOURCES.append(CommissionedSource(label=label, cells=fn))


# The rows


@dataclass(frozen=True)
class NeedCell:
    indicator: Indicator
    value: Decimal | None
    rating: Rating
    words: str  # the rating in words, naming the comparator

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.indicator.unit)

    @property
    def is_worse(self) -> bool:
        return self.rating.is_worse


@dataclass(frozen=True)
class ProvisionCell:
    category: ServiceCategory
    services: int
    organisations: int
    is_thin: bool


@dataclass(frozen=True)
class GapRow:
    area: Area
    needs: list[NeedCell]
    assessments: int
    provision: list[ProvisionCell]
    commissioned: list[object]

    @property
    def worse(self) -> list[NeedCell]:
        return [cell for cell in self.needs if cell.is_worse]

    @property
    def thin(self) -> list[ProvisionCell]:
        return [cell for cell in self.provision if cell.is_thin]

    @property
    def is_gap(self) -> bool:
        return bool(self.worse and self.thin)

    @property
    def gap_reason(self) -> str:
        """Why the area is marked, in words."""
        if not self.is_gap:
            return ""
        worse = ", ".join(cell.indicator.name for cell in self.worse)
        thin = ", ".join(
            f"{cell.category.name} ({cell.services} active service{'s' if cell.services != 1 else ''})"
            for cell in self.thin
        )
        count = len(self.worse)
        return (
            f"Worse than the comparator on {count} indicator{'s' if count != 1 else ''} "
            f"({worse}), with thin provision of {thin}."
        )


@dataclass
class GapAnalysis:
    outcome: Outcome | None
    category: ServiceCategory | None
    parent_area: Area | None
    indicators: list[Indicator]
    indicator_total: int
    categories: list[ServiceCategory]
    category_total: int
    rows: list[GapRow]
    thin_below: int
    counted_at: datetime | None
    commissioned_labels: list[str]
    page: Page | None = None
    area_total: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def subject_name(self) -> str:
        return self.outcome.name if self.outcome else self.category.name

    @property
    def column_count(self) -> int:
        return len(self.indicators) + len(self.categories) + len(self.commissioned_labels) + 3

    @property
    def gap_count(self) -> int:
        return sum(1 for row in self.rows if row.is_gap)


def format_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "No data"
    if unit == IndicatorUnit.COUNT:
        return f"{value:,.0f}"
    text = f"{value:,.1f}"
    if unit == IndicatorUnit.PERCENT:
        return f"{text}%"
    if unit == IndicatorUnit.POUNDS:
        return f"£{value:,.2f}"
    if unit == IndicatorUnit.RATE_PER_1000:
        return f"{text} per 1,000"
    if unit == IndicatorUnit.RATE_PER_100000:
        return f"{text} per 100,000"
    if unit == IndicatorUnit.YEARS:
        return f"{text} years"
    return text


def rating_words(rating: Rating, indicator: Indicator) -> str:
    name = indicator.comparator_name.strip()
    if rating is NOT_COMPARED or rating.code == NOT_COMPARED.code:
        return "Not compared" if name else "Not compared: no comparator"
    return rating.label.replace("the comparator", name) if name else rating.label


class _CategoryTree:
    def __init__(self) -> None:
        self.parent = dict(ServiceCategory.objects.values_list("pk", "parent_id"))
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id in self.parent.items():
            if parent_id is not None:
                self.children[parent_id].append(pk)

    def up(self, pk: int) -> set[int]:
        nodes, node = set(), pk
        while node is not None and node not in nodes:
            nodes.add(node)
            node = self.parent.get(node)
        return nodes

    def down(self, pk: int) -> set[int]:
        nodes, stack = set(), [pk]
        while stack:
            node = stack.pop()
            if node not in nodes:
                nodes.add(node)
                stack.extend(self.children.get(node, ()))
        return nodes


def _ancestors_and_self(area: Area | None) -> list[int]:
    """The area and those above it (the form selects two levels of parents)."""
    ids = []
    while area is not None and area.pk not in ids:
        ids.append(area.pk)
        area = area.parent
    return ids


def _with_latest(indicators) -> list[Indicator]:
    """The indicators, each with its latest period and the comparator's value for it."""
    latest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-period_start")
    return list(
        indicators.annotate(
            latest_start=Subquery(latest.values("period_start")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
            comparator_value=Subquery(
                ComparatorValue.objects.filter(
                    indicator=OuterRef("pk"), period_start=OuterRef("latest_start")
                )
                .order_by("-pk")
                .values("value")[:1]
            ),
        ).order_by("name", "pk")
    )


def gap_analysis(
    *,
    user,
    outcome: Outcome | None = None,
    category: ServiceCategory | None = None,
    parent_area: Area | None = None,
    thin_below: int = 2,
    page_number=None,
    paginate: bool = True,
) -> GapAnalysis:
    """The matrix for one outcome or one category, over the areas inside parent_area (or the
    top-level areas): a page of areas, or every area for the CSV. Reads only the latest period
    of each shown indicator, for the shown areas, in a fixed number of queries."""
    if (outcome is None) == (category is None):
        raise ValueError("Give an outcome or a category.")
    tree = _CategoryTree()
    if outcome is not None:
        all_categories = list(outcome.categories.select_related("parent").order_by("name", "pk"))
        categories = all_categories[:CATEGORY_CAP]
        indicators = Indicator.objects.filter(outcome=outcome)
    else:
        all_categories = categories = [category]
        indicators = Indicator.objects.filter(
            outcome__in=Outcome.objects.filter(categories__in=tree.up(category.pk)).values("pk")
        )
    indicator_ids = list(indicators.order_by("name", "pk").values_list("pk", flat=True))
    shown = _with_latest(Indicator.objects.filter(pk__in=indicator_ids[:INDICATOR_CAP]))

    # The rows: the areas inside the chosen one, a page at a time.
    areas = (
        Area.objects.filter(parent=parent_area)
        if parent_area
        else Area.objects.filter(parent__isnull=True)
    )
    areas = areas.order_by("name", "pk")
    page = None
    if paginate:
        page = Paginator(areas, AREAS_PER_PAGE).get_page(page_number)
        row_areas = list(page.object_list)
        area_total = page.paginator.count
    else:
        row_areas = list(areas)
        area_total = len(row_areas)
    area_ids = [area.pk for area in row_areas]
    above = _ancestors_and_self(parent_area)

    # Need: the latest value of each shown indicator in each shown area.
    latest = [(i.pk, i.latest_start) for i in shown if i.latest_start is not None]
    values: dict[tuple[int, int], IndicatorValue] = {}
    if latest and area_ids:
        condition = Q()
        for pk, start in latest:
            condition |= Q(indicator_id=pk, period_start=start)
        for value in IndicatorValue.objects.filter(condition, area_id__in=area_ids).only(
            "indicator_id", "area_id", "value", "lower_ci", "upper_ci"
        ):
            values[(value.indicator_id, value.area_id)] = value

    # Need: the needs assessments covering each area (or an area above it) with a matching theme.
    themes: set[int] = set()
    for subject in all_categories:
        themes |= tree.up(subject.pk) | tree.down(subject.pk)
    covering: dict[int, set[int]] = defaultdict(set)
    if themes and area_ids:
        visible = access.assessments_visible_to(user).filter(themes__in=themes).values("pk")
        for assessment_id, area_id in (
            NeedsAssessment.areas.through.objects.filter(
                area_id__in=area_ids + above, needsassessment__in=visible
            )
            .values_list("needsassessment_id", "area_id")
            .distinct()
        ):
            covering[area_id].add(assessment_id)
    from_above = set().union(*(covering.get(pk, set()) for pk in above)) if above else set()

    # Provision: the provision map's stored counts.
    counts = {
        (a, c): (s, o)
        for a, c, s, o in ProvisionCount.objects.filter(
            area_id__in=area_ids, category__in=[c.pk for c in categories]
        ).values_list("area_id", "category_id", "services", "organisations")
    }
    counted_at = ProvisionCount.objects.aggregate(at=Max("counted_at"))["at"]

    # What is commissioned, from the registered sources.
    commissioned = [
        source.cells(area_ids=area_ids, category_ids=[c.pk for c in categories])
        for source in COMMISSIONED_SOURCES
    ]

    rows = []
    for area in row_areas:
        needs = []
        for indicator in shown:
            value = values.get((indicator.pk, area.pk))
            rating = (
                compare(
                    lower=value.lower_ci,
                    upper=value.upper_ci,
                    comparator=indicator.comparator_value,
                    polarity=indicator.polarity,
                )
                if value is not None
                else NOT_COMPARED
            )
            needs.append(
                NeedCell(
                    indicator=indicator,
                    value=value.value if value is not None else None,
                    rating=rating,
                    words=rating_words(rating, indicator) if value is not None else "No data",
                )
            )
        provision = []
        for category_node in categories:
            services, organisations = counts.get((area.pk, category_node.pk), (0, 0))
            provision.append(
                ProvisionCell(
                    category=category_node,
                    services=services,
                    organisations=organisations,
                    is_thin=services < max(thin_below, 1),
                )
            )
        rows.append(
            GapRow(
                area=area,
                needs=needs,
                assessments=len(covering.get(area.pk, set()) | from_above),
                provision=provision,
                commissioned=[cells.get(area.pk, 0) for cells in commissioned],
            )
        )
    notes = []
    if not all_categories:
        notes.append(
            "This outcome has no service categories linked to it, so provision and needs "
            "assessments cannot be matched. Network admins link them on the outcome's page."
        )
    if not shown:
        notes.append(f"No indicators measure {'this outcome' if outcome else 'this category'} yet.")
    return GapAnalysis(
        notes=notes,
        outcome=outcome,
        category=category,
        parent_area=parent_area,
        indicators=shown,
        indicator_total=len(indicator_ids),
        categories=categories,
        category_total=len(all_categories),
        rows=rows,
        thin_below=thin_below,
        counted_at=counted_at,
        commissioned_labels=[source.label for source in COMMISSIONED_SOURCES],
        page=page,
        area_total=area_total,
    )
