"""The pages that read returns: the return page (with the service users' feedback for its
period), the lists of returns to review and returns due, the agreement page's returns section
and the home page panels. Each keeps a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.context import PortalContext
from commissioning.home_monitoring import returns_due_panel, returns_to_review_panel
from commissioning.models import ReturnStatus
from commissioning.selectors.monitoring import returns_section
from tests.commissioning.agreements_monitoring_setup import (
    agreement_with_measures,
    due_return,
    submit,
)
from tests.factories import OrganisationFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    MonitoringReturnFactory,
    OutcomeMeasureFactory,
    ReturnEvidenceFactory,
    ReturnValueFactory,
)

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def quarter_ago(n: int) -> dict:
    """The dates of the return n quarters before the factory's default one."""
    start = timezone.localdate() - timedelta(days=120 + 91 * n)
    return {
        "period_start": start,
        "period_end": start + timedelta(days=90),
        "due_on": start + timedelta(days=106),
    }


# The return page


def test_the_return_page_shows_the_feedback_for_its_period(
    client, provider, commissioning_body, provider_org
):
    agreement, _ = agreement_with_measures(commissioning_body, provider_org)
    monitoring_return = due_return(agreement)
    summary = {"count": 12, "average": Decimal("4.25"), "themes": [("The staff", 9)]}
    client.force_login(provider)
    url = reverse("commissioning:return", args=[monitoring_return.pk])
    with mock.patch(
        "commissioning.selectors.user_feedback.feedback_summary", return_value=summary
    ) as summary_of:
        page = client.get(url).content.decode()
    summary_of.assert_called_once_with(
        agreement, monitoring_return.period_start, monitoring_return.period_end
    )
    assert "12 responses, with an average rating of 4.3 out of 5." in page
    assert "The staff" in page
    # No feedback yet (or the summary not built): the page says so.
    with mock.patch("commissioning.selectors.user_feedback.feedback_summary", return_value={}):
        page = client.get(url).content.decode()
    assert "No feedback was given in this period." in page


def test_the_return_page_shows_the_figures_ratings_and_evidence(
    client, provider, commissioner, commissioning_body, provider_org
):
    from tests.commissioning.agreements_monitoring_setup import review

    agreement, measures = agreement_with_measures(commissioning_body, provider_org)
    monitoring_return = submit(due_return(agreement), provider, measures)
    ReturnEvidenceFactory(
        monitoring_return=monitoring_return, measure=measures[0], uploaded_by=provider
    )
    review(monitoring_return, commissioner, rating="good")
    client.force_login(provider)
    page = client.get(reverse("commissioning:return", args=[monitoring_return.pk])).content.decode()
    assert "42 people" in page
    assert "81.5%" in page
    assert "£2,600.00" in page
    assert "Attendance register" in page
    assert "Good" in page
    assert "As agreed." in page  # the commissioner's comment on each measure
    assert "Steady progress." in page  # and on the return
    assert "We ran the weekly drop-ins and the phone line." in page


def test_the_return_page_has_a_fixed_query_count(client, commissioner, commissioning_body):
    agreement = AgreementFactory(body=commissioning_body)
    monitoring_return = MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.SUBMITTED)
    url = reverse("commissioning:return", args=[monitoring_return.pk])
    client.force_login(commissioner)

    def add(n):
        for _ in range(n):
            measure = OutcomeMeasureFactory(agreement=agreement)
            ReturnValueFactory(monitoring_return=monitoring_return, measure=measure)
            ReturnEvidenceFactory(monitoring_return=monitoring_return, measure=measure)

    add(2)
    few = queries(client, url)
    add(10)
    assert queries(client, url) == few


# The lists


def test_returns_to_review_lists_the_bodies_submitted_returns_oldest_first_and_overdue_ones(
    client, commissioner, commissioning_body
):
    mine = AgreementFactory(body=commissioning_body, title="Befriending")
    theirs = AgreementFactory(title="Someone else's")
    now = timezone.now()
    newer = MonitoringReturnFactory(
        agreement=mine, status=ReturnStatus.SUBMITTED, submitted_at=now, **quarter_ago(1)
    )
    older = MonitoringReturnFactory(
        agreement=mine,
        status=ReturnStatus.SUBMITTED,
        submitted_at=now - timedelta(days=3),
        **quarter_ago(2),
    )
    MonitoringReturnFactory(agreement=theirs, status=ReturnStatus.SUBMITTED)
    late = MonitoringReturnFactory(agreement=mine, **quarter_ago(0))  # due a fortnight ago
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:returns_to_review")).content.decode()
    assert "2 returns waiting for review" in page
    assert page.index(reverse("commissioning:return_review", args=[older.pk])) < page.index(
        reverse("commissioning:return_review", args=[newer.pk])
    )
    assert "Someone else&#x27;s" not in page
    assert "1 overdue return" in page
    assert reverse("commissioning:return", args=[late.pk]) in page


def test_returns_to_review_has_a_fixed_query_count(client, commissioner, commissioning_body):
    agreement = AgreementFactory(body=commissioning_body)
    client.force_login(commissioner)
    url = reverse("commissioning:returns_to_review")

    def add(first, n):
        for i in range(first, first + n):
            MonitoringReturnFactory(
                agreement=agreement, status=ReturnStatus.SUBMITTED, **quarter_ago(2 * i + 1)
            )
            MonitoringReturnFactory(agreement=agreement, **quarter_ago(2 * i + 2))

    add(0, 2)
    few = queries(client, url)
    add(2, 30)  # more than a page of each
    assert queries(client, url) == few
    page = client.get(url).content.decode()
    assert "32 returns waiting for review, page 1 of 2" in page
    assert "32 overdue returns, page 1 of 2" in page


