"""The evidence library and an assessment's page issue a fixed number of queries, whatever the
number of assessments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Visibility
from commissioning.services.assessments import needs_assessment_document_add
from tests.factories import (
    AreaFactory,
    ClientGroupFactory,
    ServiceCategoryFactory,
    WardFactory,
)
from tests.factories.commissioning_assessments import (
    AssessmentIndicatorFactory,
    NeedsAssessmentFactory,
)
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db

# Pinned counts. Every library page renders four choice lists (themes, areas, groups, bodies).
# Signed in adds the session, the user, the memberships for the navigation, the network
# membership check and the commissioner check for the "write one" link.
PINNED = {
    # the four choice lists; a count; the page with its bodies; its themes, areas and groups
    "library": 9,
    "library_member": 14,
    # as above, with the chosen theme and area and the ids below each
    "library_filtered": 13,
    "library_filtered_member": 18,
    "library_page_two_member": 14,
    # the assessment; its themes, areas, groups, indicators and documents; the intentions that
    # use it (the public sees no business cases) and its last review. Members add the network
    # membership check, whether they act for its body, and the planner checks (one each for the
    # business cases, which they then read, and the intentions).
    "assessment": 8,
    "assessment_member": 16,
}


@pytest.fixture
def world(commissioning_body, commissioner):
    advice = ServiceCategoryFactory(name="Advice", code="q-advice")
    borough = AreaFactory(name="Lindenford")
    return {
        "body": commissioning_body,
        "commissioner": commissioner,
        "advice": advice,
        "debt": ServiceCategoryFactory(name="Debt advice", code="q-debt", parent=advice),
        "borough": borough,
        "wards": [WardFactory(name=f"Ward {i}", parent=borough) for i in range(3)],
        "groups": [ClientGroupFactory() for _ in range(2)],
    }


def grow(n: int, world: dict) -> None:
    today = timezone.localdate()
    for i in range(n):
        assessment = NeedsAssessmentFactory(
            title=f"Debt advice needs {i}",
            body=world["body"],
            themes=[world["debt"], world["advice"]],
            areas=world["wards"],
            population_groups=world["groups"],
            indicators=[AssessmentIndicatorFactory()],
            visibility=Visibility.PUBLIC if i % 2 else Visibility.NETWORK,
            next_review_on=today + timedelta(days=(i % 3 - 1) * 90 + 1),
            assessed_on=today - timedelta(days=400),
        )
        needs_assessment_document_add(
            actor=world["commissioner"],
            assessment=assessment,
            file=SimpleUploadedFile(f"survey{i}.pdf", PDF_BYTES),
        )


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def pages(world: dict, first) -> dict[str, tuple[str, dict]]:
    library = reverse("commissioning:evidence_library")
    return {
        "library": (library, {}),
        "library_filtered": (
            library,
            {"q": "debt", "theme": world["advice"].pk, "area": world["borough"].pk},
        ),
        "library_page_two": (library, {"page": 2, "sort": "review"}),
        "assessment": (reverse("commissioning:assessment", args=[first.pk]), {}),
    }


@pytest.mark.parametrize(
    ("page", "member"),
    [
        ("library", False),
        ("library", True),
        ("library_filtered", False),
        ("library_filtered", True),
        ("library_page_two", True),
        ("assessment", False),
        ("assessment", True),
    ],
)
def test_query_count_does_not_grow(client, world, commissioner, page, member):
    if member:
        client.force_login(commissioner)
    grow(25, world)
    first = NeedsAssessmentFactory(body=world["body"], visibility=Visibility.PUBLIC)
    url, params = pages(world, first)[page]
    small = count_queries(client, url, params)
    grow(25, world)
    large = count_queries(client, url, params)
    assert (small, large) == (PINNED[f"{page}_member" if member else page],) * 2
