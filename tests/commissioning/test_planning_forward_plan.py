"""The public forward plan: what it holds, its filters and search, and its CSV and iCalendar
exports (with the iCalendar writer's escaping and line folding)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from commissioning.icalendar import (
    AllDayEvent,
    calendar_text,
    escape_text,
    fold,
    unfold,
)
from commissioning.services.intentions import intention_withdraw
from providers.models import ClientGroup, ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import AreaFactory, CommissioningBodyFactory, WardFactory
from tests.factories.commissioning_planning import (
    IntentionFactory,
    body_member,
    published_intention,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commissioning_body, commissioner):
    reference_data_ensure()
    lindenford = AreaFactory(name="Lindenford")
    central = WardFactory(name="Central", parent=lindenford)
    police = CommissioningBodyFactory(name="Police and Crime")
    groups = list(ClientGroup.objects.order_by("pk")[:2])
    debt = ServiceCategory.objects.get(code="debt-advice")
    youth = ServiceCategory.objects.get(code="youth-clubs")
    plans = {
        "debt": published_intention(
            body=commissioning_body,
            created_by=commissioner,
            title="Debt advice in Central",
            summary="Money advice, with outreach to food banks.",
            categories=[debt],
            areas=[central],
            client_groups=[groups[0]],
            route="grant",
            consultation_on=None,
            tender_on=None,
            start_on=date(2027, 4, 1),
            end_on=None,
        ),
        "youth": published_intention(
            body=police,
            title="Youth clubs across the borough",
            summary="Evening youth work.",
            categories=[youth],
            areas=[lindenford],
            client_groups=[groups[1]],
            start_on=date(2027, 9, 1),
        ),
        "draft": IntentionFactory(
            body=commissioning_body,
            created_by=commissioner,
            title="A draft plan",
            categories=[debt],
            areas=[central],
        ),
    }
    withdrawn = published_intention(
        body=police, title="A withdrawn plan", categories=[debt], areas=[central]
    )
    intention_withdraw(actor=body_member(police), intention=withdrawn, reason="No money.")
    return {
        "plans": plans,
        "lindenford": lindenford,
        "central": central,
        "police": police,
        "groups": groups,
        "debt": debt,
        "youth": youth,
    }


def titles(client, **params) -> list[str]:
    response = client.get(reverse("commissioning:forward_plan"), params)
    assert response.status_code == 200
    return [row.intention.title for row in response.context["rows"]]


def test_it_shows_published_intentions_by_start_date(client, world):
    assert titles(client) == ["Debt advice in Central", "Youth clubs across the borough"]
    page = client.get(reverse("commissioning:forward_plan")).content.decode()
    assert "A draft plan" not in page
    assert "A withdrawn plan" not in page
    assert "1 April 2027" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # a parent category includes its children
        (lambda w: {"category": w["debt"].parent_id}, ["Debt advice in Central"]),
        (lambda w: {"category": w["youth"].pk}, ["Youth clubs across the borough"]),
        # a borough includes its wards; a ward does not include its borough
        (
            lambda w: {"area": w["lindenford"].pk},
            ["Debt advice in Central", "Youth clubs across the borough"],
        ),
        (lambda w: {"area": w["central"].pk}, ["Debt advice in Central"]),
        (lambda w: {"body": w["police"].pk}, ["Youth clubs across the borough"]),
        (lambda w: {"route": "grant"}, ["Debt advice in Central"]),
        (lambda w: {"client_group": w["groups"][1].pk}, ["Youth clubs across the borough"]),
        (
            lambda w: {"starts_from": "2027-05-01", "starts_to": "2027-12-31"},
            ["Youth clubs across the borough"],
        ),
        (lambda w: {"starts_to": "2027-04-01"}, ["Debt advice in Central"]),
        (lambda w: {"q": "food banks"}, ["Debt advice in Central"]),
        (lambda w: {"q": "EVENING youth"}, ["Youth clubs across the borough"]),
        (lambda w: {"q": "youth money"}, []),
        (
            lambda w: {"sort": "title"},
            ["Debt advice in Central", "Youth clubs across the borough"],
        ),
        (
            lambda w: {"sort": "published"},
            ["Youth clubs across the borough", "Debt advice in Central"],
        ),
    ],
)
def test_filters(client, world, params, expected):
    assert titles(client, **params(world)) == expected


def test_the_form_shows_the_choices_in_force(client, world):
    page = client.get(
        reverse("commissioning:forward_plan"),
        {"category": world["debt"].parent_id, "route": "grant", "sort": "title"},
    ).content.decode()
    assert f'<option value="{world["debt"].parent_id}" selected>' in page
    assert '<option value="grant" selected>Grant</option>' in page
    assert '<option value="title" selected>' in page
    assert '<option value="" selected>Any area</option>' in page
    assert page.count(" selected>") == 6  # the three chosen, and "any" in the other three


def test_a_date_range_the_wrong_way_round_is_explained(client, world):
    response = client.get(
        reverse("commissioning:forward_plan"),
        {"starts_from": "2027-12-31", "starts_to": "2027-01-01"},
    )
    assert "The second date must be the same as or after the first." in response.content.decode()


def test_the_filters_are_kept_in_the_export_links(client, world):
    page = client.get(
        reverse("commissioning:forward_plan"), {"category": world["youth"].pk}
    ).content.decode()
    assert f'/forward-plan.csv?category={world["youth"].pk}"' in page
    assert f'/forward-plan.ics?category={world["youth"].pk}"' in page


def test_it_paginates(client, world):
    for n in range(30):
        published_intention(
            title=f"Extra {n:02d}",
            categories=[world["youth"]],
            areas=[world["central"]],
            start_on=date(2028, 1, 1),
        )
    first = client.get(reverse("commissioning:forward_plan"))
    assert first.context["page"].paginator.count == 32
    assert len(first.context["rows"]) == 25
    second = titles(client, page=2)
    assert len(second) == 7
    assert second[-1] == "Extra 29"


def test_the_csv_has_the_filtered_intentions(client, world):
    response = client.get(reverse("commissioning:forward_plan_csv"), {"area": world["central"].pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, *data = rows
    assert header[:3] == ["Title", "Commissioning body", "Summary"]
    assert [row[0] for row in data] == ["Debt advice in Central"]
    record = dict(zip(header, data[0], strict=True))
    assert record["Commissioning body"] == "Adult Social Care"
    assert record["Categories"] == "Debt advice"
    assert record["Areas"] == "Central"
    assert record["Value from (£ a year)"] == "50000.00"
    assert record["Expected route"] == "Grant"
    assert record["Expected start"] == "2027-04-01"
    assert record["Expected consultation"] == ""
    assert record["Link"].endswith(f"/intentions/{world['plans']['debt'].pk}/")


# iCalendar


def test_escaping_of_text_values():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


@pytest.mark.parametrize(
    "line",
    [
        "SUMMARY:" + "é" * 100,  # two octets each
        "SUMMARY:" + "a" * 66 + "€" * 40,  # three octets each, one across the first fold
        "DESCRIPTION:" + "x" * 300,
    ],
)
def test_folding_at_75_octets_without_splitting_characters(line):
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 1
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert unfold(folded) == [line]
    assert fold("SHORT:line") == "SHORT:line"


def test_a_calendar_parses_back():
    stamp = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    text = calendar_text(
        [
            AllDayEvent(
                uid="intention-1-start@example.org",
                day=date(2027, 4, 1),
                summary="Start: Debt, money; and more",
                stamp=stamp,
                description="Line one\nLine two " + "x" * 120,
                url="https://example.org/intentions/1/",
            )
        ],
        name="Forward plan",
        product="Test//Forward plan",
    )
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text.removesuffix("\r\n"))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    properties = dict(line.split(":", 1) for line in lines)
    assert properties["DTSTART;VALUE=DATE"] == "20270401"
    assert properties["DTEND;VALUE=DATE"] == "20270402"
    assert properties["DTSTAMP"] == "20261101T093000Z"
    assert properties["SUMMARY"] == "Start: Debt\\, money\\; and more"
    assert properties["DESCRIPTION"].startswith("Line one\\nLine two xxx")
    assert properties["URL"] == "https://example.org/intentions/1/"


def _events(text: str) -> list[dict[str, str]]:
    """A simple reader: unfold, split into events, and each into name → value."""
    events, current = [], None
    for line in unfold(text.removesuffix("\r\n")):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name.split(";")[0]] = value
    return events


def test_the_calendar_feed_has_one_event_per_key_date(client, world):
    response = client.get(reverse("commissioning:forward_plan_ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    youth = world["plans"]["youth"]
    debt = world["plans"]["debt"]
    summaries = sorted(event["SUMMARY"] for event in events)
    # The debt plan has only a start date; the youth plan has all three.
    assert summaries == [
        "Consultation: Youth clubs across the borough",
        "Start: Debt advice in Central",
        "Start: Youth clubs across the borough",
        "Tender: Youth clubs across the borough",
    ]
    by_uid = {event["UID"]: event for event in events}
    start = by_uid[f"intention-{youth.pk}-start@127.0.0.1"]
    assert start["DTSTART"] == "20270901"
    assert start["URL"].endswith(f"/intentions/{youth.pk}/")
    assert "Police and Crime plans to commission this." in start["DESCRIPTION"]
    assert f"intention-{debt.pk}-start@127.0.0.1" in by_uid
    assert all(event["DTSTAMP"].endswith("Z") for event in events)
    # The UIDs stay the same from one download to the next.
    again = b"".join(client.get(reverse("commissioning:forward_plan_ics")).streaming_content)
    assert {e["UID"] for e in _events(again.decode())} == set(by_uid)
    # And it is filtered like the page.
    filtered = client.get(reverse("commissioning:forward_plan_ics"), {"route": "grant"})
    assert [e["SUMMARY"] for e in _events(b"".join(filtered.streaming_content).decode())] == [
        "Start: Debt advice in Central"
    ]
