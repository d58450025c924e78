"""The home pages and the verification queue issue a fixed number of queries, whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import MembershipRole, VerificationStatus
from tests.factories import (
    AuditEventFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

# Pinned counts. Each includes the session and user lookups of a signed-in request. The home pages
# include the commissioning panel: for a provider, whether they plan and their alerts; for a
# commissioner or network admin, the planning summary's four counts; the evaluation panels the
# person sits on; and the monitoring panels (a provider's returns due, a commissioner's returns to
# review).
PINNED = {
    "anonymous_home": 0,
    "provider_home": 13,
    "commissioner_home": 12,
    "network_admin_home": 10,
    "verification_queue": 5,
    "organisation_list": 5,
    "audit_log": 6,
}


def grow(n: int, *, provider_org, commissioning_body) -> None:
    """Add n of everything the pages list or count."""
    for i in range(n):
        OrganisationFactory(verification_status=VerificationStatus.PENDING, verified_at=None)
        OrganisationFactory(verification_status=VerificationStatus.REJECTED, verified_at=None)
        CommissioningBodyFactory()
        MembershipFactory(organisation=provider_org, is_compact_champion=i == 0)
        MembershipFactory(organisation=commissioning_body, role=MembershipRole.MEMBER)
        AuditEventFactory()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("page", "user_fixture", "url"),
    [
        ("anonymous_home", None, reverse("home")),
        ("provider_home", "provider", reverse("home")),
        ("commissioner_home", "commissioner", reverse("home")),
        ("network_admin_home", "network_admin", reverse("home")),
        ("verification_queue", "network_admin", reverse("accounts:verification_queue")),
        ("organisation_list", "network_admin", reverse("accounts:organisation_list")),
        ("audit_log", "network_admin", reverse("accounts:audit_log")),
    ],
)
def test_query_count_does_not_grow(
    request,
    client,
    page,
    user_fixture,
    url,
    provider_org,
    commissioning_body,
    provider,
    commissioner,
):
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    grow(3, provider_org=provider_org, commissioning_body=commissioning_body)
    small = count_queries(client, url)
    grow(30, provider_org=provider_org, commissioning_body=commissioning_body)
    large = count_queries(client, url)
    assert (small, large) == (PINNED[page], PINNED[page])
