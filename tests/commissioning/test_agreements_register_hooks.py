"""Agreements as a source of overlaps (commission together) and of what is commissioned in the gap
analysis."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from commissioning.models import AgreementStatus
from commissioning.overlaps import PlanningItem
from commissioning.overlaps_agreements import agreement_items
from commissioning.selectors.gaps_agreements import live_agreements_by_area
from tests.factories import AreaFactory, CommissioningBodyFactory, OrganisationFactory, WardFactory
from tests.factories.commissioning_agreements import AgreementFactory, AgreementMemberFactory
from tests.factories.commissioning_evidence import OutcomeFactory
from tests.factories.providers import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def soon() -> date:
    """An end date within the renewal horizon: such agreements are compared."""
    return timezone.localdate() + timedelta(days=200)


# The overlap source


def test_live_agreements_become_planning_items(django_assert_num_queries):
    body = CommissioningBodyFactory()
    lead, member = OrganisationFactory(), OrganisationFactory()
    outcome = OutcomeFactory()
    category = ServiceCategoryFactory()
    area = AreaFactory()
    live = AgreementFactory(
        body=body,
        provider=lead,
        title="Befriending",
        start_on=date(2025, 4, 1),
        end_on=date(2028, 3, 31),
    )
    live.outcomes.add(outcome)
    live.categories.add(category)
    live.areas.add(area)
    AgreementMemberFactory(agreement=live, organisation=member)
    ending = AgreementFactory(status=AgreementStatus.ENDING, end_on=soon())
    ended = AgreementFactory(status=AgreementStatus.ENDED, end_on=soon())
    AgreementFactory(status=AgreementStatus.TERMINATED, end_on=soon())
    # Live, but not up for renewal for years yet: nothing to commission together now.
    later = AgreementFactory(end_on=timezone.localdate() + timedelta(days=800))

    with django_assert_num_queries(5):
        items = {item.id: item for item in agreement_items()}

    assert set(items) == {live.pk, ending.pk}
    assert later.pk not in items
    item = items[live.pk]
    assert isinstance(item, PlanningItem)
    assert item.kind == "agreement"
    assert item.ref == f"agreement:{live.pk}"
    assert item.body_id == body.pk
    assert item.label == "Befriending"
    assert item.outcome_ids == frozenset({outcome.pk})
    assert item.category_ids == frozenset({category.pk})
    assert item.area_ids == frozenset({area.pk})
    assert (item.starts_on, item.ends_on) == (date(2025, 4, 1), date(2028, 3, 31))
    assert item.provider_ids == frozenset({lead.pk, member.pk})
    # Asked for by id, an agreement is found whatever its state, to show a pair found earlier.
    assert [i.id for i in agreement_items(ids=[ended.pk])] == [ended.pk]
    assert list(agreement_items(ids=[])) == []


def test_the_query_count_does_not_grow(django_assert_num_queries):
    for _ in range(12):
        agreement = AgreementFactory(end_on=soon())
        agreement.categories.add(ServiceCategoryFactory())
        agreement.areas.add(AreaFactory())
        AgreementMemberFactory(agreement=agreement)
    with django_assert_num_queries(5):
        assert len(list(agreement_items())) == 12


def test_registered_it_finds_two_bodies_funding_the_same_provider_in_the_same_place():
    from commissioning import overlaps

    category, area = ServiceCategoryFactory(), AreaFactory()
    provider = OrganisationFactory()
    first = AgreementFactory(provider=provider, end_on=soon())
    second = AgreementFactory(provider=provider, end_on=soon())
    # Somewhere else, for someone else.
    AgreementFactory(provider=OrganisationFactory(), end_on=soon())
    for agreement in (first, second):
        agreement.categories.add(category)
        agreement.areas.add(area)
    saved = dict(overlaps.SOURCES)
    try:
        overlaps.SOURCES.clear()
        overlaps.register_overlap_source(
            "agreement", agreement_items, title="Agreement", funds=True
        )
        found = overlaps.find_overlaps()
    finally:
        overlaps.SOURCES.clear()
        overlaps.SOURCES.update(saved)
    assert len(found) == 1
    pair = {found[0].first.id, found[0].second.id}
    assert pair == {first.pk, second.pk}
    assert provider.pk in found[0].match.provider_ids


# The gap analysis's "what is commissioned"


@pytest.fixture
def places():
    borough = AreaFactory(name="Lindenford")
    return {
        "borough": borough,
        "north": WardFactory(name="North", parent=borough),
        "south": WardFactory(name="South", parent=borough),
        "elsewhere": AreaFactory(name="Elsewhere"),
    }


@pytest.fixture
def tree():
    advice = ServiceCategoryFactory(name="Advice")
    return {
        "advice": advice,
        "debt": ServiceCategoryFactory(name="Debt advice", parent=advice),
        "youth": ServiceCategoryFactory(name="Youth work"),
    }


def agreement_in(category, *areas, status=AgreementStatus.ACTIVE):
    agreement = AgreementFactory(status=status)
    agreement.categories.add(category)
    agreement.areas.add(*areas)
    return agreement


def test_live_agreements_are_counted_in_their_areas_and_those_below(places, tree):
    agreement_in(tree["debt"], places["north"])
    agreement_in(tree["debt"], places["borough"])  # borough-wide: counts in every ward
    agreement_in(tree["advice"], places["south"])  # advice covers debt advice
    agreement_in(tree["debt"], places["north"], status=AgreementStatus.ENDING)
    agreement_in(tree["debt"], places["north"], status=AgreementStatus.ENDED)
    agreement_in(tree["youth"], places["north"])
    agreement_in(tree["debt"], places["elsewhere"])
    wards = [places["north"].pk, places["south"].pk]

    counts = live_agreements_by_area(area_ids=wards, category_ids=[tree["debt"].pk])

    assert counts == {places["north"].pk: 3, places["south"].pk: 2}


def test_a_parent_category_counts_agreements_for_what_is_inside_it(places, tree):
    agreement_in(tree["debt"], places["north"])
    counts = live_agreements_by_area(
        area_ids=[places["borough"].pk, places["elsewhere"].pk], category_ids=[tree["advice"].pk]
    )
    # The borough row counts what covers the borough itself, not a ward inside it.
    assert counts == {places["borough"].pk: 0, places["elsewhere"].pk: 0}
    counts = live_agreements_by_area(
        area_ids=[places["north"].pk], category_ids=[tree["advice"].pk]
    )
    assert counts == {places["north"].pk: 1}


def test_an_agreement_in_two_matching_places_counts_once(places, tree):
    agreement_in(tree["debt"], places["north"], places["borough"])
    counts = live_agreements_by_area(area_ids=[places["north"].pk], category_ids=[tree["debt"].pk])
    assert counts == {places["north"].pk: 1}


def test_nothing_to_count(places, tree):
    assert live_agreements_by_area(area_ids=[], category_ids=[tree["debt"].pk]) == {}
    assert live_agreements_by_area(area_ids=[places["north"].pk], category_ids=[]) == {
        places["north"].pk: 0
    }


def test_the_gap_count_has_a_fixed_number_of_queries(places, tree, django_assert_num_queries):
    wards = [WardFactory(parent=places["borough"]) for _ in range(10)]
    for ward in wards:
        agreement_in(tree["debt"], ward)
    agreement_in(tree["youth"], places["borough"])
    with django_assert_num_queries(3):
        counts = live_agreements_by_area(
            area_ids=[ward.pk for ward in wards], category_ids=[tree["debt"].pk, tree["youth"].pk]
        )
    assert set(counts.values()) == {2}  # its own, and the borough-wide one


def test_registered_it_fills_the_gap_analysis_column(places, tree, commissioner):
    from commissioning.selectors import gaps

    agreement_in(tree["debt"], places["north"])
    saved = list(gaps.COMMISSIONED_SOURCES)
    try:
        gaps.register_commissioned_source(live_agreements_by_area, label="Live agreements")
        analysis = gaps.gap_analysis(
            user=commissioner, category=tree["debt"], parent_area=places["borough"]
        )
    finally:
        gaps.COMMISSIONED_SOURCES[:] = saved
    assert analysis.commissioned_labels[-1] == "Live agreements"
    by_ward = {row.area.name: row.commissioned[-1] for row in analysis.rows}
    assert by_ward == {"North": 1, "South": 0}
