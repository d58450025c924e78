"""The public feedback form: no account, plain questions, a honeypot and a rate limit against
spam, one entry per form sent, and nothing kept that could trace the person (seeds/000
11.2.3(d)(e))."""

from __future__ import annotations

import re
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Cast
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from commissioning import ratelimit
from commissioning.models import AgreementStatus, ServiceUserFeedback
from commissioning.services.user_feedback import REMOVED, feedback_give
from tests.factories.commissioning_agreements import AgreementFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agreement(provider_org, commissioning_body):
    return AgreementFactory(
        provider=provider_org, body=commissioning_body, title="Riverside drop-in advice"
    )


def form_url(agreement) -> str:
    return reverse("commissioning:feedback_form", args=[agreement.feedback_token])


def answers(**extra) -> dict:
    return {
        "rating": "4",
        "themes": ["staff", "waiting"],
        "went_well": "The adviser explained my letter clearly.",
        "could_be_better": "I waited an hour to be seen.",
        "age_band": "65_74",
        "gender": "woman",
        "ethnicity": "prefer_not",
        "disability": "yes",
        **extra,
    }


def test_the_form_is_public_plain_and_names_the_service(client, agreement):
    page = client.get(form_url(agreement))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Riverside drop-in advice" in text
    assert agreement.provider.name in text
    # The commissioner's internals stay out of it.
    assert agreement.reference not in text
    assert agreement.body.name not in text
    assert 'name="viewport"' in text
    for words in ("Very poor (1)", "Very good (5)", "What was it about?", "About you (optional)"):
        assert words in text
    assert "do not write anyone\u2019s name" in text
    # Every "About you" question can be declined.
    assert text.count('value="prefer_not"') == 4
    # The honeypot is out of sight, out of the tab order and hidden from screen readers.
    trap = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', text, re.S)
    assert trap and 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


def test_feedback_is_stored_and_the_person_is_thanked(client, agreement):
    response = client.post(form_url(agreement), answers())
    thanks = reverse("commissioning:feedback_thanks", args=[agreement.feedback_token])
    assert response.status_code == 302 and response.url == thanks
    feedback = ServiceUserFeedback.objects.get()
    assert feedback.agreement == agreement
    assert feedback.rating == 4
    assert feedback.themes == ["staff", "waiting"]
    assert feedback.went_well == "The adviser explained my letter clearly."
    assert (feedback.age_band, feedback.gender, feedback.ethnicity, feedback.disability) == (
        "65_74",
        "woman",
        "prefer_not",
        "yes",
    )
    # Only the day is kept, never the time.
    field = ServiceUserFeedback._meta.get_field("given_on")
    assert type(field) is models.DateField
    assert feedback.given_on == timezone.localdate()
    page = client.get(thanks)
    assert page.status_code == 200 and "Thank you" in page.content.decode()


def test_about_you_can_be_left_out(client, agreement):
    response = client.post(form_url(agreement), {"rating": "2"})
    assert response.status_code == 302
    feedback = ServiceUserFeedback.objects.get()
    assert (feedback.rating, feedback.themes, feedback.went_well) == (2, [], "")
    assert (feedback.age_band, feedback.gender, feedback.ethnicity, feedback.disability) == (
        "",
        "",
        "",
        "",
    )


def test_a_missing_rating_is_explained_and_nothing_is_stored(client, agreement):
    response = client.post(form_url(agreement), answers(rating=""))
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_rating_0"' in text
    assert "Choose how the service was, from very poor to very good." in text
    assert text.startswith("<!DOCTYPE html>") and "<title>Error: " in text
    # What they typed is still there.
    assert "The adviser explained my letter clearly." in text
    assert not ServiceUserFeedback.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("rating", "6"), ("themes", ["gossip"]), ("ethnicity", "martian"), ("age_band", "12")],
)
def test_answers_outside_the_choices_are_refused(client, agreement, field, value):
    response = client.post(form_url(agreement), answers(**{field: value}))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ServiceUserFeedback.objects.exists()