def test_returns_due_lists_what_the_providers_organisations_owe(
    client, provider, provider_org, outsider_org
):
    agreement = AgreementFactory(provider=provider_org, title="Drop-ins")
    late = MonitoringReturnFactory(agreement=agreement, **quarter_ago(0))
    returned = MonitoringReturnFactory(
        agreement=agreement, status=ReturnStatus.RETURNED, **quarter_ago(1)
    )
    today = timezone.localdate()
    MonitoringReturnFactory(  # the current period: not owed yet
        agreement=agreement,
        period_start=today - timedelta(days=10),
        period_end=today + timedelta(days=80),
        due_on=today + timedelta(days=110),
    )
    MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.ACCEPTED, **quarter_ago(2))
    MonitoringReturnFactory(agreement=AgreementFactory(provider=outsider_org), **quarter_ago(0))
    client.force_login(provider)
    page = client.get(reverse("commissioning:returns_due")).content.decode()
    assert "2 returns due" in page
    assert reverse("commissioning:return_submit", args=[late.pk]) in page
    assert reverse("commissioning:return_submit", args=[returned.pk]) in page
    assert "Overdue by 14 days" in page


def test_returns_due_has_a_fixed_query_count(client, provider, provider_org):
    client.force_login(provider)
    url = reverse("commissioning:returns_due")

    def add(first, n):
        for i in range(first, first + n):
            MonitoringReturnFactory(
                agreement=AgreementFactory(provider=provider_org), **quarter_ago(i)
            )

    add(0, 2)
    few = queries(client, url)
    add(2, 30)
    assert queries(client, url) == few


# The agreement page's section


def test_the_returns_section_has_one_query_and_says_what_is_next(
    django_assert_num_queries, provider, commissioning_body, provider_org
):
    agreement, _ = agreement_with_measures(commissioning_body, provider_org)
    for n in range(1, 7):
        MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.ACCEPTED, **quarter_ago(n))
    late = MonitoringReturnFactory(agreement=agreement, **quarter_ago(0))
    MonitoringReturnFactory(
        agreement=agreement,
        status=ReturnStatus.ACCEPTED,
        rating="inadequate",
        **quarter_ago(7),
    )
    with django_assert_num_queries(1):
        section = returns_section(agreement, provider)
    assert section["total"] == 8
    assert (section["accepted"], section["due"], section["overdue"], section["poor"]) == (
        7,
        1,
        1,
        1,
    )
    assert section["next_due"] == late
    html = render_to_string(
        "commissioning/agreements/_returns_section.html",
        {"section": section, "agreement": agreement, "is_provider": True, "can_manage": False},
    )
    assert "Next due" in html
    assert "overdue by 14 days" in html
    assert reverse("commissioning:return_submit", args=[late.pk]) in html
    assert "Inadequate" in html


# Home panels


def home_request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request.portal = PortalContext(request)
    return request


def test_a_commissioner_sees_returns_to_review(commissioner, commissioning_body):
    agreement = AgreementFactory(body=commissioning_body)
    MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.SUBMITTED, **quarter_ago(1))
    MonitoringReturnFactory(agreement=agreement, **quarter_ago(0))
    panel = returns_to_review_panel(home_request(commissioner))
    assert panel == {"to_review": 1, "overdue": 1}
    html = render_to_string("commissioning/returns/_home_panel_review.html", {"panel": panel})
    assert "Returns to review (1)" in html


def test_a_provider_sees_returns_due(provider, provider_org, commissioner):
    agreement = AgreementFactory(provider=provider_org)
    MonitoringReturnFactory(agreement=agreement, **quarter_ago(0))
    MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.RETURNED, **quarter_ago(1))
    MonitoringReturnFactory(agreement=agreement, status=ReturnStatus.SUBMITTED, **quarter_ago(2))
    panel = returns_due_panel(home_request(provider))
    assert panel == {"due": 2, "overdue": 2}
    html = render_to_string("commissioning/returns/_home_panel_due.html", {"panel": panel})
    assert "Returns due (2, 2 overdue)" in html
    # Not for a commissioner, and not for a provider that owes nothing.
    assert returns_due_panel(home_request(commissioner)) is None
    assert returns_to_review_panel(home_request(provider)) is None
    other = OrganisationFactory()
    from tests.factories import MembershipFactory, UserFactory

    person = UserFactory()
    MembershipFactory(user=person, organisation=other)
    assert returns_due_panel(home_request(person)) is None


def test_the_panels_show_on_the_home_page_with_one_query_each(
    client, monkeypatch, django_assert_max_num_queries, provider, provider_org
):
    from accounts import selectors as account_selectors

    monkeypatch.setattr(
        account_selectors,
        "HOME_PANELS",
        [
            ("commissioning/returns/_home_panel_review.html", returns_to_review_panel),
            ("commissioning/returns/_home_panel_due.html", returns_due_panel),
        ],
    )
    agreement = AgreementFactory(provider=provider_org)
    MonitoringReturnFactory(agreement=agreement, **quarter_ago(0))
    client.force_login(provider)
    page = client.get(reverse("home")).content.decode()
    assert "Returns due (1, 1 overdue)" in page
    assert "Returns to review" not in page
    request = home_request(provider)
    list(request.portal.memberships)  # loaded once per request, by the page's header
    with django_assert_max_num_queries(1):
        returns_due_panel(request)
