"""The evidence library: who sees which assessments, the filters and search, freshness, sorting,
pagination and the CSV of the filtered list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from commissioning.models import NeedsAssessment, Visibility
from commissioning.selectors.assessments import LIBRARY_PAGE_SIZE, REVIEW_DUE_DAYS
from tests.factories import (
    AreaFactory,
    ClientGroupFactory,
    CommissioningBodyFactory,
    ServiceCategoryFactory,
    WardFactory,
)
from tests.factories.commissioning_assessments import NeedsAssessmentFactory

pytestmark = pytest.mark.django_db

LIBRARY = reverse("commissioning:evidence_library")
CSV_URL = reverse("commissioning:evidence_library_csv")


def titles(response) -> list[str]:
    return [row.assessment.title for row in response.context["rows"]]


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def places():
    advice = ServiceCategoryFactory(name="Advice", code="t-advice")
    borough = AreaFactory(name="Lindenford")
    return {
        "advice": advice,
        "debt": ServiceCategoryFactory(name="Debt advice", code="t-debt", parent=advice),
        "youth": ServiceCategoryFactory(name="Youth work", code="t-youth"),
        "borough": borough,
        "ward": WardFactory(name="Hackney Central", parent=borough),
        "elsewhere": AreaFactory(name="Elsewhere"),
        "carers": ClientGroupFactory(name="Carers", code="t-carers"),
        "travellers": ClientGroupFactory(
            name="Gypsy and Traveller communities", code="t-travellers", usually_excluded=True
        ),
    }


def test_anonymous_people_see_public_assessments_only(client):
    NeedsAssessmentFactory(title="Public one", visibility=Visibility.PUBLIC)
    NeedsAssessmentFactory(title="Network one", visibility=Visibility.NETWORK)
    response = client.get(LIBRARY)
    assert response.status_code == 200
    assert titles(response) == ["Public one"]
    assert b"Network one" not in response.content
    assert "Network one" not in {row["Title"] for row in csv_rows(client.get(CSV_URL))}


@pytest.mark.parametrize("who", ["provider", "commissioner", "network_admin", "outsider"])
def test_network_members_see_every_assessment(request, client, who):
    NeedsAssessmentFactory(title="Public one", visibility=Visibility.PUBLIC)
    NeedsAssessmentFactory(title="Network one", visibility=Visibility.NETWORK)
    client.force_login(request.getfixturevalue(who))
    assert sorted(titles(client.get(LIBRARY))) == ["Network one", "Public one"]
    assert {row["Title"] for row in csv_rows(client.get(CSV_URL))} == {"Network one", "Public one"}


def test_a_pending_organisations_member_sees_public_ones_only(client, pending_provider):
    NeedsAssessmentFactory(title="Public one", visibility=Visibility.PUBLIC)
    NeedsAssessmentFactory(title="Network one", visibility=Visibility.NETWORK)
    client.force_login(pending_provider)
    assert titles(client.get(LIBRARY)) == ["Public one"]


def test_a_parent_theme_includes_its_children(client, commissioner, places):
    NeedsAssessmentFactory(title="Debt", themes=[places["debt"]])
    NeedsAssessmentFactory(title="Advice in general", themes=[places["advice"]])
    NeedsAssessmentFactory(title="Youth", themes=[places["youth"]])
    client.force_login(commissioner)
    assert sorted(titles(client.get(LIBRARY, {"theme": places["advice"].pk}))) == [
        "Advice in general",
        "Debt",
    ]
    assert titles(client.get(LIBRARY, {"theme": places["debt"].pk})) == ["Debt"]


def test_a_borough_includes_its_wards(client, commissioner, places):
    NeedsAssessmentFactory(title="Ward", areas=[places["ward"]])
    NeedsAssessmentFactory(title="Borough and ward", areas=[places["borough"], places["ward"]])
    NeedsAssessmentFactory(title="Elsewhere", areas=[places["elsewhere"]])
    client.force_login(commissioner)
    # An assessment linked to both the borough and its ward is listed once.
    assert sorted(titles(client.get(LIBRARY, {"area": places["borough"].pk}))) == [
        "Borough and ward",
        "Ward",
    ]
    assert sorted(titles(client.get(LIBRARY, {"area": places["ward"].pk}))) == [
        "Borough and ward",
        "Ward",
    ]
    assert titles(client.get(LIBRARY, {"area": places["elsewhere"].pk})) == ["Elsewhere"]


def test_population_group_and_body_filters(client, commissioner, places):
    council = CommissioningBodyFactory(name="Lindenford Council")
    NeedsAssessmentFactory(
        title="Travellers' health", population_groups=[places["travellers"]], body=council
    )
    NeedsAssessmentFactory(title="Carers' breaks", population_groups=[places["carers"]])
    client.force_login(commissioner)
    response = client.get(LIBRARY, {"group": places["travellers"].pk})
    assert titles(response) == ["Travellers' health"]
    assert "Gypsy and Traveller communities (usually excluded)" in response.content.decode()
    assert titles(client.get(LIBRARY, {"body": council.pk})) == ["Travellers' health"]


def test_filters_combine_and_the_csv_follows_them(client, commissioner, places):
    NeedsAssessmentFactory(
        title="Debt in the ward", themes=[places["debt"]], areas=[places["ward"]]
    )
    NeedsAssessmentFactory(
        title="Debt elsewhere", themes=[places["debt"]], areas=[places["elsewhere"]]
    )
    NeedsAssessmentFactory(
        title="Youth in the ward", themes=[places["youth"]], areas=[places["ward"]]
    )
    client.force_login(commissioner)
    params = {"theme": places["advice"].pk, "area": places["borough"].pk}
    response = client.get(LIBRARY, params)
    assert titles(response) == ["Debt in the ward"]
    # The download link carries the same filters, so it exports what the page shows.
    assert response.context["filter_query"] in response.content.decode().replace("&amp;", "&")
    rows = csv_rows(client.get(CSV_URL, params))
    assert [row["Title"] for row in rows] == ["Debt in the ward"]
    assert rows[0]["Themes"] == "Debt advice"
    assert rows[0]["Areas"] == "Hackney Central"
    found = NeedsAssessment.objects.get(title="Debt in the ward")
    assert rows[0]["Link"] == settings.PORTAL_BASE_URL + reverse(
        "commissioning:assessment", args=[found.pk]
    )


def test_search_matches_title_or_summary_in_any_case(client, commissioner):
    NeedsAssessmentFactory(title="Loneliness among older people", summary="Isolation is rising.")
    NeedsAssessmentFactory(title="Young carers", summary="Many care for a LONELY parent.")
    NeedsAssessmentFactory(title="Debt advice", summary="Demand has doubled.")
    client.force_login(commissioner)
    assert sorted(titles(client.get(LIBRARY, {"q": "lonel"}))) == [
        "Loneliness among older people",
        "Young carers",
    ]
    assert titles(client.get(LIBRARY, {"q": "older isolation"})) == [
        "Loneliness among older people"
    ]
    assert titles(client.get(LIBRARY, {"q": "nothing like it"})) == []


def test_freshness_filter_and_the_overdue_label(client, commissioner):
    today = timezone.localdate()
    NeedsAssessmentFactory(
        title="Overdue",
        assessed_on=today - timedelta(days=400),
        next_review_on=today - timedelta(days=1),
    )
    NeedsAssessmentFactory(title="Due soon", next_review_on=today + timedelta(days=REVIEW_DUE_DAYS))
    NeedsAssessmentFactory(title="Due today", next_review_on=today)
    NeedsAssessmentFactory(
        title="Current", next_review_on=today + timedelta(days=REVIEW_DUE_DAYS + 1)
    )
    client.force_login(commissioner)
    assert titles(client.get(LIBRARY, {"freshness": "overdue"})) == ["Overdue"]
    assert sorted(titles(client.get(LIBRARY, {"freshness": "due"}))) == ["Due soon", "Due today"]
    assert titles(client.get(LIBRARY, {"freshness": "current"})) == ["Current"]
    page = client.get(LIBRARY, {"freshness": "overdue"}).content.decode()
    # In words, not colour alone.
    assert "Overdue for review</span>" in page
    rows = {row["Title"]: row for row in csv_rows(client.get(CSV_URL))}
    assert rows["Overdue"]["Review status"].startswith("Overdue for review")
    assert rows["Current"]["Review status"].startswith("Current")


def test_sort_by_assessed_date_review_date_or_title(client, commissioner):
    today = timezone.localdate()
    NeedsAssessmentFactory(
        title="B", assessed_on=today - timedelta(days=10), next_review_on=today + timedelta(days=50)
    )
    NeedsAssessmentFactory(
        title="C", assessed_on=today - timedelta(days=5), next_review_on=today + timedelta(days=90)
    )
    NeedsAssessmentFactory(
        title="A", assessed_on=today - timedelta(days=20), next_review_on=today + timedelta(days=70)
    )
    client.force_login(commissioner)
    assert titles(client.get(LIBRARY)) == ["C", "B", "A"]
    assert titles(client.get(LIBRARY, {"sort": "assessed"})) == ["C", "B", "A"]
    assert titles(client.get(LIBRARY, {"sort": "review"})) == ["B", "A", "C"]
    assert titles(client.get(LIBRARY, {"sort": "title"})) == ["A", "B", "C"]
    assert titles(client.get(LIBRARY, {"sort": "nonsense"})) == ["C", "B", "A"]


def test_pages_are_served_from_the_server_and_keep_the_filters(client, commissioner, places):
    for i in range(LIBRARY_PAGE_SIZE + 3):
        NeedsAssessmentFactory(title=f"Assessment {i:02d}", themes=[places["debt"]])
    NeedsAssessmentFactory(title="Youth", themes=[places["youth"]])
    client.force_login(commissioner)
    first = client.get(LIBRARY, {"theme": places["debt"].pk, "sort": "title"})
    assert len(titles(first)) == LIBRARY_PAGE_SIZE
    assert first.context["page"].paginator.count == LIBRARY_PAGE_SIZE + 3
    assert f"theme={places['debt'].pk}&amp;sort=title&amp;page=2" in first.content.decode()
    second = client.get(LIBRARY, {"theme": places["debt"].pk, "sort": "title", "page": 2})
    assert titles(second) == [
        f"Assessment {i:02d}" for i in range(LIBRARY_PAGE_SIZE, LIBRARY_PAGE_SIZE + 3)
    ]


def test_an_unknown_choice_is_reported_not_ignored(client, commissioner):
    NeedsAssessmentFactory(title="Any")
    client.force_login(commissioner)
    response = client.get(LIBRARY, {"theme": 999999})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_commissioners_get_a_link_to_write_one(client, commissioner, provider):
    create = reverse("commissioning:assessment_create")
    assert create not in client.get(LIBRARY).content.decode()
    client.force_login(provider)
    assert create not in client.get(LIBRARY).content.decode()
    client.force_login(commissioner)
    assert create in client.get(LIBRARY).content.decode()
