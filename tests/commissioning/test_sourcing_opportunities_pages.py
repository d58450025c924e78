"""The opportunities pages: what the public list and page show (drafts hidden), writing one
through the form, registering interest, the commissioners' page with bid counts only, pinned
query counts at two sizes, and the access rows of this part's URLs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import BidStatus, Interest, Opportunity, OpportunityStatus
from tests.access.access_table import ROLES
from tests.access.rows_sourcing_opportunities import ROWS
from tests.access.test_access_matrix import url_for, world  # noqa: F401
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_open_forthcoming_closed_and_awarded_but_not_drafts(client):
    now = timezone.now()
    open_one = OpportunityFactory(title="Open one")
    forthcoming = OpportunityFactory(title="Forthcoming one", publish_at=now + timedelta(days=2))
    closed = OpportunityFactory(
        title="Closed one",
        clarifications_close_at=now - timedelta(days=3),
        bid_deadline=now - timedelta(days=1),
    )
    awarded = OpportunityFactory(title="Awarded one", status=OpportunityStatus.AWARDED)
    OpportunityFactory(title="Secret draft", status=OpportunityStatus.DRAFT)
    OpportunityFactory(title="Cancelled one", status=OpportunityStatus.CANCELLED)
    page = client.get(reverse("commissioning:opportunity_list")).content.decode()
    for shown in (open_one, forthcoming, closed, awarded):
        assert shown.title in page
    assert "Secret draft" not in page
    assert "Cancelled one" not in page
    assert page.index("Open one") < page.index("Forthcoming one") < page.index("Closed one")
    filtered = client.get(reverse("commissioning:opportunity_list"), {"state": "forthcoming"})
    assert "Forthcoming one" in filtered.content.decode()
    assert "Open one" not in filtered.content.decode()
    # a draft is hidden from the public even when asked for
    drafts = client.get(reverse("commissioning:opportunity_list"), {"state": "draft"})
    assert "Secret draft" not in drafts.content.decode()


def test_search_and_closing_within(client):
    soon = OpportunityFactory(
        title="Debt advice",
        clarifications_close_at=timezone.now() + timedelta(days=1),
        bid_deadline=timezone.now() + timedelta(days=2),
    )
    OpportunityFactory(title="Youth clubs", bid_deadline=timezone.now() + timedelta(days=20))
    found = client.get(reverse("commissioning:opportunity_list"), {"q": "debt"}).content.decode()
    assert "Debt advice" in found and "Youth clubs" not in found
    closing = client.get(reverse("commissioning:opportunity_list"), {"closing_within": "5"})
    assert soon.title in closing.content.decode()
    assert "Youth clubs" not in closing.content.decode()


def test_the_public_page_shows_what_is_published(client):
    opportunity = OpportunityFactory(title="Advice service")
    page = client.get(reverse("commissioning:opportunity", args=[opportunity.pk])).content.decode()
    assert "Advice service" in page
    assert "Whole borough" in page  # the lot
    assert "weight 100%" in page
    assert f"speak to {opportunity.contact_name} first" not in page  # no eligibility questions
    draft = OpportunityFactory(status=OpportunityStatus.DRAFT)
    assert client.get(reverse("commissioning:opportunity", args=[draft.pk])).status_code == 404


def test_writing_an_opportunity_through_the_form(client, commissioner, commissioning_body):
    from providers.models import ServiceCategory
    from tests.factories import AreaFactory

    category = ServiceCategory.objects.create(name="Debt advice", code="debt-x")
    area = AreaFactory(name="Lindenford")
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:opportunity_create"),
        {
            "body": commissioning_body.pk,
            "kind": "contract",
            "procedure": "open",
            "title": "Debt advice",
            "summary": "Advice",
            "outcomes_sought": "Less debt",
            "categories": [category.pk],
            "areas": [area.pk],
            "term_months": 12,
            "short_term_reason": "",
            "consortium_bids": "on",
            "contact_name": "Sam",
            "contact_email": "sam@example.org",
            "publish_at": "2027-03-01T09:00",
            "clarifications_close_at": "2027-03-10T12:00",
            "bid_deadline": "2027-03-29T12:00",
            "evaluation_on": "2027-04-05",
            "award_on": "2027-04-20",
            "contract_start_on": "2027-07-01",
        },
    )
    assert response.status_code == 200
    assert "Say why the term is shorter than three years" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_registering_interest(client, provider, provider_org):
    opportunity = OpportunityFactory()
    client.force_login(provider)
    url = reverse("commissioning:opportunity_interest", args=[opportunity.pk])
    client.post(url)
    client.post(url)
    assert Interest.objects.filter(opportunity=opportunity, organisation=provider_org).count() == 1


def test_the_manage_page_shows_counts_not_content(client, commissioner, commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body)
    BidFactory(opportunity=opportunity, status=BidStatus.SUBMITTED)
    BidFactory(opportunity=opportunity, status=BidStatus.SUBMITTED)
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:opportunity_manage", args=[opportunity.pk]))
    counts = response.context["counts"]
    full = next(stage for stage in counts["stages"] if stage["stage"] == "full")
    assert {s["status"]: s["count"] for s in full["statuses"]}["submitted"] == 2
    assert counts["total"] == 2


# Query counts, pinned at two sizes

# list: three choice lists (category, area, body), a count, and the page's rows with their body
# detail: found through the access helper, read with its body and intention, then its nine
# lists (partners, categories, areas, outcomes, assessments, lots, eligibility, criteria,
# documents) and award decisions
PINNED = {"list": 5, "detail": 12}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_costs_the_same_at_any_size(client, size):
    OpportunityFactory.create_batch(size)
    assert _count(client, reverse("commissioning:opportunity_list")) == PINNED["list"]
    assert (
        _count(client, reverse("commissioning:opportunity_list") + "?page=2&q=service")
        == (PINNED["list"])
    )


@pytest.mark.parametrize("size", [1, 10])
def test_the_page_costs_the_same_at_any_size(client, size):
    from tests.factories.commissioning_sourcing import (
        CriterionFactory,
        EligibilityQuestionFactory,
        LotFactory,
    )

    opportunity = OpportunityFactory(with_lot=False)
    for number in range(size):
        LotFactory(opportunity=opportunity, number=number + 1)
        EligibilityQuestionFactory(opportunity=opportunity)
        CriterionFactory(opportunity=opportunity, weight=100 / size)
    url = reverse("commissioning:opportunity", args=[opportunity.pk])
    assert _count(client, url) == PINNED["detail"]


# Access rows of this part


@pytest.mark.parametrize("role", ROLES)
def test_this_parts_urls_as_every_role(client, world, role_users, role):  # noqa: F811
    if role != "anonymous":
        client.force_login(role_users[role])
    wrong = []
    for name, expected in ROWS.items():
        url = url_for(name, world)
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name} {url}: expected {expected[role]}, got {status}")
    assert not wrong, "\n".join(wrong)


def test_the_criteria_page_names_the_stage_and_sum(client, commissioner, commissioning_body):
    from tests.factories.commissioning_sourcing_opportunities import draft_opportunity

    opportunity = draft_opportunity(commissioner, commissioning_body)
    client.force_login(commissioner)
    url = reverse("commissioning:opportunity_criteria", args=[opportunity.pk])
    assert client.get(url).status_code == 200
    row = {
        "stage": "full",
        "kind": "quality",
        "question": "How?",
        "scale_max": "5",
        "scale_guidance": "0: Nothing\n5: Excellent",
        "word_limit": "300",
    }
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0"}
    for index, (title, weight) in enumerate([("Quality", "70"), ("Price", "20")]):
        data |= {f"form-{index}-{k}": v for k, v in row.items()}
        data |= {f"form-{index}-title": title, f"form-{index}-weight": weight}
    page = client.post(url, data).content.decode()
    assert "The weights of the full bid criteria add up to 90, not 100." in page
    assert not opportunity.criteria.exists()
    data["form-1-weight"] = "30"
    assert client.post(url, data).status_code == 302
    assert opportunity.criteria.get(title="Quality").scale_guidance == {
        "0": "Nothing",
        "5": "Excellent",
    }
