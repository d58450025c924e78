"""Reads for evaluation: the panel, a member's list of bids, the moderation table of a lot and
the award page. Each issues a fixed number of queries, whatever the number of bids."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .. import access
from ..models import (
    Bid,
    BidStage,
    BidStatus,
    ConflictDeclaration,
    Criterion,
    Lot,
    ModeratedScore,
    Opportunity,
    OpportunityStatus,
    PanelMember,
    PanelSubmission,
    Score,
)
from ..scoring import Weighting, ranking, weighted_total

EOI_STATUSES = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.EOI_CLOSED,
    OpportunityStatus.SHORTLISTING,
)


def evaluation_stage(opportunity: Opportunity, asked: str | None = None) -> str:
    """The stage being evaluated: the one asked for, else expressions of interest while a
    two-stage opportunity is shortlisting, else full bids."""
    if asked in BidStage.values and (asked == BidStage.FULL or opportunity.is_two_stage):
        return asked
    if opportunity.is_two_stage and opportunity.status in EOI_STATUSES:
        return BidStage.EOI
    return BidStage.FULL


def panel_members(opportunity: Opportunity) -> QuerySet[PanelMember]:
    return (
        PanelMember.objects.filter(opportunity=opportunity)
        .select_related("user", "added_by")
        .annotate(has_scored=Exists(Score.objects.filter(panel_member=OuterRef("pk"))))
        .order_by("user__full_name", "user__email")
    )


# A panel member's list


@dataclass
class PanelBidRow:
    bid: Bid
    declared: bool
    conflicted: bool
    scored: int
    submitted: bool


@dataclass
class PanelBids:
    stage: str
    deadline: object
    sealed: bool
    received: int
    rows: list[PanelBidRow]
    criteria_count: int


def panel_bids(user, seat: PanelMember, stage: str) -> PanelBids:
    opportunity = seat.opportunity
    deadline = access.stage_deadline(opportunity, stage)
    sealed = deadline is None or timezone.now() < deadline
    received = Bid.objects.filter(
        opportunity=opportunity, stage=stage, status__in=access.OPENED_BID_STATUSES
    ).count()
    if sealed:
        return PanelBids(stage, deadline, True, received, [], 0)
    # Every opened bid, by its bidder's name only: the member declares on a bid from this list
    # before they may read it (access.get_bid_to_declare), so listing only the bids they can
    # already read (access.bids_visible_to) would leave them nothing to declare on.
    bids = list(
        Bid.objects.filter(
            opportunity=opportunity, stage=stage, status__in=access.OPENED_BID_STATUSES
        )
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    declarations = dict(
        ConflictDeclaration.objects.filter(panel_member=seat, bid__in=bids).values_list(
            "bid_id", "has_conflict"
        )
    )
    scored: dict[int, int] = {}
    for bid_id in Score.objects.filter(panel_member=seat, bid__in=bids).values_list(
        "bid_id", flat=True
    ):
        scored[bid_id] = scored.get(bid_id, 0) + 1
    submitted = set(
        PanelSubmission.objects.filter(panel_member=seat, bid__in=bids).values_list(
            "bid_id", flat=True
        )
    )
    rows = [
        PanelBidRow(
            bid=bid,
            declared=bid.pk in declarations,
            conflicted=declarations.get(bid.pk, False),
            scored=scored.get(bid.pk, 0),
            submitted=bid.pk in submitted,
        )
        for bid in bids
    ]
    criteria_count = Criterion.objects.filter(opportunity=opportunity, stage=stage).count()
    return PanelBids(stage, deadline, False, received, rows, criteria_count)


# Scoring one bid


@dataclass
class ScoreLine:
    criterion: Criterion
    answer: str
    mine: Score | None
    others: list[Score] = field(default_factory=list)


def score_lines(bid: Bid, seat: PanelMember, *, reveal: bool) -> list[ScoreLine]:
    """Each criterion of the bid's stage with the bid's answer and the member's own score; the
    other members' scores only when reveal (every member has submitted)."""
    criteria = list(Criterion.objects.filter(opportunity=bid.opportunity, stage=bid.stage))
    answers = dict(bid.answers.values_list("criterion_id", "text"))
    scores = Score.objects.filter(bid=bid).select_related("panel_member__user")
    if not reveal:
        scores = scores.filter(panel_member=seat)
    mine: dict[int, Score] = {}
    others: dict[int, list[Score]] = {}
    for score in scores.order_by("panel_member__user__full_name"):
        if score.panel_member_id == seat.pk:
            mine[score.criterion_id] = score
        else:
            others.setdefault(score.criterion_id, []).append(score)
    return [
        ScoreLine(c, answers.get(c.pk, ""), mine.get(c.pk), others.get(c.pk, [])) for c in criteria
    ]


