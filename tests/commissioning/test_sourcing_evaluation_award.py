"""Moderation, shortlisting, the award and feedback: agreed scores only once the panel has
submitted, no award before moderation, a letter for every bidder (emailed once) that only its
bidder can read."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from commissioning.models import (
    AwardDecision,
    BidStage,
    BidStatus,
    FeedbackLetter,
    OpportunityStatus,
)
from commissioning.services import sourcing_evaluation as services
from commissioning.tasks.sourcing_evaluation import feedback_letter_email
from commissioning.timetable import working_days_after
from tests.factories.commissioning_sourcing import CriterionFactory
from tests.factories.commissioning_sourcing_evaluation import (
    closed_opportunity,
    eoi_closed_opportunity,
    panellist,
    submitted_bid,
)

pytestmark = pytest.mark.django_db


def panel_scores(member, bid, values: dict):
    services.conflict_declare(actor=member.user, bid=bid, has_conflict=False)
    services.scores_save(
        actor=member.user,
        bid=bid,
        scores={
            pk: (value, f"Comment {value} from member {member.pk}") for pk, value in values.items()
        },
        submit=True,
    )


def agree(actor, bid, values: dict):
    services.moderated_scores_save(
        actor=actor,
        bid=bid,
        agreed={pk: (value, f"Agreed at {value}") for pk, value in values.items()},
    )


@pytest.fixture
def world(commissioner, commissioning_body):
    opportunity = closed_opportunity(body=commissioning_body, with_lot=False)
    from tests.factories.commissioning_sourcing import LotFactory

    LotFactory(opportunity=opportunity)
    quality = CriterionFactory(opportunity=opportunity, weight=Decimal("70"), scale_max=5)
    price = CriterionFactory(opportunity=opportunity, weight=Decimal("30"), scale_max=10)
    member = panellist(opportunity)
    winner = submitted_bid(opportunity)
    runner_up = submitted_bid(opportunity)
    for bid in (winner, runner_up):
        panel_scores(member, bid, {quality.pk: 4, price.pk: 6})
    return {
        "opportunity": opportunity,
        "commissioner": commissioner,
        "quality": quality,
        "price": price,
        "member": member,
        "winner": winner,
        "runner_up": runner_up,
        "lot": opportunity.lots.get(),
    }


def moderate_both(world):
    q, p = world["quality"].pk, world["price"].pk
    agree(world["commissioner"], world["winner"], {q: 5, p: 8})  # 70 + 24 = 94.00
    agree(world["commissioner"], world["runner_up"], {q: 3, p: 9})  # 42 + 27 = 69.00


def award(world, client=None):
    lot = world["lot"]
    return services.award_record(
        actor=world["commissioner"],
        opportunity=world["opportunity"],
        winners={lot.pk: [world["winner"].pk]},
        reasons={lot.pk: "Highest weighted total."},
    )


def test_moderation_waits_for_every_member(world):
    late = panellist(world["opportunity"])
    with pytest.raises(ValidationError, match="Not every panel member"):
        agree(
            world["commissioner"], world["winner"], {world["quality"].pk: 4, world["price"].pk: 6}
        )
    panel_scores(late, world["winner"], {world["quality"].pk: 2, world["price"].pk: 6})
    agree(world["commissioner"], world["winner"], {world["quality"].pk: 3, world["price"].pk: 6})
    assert AuditEvent.objects.filter(action="bid.moderated").count() == 1


def test_an_agreed_score_needs_a_reason_and_the_scale(world):
    with pytest.raises(ValidationError) as caught:
        services.moderated_scores_save(
            actor=world["commissioner"],
            bid=world["winner"],
            agreed={world["quality"].pk: (9, "Great"), world["price"].pk: (5, "")},
        )
    assert f"score_{world['quality'].pk}" in caught.value.message_dict
    assert f"reason_{world['price'].pk}" in caught.value.message_dict


def test_the_moderation_page_shows_the_spread_totals_and_ranks(client, world):
    moderate_both(world)
    client.force_login(world["commissioner"])
    page = client.get(reverse("commissioning:moderation", args=[world["opportunity"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "94.00" in html and "69.00" in html
    assert "Spread: 4 to 4" in html
    rows = {row.bid.pk: row for row in page.context["table"].rows}
    assert rows[world["winner"].pk].rank == 1
    assert rows[world["runner_up"].pk].rank == 2


def test_the_moderate_bid_page_saves_agreed_scores(client, world):
    client.force_login(world["commissioner"])
    url = reverse("commissioning:moderate_bid", args=[world["winner"].pk])
    q, p = world["quality"].pk, world["price"].pk
    response = client.post(
        url, {f"score_{q}": "9", f"reason_{q}": "x", f"score_{p}": "5", f"reason_{p}": "y"}
    )
    assert response.status_code == 400
    assert "from 0 to 5" in response.content.decode()
    response = client.post(
        url, {f"score_{q}": "4", f"reason_{q}": "Good", f"score_{p}": "5", f"reason_{p}": "Fair"}
    )
    assert response.status_code == 302
    assert world["winner"].moderated_scores.count() == 2


def test_an_award_before_moderation_is_refused_with_a_clear_message(client, world):
    agree(world["commissioner"], world["winner"], {world["quality"].pk: 5, world["price"].pk: 8})
    with pytest.raises(ValidationError, match="Still to moderate"):
        award(world)
    client.force_login(world["commissioner"])
    url = reverse("commissioning:award", args=[world["opportunity"].pk])
    page = client.get(url)
    assert "The award cannot be made yet" in page.content.decode()
    assert world["runner_up"].organisation.name in page.content.decode()
    response = client.post(
        url,
        {f"winners_{world['lot'].pk}": [world["winner"].pk], f"reason_{world['lot'].pk}": "Best"},
        follow=True,
    )
    assert "Still to moderate" in response.content.decode()
    assert not AwardDecision.objects.exists()
    world["opportunity"].refresh_from_db()
    assert world["opportunity"].status == OpportunityStatus.EVALUATING


def test_the_award_decides_every_bid_starts_the_standstill_and_writes_feedback(
    client, world, django_capture_on_commit_callbacks
):
    moderate_both(world)
    client.force_login(world["commissioner"])
    lot = world["lot"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("commissioning:award", args=[world["opportunity"].pk]),
            {f"winners_{lot.pk}": [world["winner"].pk], f"reason_{lot.pk}": "Highest total."},
        )
    assert response.status_code == 302
    opportunity = world["opportunity"]
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.AWARDED
    assert opportunity.awarded_at is not None
    assert opportunity.standstill_ends_on == working_days_after(timezone.localdate(), 8)
    world["winner"].refresh_from_db()
    world["runner_up"].refresh_from_db()
    assert world["winner"].status == BidStatus.SUCCESSFUL
    assert world["runner_up"].status == BidStatus.UNSUCCESSFUL
    assert AuditEvent.objects.filter(action="opportunity.awarded").exists()
    # Every bidder gets exactly one letter, emailed once.
    letters = FeedbackLetter.objects.order_by("bid_id")
    assert [letter.bid_id for letter in letters] == sorted(
        [world["winner"].pk, world["runner_up"].pk]
    )
    assert all(letter.emailed_at for letter in letters)
    assert len(mail.outbox) == 2
    letter = FeedbackLetter.objects.get(bid=world["runner_up"])
    assert letter.content["total"] == "69.00"
    assert letter.content["lots"][0]["winning_totals"] == ["94.00"]
    assert letter.content["lots"][0]["rank"] == 2
    quality = letter.content["criteria"][0]
    assert quality["score"] == 3 and quality["reason"] == "Agreed at 3"
    assert quality["comments"] == [f"Comment 4 from member {world['member'].pk}"]
    # Running the task again sends nothing; awarding again is refused.
    assert feedback_letter_email(letter.pk) == 0
    assert len(mail.outbox) == 2
    with pytest.raises(ValidationError):
        award(world)
    assert FeedbackLetter.objects.count() == 2


def test_feedback_is_only_for_its_bidder(client, world, commissioner, network_admin):
    moderate_both(world)
    award(world)
    bid = world["runner_up"]
    bidder = bid.created_by
    client.force_login(bidder)
    page = client.get(reverse("commissioning:feedback", args=[bid.pk]))
    assert page.status_code == 200
    assert "69.00" in page.content.decode()
    # The bidder's bid page leads to the letter.
    bid_page = client.get(reverse("commissioning:bid", args=[bid.pk])).content.decode()
    assert reverse("commissioning:feedback", args=[bid.pk]) in bid_page
    pdf = client.get(reverse("commissioning:feedback_pdf", args=[bid.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # The other bidder cannot read it; nor can the commissioner or a network admin.
    client.force_login(world["winner"].created_by)
    assert client.get(reverse("commissioning:feedback", args=[bid.pk])).status_code == 404
    assert (
        client.get(reverse("commissioning:feedback", args=[world["winner"].pk])).status_code == 200
    )
    client.force_login(commissioner)
    assert client.get(reverse("commissioning:feedback", args=[bid.pk])).status_code == 403
    client.force_login(network_admin)
    assert client.get(reverse("commissioning:feedback_pdf", args=[bid.pk])).status_code == 404


def test_shortlisting_invites_and_emails_the_shortlisted(
    client, commissioner, commissioning_body, django_capture_on_commit_callbacks
):
    opportunity = eoi_closed_opportunity(body=commissioning_body)
    criterion = opportunity.criteria.get(stage=BidStage.EOI)
    member = panellist(opportunity)
    chosen = submitted_bid(opportunity, stage=BidStage.EOI)
    other = submitted_bid(opportunity, stage=BidStage.EOI)
    for bid, value in ((chosen, 5), (other, 1)):
        panel_scores(member, bid, {criterion.pk: value})
    client.force_login(commissioner)
    url = reverse("commissioning:shortlist", args=[opportunity.pk])
    data = {
        f"decision_{chosen.pk}": "yes",
        f"reason_{chosen.pk}": "Strong",
        f"decision_{other.pk}": "no",
        f"reason_{other.pk}": "Weak",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Moderate every expression of interest" in response.content.decode()
    for bid, value in ((chosen, 5), (other, 1)):
        agree(commissioner, bid, {criterion.pk: value})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    opportunity.refresh_from_db()
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert opportunity.status == OpportunityStatus.INVITED
    assert (chosen.status, other.status) == (BidStatus.SHORTLISTED, BidStatus.NOT_SHORTLISTED)
    assert [m.to for m in mail.outbox] == [[chosen.created_by.email]]
    assert "Shortlisted" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="bid.status_changed", note="Weak").exists()
