"""Reads for the chances to commission together and joint exercises: the pairs a page shows with
the records behind them, an exercise's contributions by partner and year, and its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Prefetch, QuerySet

from accounts.models import AuditEvent, Organisation
from accounts.periods import FinancialYear

from .. import overlaps
from ..models import JointExercise, JointExerciseStatus, JointPartner, OverlapPair

PAIR_PAGE_SIZE = 25
EXERCISE_PAGE_SIZE = 25


@dataclass(frozen=True)
class PairSide:
    kind: str
    kind_title: str
    body: Organisation
    item: overlaps.PlanningItem | None  # None when the record no longer exists

    @property
    def label(self) -> str:
        return self.item.label if self.item else "A record that no longer exists"


@dataclass(frozen=True)
class PairRow:
    pair: OverlapPair
    first: PairSide
    second: PairSide
    can_act: bool  # the person belongs to one of the two bodies


def _kind_title(kind: str) -> str:
    source = overlaps.SOURCES.get(kind)
    return source.title if source else kind.replace("_", " ").capitalize()


def overlap_pair_rows(pairs: Sequence[OverlapPair], *, acting_body_ids: set[int]) -> list[PairRow]:
    """The pairs with the records on both sides, resolved in one call of each kind's source.
    Select the pairs with first_body and second_body."""
    refs = [(p.first_kind, p.first_id) for p in pairs] + [
        (p.second_kind, p.second_id) for p in pairs
    ]
    items = overlaps.items_resolve(refs)
    return [
        PairRow(
            pair=pair,
            first=PairSide(
                kind=pair.first_kind,
                kind_title=_kind_title(pair.first_kind),
                body=pair.first_body,
                item=items.get((pair.first_kind, pair.first_id)),
            ),
            second=PairSide(
                kind=pair.second_kind,
                kind_title=_kind_title(pair.second_kind),
                body=pair.second_body,
                item=items.get((pair.second_kind, pair.second_id)),
            ),
            can_act=bool({pair.first_body_id, pair.second_body_id} & acting_body_ids),
        )
        for pair in pairs
    ]


def overlap_kind_choices() -> list[tuple[str, str]]:
    return [(kind, source.title) for kind, source in overlaps.SOURCES.items()]


def overlaps_last_found() -> datetime | None:
    """When the last recount ran that found pairs: every pair it found carries its time."""
    return OverlapPair.objects.filter(current=True).aggregate(at=Max("found_at"))["at"]


# Joint exercises


def joint_exercise_list_queryset(visible: QuerySet[JointExercise]) -> QuerySet[JointExercise]:
    return visible.select_related("lead").prefetch_related(
        Prefetch("partners", JointPartner.objects.select_related("body").order_by("body__name"))
    )


@dataclass(frozen=True)
class ContributionTable:
    """Each party's contribution per financial year, with totals both ways."""

    years: list[FinancialYear]
    rows: list[tuple[Organisation, list[Decimal | None], Decimal]]  # body, per year, its total
    year_totals: list[Decimal]
    total: Decimal

    @property
    def is_empty(self) -> bool:
        return not self.years


def contribution_table(exercise: JointExercise, parties: list[Organisation]) -> ContributionTable:
    found = {
        (body_id, year): amount
        for body_id, year, amount in exercise.contributions.values_list(
            "body_id", "financial_year", "amount"
        )
    }
    years = sorted({year for _body, year in found})
    bodies = list(parties)
    party_ids = {body.pk for body in bodies}
    rows = []
    for body in bodies:
        amounts = [found.get((body.pk, year)) for year in years]
        rows.append((body, amounts, sum((a for a in amounts if a is not None), Decimal(0))))
    year_totals = [
        sum(
            (
                amount
                for (body_id, y), amount in found.items()
                if y == year and body_id in party_ids
            ),
            Decimal(0),
        )
        for year in years
    ]
    return ContributionTable(
        years=[FinancialYear(year) for year in years],
        rows=rows,
        year_totals=year_totals,
        total=sum(year_totals, Decimal(0)),
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: object
    what: str
    note: str


_ACTIONS = {
    "joint_exercise.updated": "Details changed",
    "joint_exercise.contribution": "Contribution recorded",
}


def joint_exercise_history(exercise: JointExercise) -> list[HistoryEntry]:
    """What happened to the exercise, oldest first, with statuses in words."""
    labels = dict(JointExerciseStatus.choices)
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(JointExercise),
            object_id=str(exercise.pk),
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    entries = []
    for event in events:
        if event.to_state:
            what = labels.get(event.to_state, event.to_state)
            if event.from_state:
                what = f"{labels.get(event.from_state, event.from_state)} → {what}"
        else:
            what = _ACTIONS.get(event.action, event.action)
        entries.append(
            HistoryEntry(at=event.created_at, actor=event.actor, what=what, note=event.note)
        )
    return entries


def joint_exercise_pairs(exercise: JointExercise, *, acting_body_ids: set[int]) -> list[PairRow]:
    pairs = list(exercise.pairs.select_related("first_body", "second_body").order_by("-score"))
    return overlap_pair_rows(pairs, acting_body_ids=acting_body_ids)


def exercise_initial_from_pair(
    pair: OverlapPair, row: PairRow, *, acting_body_ids: list[int], current_body_id: int | None
) -> dict:
    """What a new joint exercise starts with: named after what the two records share, the
    person's own body (the one they are acting for, if it is in the pair) as the lead and the
    other as a partner, and the shared outcome, categories and areas."""
    pair_bodies = [pair.first_body_id, pair.second_body_id]
    mine = [pk for pk in pair_bodies if pk in acting_body_ids]
    lead = current_body_id if current_body_id in mine else (mine[0] if mine else pair_bodies[0])
    initial: dict = {
        "title": "Joint commissioning",
        "purpose": pair.reason,
        "lead": lead,
        "partners": [pk for pk in pair_bodies if pk != lead],
    }
    first, second = row.first.item, row.second.item
    if first is None or second is None:
        return initial
    trees = overlaps.Trees.load()
    match = overlaps.match_items(first, second, trees)
    outcomes = sorted(match.outcome_ids if match else first.outcome_ids & second.outcome_ids)
    if not outcomes:
        outcomes = sorted(first.outcome_ids | second.outcome_ids)
    if match is not None:
        categories = list(match.category_ids)
        areas = list(match.area_ids)
        what = [trees.categories.name[pk] for pk in categories[:2]]
        where = [trees.areas.name[pk] for pk in areas[:2]]
        title = "Joint commissioning"
        if what:
            title += f": {' and '.join(what)}"
        if where:
            title += f" in {' and '.join(where)}"
        initial.update(title=title[:250], categories=categories, areas=areas)
    initial["purpose"] = (
        f"{pair.reason}\n\nFrom {first.label} ({pair.first_body}) and {second.label} "
        f"({pair.second_body})."
    )
    if outcomes:
        initial["outcome"] = outcomes[0]
    return initial
