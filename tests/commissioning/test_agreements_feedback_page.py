"""An agreement's feedback page and its section on the agreement page: totals, ratings over
time, themes and who gave feedback for everyone who sees the agreement; comments only for the
funding bodies' commissioners, by month and never beside the person's answers about themselves;
small groups suppressed (seeds/000 11.2.3(e))."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import MembershipRole
from commissioning.selectors.user_feedback import (
    SMALL_GROUP,
    feedback_page,
    feedback_section,
    feedback_summary,
)
from tests.factories import (
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
    ServiceUserFeedbackFactory,
)

pytestmark = pytest.mark.django_db

WENT_WELL = "Dana on the front desk remembered my case."
BETTER = "The lift was broken on my second visit."


@pytest.fixture
def agreement(provider_org, commissioning_body):
    return AgreementFactory(
        provider=provider_org, body=commissioning_body, title="Riverside drop-in advice"
    )


def member_of(organisation, role=MembershipRole.MEMBER):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def people(agreement, commissioner, provider, network_admin, outsider):
    co_funder = CommissioningBodyFactory(name="Public Health")
    AgreementFunderFactory(agreement=agreement, body=co_funder)
    consortium_member = OrganisationFactory(name="Hillside Befriending")
    AgreementMemberFactory(agreement=agreement, organisation=consortium_member)
    return {
        "lead body commissioner": commissioner,
        "co-funding commissioner": member_of(co_funder),
        "other commissioner": member_of(CommissioningBodyFactory(name="Youth Justice")),
        "network admin": network_admin,
        "provider": provider,
        "consortium member": member_of(consortium_member),
        "outsider": outsider,
    }


READS_COMMENTS = {"lead body commissioner", "co-funding commissioner"}
SEES_PAGE = READS_COMMENTS | {
    "other commissioner",
    "network admin",
    "provider",
    "consortium member",
}


def page_url(agreement) -> str:
    return reverse("commissioning:agreement_feedback", args=[agreement.pk])


@pytest.mark.parametrize(
    "who",
    [
        "lead body commissioner",
        "co-funding commissioner",
        "other commissioner",
        "network admin",
        "provider",
        "consortium member",
        "outsider",
    ],
)
def test_only_the_funding_bodies_read_comments(client, agreement, people, who):
    ServiceUserFeedbackFactory(
        agreement=agreement,
        went_well=WENT_WELL,
        could_be_better=BETTER,
        themes=["staff", "access"],
        age_band="75_over",
        ethnicity="white",
    )
    client.force_login(people[who])
    response = client.get(page_url(agreement))
    if who not in SEES_PAGE:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "Average rating" in text and "The staff" in text  # totals and themes: everyone
    shows_comments = WENT_WELL in text and BETTER in text
    assert shows_comments == (who in READS_COMMENTS)
    if who not in READS_COMMENTS:
        assert "only the commissioners of the bodies that fund this agreement read" in text
    # The section on the agreement page never shows a comment, whoever is looking.
    section = render_to_string(
        "commissioning/agreements/_feedback_section.html",
        {
            "section": feedback_section(agreement, people[who]),
            "agreement": agreement,
            "user": people[who],
        },
    )
    assert WENT_WELL not in section and BETTER not in section
    assert "1" in section and "4.0 out of 5" in section
    # And so the agreement page, which includes it.
    agreement_page = client.get(reverse("commissioning:agreement", args=[agreement.pk]))
    assert agreement_page.status_code == 200
    text = agreement_page.content.decode()
    assert 'id="feedback-heading"' in text and "4.0 out of 5" in text
    assert WENT_WELL not in text and BETTER not in text


def test_anonymous_people_are_sent_to_sign_in(client, agreement):
    response = client.get(page_url(agreement))
    assert response.status_code == 302 and "login" in response.url


def test_comments_show_the_month_only_and_never_the_persons_answers(
    client, agreement, commissioner
):
    ServiceUserFeedbackFactory(
        agreement=agreement,
        given_on=date(2026, 5, 17),
        went_well=WENT_WELL,
        age_band="75_over",
        gender="non_binary",
        ethnicity="mixed",
        disability="yes",
    )
    client.force_login(commissioner)
    page = feedback_page(agreement, commissioner)
    (comment,) = page["comments"].object_list
    assert comment.month == "May 2026"
    assert not {"given_on", "age_band", "gender", "ethnicity", "disability"} & set(vars(comment))
    text = client.get(page_url(agreement)).content.decode()
    comments = text[text.index('id="comments"') :]
    assert "May 2026" in comments and WENT_WELL in comments
    for telling in ("17 May", "17/05", "2026-05-17", "75 or over", "Non-binary", "Mixed"):
        assert telling not in comments, telling
    # A lone person's answers are not shown elsewhere either: the group is too small.
    assert "75 or over" not in text and "Non-binary" not in text


def test_comments_are_paginated(client, agreement, commissioner):
    for n in range(23):
        ServiceUserFeedbackFactory(agreement=agreement, went_well=f"Comment number {n:02d}.")
    ServiceUserFeedbackFactory(agreement=agreement, went_well="", could_be_better="")
    client.force_login(commissioner)
    first = client.get(page_url(agreement)).content.decode()
    second = client.get(page_url(agreement) + "?page=2").content.decode()
    assert "Page 1 of 2" in first
    assert first.count("Comment number") == 20 and second.count("Comment number") == 3


def groups(agreement, field: str, values: dict[str, int], rating: int = 4) -> None:
    for value, count in values.items():
        for _ in range(count):
            ServiceUserFeedbackFactory(agreement=agreement, rating=rating, **{field: value})


def breakdown(agreement, user, heading: str):
    page = feedback_page(agreement, user)
    return next(b for b in page["demographics"] if b.heading == heading)


def test_groups_of_fewer_than_five_are_never_shown_on_their_own(agreement, provider):
    groups(agreement, "ethnicity", {"white": 7, "asian": 5, "black": 3, "mixed": 2})
    ethnicity = breakdown(agreement, provider, "Ethnic group")
    shown = {row.label: row.count for row in ethnicity.rows}
    assert shown == {"Asian or Asian British": 5, "White": 7}
    assert ethnicity.combined.count == 5  # black and mixed together, 3 + 2
    assert all(row.count >= SMALL_GROUP for row in [*ethnicity.rows, ethnicity.combined])


def test_a_small_remainder_takes_the_next_smallest_group_with_it(agreement, provider):
    # Showing white (9) and asian (6) would give away that the other 2 are black.
    groups(agreement, "ethnicity", {"white": 9, "asian": 6, "black": 2})
    ethnicity = breakdown(agreement, provider, "Ethnic group")
    assert [(row.label, row.count) for row in ethnicity.rows] == [("White", 9)]
    assert ethnicity.combined.count == 8


def test_too_few_answers_show_nothing(client, agreement, provider):
    groups(agreement, "disability", {"yes": 2, "no": 1})
    disability = breakdown(agreement, provider, "Disability")
    assert disability.rows == [] and disability.combined is None and disability.suppressed
    client.force_login(provider)
    text = client.get(page_url(agreement)).content.decode()
    assert "Too few answers to show without identifying someone." in text
    assert "Small numbers are suppressed so that no one can be identified" in text


def test_groups_show_their_average_rating(agreement, provider):
    groups(agreement, "gender", {"woman": 5}, rating=5)
    groups(agreement, "gender", {"man": 5}, rating=2)
    gender = breakdown(agreement, provider, "Gender")
    assert {(row.label, row.average) for row in gender.rows} == {
        ("Woman", Decimal("5.0")),
        ("Man", Decimal("2.0")),
    }
    # Those who did not answer this question are a group like any other.
    assert breakdown(agreement, provider, "Age").rows[0].label == "Did not answer"


def test_ratings_by_financial_quarter(client, agreement, provider):
    ServiceUserFeedbackFactory(agreement=agreement, rating=5, given_on=date(2025, 4, 2))
    ServiceUserFeedbackFactory(agreement=agreement, rating=2, given_on=date(2025, 6, 30))
    ServiceUserFeedbackFactory(agreement=agreement, rating=4, given_on=date(2026, 1, 15))
    page = feedback_page(agreement, provider)
    quarters = [(row.label, row.count, row.average) for row in page["quarters"]]
    assert quarters == [
        ("Q1 2025/26", 2, Decimal("3.5")),
        ("Q2 2025/26", 0, None),
        ("Q3 2025/26", 0, None),
        ("Q4 2025/26", 1, Decimal("4.0")),
    ]
    assert page["quarters"][3].months == "January to March 2026"
    client.force_login(provider)
    text = client.get(page_url(agreement)).content.decode()
    assert "<caption>Responses and average rating by financial quarter</caption>" in text
    assert 'role="img"' in text and "Average rating by financial quarter" in text


def test_totals_ratings_and_themes(agreement, provider):
    today = timezone.localdate()
    ServiceUserFeedbackFactory(agreement=agreement, rating=5, themes=["staff", "waiting"])
    ServiceUserFeedbackFactory(agreement=agreement, rating=4, themes=["waiting"])
    ServiceUserFeedbackFactory(
        agreement=agreement, rating=1, themes=[], given_on=today - timedelta(days=200)
    )
    ServiceUserFeedbackFactory(rating=1)  # another agreement's
    page = feedback_page(agreement, provider)
    totals = page["totals"]
    assert (totals["count"], totals["average"], totals["recent_count"]) == (3, Decimal("3.3"), 2)
    assert [count for _value, _words, count in totals["ratings"]] == [1, 0, 0, 1, 1]
    assert page["themes"] == [("Waiting times", 2), ("The staff", 1)]


def test_the_section_gives_totals_and_the_links(agreement, provider):
    ServiceUserFeedbackFactory(agreement=agreement, rating=3)
    ServiceUserFeedbackFactory(agreement=agreement, rating=4)
    ServiceUserFeedbackFactory(
        agreement=agreement, rating=5, given_on=timezone.localdate() - timedelta(days=120)
    )
    section = feedback_section(agreement, provider)
    assert (section["count"], section["average"], section["recent_count"]) == (
        3,
        Decimal("4.0"),
        2,
    )
    assert section["public_url"].endswith(f"/feedback/{agreement.feedback_token}/")
    assert section["public_url"].startswith("http")
    html = render_to_string(
        "commissioning/agreements/_feedback_section.html",
        {"section": section, "agreement": agreement, "user": provider},
    )
    for url in (section["poster_url"], section["qr_svg_url"], section["qr_png_url"]):
        assert f'href="{url}"' in html
    assert f'href="{page_url(agreement)}"' in html
    assert section["public_url"] in html


def test_the_section_of_an_empty_or_ended_agreement(provider_org, commissioning_body, provider):
    ended = AgreementFactory(provider=provider_org, body=commissioning_body, status="ended")
    section = feedback_section(ended, provider)
    assert (section["count"], section["average"], section["is_live"]) == (0, None, False)
    html = render_to_string(
        "commissioning/agreements/_feedback_section.html",
        {"section": section, "agreement": ended, "user": provider},
    )
    assert "No one has given feedback yet." in html
    assert "public feedback link is closed" in html
    assert section["qr_png_url"] not in html


def test_feedback_summary_for_a_return_period(agreement):
    ServiceUserFeedbackFactory(
        agreement=agreement, rating=5, themes=["staff"], given_on=date(2026, 3, 31)
    )
    ServiceUserFeedbackFactory(
        agreement=agreement, rating=4, themes=["staff", "safety"], given_on=date(2026, 4, 1)
    )
    ServiceUserFeedbackFactory(
        agreement=agreement, rating=2, themes=["waiting"], given_on=date(2026, 6, 30)
    )
    ServiceUserFeedbackFactory(agreement=agreement, rating=1, given_on=date(2026, 7, 1))
    summary = feedback_summary(agreement, date(2026, 4, 1), date(2026, 6, 30))
    assert summary == {
        "count": 2,
        "average": Decimal("3.0"),
        "themes": [("The staff", 1), ("Waiting times", 1), ("Feeling safe", 1)],
    }
    empty = feedback_summary(agreement, date(2020, 4, 1), date(2020, 6, 30))
    assert empty == {"count": 0, "average": None, "themes": []}


def test_the_section_has_a_fixed_query_count(agreement, provider, django_assert_num_queries):
    with django_assert_num_queries(1):
        feedback_section(agreement, provider)
    ServiceUserFeedbackFactory.create_batch(12, agreement=agreement)
    with django_assert_num_queries(1):
        feedback_section(agreement, provider)


def _page_queries(client, agreement) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(agreement))
    assert response.status_code == 200
    return len(queries)


def _add_feedback(agreement, count: int, start: int) -> None:
    today = timezone.localdate()
    for n in range(start, start + count):
        ServiceUserFeedbackFactory(
            agreement=agreement,
            rating=n % 5 + 1,
            themes=["staff", "waiting"][: n % 3],
            given_on=today - timedelta(days=45 * (n % 9)),
            age_band=["18_24", "65_74", ""][n % 3],
            ethnicity=["white", "asian", "black", "prefer_not"][n % 4],
        )


@pytest.mark.parametrize("who", ["commissioner", "provider"])
def test_the_page_has_a_fixed_query_count(client, agreement, request, who):
    client.force_login(request.getfixturevalue(who))
    _add_feedback(agreement, 3, 0)
    few = _page_queries(client, agreement)
    _add_feedback(agreement, 40, 3)
    many = _page_queries(client, agreement)
    assert few == many
    with CaptureQueriesContext(connection) as queries:
        client.get(page_url(agreement))
    feedback_queries = [q for q in queries if "serviceuserfeedback" in q["sql"]]
    # Totals, quarters and demographics; and for those who read them, the comments and their count.
    assert len(feedback_queries) == (5 if who == "commissioner" else 3)
