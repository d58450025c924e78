"""The gap analysis on constructed data: need from the latest indicator values against the
comparator and from the needs assessments covering an area, provision from the provision map,
and the areas where need is worse and provision thin marked as gaps."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from commissioning.selectors import gaps
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from providers.services.provision import provision_counts_refresh
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    OrganisationFactory,
    ServiceFactory,
    WardFactory,
)
from tests.factories.commissioning_together import (
    TogetherAssessmentFactory,
    TogetherIndicatorFactory,
    TogetherOutcomeFactory,
    together_comparator,
    together_value,
)

pytestmark = pytest.mark.django_db

GAPS = reverse("commissioning:gap_analysis")
GAPS_CSV = reverse("commissioning:gap_analysis_csv")


@pytest.fixture
def world():
    """Three wards of Lindenford. Problem debt (lower is better; England 20%) is worse in Abbey
    Fields and Brookside and better in Castle Hill. Abbey Fields has one active debt advice
    service, Brookside three and Castle Hill none: only Abbey Fields is a gap."""
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    abbey = WardFactory(name="Abbey Fields", parent=borough)
    brookside = WardFactory(name="Brookside", parent=borough)
    castle = WardFactory(name="Castle Hill", parent=borough)
    debt = ServiceCategory.objects.get(code="debt-advice")
    advice = ServiceCategory.objects.get(code="advice")
    youth = ServiceCategory.objects.get(code="youth-clubs")
    outcome = TogetherOutcomeFactory(name="Fewer people in problem debt", categories=[debt])
    indicator = TogetherIndicatorFactory(outcome=outcome, name="Adults in problem debt")
    together_comparator(indicator, value=20)
    together_comparator(indicator, period="2023/24", start=date(2023, 4, 1), value=20)
    for ward, value in [(abbey, 30), (brookside, 30), (castle, 10)]:
        together_value(indicator, ward, value=value)
        # an earlier period the other way round: only the latest is read
        together_value(indicator, ward, period="2023/24", start=date(2023, 4, 1), value=40 - value)
    broad = TogetherOutcomeFactory(name="Everyone gets advice", categories=[advice])
    broad_indicator = TogetherIndicatorFactory(outcome=broad, name="Advice reach")
    youth_outcome = TogetherOutcomeFactory(name="Young people thrive", categories=[youth])
    TogetherIndicatorFactory(outcome=youth_outcome, name="Youth club attendance")

    organisation = OrganisationFactory(name="Abbey Advice")
    ServiceFactory(organisation=organisation, categories=[debt], areas=[abbey])
    for _ in range(3):
        ServiceFactory(categories=[debt], areas=[brookside])
    provision_counts_refresh()

    body = CommissioningBodyFactory(name="Lindenford Council")
    TogetherAssessmentFactory(body=body, themes=[advice], areas=[borough], title="Advice needs")
    TogetherAssessmentFactory(
        body=body, themes=[debt], areas=[abbey], title="Debt in Abbey Fields",
        next_review_on=date(2025, 1, 1), assessed_on=date(2024, 1, 1),
    )  # fmt: skip
    TogetherAssessmentFactory(body=body, themes=[youth], areas=[abbey], title="Youth needs")
    return {
        "borough": borough,
        "abbey": abbey,
        "brookside": brookside,
        "castle": castle,
        "debt": debt,
        "outcome": outcome,
        "indicator": indicator,
        "broad_indicator": broad_indicator,
    }


def rows_by_area(response) -> dict:
    return {row.area.name: row for row in response.context["analysis"].rows}


def test_an_area_worse_than_england_with_thin_provision_is_a_gap(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk})
    assert response.status_code == 200
    rows = rows_by_area(response)
    assert list(rows) == ["Abbey Fields", "Brookside", "Castle Hill"]  # the default: the wards

    abbey, brookside, castle = rows["Abbey Fields"], rows["Brookside"], rows["Castle Hill"]
    assert [cell.words for cell in abbey.needs] == ["Worse than England"]
    assert [cell.value_text for cell in abbey.needs] == ["30.0%"]
    assert [cell.words for cell in castle.needs] == ["Better than England"]
    assert [(c.services, c.organisations, c.is_thin) for c in abbey.provision] == [(1, 1, True)]
    assert [(c.services, c.is_thin) for c in brookside.provision] == [(3, False)]
    assert [(c.services, c.is_thin) for c in castle.provision] == [(0, True)]
    assert (abbey.is_gap, brookside.is_gap, castle.is_gap) == (True, False, False)
    assert abbey.gap_reason == (
        "Worse than the comparator on 1 indicator (Adults in problem debt), with thin provision "
        "of Debt advice (1 active service)."
    )
    # Assessments: the borough-wide advice one counts everywhere, the ward's own debt one (overdue
    # or not) in Abbey Fields, and the youth one nowhere.
    assert (abbey.assessments, brookside.assessments, castle.assessments) == (2, 1, 1)

    page = response.content.decode()
    assert '<strong><span aria-hidden="true">▲</span> Gap</strong>' in page  # a marker in words
    assert "1 of the 3 areas on this page is a gap" in page
    # What is commissioned: no agreements yet, so a nought in each area.
    assert "Agreements" in page


def test_the_thin_threshold_can_be_chosen(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk, "thin": 4})
    rows = rows_by_area(response)
    assert rows["Brookside"].is_gap  # three services are fewer than four
    assert "fewer than 4 active services" in response.content.decode()


def test_a_category_brings_the_indicators_of_outcomes_linked_to_it_or_above(
    client, commissioner, world
):
    client.force_login(commissioner)
    response = client.get(GAPS, {"category": world["debt"].pk})
    analysis = response.context["analysis"]
    assert [i.name for i in analysis.indicators] == ["Adults in problem debt", "Advice reach"]
    assert [c.name for c in analysis.categories] == ["Debt advice"]
    abbey = rows_by_area(response)["Abbey Fields"]
    assert [cell.words for cell in abbey.needs] == ["Worse than England", "No data"]
    assert abbey.is_gap


def test_indicators_are_capped_and_the_page_says_so(client, commissioner, world):
    for n in range(gaps.INDICATOR_CAP):
        TogetherIndicatorFactory(outcome=world["outcome"], name=f"Another measure {n}")
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk})
    assert len(response.context["analysis"].indicators) == gaps.INDICATOR_CAP
    assert (
        f"Showing the first {gaps.INDICATOR_CAP} of {gaps.INDICATOR_CAP + 1} indicators"
        in response.content.decode()
    )


def test_an_outcome_and_a_category_together_is_refused(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk, "category": world["debt"].pk})
    assert "Choose an outcome or a category, not both." in response.content.decode()
    assert response.context["analysis"] is None
    response = client.get(GAPS)
    assert "Choose an outcome or a service category to see the analysis." in (
        response.content.decode()
    )


def test_areas_inside_a_chosen_area_and_pages_of_them(client, commissioner, world):
    neighbourhoods = [
        WardFactory(name=f"Abbey {n:02d}", parent=world["abbey"], level="neighbourhood")
        for n in range(gaps.AREAS_PER_PAGE + 1)
    ]
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk, "area": world["abbey"].pk})
    analysis = response.context["analysis"]
    assert len(analysis.rows) == gaps.AREAS_PER_PAGE and analysis.area_total == 51
    # an assessment of the ward or the borough covers its neighbourhoods
    assert analysis.rows[0].assessments == 2
    response = client.get(
        GAPS, {"outcome": world["outcome"].pk, "area": world["abbey"].pk, "page": 2}
    )
    assert [row.area for row in response.context["analysis"].rows] == neighbourhoods[-1:]


def test_a_commissioned_source_adds_a_column(client, commissioner, world, monkeypatch):
    monkeypatch.setattr(gaps, "COMMISSIONED_SOURCES", [])

    def agreements(*, area_ids, category_ids):
        assert category_ids == [world["debt"].pk]
        return {world["abbey"].pk: 2}

    gaps.register_commissioned_source(agreements, label="Live agreements")
    client.force_login(commissioner)
    response = client.get(GAPS, {"outcome": world["outcome"].pk})
    rows = rows_by_area(response)
    assert rows["Abbey Fields"].commissioned == [2] and rows["Castle Hill"].commissioned == [0]
    page = response.content.decode()
    assert '<th scope="col">Live agreements</th>' in page
    assert "once agreements are recorded" not in page


def test_the_csv_has_every_area(client, commissioner, world):
    client.force_login(commissioner)
    response = client.get(GAPS_CSV, {"outcome": world["outcome"].pk})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Area",
        "ONS code",
        "Adults in problem debt (2024/25)",
        "Adults in problem debt: compared",
        "Needs assessments covering the area",
        "Debt advice: active services",
        "Debt advice: organisations",
        "Agreements",
        "Gap: need worse and provision thin",
        "Why",
    ]
    assert [row[0] for row in rows[1:]] == ["Abbey Fields", "Brookside", "Castle Hill"]
    assert rows[1][2:9] == ["30.0000", "Worse than England", "2", "1", "1", "0", "Yes"]
    assert rows[3][-2] == "No"