def test_a_comment_that_is_too_long_is_refused(client, agreement):
    response = client.post(form_url(agreement), answers(went_well="x" * 2001))
    assert response.status_code == 200
    assert "Keep this to 2,000 characters or fewer" in response.content.decode()
    assert not ServiceUserFeedback.objects.exists()


def test_contact_details_are_taken_out_of_comments(agreement):
    feedback = feedback_give(
        agreement=agreement,
        rating=3,
        went_well="Ring me on 07700 900123 or write to sam.jones@example.org please.",
        could_be_better="In 2023 I came 12 times.",
    )
    assert feedback.went_well == f"Ring me on {REMOVED} or write to {REMOVED} please."
    assert feedback.could_be_better == "In 2023 I came 12 times."


def test_the_honeypot_discards_the_entry_but_says_thank_you(client, agreement):
    response = client.post(form_url(agreement), answers(website="http://spam.example"))
    assert response.status_code == 302
    assert response.url == reverse("commissioning:feedback_thanks", args=[agreement.feedback_token])
    assert not ServiceUserFeedback.objects.exists()
    # Even when the rest is nonsense, a robot learns nothing from error messages.
    junk = client.post(form_url(agreement), {"rating": "99", "website": "buy now"})
    assert junk.status_code == 302
    assert not ServiceUserFeedback.objects.exists()


def test_the_same_form_sent_twice_is_stored_once(client, agreement):
    key = "k" * 22
    first = client.post(form_url(agreement), answers(submission=key))
    second = client.post(form_url(agreement), answers(submission=key))
    assert first.status_code == second.status_code == 302
    assert ServiceUserFeedback.objects.count() == 1
    # A fresh form (a new key) is a new entry.
    client.post(form_url(agreement), answers(submission="n" * 22))
    assert ServiceUserFeedback.objects.count() == 2