# Moderation


@dataclass
class Cell:
    criterion: Criterion
    scores: list[Score]
    low: int | None
    high: int | None
    agreed: ModeratedScore | None


@dataclass
class ModerationRow:
    bid: Bid
    complete: bool
    waiting: int
    cells: list[Cell]
    total: Decimal | None = None
    rank: int | None = None


@dataclass
class Moderation:
    lots: list[Lot]
    lot: Lot | None
    stage: str
    sealed: bool
    deadline: object
    criteria: list[Criterion]
    rows: list[ModerationRow]


def moderation(user, opportunity: Opportunity, *, lot_pk=None, stage: str) -> Moderation:
    """For each bid of a lot and stage: the spread of the panel's scores once every member not
    conflicted has submitted, the agreed scores, the weighted total and the rank."""
    lots = list(Lot.objects.filter(opportunity=opportunity))
    lot = next((lot for lot in lots if str(lot.pk) == str(lot_pk)), lots[0] if lots else None)
    deadline = access.stage_deadline(opportunity, stage)
    sealed = deadline is None or timezone.now() < deadline
    criteria = list(Criterion.objects.filter(opportunity=opportunity, stage=stage))
    if sealed or lot is None:
        return Moderation(lots, lot, stage, sealed, deadline, criteria, [])
    bids_qs = access.bids_visible_to(user).filter(
        opportunity=opportunity, stage=stage, status__in=access.OPENED_BID_STATUSES
    )
    # Expressions of interest are not made per lot; full bids are.
    if stage == BidStage.FULL:
        bids_qs = bids_qs.filter(lots=lot)
    bids = list(bids_qs.select_related("organisation").order_by("organisation__name", "pk"))
    members = {m.pk: m for m in PanelMember.objects.filter(opportunity=opportunity)}
    conflicted: dict[int, set[int]] = {}
    for bid_id, member_id in ConflictDeclaration.objects.filter(
        bid__in=bids, has_conflict=True
    ).values_list("bid_id", "panel_member_id"):
        conflicted.setdefault(bid_id, set()).add(member_id)
    submitted: dict[int, set[int]] = {}
    for bid_id, member_id in PanelSubmission.objects.filter(bid__in=bids).values_list(
        "bid_id", "panel_member_id"
    ):
        submitted.setdefault(bid_id, set()).add(member_id)
    scores: dict[tuple[int, int], list[Score]] = {}
    for score in (
        Score.objects.filter(bid__in=bids)
        .select_related("panel_member__user")
        .order_by("panel_member__user__full_name", "pk")
    ):
        scores.setdefault((score.bid_id, score.criterion_id), []).append(score)
    agreed = {
        (row.bid_id, row.criterion_id): row for row in ModeratedScore.objects.filter(bid__in=bids)
    }
    weightings = [Weighting(c.pk, c.weight, c.scale_max) for c in criteria]
    rows = []
    for bid in bids:
        expected = set(members) - conflicted.get(bid.pk, set())
        done = submitted.get(bid.pk, set())
        complete = bool(done) and expected <= done
        cells = []
        for criterion in criteria:
            shown = [s for s in scores.get((bid.pk, criterion.pk), []) if s.panel_member_id in done]
            values = [s.score for s in shown] if complete else []
            cells.append(
                Cell(
                    criterion=criterion,
                    scores=shown if complete else [],
                    low=min(values) if values else None,
                    high=max(values) if values else None,
                    agreed=agreed.get((bid.pk, criterion.pk)),
                )
            )
        row = ModerationRow(bid=bid, complete=complete, waiting=len(expected - done), cells=cells)
        row.total = weighted_total(
            {cell.criterion.pk: cell.agreed.score for cell in cells if cell.agreed}, weightings
        )
        rows.append(row)
    ranks = ranking({row.bid.pk: row.total for row in rows})
    for row in rows:
        row.rank = ranks[row.bid.pk]
    return Moderation(lots, lot, stage, False, deadline, criteria, rows)


def bids_for_award(opportunity: Opportunity) -> dict[int, list[Bid]]:
    """The submitted full bids of each lot, by lot pk."""
    by_lot: dict[int, list[Bid]] = {}
    bids = (
        Bid.objects.filter(opportunity=opportunity, stage=BidStage.FULL, status=BidStatus.SUBMITTED)
        .select_related("organisation")
        .prefetch_related("lots")
        .order_by("organisation__name")
    )
    for bid in bids:
        for lot in bid.lots.all():
            by_lot.setdefault(lot.pk, []).append(bid)
    return by_lot
