"""The lead body's review page: a rating and comment for each measure and the return, then
accept or return for more information; a poor rating opens one improvement plan and the return
page links to it; the lead may accept for the co-funders, and the return page says so."""

from __future__ import annotations

import contextlib

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from commissioning.models import ImprovementPlan, ReturnStatus
from tests.commissioning.agreements_monitoring_setup import (
    agreement_with_measures,
    due_return,
    submit,
)
from tests.factories import CommissioningBodyFactory
from tests.factories.commissioning_agreements import AgreementFunderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client, commissioning_body, provider_org, provider, commissioner):
    agreement, measures = agreement_with_measures(commissioning_body, provider_org)
    monitoring_return = submit(due_return(agreement), provider, measures)
    client.force_login(commissioner)
    return {
        "agreement": agreement,
        "return": monitoring_return,
        "values": list(monitoring_return.values.order_by("measure__position")),
        "url": reverse("commissioning:return_review", args=[monitoring_return.pk]),
        "page_url": reverse("commissioning:return", args=[monitoring_return.pk]),
    }


def review_post(world, *, rating="good", decision="accept", **extra) -> dict[str, str]:
    data = {
        "decision": decision,
        "rating": rating,
        "rating_comment": "Reached most people, as planned.",
        "returned_reason": "",
        "version": str(world["return"].version),
    }
    for value in world["values"]:
        data[f"rating_{value.pk}"] = rating
        data[f"comment_{value.pk}"] = f"Comment on {value.measure.name}."
    data.update(extra)
    return data


def test_the_review_page_shows_each_figure_against_its_target(client, world):
    page = client.get(world["url"]).content.decode()
    assert "Reported: 42 people" in page
    assert "Rating for People supported" in page
    assert "Requires improvement" in page
    assert "Approaching target" in page


def test_accepting_records_the_ratings_and_comments(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world["url"], review_post(world, rating="approaching_target"))
    assert response.status_code == 302
    assert response.url == world["page_url"]
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.ACCEPTED
    assert world["return"].rating == "approaching_target"
    assert set(world["return"].values.values_list("rating", flat=True)) == {"approaching_target"}
    assert [m.to for m in mail.outbox] == [["provider@example.org"]]
    page = client.get(world["page_url"]).content.decode()
    assert "Comment on People supported." in page
    assert "Approaching target" in page
    assert f"{world['return'].reviewed_by}" in page  # who reviewed


def test_every_rating_needs_a_comment(client, world):
    value = world["values"][0]
    response = client.post(world["url"], review_post(world, **{f"comment_{value.pk}": ""}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Add a comment that explains the rating." in page
    assert f'href="#id_comment_{value.pk}"' in page
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.SUBMITTED


def test_returning_it_needs_what_more_is_needed(client, world):
    response = client.post(world["url"], review_post(world, rating="", decision="return"))
    assert response.status_code == 400
    assert "Say what more is needed" in response.content.decode()
    response = client.post(
        world["url"],
        review_post(world, rating="", decision="return", returned_reason="The March register."),
    )
    assert response.status_code == 302
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.RETURNED
    page = client.get(world["page_url"]).content.decode()
    assert "Returned for more information" in page
    assert "The March register." in page


def test_a_poor_rating_opens_one_plan_and_the_return_links_to_it(client, world):
    response = client.post(world["url"], review_post(world, rating="inadequate"), follow=True)
    plan = ImprovementPlan.objects.get()
    assert plan.opened_by_return_id == world["return"].pk
    page = response.content.decode()
    assert "opens an improvement plan" in page
    assert "This rating opened an improvement plan" in page
    # The improvement plan pages belong to another part, and may not be wired up yet.
    with contextlib.suppress(NoReverseMatch):
        assert reverse("commissioning:improvement_plan", args=[plan.pk]) in page
    # A second post (a double click) changes nothing and opens no second plan.
    again = client.post(world["url"], review_post(world, rating="inadequate"), follow=True)
    assert "This return was already accepted" in again.content.decode()
    assert ImprovementPlan.objects.count() == 1


def test_the_lead_may_accept_for_the_cofunders(client, world):
    for name in ("Lindenford NHS", "Lindenford Police"):
        AgreementFunderFactory(
            agreement=world["agreement"], body=CommissioningBodyFactory(name=name)
        )
    page = client.get(world["url"]).content.decode()
    assert "Accept it on behalf of the co-funders too: Lindenford NHS, Lindenford Police" in page
    client.post(world["url"], review_post(world, accepted_for_cofunders="on"))
    world["return"].refresh_from_db()
    assert world["return"].accepted_for_cofunders is True
    page = client.get(world["page_url"]).content.decode()
    assert "Accepted on behalf of the co-funders: Lindenford NHS, Lindenford Police" in page


def test_a_return_not_submitted_cannot_be_reviewed(
    client, commissioning_body, provider_org, commissioner
):
    client.force_login(commissioner)
    agreement, _ = agreement_with_measures(commissioning_body, provider_org)
    due = due_return(agreement)
    response = client.get(reverse("commissioning:return_review", args=[due.pk]), follow=True)
    assert "has not been submitted yet" in response.content.decode()


def test_a_get_on_the_post_only_urls_is_refused(client, world):
    url = reverse("commissioning:return_evidence", args=[world["return"].pk])
    assert client.get(url).status_code == 405
