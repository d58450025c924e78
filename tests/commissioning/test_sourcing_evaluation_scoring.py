"""The arithmetic of evaluation on worked examples: weighted totals out of 100 from agreed
scores, with Decimal rounding to two places, and the ranking (ties share a rank)."""

from decimal import Decimal

from commissioning.scoring import Weighting, ranking, weighted_total

# Three criteria: quality 60% scored 0 to 5, social value 10% scored 0 to 5, price 30% 0 to 10.
CRITERIA = [
    Weighting(1, Decimal("60"), 5),
    Weighting(2, Decimal("10"), 5),
    Weighting(3, Decimal("30"), 10),
]


def test_full_marks_make_100():
    assert weighted_total({1: 5, 2: 5, 3: 10}, CRITERIA) == Decimal("100.00")


def test_a_worked_example():
    # 4/5 x 60 = 48; 3/5 x 10 = 6; 7/10 x 30 = 21; total 75
    assert weighted_total({1: 4, 2: 3, 3: 7}, CRITERIA) == Decimal("75.00")


def test_thirds_round_half_up_to_two_places_at_the_end():
    # 1/3 x 50 = 16.666..., 2/3 x 50 = 33.333...: 50.00 in all, not 49.99 from rounding each.
    thirds = [Weighting(1, Decimal("50"), 3), Weighting(2, Decimal("50"), 3)]
    assert weighted_total({1: 1, 2: 2}, thirds) == Decimal("50.00")
    # 2/3 x 100 = 66.666... rounds to 66.67; 1/3 x 100 = 33.33
    whole = [Weighting(1, Decimal("100"), 3)]
    assert weighted_total({1: 2}, whole) == Decimal("66.67")
    assert weighted_total({1: 1}, whole) == Decimal("33.33")


def test_fractional_weights():
    # 3/4 x 12.5 = 9.375 → 9.38 (half up); 1/4 x 87.5 = 21.875; total 31.25
    criteria = [Weighting(1, Decimal("12.5"), 4), Weighting(2, Decimal("87.5"), 4)]
    assert weighted_total({1: 3}, criteria[:1]) == Decimal("9.38")
    assert weighted_total({1: 3, 2: 1}, criteria) == Decimal("31.25")


def test_zero_scores_make_zero_and_the_result_is_decimal():
    total = weighted_total({1: 0, 2: 0, 3: 0}, CRITERIA)
    assert total == Decimal("0.00")
    assert isinstance(total, Decimal)


def test_no_total_until_every_criterion_is_agreed():
    assert weighted_total({1: 4, 3: 7}, CRITERIA) is None


def test_ranking_highest_first_with_shared_ranks():
    totals = {
        "a": Decimal("75.00"),
        "b": Decimal("82.50"),
        "c": Decimal("75.00"),
        "d": Decimal("60.10"),
        "e": None,
    }
    assert ranking(totals) == {"b": 1, "a": 2, "c": 2, "d": 4, "e": None}


def test_ranking_of_nothing():
    assert ranking({}) == {}
