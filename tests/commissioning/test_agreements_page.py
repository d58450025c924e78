"""The agreement's page: what it shows, who reads it (providers on it, every commissioner and
network admin), who may change it (the lead body's members), and a fixed number of queries
whatever the number of members, co-funders, instalments, measures, risks and notices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import MembershipRole
from commissioning.models import AgreementMemberRole, NoticeKind, Risk
from commissioning.views import agreements as views
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.accounts import OrganisationFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
    InstalmentFactory,
    NoticeFactory,
    OutcomeMeasureFactory,
)
from tests.factories.commissioning_evidence import OutcomeFactory

pytestmark = pytest.mark.django_db

# The session and the user; whether they may plan (for access.py); the agreement through
# access.py; the agreement again with its parties; one query each for its members, co-funders,
# years, instalments, risks, measures, notices, categories, areas and outcomes; whether the person
# manages it, and whether they provide it; their memberships, for the navigation. The four
# sections of the other parts are stubbed here (each pins its own), so this counts this page.
PINNED = 18


def fill(agreement, n: int) -> None:
    """n of everything the page lists."""
    today = timezone.localdate()
    for i in range(n):
        AgreementMemberFactory(
            agreement=agreement,
            role=AgreementMemberRole.MEMBER if i % 2 else AgreementMemberRole.SUBCONTRACTOR,
            share=Decimal(5),
        )
        AgreementFunderFactory(agreement=agreement, contribution=Decimal(1000))
        InstalmentFactory(
            agreement=agreement,
            number=agreement.instalments.count() + 1,
            due_on=today + timedelta(days=30 * (i - n // 2)),
            amount=Decimal(1000),
            paid_on=today if i % 3 == 0 else None,
        )
        OutcomeMeasureFactory(agreement=agreement, outcome=OutcomeFactory())
        Risk.objects.create(agreement=agreement, kind="demand", allocation="shared", note=f"{i}")
        NoticeFactory(
            agreement=agreement, kind=NoticeKind.CHANGE_OF_TERMS, recorded_by=agreement.created_by
        )
    agreement.outcomes.add(OutcomeFactory())


def count(client, user, agreement) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("commissioning:agreement", args=[agreement.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def agreement(commissioner, commissioning_body, provider_org):
    return AgreementFactory(body=commissioning_body, provider=provider_org, created_by=commissioner)


def test_the_page_issues_a_fixed_number_of_queries(client, commissioner, agreement, monkeypatch):
    for name in ("returns_section", "visits_section", "plans_section", "feedback_section"):
        monkeypatch.setattr(views, name, lambda agreement, user: {})
    counts = []
    for n in (4, 12):
        fill(agreement, n)
        counts.append(count(client, commissioner, agreement))
    assert counts == [PINNED, PINNED], counts


def test_the_sections_add_a_fixed_number_of_queries_too(client, commissioner, agreement):
    counts = []
    for n in (3, 9):
        fill(agreement, n)
        counts.append(count(client, commissioner, agreement))
    assert counts[0] == counts[1], counts


def test_the_page_shows_the_whole_agreement(client, commissioner, agreement):
    cofunder = AgreementFunderFactory(
        agreement=agreement,
        body=CommissioningBodyFactory(name="Lindenford NHS"),
        contribution=Decimal("30000"),
    )
    member = AgreementMemberFactory(
        agreement=agreement, organisation=OrganisationFactory(name="Hillside Lunch Club")
    )
    OutcomeMeasureFactory(agreement=agreement, name="People befriended", payment_linked=True)
    today = timezone.localdate()
    InstalmentFactory(agreement=agreement, number=1, due_on=today - timedelta(days=10))
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreement", args=[agreement.pk])).content.decode()
    assert agreement.reference in page and agreement.title in page
    assert cofunder.body.name in page and "£120,000.00" in page  # the lead body's part
    assert "80.0%" in page and "20.0%" in page
    assert member.organisation.name in page
    assert "People befriended" in page and "A list of sessions with attendance" in page
    assert "Overdue: not paid" in page and ">Late<" in page
    assert "Change the terms" in page and "Terminate" in page
    assert reverse("commissioning:agreement_history", args=[agreement.pk]) in page


def test_who_reads_and_who_changes_it(client, agreement, provider, outsider, network_admin):
    member_org = OrganisationFactory()
    AgreementMemberFactory(agreement=agreement, organisation=member_org)
    member_user = UserFactory()
    MembershipFactory(user=member_user, organisation=member_org, role=MembershipRole.MEMBER)
    other_commissioner = UserFactory()
    MembershipFactory(
        user=other_commissioner, organisation=CommissioningBodyFactory(), role=MembershipRole.ADMIN
    )
    page = reverse("commissioning:agreement", args=[agreement.pk])
    edit = reverse("commissioning:agreement_edit", args=[agreement.pk])
    for user, read, change in [
        (provider, 200, 403),
        (member_user, 200, 403),
        (other_commissioner, 200, 403),
        (network_admin, 200, 403),
        (outsider, 404, 404),
    ]:
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == read, user
        if read == 200:
            assert "Read only" in response.content.decode()
            assert "Change the terms" not in response.content.decode()
        assert client.get(edit).status_code == change, user
    client.logout()
    assert client.get(page).status_code == 302
