"""Writing a draft: answers counted against their word limits, the autosave and its refusal of a
stale overwrite, the passport, the full cost recovery budget, and supporting documents."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.models import BudgetLineKind
from commissioning.selectors.sourcing_bids import budget_summary
from providers.models import Passport
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory
from tests.factories.commissioning_sourcing_bids import BudgetLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bid(provider, provider_org, commissioning_body):
    opportunity = OpportunityFactory(body=commissioning_body)
    criterion = opportunity.criteria.get()
    criterion.word_limit = 5
    criterion.save()
    return BidFactory(opportunity=opportunity, organisation=provider_org, created_by=provider)


def answer_field(bid):
    return f"answer_{bid.opportunity.criteria.get().pk}"


def test_an_answer_over_its_limit_is_saved_with_a_clear_message(client, provider, bid):
    client.force_login(provider)
    response = client.post(
        reverse("commissioning:bid_edit", args=[bid.pk]),
        {"version": bid.version, answer_field(bid): "one two three four five six seven"},
        follow=True,
    )
    page = response.content.decode()
    title = bid.opportunity.criteria.get().title
    assert f"Your answer to “{title}” is 7 words; the limit is 5" in page
    assert "Over the word limit" in page
    assert bid.answers.get().text == "one two three four five six seven"


def test_autosave_saves_and_returns_the_new_version(client, provider, bid):
    client.force_login(provider)
    response = client.post(
        reverse("commissioning:bid_edit", args=[bid.pk]),
        {"version": bid.version, answer_field(bid): "Saved by itself"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert response.json()["version"] == bid.version + 1
    assert bid.answers.get().text == "Saved by itself"


def test_a_stale_version_is_refused_and_the_newer_save_kept(client, provider, bid):
    client.force_login(provider)
    url = reverse("commissioning:bid_edit", args=[bid.pk])
    opened_at = bid.version
    client.post(url, {"version": opened_at, answer_field(bid): "From the first tab"})
    stale = client.post(
        url,
        {"version": opened_at, answer_field(bid): "From the second tab"},
        headers={"X-Autosave": "1"},
    )
    assert stale.status_code == 409
    assert "saved somewhere else" in stale.json()["message"]
    form_post = client.post(url, {"version": opened_at, answer_field(bid): "From the second tab"})
    assert form_post.status_code == 400
    page = form_post.content.decode()
    assert "saved somewhere else" in page
    assert "From the second tab" in page  # what was typed is kept on the page
    assert bid.answers.get().text == "From the first tab"


def test_a_current_passport_can_be_reused(client, provider, provider_org, bid):
    expires = timezone.localdate() + timedelta(days=300)
    Passport.objects.create(
        organisation=provider_org, accepted_at=timezone.now(), expires_on=expires
    )
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_edit", args=[bid.pk])).content.decode()
    assert "Use our pre-qualification passport" in page
    client.post(
        reverse("commissioning:bid_edit", args=[bid.pk]),
        {"version": bid.version, answer_field(bid): "Yes", "reuses_passport": "on"},
    )
    bid.refresh_from_db()
    assert bid.reuses_passport and bid.passport_expires_on == expires


def test_an_expired_passport_is_said_and_documents_asked_for(client, provider, provider_org, bid):
    Passport.objects.create(
        organisation=provider_org, accepted_at=timezone.now(), expires_on=date(2020, 1, 1)
    )
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_edit", args=[bid.pk])).content.decode()
    assert "does not have a current pre-qualification passport" in page
    assert "Use our pre-qualification passport" not in page


# The budget


def test_budget_summary_arithmetic():
    bid = BidFactory.build()
    lines = [
        BudgetLineFactory.build(bid=bid, kind=BudgetLineKind.STAFF, amount=Decimal("60000")),
        BudgetLineFactory.build(bid=bid, kind=BudgetLineKind.NON_STAFF, amount=Decimal("15000")),
        BudgetLineFactory.build(bid=bid, kind=BudgetLineKind.OVERHEAD, amount=Decimal("25000")),
    ]
    summary = budget_summary(lines, Decimal("90000"))
    assert summary.full_cost == Decimal("100000")
    assert summary.recovery_rate == Decimal("90.0")
    assert not summary.covers_full_cost
    assert summary.shortfall == Decimal("10000")
    assert budget_summary(lines, Decimal("100000")).covers_full_cost
    assert budget_summary(lines, Decimal("200000")).recovery_rate == Decimal("200.0")


def budget_post(lines, price, version):
    data = {
        "price": price,
        "version": version,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for number, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{number}-{key}"] = value
    return data


def test_saving_a_budget_shows_totals_rate_and_a_warning(client, provider, bid):
    client.force_login(provider)
    url = reverse("commissioning:bid_budget", args=[bid.pk])
    lines = [
        {"kind": "staff", "description": "Two workers", "amount": "£60,000", "basis": ""},
        {"kind": "non_staff", "description": "Venue", "amount": "15000", "basis": ""},
        {
            "kind": "overhead",
            "description": "Central costs",
            "amount": "25000",
            "basis": "Staff time",
        },
        {"kind": "", "description": "", "amount": "", "basis": ""},
    ]
    response = client.post(url, budget_post(lines, "90000", bid.version), follow=True)
    page = response.content.decode()
    bid.refresh_from_db()
    assert bid.price == Decimal("90000")
    assert bid.budget_lines.count() == 3
    assert "£100,000.00" in page
    assert "90.0%" in page
    assert "the price does not cover the full cost" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "An amount cannot be negative"),
        ("lots", "is not an amount of money"),
    ],
)
def test_bad_amounts_get_clear_messages_and_nothing_is_lost(client, provider, bid, amount, message):
    BudgetLineFactory(bid=bid, amount=Decimal("100"))
    client.force_login(provider)
    lines = [{"kind": "staff", "description": "Workers", "amount": amount, "basis": ""}]
    response = client.post(
        reverse("commissioning:bid_budget", args=[bid.pk]), budget_post(lines, "10", bid.version)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{amount}"' in page
    assert bid.budget_lines.get().amount == Decimal("100")


def test_overheads_need_their_basis(client, provider, bid):
    client.force_login(provider)
    lines = [{"kind": "overhead", "description": "Central", "amount": "10", "basis": ""}]
    response = client.post(
        reverse("commissioning:bid_budget", args=[bid.pk]), budget_post(lines, "10", bid.version)
    )
    assert "Say how this share of overheads was worked out" in response.content.decode()


# Documents


def test_a_document_is_uploaded_and_downloaded_by_the_bidder(client, provider, bid):
    client.force_login(provider)
    upload = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy", content_type="application/pdf")
    response = client.post(
        reverse("commissioning:bid_documents", args=[bid.pk]), {"title": "", "file": upload}
    )
    assert response.status_code == 302
    document = bid.documents.get()
    download = client.get(reverse("commissioning:bid_document", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 policy"
    assert "policy.pdf" in download["Content-Disposition"]


def test_a_wrong_type_of_document_is_refused_clearly(client, provider, bid):
    client.force_login(provider)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("commissioning:bid_documents", args=[bid.pk]), {"title": "", "file": upload}
    )
    assert response.status_code == 400
    assert "is not a type of file we accept" in response.content.decode()
    assert not bid.documents.exists()


def test_the_edit_page_loads_the_autosave_script(client, provider, bid):
    client.force_login(provider)
    page = client.get(reverse("commissioning:bid_edit", args=[bid.pk])).content.decode()
    assert "js/bid-autosave.js" in page and "defer" in page
    assert "<script>" not in page
