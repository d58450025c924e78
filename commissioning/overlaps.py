"""Chances to commission together: the planning items that each source yields, and the finder
that pairs the items of different bodies that overlap in what, where, when and whom they fund.

A source is one function that yields PlanningItems, registered under a kind:

    from commissioning.overlaps import PlanningItem, register_overlap_source

    def agreement_items(ids=None):
        # ids None: every record to compare now (live agreements, say).
        # ids given: just those records, whatever their state, to show pairs found earlier.
        # Read in a fixed number of queries either way.
        for agreement in ...:
            yield PlanningItem(
                kind="agreement", id=agreement.pk, body_id=agreement.body_id,
                label=agreement.title, url=agreement.get_absolute_url(),
                outcome_ids=frozenset(...), category_ids=frozenset(...),
                area_ids=frozenset(...), starts_on=..., ends_on=...,
                provider_ids=frozenset({agreement.provider_id}),
            )

    register_overlap_source("agreement", agreement_items, title="Agreement")

Register from the app's AppConfig.ready() (or a module it imports), so the finder, the
commission-together page and the joint exercise pages all know the kind. Nothing else changes.
Commissioning intentions ("intention") and needs assessments ("assessment") are registered at
the foot of this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

__all__ = [
    "SOURCES",
    "Match",
    "Overlap",
    "OverlapSource",
    "PlanningItem",
    "Trees",
    "find_overlaps",
    "items_resolve",
    "match_items",
    "register_overlap_source",
]


@dataclass(frozen=True, kw_only=True)
class PlanningItem:
    """A record that plans, assesses or funds something: what it is about (outcomes and service
    categories), where (areas), when, and which providers it funds."""

    kind: str
    id: int
    body_id: int
    label: str
    url: str
    outcome_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    starts_on: date
    ends_on: date
    provider_ids: frozenset[int] = frozenset()

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class OverlapSource:
    kind: str
    items: Callable[..., Iterable[PlanningItem]]
    title: str
    # Whether the records pay for services ("both fund …") or describe need ("both cover …").
    funds: bool = True


SOURCES: dict[str, OverlapSource] = {}


def register_overlap_source(
    kind: str,
    items: Callable[..., Iterable[PlanningItem]],
    *,
    title: str | None = None,
    funds: bool = True,
) -> None:
    """Add (or replace) the source of one kind of planning item. `items(ids=None)` yields the
    records to compare; `items(ids=[...])` yields just those records, for showing them."""
    SOURCES[kind] = OverlapSource(
        kind=kind, items=items, title=title or kind.replace("_", " ").capitalize(), funds=funds
    )


def items_resolve(refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], PlanningItem]:
    """The planning items behind these (kind, id) references: one call of each kind's source, so
    a page resolves any number of pairs in a fixed number of queries. Records that no longer
    exist, or whose kind has no source, are left out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in refs:
        wanted[kind].add(pk)
    found = {}
    for kind, ids in wanted.items():
        source = SOURCES.get(kind)
        if source is None:
            continue
        for item in source.items(ids=sorted(ids)):
            found[(item.kind, item.id)] = item
    return found


# The trees of areas and categories


class _Tree:
    """A tree of reference data (areas or service categories) held in memory: each node's name
    and its ancestors, so that comparisons need no further queries."""

    def __init__(self, rows: Iterable[tuple[int, int | None, str]]) -> None:
        self.parent: dict[int, int | None] = {}
        self.name: dict[int, str] = {}
        for pk, parent_id, name in rows:
            self.parent[pk] = parent_id
            self.name[pk] = name
        self.sort_key = {pk: (name, pk) for pk, name in self.name.items()}
        self._up: dict[int, frozenset[int]] = {}
        self._above: dict[int, frozenset[int]] = {}

    def up(self, pk: int) -> frozenset[int]:
        """The node and its ancestors."""
        if pk not in self._up:
            nodes, node = [], pk
            while node is not None and node not in nodes:  # a loop in bad data must not hang us
                nodes.append(node)
                node = self.parent.get(node)
            self._up[pk] = frozenset(nodes)
        return self._up[pk]

    def above(self, pk: int) -> frozenset[int]:
        """The node's ancestors, without the node."""
        if pk not in self._above:
            self._above[pk] = self.up(pk) - {pk}
        return self._above[pk]

    def by_name(self, pks: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(pks, key=lambda pk: self.sort_key.get(pk, ("", pk))))

    def up_all(self, pks: Iterable[int]) -> frozenset[int]:
        result: set[int] = set()
        for pk in pks:
            result |= self.up(pk)
        return frozenset(result)

    def most_specific(self, pks: Collection[int]) -> list[int]:
        """The nodes that are not an ancestor of another node in the collection."""
        covered = set()
        for pk in pks:
            covered |= self.above(pk)
        return [pk for pk in pks if pk not in covered]


