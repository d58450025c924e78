"""The overlap finder on constructed cases: true overlaps found with their reasons, non-overlaps
not found, and the recount keeping people's decisions."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from commissioning import overlaps
from commissioning.models import IntentionStatus, OverlapPair
from commissioning.services.overlaps import (
    overlap_pair_dismiss,
    overlap_pairs_refresh,
    overlap_pairs_refresh_soon,
)
from commissioning.tasks.together import overlap_pairs_refresh as overlap_pairs_task
from providers.models import Area, AreaLevel, ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import AreaFactory, CommissioningBodyFactory, OrganisationFactory, WardFactory
from tests.factories.commissioning_together import (
    TogetherAssessmentFactory,
    TogetherIntentionFactory,
    TogetherOutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    return {
        "borough": borough,
        "central": WardFactory(name="Hackney Central", parent=borough),
        "dalston": WardFactory(name="Dalston", parent=borough),
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "benefits": ServiceCategory.objects.get(code="welfare-benefits"),
        "advice": ServiceCategory.objects.get(code="advice"),
        "youth": ServiceCategory.objects.get(code="youth-clubs"),
        "outcome": TogetherOutcomeFactory(name="Fewer people in problem debt"),
        "council": CommissioningBodyFactory(name="Lindenford Council"),
        "nhs": CommissioningBodyFactory(name="Lindenford NHS"),
    }


def intention(place, body: str, *, categories=("debt",), areas=("central",), **kwargs):
    kwargs.setdefault("outcome", place["outcome"])
    return TogetherIntentionFactory(
        body=place[body],
        categories=[place[c] for c in categories],
        areas=[place[a] for a in areas],
        **kwargs,
    )


def test_two_bodies_funding_the_same_service_in_the_same_ward_are_a_pair(place):
    council = intention(place, "council", title="Debt advice for Hackney Central")
    nhs = intention(place, "nhs", title="Money and mental health")

    assert overlap_pairs_refresh() == 1

    pair = OverlapPair.objects.get()
    assert pair.key == f"intention:{min(council.pk, nhs.pk)}|intention:{max(council.pk, nhs.pk)}"
    assert {pair.first_body, pair.second_body} == {place["council"], place["nhs"]}
    assert pair.reason == (
        "Both fund debt advice in Hackney Central from April 2027 to March 2030; "
        "both work towards “Fewer people in problem debt”."
    )
    # the same category (30), outcome (20) and area (20), and the whole period (15)
    assert pair.score == 85
    assert pair.current and pair.dismissed_at is None


def test_a_ward_overlaps_its_borough_and_the_reason_names_the_ward(place):
    intention(place, "council", areas=("borough",), outcome=TogetherOutcomeFactory())
    intention(
        place, "nhs", areas=("central",), start_on=date(2028, 4, 1), end_on=None,
        outcome=TogetherOutcomeFactory(),
    )  # fmt: skip

    overlap_pairs_refresh()

    pair = OverlapPair.objects.get()
    # no end date: three years from the start, cut to the council's March 2030
    assert pair.reason == "Both fund debt advice in Hackney Central from April 2028 to March 2030."
    assert pair.score == 30 + 12 + 10  # two of the three years overlap


def test_different_wards_do_not_overlap(place):
    intention(place, "council", areas=("central",))
    intention(place, "nhs", areas=("dalston",))

    assert overlap_pairs_refresh() == 0
    assert not OverlapPair.objects.exists()


def test_the_same_body_twice_is_not_a_pair(place):
    intention(place, "council")
    intention(place, "council")

    assert overlap_pairs_refresh() == 0


def test_periods_apart_are_not_a_pair(place):
    intention(place, "council", start_on=date(2027, 4, 1), end_on=date(2028, 3, 31))
    intention(place, "nhs", start_on=date(2028, 4, 1), end_on=date(2030, 3, 31))

    assert overlap_pairs_refresh() == 0


def test_different_kinds_of_service_with_different_outcomes_are_not_a_pair(place):
    intention(place, "council", categories=("debt",), outcome=TogetherOutcomeFactory())
    intention(place, "nhs", categories=("youth",), outcome=TogetherOutcomeFactory())

    assert overlap_pairs_refresh() == 0


def test_a_shared_outcome_alone_joins_two_records_in_the_same_place(place):
    intention(place, "council", categories=("debt",))
    intention(place, "nhs", categories=("youth",))

    overlap_pairs_refresh()

    pair = OverlapPair.objects.get()
    assert pair.reason == (
        "Both work towards “Fewer people in problem debt” in Hackney Central "
        "from April 2027 to March 2030."
    )
    assert pair.score == 20 + 20 + 15


def test_related_categories_score_less_than_the_same_one(place):
    same_a = intention(place, "council", outcome=TogetherOutcomeFactory())
    same_b = intention(place, "nhs", outcome=TogetherOutcomeFactory())
    related_a = intention(
        place, "council", categories=("benefits",), areas=("dalston",),
        outcome=TogetherOutcomeFactory(),
    )  # fmt: skip
    related_b = intention(place, "nhs", areas=("dalston",), outcome=TogetherOutcomeFactory())

    overlap_pairs_refresh()

    same = OverlapPair.objects.get(first_id__in=[same_a.pk, same_b.pk], second_id=same_b.pk)
    related = OverlapPair.objects.get(
        first_id__in=[related_a.pk, related_b.pk], second_id__in=[related_a.pk, related_b.pk]
    )
    assert same.score > related.score
    assert related.reason == (
        "Both fund services under advice and information in Dalston from April 2027 to March 2030."
    )


def test_a_needs_assessment_and_an_intention_cover_the_same_need(place):
    TogetherAssessmentFactory(
        body=place["nhs"],
        themes=[place["debt"]],
        areas=[place["borough"]],
        assessed_on=date(2026, 1, 15),
        next_review_on=date(2028, 1, 15),
    )
    intention(place, "council")

    overlap_pairs_refresh()

    pair = OverlapPair.objects.get()
    assert {pair.first_kind, pair.second_kind} == {"assessment", "intention"}
    assert pair.reason == (
        "Both cover debt advice in Hackney Central from April 2027 to January 2028."
    )


def test_drafts_and_records_already_over_are_left_out(place):
    intention(place, "council")
    intention(place, "nhs", status=IntentionStatus.DRAFT)
    TogetherAssessmentFactory(
        body=place["nhs"],
        themes=[place["debt"]],
        areas=[place["central"]],
        assessed_on=date(2020, 1, 1),
        next_review_on=date(2022, 1, 1),
    )

    assert overlap_pairs_refresh() == 0


def test_a_dismissed_pair_stays_dismissed_after_a_recount(place, commissioner):
    place["council"] = commissioner.memberships.get().organisation
    intention(place, "council")
    intention(place, "nhs")
    overlap_pairs_refresh()
    pair = OverlapPair.objects.get()
    first_found = pair.found_at

    overlap_pair_dismiss(actor=commissioner, pair=pair, reason="Different client groups.")
    overlap_pairs_refresh()

    pair.refresh_from_db()
    assert pair.dismissed_at is not None
    assert pair.dismissed_by == commissioner
    assert pair.dismissal_reason == "Different client groups."
    assert pair.current
    assert pair.found_at > first_found
    event = AuditEvent.objects.get(action="overlap.dismissed")
    assert event.note == "Different client groups." and event.actor == commissioner


def test_a_pair_no_longer_found_is_kept_and_comes_back_with_its_dismissal(place, commissioner):
    place["council"] = commissioner.memberships.get().organisation
    council = intention(place, "council")
    intention(place, "nhs")
    overlap_pairs_refresh()
    pair = OverlapPair.objects.get()
    overlap_pair_dismiss(actor=commissioner, pair=pair, reason="Already jointly funded.")

    council.areas.set([place["dalston"]])
    assert overlap_pairs_refresh() == 0
    pair.refresh_from_db()
    assert not pair.current and pair.dismissed_at is not None

    council.areas.set([place["central"]])
    assert overlap_pairs_refresh() == 1
    pair.refresh_from_db()
    assert pair.current and pair.dismissal_reason == "Already jointly funded."


def test_dismissing_needs_a_reason_and_a_member_of_either_body(place, commissioner, network_admin):
    place["council"] = commissioner.memberships.get().organisation
    intention(place, "council")
    intention(place, "nhs")
    overlap_pairs_refresh()
    pair = OverlapPair.objects.get()

    with pytest.raises(ValidationError, match="Say why"):
        overlap_pair_dismiss(actor=commissioner, pair=pair, reason="  ")
    with pytest.raises(PermissionDenied):
        overlap_pair_dismiss(actor=network_admin, pair=pair, reason="Not needed.")
    overlap_pair_dismiss(actor=commissioner, pair=pair, reason="Not needed.")
    with pytest.raises(ValidationError, match="already dismissed"):
        overlap_pair_dismiss(actor=commissioner, pair=pair, reason="Again.")


def test_a_registered_source_with_providers_plugs_in(place, monkeypatch):
    """How agreements will join: one function registered under a kind."""
    advice = OrganisationFactory(name="Citizens Advice Lindenford")
    council_body = place["council"]

    def agreement_items(ids=None):
        yield overlaps.PlanningItem(
            kind="agreement",
            id=7,
            body_id=council_body.pk,
            label="Advice contract",
            url="",
            category_ids=frozenset({place["youth"].pk}),
            area_ids=frozenset({place["dalston"].pk}),
            starts_on=date(2026, 4, 1),
            ends_on=date(2029, 3, 31),
            provider_ids=frozenset({advice.pk}),
        )

    def nhs_agreement_items(ids=None):
        yield overlaps.PlanningItem(
            kind="grant",
            id=9,
            body_id=place["nhs"].pk,
            label="Advice grant",
            url="",
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 12, 31),
            provider_ids=frozenset({advice.pk}),
        )

    monkeypatch.setattr(overlaps, "SOURCES", dict(overlaps.SOURCES))
    overlaps.register_overlap_source("agreement", agreement_items)
    overlaps.register_overlap_source("grant", nhs_agreement_items)

    assert overlap_pairs_refresh() == 1
    pair = OverlapPair.objects.get()
    assert pair.key == "agreement:7|grant:9"
    assert pair.reason == "Both fund Citizens Advice Lindenford from January 2027 to December 2027."
    assert pair.score == 25 + 15
    assert overlaps.items_resolve([("agreement", 7), ("missing", 1)]) == {
        ("agreement", 7): next(agreement_items())
    }


def test_the_task_and_the_soon_hook_recount(place, django_capture_on_commit_callbacks):
    intention(place, "council")
    intention(place, "nhs")

    assert overlap_pairs_task.delay().get() == 1
    OverlapPair.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        overlap_pairs_refresh_soon()
    assert OverlapPair.objects.count() == 1


def test_blocking_keeps_five_thousand_intentions_quick(place, monkeypatch):
    """Five thousand intentions over a borough's 700 wards (the benchmark's shape), compared in
    seconds rather than the minutes that comparing all 12.5 million pairs would take."""
    Area.objects.bulk_create(
        [
            Area(name=f"Ward {n}", ons_code=f"E05{700000 + n}", level=AreaLevel.WARD,
                 parent=place["borough"])
            for n in range(700)
        ]
    )  # fmt: skip
    wards = list(Area.objects.filter(name__startswith="Ward ").values_list("pk", flat=True))
    leaves = list(ServiceCategory.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    rng = random.Random(2026)
    items = [
        overlaps.PlanningItem(
            kind="bench",
            id=n,
            body_id=n % 10,
            label=f"Intention {n}",
            url="",
            outcome_ids=frozenset({rng.randrange(40)}),
            category_ids=frozenset(rng.sample(leaves, 2)),
            area_ids=frozenset(rng.sample(wards, 2)),
            starts_on=(start := date(2027, 4, 1) + timedelta(days=30 * rng.randint(0, 30))),
            ends_on=start + timedelta(days=3 * 365),
        )
        for n in range(5000)
    ]
    monkeypatch.setattr(overlaps, "SOURCES", {})
    overlaps.register_overlap_source("bench", lambda ids=None: iter(items))

    started = time.perf_counter()
    found = overlaps.find_overlaps(today=date(2026, 11, 1))
    elapsed = time.perf_counter() - started

    assert len(found) > 1000  # there are plenty to find
    assert all(o.first.body_id != o.second.body_id for o in found)
    assert elapsed < 20, f"took {elapsed:.1f}s"