def test_each_form_shown_carries_its_own_key(client, agreement):
    keys = {
        re.search(
            r'name="submission" value="([^"]+)"', client.get(form_url(agreement)).content.decode()
        ).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


def test_a_flood_is_refused_politely_and_keeps_what_was_typed(client, agreement):
    for _ in range(ratelimit.FEEDBACK_RATE.limit):
        assert client.post(form_url(agreement), answers(), REMOTE_ADDR=ADDRESS).status_code == 302
    flooded = client.post(
        form_url(agreement),
        answers(could_be_better="The ramp at the door is too steep."),
        REMOTE_ADDR=ADDRESS,
    )
    assert flooded.status_code == 429
    assert flooded["Retry-After"] == "600"
    text = flooded.content.decode()
    assert "Please wait a few minutes" in text
    assert "What you wrote is still here." in text
    assert "The ramp at the door is too steep." in text
    assert 'value="4"' in text and "checked" in text
    assert ServiceUserFeedback.objects.count() == ratelimit.FEEDBACK_RATE.limit
    # Another address, or another service, is not held up.
    assert (
        client.post(form_url(agreement), answers(), REMOTE_ADDR="198.51.100.9").status_code == 302
    )
    other = AgreementFactory()
    assert client.post(form_url(other), answers(), REMOTE_ADDR=ADDRESS).status_code == 302


def test_a_refused_form_can_be_sent_once_the_window_has_passed(client, agreement):
    key = "w" * 22
    for _ in range(ratelimit.FEEDBACK_RATE.limit):
        client.post(form_url(agreement), answers(), REMOTE_ADDR=ADDRESS)
    assert (
        client.post(form_url(agreement), answers(submission=key), REMOTE_ADDR=ADDRESS).status_code
        == 429
    )
    cache.delete_many([k for k in _cache_keys() if "ratelimit" in k])  # the window expires
    assert (
        client.post(form_url(agreement), answers(submission=key), REMOTE_ADDR=ADDRESS).status_code
        == 302
    )
    assert ServiceUserFeedback.objects.count() == ratelimit.FEEDBACK_RATE.limit + 1


def _cache_keys() -> list[str]:
    # LocMemCache keys are "<prefix>:<version>:<key>"; give back the key as the cache takes it.
    return [key.split(":", 2)[2] for key in cache._cache]


def test_the_rate_limit_expires_and_keeps_no_address(client, agreement):
    client.post(form_url(agreement), answers(), REMOTE_ADDR=ADDRESS)
    keys = [key for key in _cache_keys() if key.startswith("ratelimit:")]
    assert len(keys) == 1
    assert ADDRESS not in keys[0] and ADDRESS.replace(".", "") not in keys[0]
    # The count expires at the end of its window.
    internal = next(k for k in cache._cache if k.endswith(keys[0]))
    remaining = cache._expire_info[internal] - time.time()
    assert 0 < remaining <= ratelimit.FEEDBACK_RATE.window


def _rows_holding(needle: str) -> list[str]:
    """Every text-like column of every table, searched for the needle."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.GenericIPAddressField):
                rows = model._default_manager.exclude(**{f"{field.name}__isnull": True})
            elif isinstance(field, (models.CharField, models.TextField)):
                rows = model._default_manager.filter(**{f"{field.name}__icontains": needle})
            elif isinstance(field, models.JSONField):
                rows = model._default_manager.annotate(
                    as_text=Cast(field.name, output_field=models.TextField())
                ).filter(as_text__icontains=needle)
            else:
                continue
            if rows.exists():
                found.append(f"{model.__name__}.{field.name}")
    return found


def test_no_address_is_stored_anywhere_in_the_database(client, agreement):
    client.get(form_url(agreement), REMOTE_ADDR=ADDRESS)
    client.post(form_url(agreement), answers(), REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=ADDRESS)
    assert ServiceUserFeedback.objects.count() == 1
    assert _rows_holding(ADDRESS) == []
    fingerprint = ratelimit.client_fingerprint(RequestFactory().get("/", REMOTE_ADDR=ADDRESS))
    assert _rows_holding(fingerprint) == []
    # The search itself works: it finds what was stored.
    assert "ServiceUserFeedback.went_well" in _rows_holding("explained my letter")


@pytest.mark.parametrize("status", [AgreementStatus.ENDED, AgreementStatus.TERMINATED])
def test_an_ended_agreements_link_is_closed(client, provider_org, commissioning_body, status):
    ended = AgreementFactory(provider=provider_org, body=commissioning_body, status=status)
    assert client.get(form_url(ended)).status_code == 404
    assert client.post(form_url(ended), answers()).status_code == 404
    thanks = reverse("commissioning:feedback_thanks", args=[ended.feedback_token])
    assert client.get(thanks).status_code == 404
    assert not ServiceUserFeedback.objects.exists()


def test_an_ending_agreement_still_takes_feedback(client, provider_org, commissioning_body):
    ending = AgreementFactory(
        provider=provider_org, body=commissioning_body, status=AgreementStatus.ENDING
    )
    assert client.post(form_url(ending), answers()).status_code == 302
    assert ServiceUserFeedback.objects.filter(agreement=ending).count() == 1


def test_an_unknown_token_is_not_found(client, agreement):
    url = reverse("commissioning:feedback_form", args=["not-a-real-token"])
    assert client.get(url).status_code == 404
    assert client.post(url, answers()).status_code == 404


def test_signed_in_people_give_feedback_without_it_being_linked_to_them(
    client, agreement, provider
):
    client.force_login(provider)
    assert client.post(form_url(agreement), answers()).status_code == 302
    feedback = ServiceUserFeedback.objects.get()
    linked = [
        field.name
        for field in ServiceUserFeedback._meta.concrete_fields
        if field.is_relation and field.related_model is not type(agreement)
    ]
    assert linked == []
    assert provider.email not in str(feedback.__dict__)