@dataclass
class Trees:
    areas: _Tree
    categories: _Tree

    @classmethod
    def load(cls) -> Trees:
        from providers.models import Area, ServiceCategory

        return cls(
            areas=_Tree(Area.objects.values_list("pk", "parent_id", "name")),
            categories=_Tree(ServiceCategory.objects.values_list("pk", "parent_id", "name")),
        )


# Comparing two items

# Points towards the score, out of 100.
SAME_CATEGORY = 30  # both name the same category
NESTED_CATEGORY = 20  # one names a category inside the other's
RELATED_CATEGORY = 10  # both name categories under the same parent
SAME_OUTCOME = 20
SAME_AREA = 20
NESTED_AREA = 12  # one's area lies inside the other's, as a ward in its borough
PERIOD = 15  # in proportion to how much of the shorter period overlaps the other
SHARED_PROVIDER = 25
MORE_PROVIDERS = 5  # for each further provider both fund, up to
MAX_PROVIDER_POINTS = 35


@dataclass(frozen=True)
class Match:
    """What two items share. Categories and areas are the most specific shared nodes: the same
    node, else the node inside the other's, else (categories only) the closest shared parent."""

    outcome_ids: frozenset[int]
    category_ids: tuple[int, ...]
    category_level: str  # same, nested, related or ""
    area_ids: tuple[int, ...]
    area_level: str  # same, nested or ""
    starts_on: date
    ends_on: date
    period_share: float  # how much of the shorter period overlaps, 0 to 1
    provider_ids: frozenset[int]

    @property
    def score(self) -> int:
        points = {"same": SAME_CATEGORY, "nested": NESTED_CATEGORY, "related": RELATED_CATEGORY}
        score = points.get(self.category_level, 0)
        score += SAME_OUTCOME if self.outcome_ids else 0
        score += {"same": SAME_AREA, "nested": NESTED_AREA}.get(self.area_level, 0)
        score += round(PERIOD * self.period_share)
        if self.provider_ids:
            extra = MORE_PROVIDERS * (len(self.provider_ids) - 1)
            score += min(SHARED_PROVIDER + extra, MAX_PROVIDER_POINTS)
        return min(score, 100)


def _period_share(a: PlanningItem, b: PlanningItem, start: date, end: date) -> float:
    shorter = min((a.ends_on - a.starts_on).days, (b.ends_on - b.starts_on).days) + 1
    return min(1.0, ((end - start).days + 1) / max(shorter, 1))


def _nested(own: frozenset[int], others: frozenset[int], tree: _Tree) -> set[int]:
    """The nodes of `own` that lie strictly inside one of `others`."""
    return {pk for pk in own if not tree.above(pk).isdisjoint(others)}


def match_items(a: PlanningItem, b: PlanningItem, trees: Trees) -> Match | None:
    """What a and b share, or None when they are not a pair: the same body; no overlap in time;
    or neither a shared provider nor a shared subject (outcome or category) in a shared place.
    Two wards do not overlap each other, but a ward overlaps its borough."""
    if a.body_id == b.body_id:
        return None
    start, end = max(a.starts_on, b.starts_on), min(a.ends_on, b.ends_on)
    if start > end:
        return None
    providers = a.provider_ids & b.provider_ids

    categories, category_level = a.category_ids & b.category_ids, "same"
    if not categories:
        categories = _nested(a.category_ids, b.category_ids, trees.categories) | _nested(
            b.category_ids, a.category_ids, trees.categories
        )
        category_level = "nested"
    if not categories:
        shared = trees.categories.up_all(a.category_ids) & trees.categories.up_all(b.category_ids)
        categories, category_level = set(trees.categories.most_specific(shared)), "related"
    if not categories:
        category_level = ""
    outcomes = a.outcome_ids & b.outcome_ids

    areas, area_level = a.area_ids & b.area_ids, "same"
    if not areas:
        areas = _nested(a.area_ids, b.area_ids, trees.areas) | _nested(
            b.area_ids, a.area_ids, trees.areas
        )
        area_level = "nested"
    if not areas:
        area_level = ""

    subject_in_place = bool(categories or outcomes) and bool(areas)
    if not subject_in_place and not providers:
        return None

    return Match(
        outcome_ids=outcomes,
        category_ids=trees.categories.by_name(categories),
        category_level=category_level,
        area_ids=trees.areas.by_name(areas),
        area_level=area_level,
        starts_on=start,
        ends_on=end,
        period_share=_period_share(a, b, start, end),
        provider_ids=providers,
    )


# The plain-language reason

