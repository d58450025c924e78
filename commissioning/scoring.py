"""The arithmetic of evaluation, with no database: a bid's weighted total out of 100 from its
agreed scores, and the ranking of bids in a lot (ties share a rank)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Weighting:
    """What the arithmetic needs of a criterion: its id, weight (%) and highest score."""

    criterion_id: int
    weight: Decimal
    scale_max: int


def weighted_total(agreed: Mapping[int, int], weightings: Iterable[Weighting]) -> Decimal | None:
    """The sum over criteria of agreed score divided by highest score, times weight, rounded half up to two
    places at the end. None while any criterion has no agreed score."""
    total = Decimal(0)
    for weighting in weightings:
        score = agreed.get(weighting.criterion_id)
        if score is None:
            return None
        total += Decimal(score) / Decimal(weighting.scale_max) * Decimal(weighting.weight)
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def ranking(totals: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int | None]:
    """Rank by total, highest first. Equal totals share a rank and the next rank is skipped
    (1, 1, 3). A bid with no total yet has no rank."""
    ranked = sorted(
        ((key, total) for key, total in totals.items() if total is not None),
        key=lambda item: item[1],
        reverse=True,
    )
    ranks: dict[Hashable, int | None] = dict.fromkeys(totals)
    previous = None
    rank = 0
    for position, (key, total) in enumerate(ranked, start=1):
        if total != previous:
            rank = position
            previous = total
        ranks[key] = rank
    return ranks
