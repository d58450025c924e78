"""The bidder's list of bids keeps a fixed number of queries, whatever the number of bids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import BidStatus
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("commissioning:bid_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_of_bids_has_a_fixed_query_count(client, provider, provider_org):
    client.force_login(provider)
    for _ in range(2):
        BidFactory(
            opportunity=OpportunityFactory(with_lot=False),
            organisation=provider_org,
            status=BidStatus.SUBMITTED,
        )
    few = list_queries(client)
    for _ in range(12):
        BidFactory(opportunity=OpportunityFactory(with_lot=False), organisation=provider_org)
    many = list_queries(client)
    assert few == many
    page = client.get(reverse("commissioning:bid_list")).content.decode()
    assert "14 bids" in page


def test_the_list_shows_only_the_persons_bids(client, provider, provider_org, outsider_org):
    mine = BidFactory(organisation=provider_org)
    theirs = BidFactory(organisation=outsider_org)
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_list")).content.decode()
    assert mine.opportunity.title in page
    assert theirs.opportunity.title not in page