# First words that are names, so they keep their capital in the middle of a sentence.
_PROPER_FIRST_WORDS = {"English", "British", "NHS", "ESOL", "LGBTQ+", "Gypsy", "Black", "Asian"}
_SHOWN = 3  # names listed before "and N more"


@lru_cache(maxsize=4096)
def _in_sentence(name: str) -> str:
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower() and first not in _PROPER_FIRST_WORDS:
        return name[0].lower() + name[1:]
    return name


def _listed(names: list[str]) -> str:
    if len(names) > _SHOWN:
        names = [*names[:_SHOWN], f"{len(names) - _SHOWN} more"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def reason_for(
    match: Match,
    *,
    trees: Trees,
    outcome_names: dict[int, str],
    provider_names: dict[int, str],
    both_fund: bool,
) -> str:
    """For example: "Both fund debt advice in Hackney Central from April 2027 to March 2030;
    both fund Citizens Advice." """
    verb = "fund" if both_fund else "cover"
    when = f"from {_month(match.starts_on)} to {_month(match.ends_on)}"
    where = _listed([trees.areas.name.get(pk, "?") for pk in match.area_ids])
    clauses = []
    categories = [_in_sentence(trees.categories.name.get(pk, "?")) for pk in match.category_ids]
    outcomes = sorted(f"“{outcome_names.get(pk, '?')}”" for pk in match.outcome_ids)
    if match.area_ids and categories:
        what = _listed(categories)
        if match.category_level == "related":
            what = f"services under {what}"
        clauses.append(f"Both {verb} {what} in {where} {when}")
        if outcomes:
            clauses.append(f"both work towards {_listed(outcomes)}")
    elif match.area_ids and outcomes:
        clauses.append(f"Both work towards {_listed(outcomes)} in {where} {when}")
    providers = sorted(provider_names.get(pk, "the same provider") for pk in match.provider_ids)
    if providers:
        if clauses:
            clauses.append(f"both fund {_listed(providers)}")
        else:
            clauses.append(f"Both fund {_listed(providers)} {when}")
    return "; ".join(clauses) + "."


# Finding every pair


@dataclass(frozen=True)
class Overlap:
    first: PlanningItem
    second: PlanningItem
    match: Match
    score: int
    reason: str

    @property
    def key(self) -> str:
        return f"{self.first.ref}|{self.second.ref}"


@dataclass
class _Prepared:
    item: PlanningItem
    subjects: list[tuple[str, int]] = field(default_factory=list)
    areas_up: frozenset[int] = frozenset()


def _candidate_pairs(prepared: list[_Prepared]) -> Iterator[tuple[int, int]]:
    """Blocking: each item goes into a bucket per (subject node, own area) and per provider, and
    looks in the buckets of (subject node, own area or an area above it). Only items that meet in
    a bucket are compared, so the work grows with the overlaps rather than the square of the
    items. The subject nodes are the item's categories with their parents, and its outcomes."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for n, p in enumerate(prepared):
        for subject in p.subjects:
            for area in p.item.area_ids:
                buckets[(subject, area)].append(n)
        for provider in p.item.provider_ids:
            buckets[("provider", provider)].append(n)
    seen: set[tuple[int, int]] = set()
    for n, p in enumerate(prepared):
        keys = [(subject, area) for subject in p.subjects for area in p.areas_up]
        keys += [("provider", provider) for provider in p.item.provider_ids]
        body = p.item.body_id
        for key in keys:
            for m in buckets.get(key, ()):
                if m == n or prepared[m].item.body_id == body:
                    continue
                pair = (n, m) if n < m else (m, n)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def find_overlaps(*, today: date | None = None) -> list[Overlap]:
    """Every pair of planning items from different bodies that overlap, best first. Items whose
    period has already ended are left out: there is nothing left to commission together."""
    from accounts.models import Organisation

    from .models import Outcome

    today = today or timezone.localdate()
    trees = Trees.load()
    items = [
        item
        for source in SOURCES.values()
        for item in source.items()
        if item.ends_on >= today and item.starts_on <= item.ends_on
    ]
    prepared = [
        _Prepared(
            item=item,
            subjects=[("category", pk) for pk in trees.categories.up_all(item.category_ids)]
            + [("outcome", pk) for pk in item.outcome_ids],
            areas_up=trees.areas.up_all(item.area_ids),
        )
        for item in items
    ]
    matched = []
    for n, m in _candidate_pairs(prepared):
        a, b = items[n], items[m]
        if b.ref < a.ref:
            a, b = b, a
        match = match_items(a, b, trees)
        if match is not None:
            matched.append((a, b, match))

    outcome_ids = {pk for _a, _b, match in matched for pk in match.outcome_ids}
    provider_ids = {pk for _a, _b, match in matched for pk in match.provider_ids}
    outcome_names = dict(Outcome.objects.filter(pk__in=outcome_ids).values_list("pk", "name"))
    provider_names = dict(
        Organisation.objects.filter(pk__in=provider_ids).values_list("pk", "name")
    )
    overlaps = []
    for a, b, match in matched:
        both_fund = SOURCES[a.kind].funds and SOURCES[b.kind].funds
        reason = reason_for(
            match,
            trees=trees,
            outcome_names=outcome_names,
            provider_names=provider_names,
            both_fund=both_fund,
        )
        overlaps.append(Overlap(first=a, second=b, match=match, score=match.score, reason=reason))
    overlaps.sort(key=lambda overlap: (-overlap.score, overlap.key))
    return overlaps


# The sources of this issue: published commissioning intentions and needs assessments

# An intention without an end date is taken to run for a usual three-year term.
DEFAULT_TERM_YEARS = 3


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def url_maker(name: str) -> Callable[[int], str]:
    """reverse(name, args=[pk]), or "" while the page does not exist."""

    def url(pk: int) -> str:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            return ""

    return url


def links_by_owner(through, owner: str, target: str, owners) -> dict[int, frozenset[int]]:
    """{owner id: the ids it links to} through a many-to-many table, in one query."""
    grouped: dict[int, set[int]] = defaultdict(set)
    for owner_id, target_id in through.objects.filter(**{f"{owner}__in": owners}).values_list(
        f"{owner}_id", f"{target}_id"
    ):
        grouped[owner_id].add(target_id)
    return {pk: frozenset(targets) for pk, targets in grouped.items()}


def intention_items(ids: Collection[int] | None = None) -> Iterator[PlanningItem]:
    """Published commissioning intentions, from their start to their end (or three years on)."""
    from .models import CommissioningIntention, IntentionStatus

    intentions = CommissioningIntention.objects.all()
    if ids is None:
        intentions = intentions.filter(status=IntentionStatus.PUBLISHED)
    else:
        intentions = intentions.filter(pk__in=list(ids))
    rows = list(
        intentions.values_list("pk", "body_id", "title", "outcome_id", "start_on", "end_on")
    )
    if not rows:
        return
    owners = intentions.values("pk")
    model = CommissioningIntention
    categories = links_by_owner(
        model.categories.through, "commissioningintention", "servicecategory", owners
    )
    areas = links_by_owner(model.areas.through, "commissioningintention", "area", owners)
    url = url_maker("commissioning:intention")
    for pk, body_id, title, outcome_id, start_on, end_on in rows:
        yield PlanningItem(
            kind="intention",
            id=pk,
            body_id=body_id,
            label=title,
            url=url(pk),
            outcome_ids=frozenset({outcome_id}),
            category_ids=categories.get(pk, frozenset()),
            area_ids=areas.get(pk, frozenset()),
            starts_on=start_on,
            ends_on=end_on or _years_later(start_on, DEFAULT_TERM_YEARS) - timedelta(days=1),
        )


def assessment_items(ids: Collection[int] | None = None) -> Iterator[PlanningItem]:
    """Needs assessments, from their date to their next review: their themes as categories, and
    the outcomes of the indicators they cite."""
    from .models import NeedsAssessment

    assessments = NeedsAssessment.objects.all()
    if ids is not None:
        assessments = assessments.filter(pk__in=list(ids))
    rows = list(assessments.values_list("pk", "body_id", "title", "assessed_on", "next_review_on"))
    if not rows:
        return
    owners = assessments.values("pk")
    model = NeedsAssessment
    themes = links_by_owner(model.themes.through, "needsassessment", "servicecategory", owners)
    areas = links_by_owner(model.areas.through, "needsassessment", "area", owners)
    outcomes: dict[int, set[int]] = defaultdict(set)
    for pk, outcome_id in model.indicators.through.objects.filter(
        needsassessment__in=owners
    ).values_list("needsassessment_id", "indicator__outcome_id"):
        outcomes[pk].add(outcome_id)
    url = url_maker("commissioning:assessment")
    for pk, body_id, title, assessed_on, next_review_on in rows:
        yield PlanningItem(
            kind="assessment",
            id=pk,
            body_id=body_id,
            label=title,
            url=url(pk),
            outcome_ids=frozenset(outcomes.get(pk, ())),
            category_ids=themes.get(pk, frozenset()),
            area_ids=areas.get(pk, frozenset()),
            starts_on=assessed_on,
            ends_on=next_review_on,
        )


register_overlap_source("intention", intention_items, title="Commissioning intention")
register_overlap_source("assessment", assessment_items, title="Needs assessment", funds=False)
