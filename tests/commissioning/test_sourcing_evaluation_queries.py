"""The moderation page of a lot and a panel member's list of bids issue a fixed number of
queries, whether the lot has 5 bids or 40."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.services import sourcing_evaluation as services
from tests.factories.commissioning_sourcing_evaluation import (
    closed_opportunity,
    panellist,
    submitted_bid,
)

pytestmark = pytest.mark.django_db

# Signed in: the session, the user and their memberships (navigation); then the opportunity and
# whether they run it or sit on its panel; then the page's own reads, none of them per bid.
PINNED = {"moderation": 15, "panel_bids": 12, "award": 21}


def build(n: int, body):
    opportunity = closed_opportunity(body=body)
    criterion = opportunity.criteria.get()
    members = [panellist(opportunity) for _ in range(3)]
    for i in range(n):
        bid = submitted_bid(opportunity)
        for j, member in enumerate(members):
            conflict = (i + j) % 7 == 0
            services.conflict_declare(
                actor=member.user, bid=bid, has_conflict=conflict, details="x" if conflict else ""
            )
            if not conflict and i % 3:
                services.scores_save(
                    actor=member.user,
                    bid=bid,
                    scores={criterion.pk: (3, "ok")},
                    submit=i % 2 == 0,
                )
    return opportunity, members


def count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["moderation", "panel_bids", "award"])
def test_fixed_queries_at_two_sizes(client, commissioner, commissioning_body, page):
    counts = []
    for n in (5, 40):
        opportunity, members = build(n, commissioning_body)
        user = commissioner if page != "panel_bids" else members[0].user
        counts.append(count(client, user, reverse(f"commissioning:{page}", args=[opportunity.pk])))
    assert counts == [PINNED[page]] * 2, counts
