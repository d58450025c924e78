"""An opportunity's statuses: every (from, to) pair of OPPORTUNITY_TRANSITIONS, the rules of each
move (publishing needs lots, criteria and a timetable; closing waits for the deadline), the
weights that must add up to 100, and the emails to subscribers on publishing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    OPPORTUNITY_TRANSITIONS,
    BidStage,
    Opportunity,
    OpportunityStatus,
)
from commissioning.services import sourcing_opportunities as services
from commissioning.tasks.sourcing_opportunities import opportunity_published_notify
from tests.factories.commissioning_planning import SubscriptionFactory
from tests.factories.commissioning_sourcing_opportunities import (
    criterion_row,
    draft_opportunity,
    ready_opportunity,
)

pytestmark = pytest.mark.django_db

STATUSES = list(OpportunityStatus)
PAIRS = [(a, b) for a in STATUSES for b in STATUSES]


def _events(opportunity) -> int:
    return AuditEvent.objects.filter(
        object_id=str(opportunity.pk), action__startswith="opportunity."
    ).count()


def _deadlines_passed(opportunity: Opportunity) -> None:
    """Move the timetable into the past, as it is once bids are in."""
    now = timezone.now()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        publish_at=now - timedelta(days=30),
        clarifications_close_at=now - timedelta(days=20),
        eoi_deadline=(now - timedelta(days=15)) if opportunity.is_two_stage else None,
        bid_deadline=now - timedelta(days=1),
    )


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_status_pair(commissioning_body, commissioner, from_status, to_status):
    two_stage = not (
        from_status == OpportunityStatus.PUBLISHED and to_status == OpportunityStatus.CLOSED
    )
    opportunity = ready_opportunity(commissioner, commissioning_body, two_stage=two_stage)
    if to_status != OpportunityStatus.PUBLISHED:
        _deadlines_passed(opportunity)
    Opportunity.objects.filter(pk=opportunity.pk).update(status=from_status)
    before = _events(opportunity)
    allowed = to_status in OPPORTUNITY_TRANSITIONS[from_status]
    if allowed:
        moved = services.opportunity_move(commissioner, opportunity, to_status, note="A reason")
        assert moved.status == to_status
        opportunity.refresh_from_db()
        assert opportunity.status == to_status
        event = AuditEvent.objects.filter(object_id=str(opportunity.pk)).first()
        assert (event.action, event.from_state, event.to_state) == (
            f"opportunity.{to_status}",
            from_status,
            to_status,
        )
        assert _events(opportunity) == before + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            services.opportunity_move(commissioner, opportunity, to_status, note="A reason")
        opportunity.refresh_from_db()
        assert opportunity.status == from_status
        assert _events(opportunity) == before


def test_only_the_opportunitys_commissioners_move_it(commissioning_body, commissioner, provider):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    with pytest.raises(PermissionDenied):
        services.opportunity_publish(actor=provider, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DRAFT


def test_publishing_needs_a_lot_and_criteria(commissioning_body, commissioner):
    opportunity = draft_opportunity(commissioner, commissioning_body)
    with pytest.raises(ValidationError) as error:
        services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    text = " ".join(error.value.messages)
    assert "at least one lot" in text
    assert "full bid criteria" in text
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DRAFT
    assert opportunity.published_at is None


def test_publishing_sets_published_at(commissioning_body, commissioner):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert opportunity.published_at is not None


def test_bids_cannot_close_before_the_deadline(commissioning_body, commissioner):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    with pytest.raises(ValidationError, match="before their deadline"):
        services.opportunity_close(actor=commissioner, opportunity=opportunity)
    now = timezone.now()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        clarifications_close_at=now - timedelta(seconds=2), bid_deadline=now - timedelta(seconds=1)
    )
    services.opportunity_close(actor=commissioner, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.CLOSED


def test_expressions_of_interest_close_only_for_two_stage_after_their_deadline(
    commissioning_body, commissioner
):
    single = ready_opportunity(commissioner, commissioning_body)
    services.opportunity_publish(actor=commissioner, opportunity=single)
    with pytest.raises(ValidationError, match="two-stage"):
        services.opportunity_eoi_close(actor=commissioner, opportunity=single)
    staged = ready_opportunity(commissioner, commissioning_body, two_stage=True)
    services.opportunity_publish(actor=commissioner, opportunity=staged)
    with pytest.raises(ValidationError, match="before their deadline"):
        services.opportunity_eoi_close(actor=commissioner, opportunity=staged)
    with pytest.raises(ValidationError, match="expressions of interest first"):
        services.opportunity_close(actor=commissioner, opportunity=staged)


def test_cancelling_needs_a_reason(commissioning_body, commissioner):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    with pytest.raises(ValidationError, match="Say why"):
        services.opportunity_cancel(actor=commissioner, opportunity=opportunity, reason="  ")
    services.opportunity_cancel(actor=commissioner, opportunity=opportunity, reason="Budget cut")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.cancelled_reason) == ("cancelled", "Budget cut")


# Weights


def test_weights_must_sum_to_100_in_each_stage(commissioning_body, commissioner):
    opportunity = draft_opportunity(commissioner, commissioning_body, two_stage=True)
    rows = [
        criterion_row(BidStage.FULL, "60", title="Quality"),
        criterion_row(BidStage.FULL, "30", title="Price", kind="price"),
        criterion_row(BidStage.EOI, "100"),
    ]
    with pytest.raises(ValidationError) as error:
        services.opportunity_criteria_save(
            actor=commissioner, opportunity=opportunity, criteria=rows
        )
    assert error.value.messages == [
        "The weights of the full bid criteria add up to 90, not 100. Change them so that they "
        "add up to exactly 100."
    ]
    assert not opportunity.criteria.exists()
    rows[1]["weight"] = Decimal("40")
    services.opportunity_criteria_save(actor=commissioner, opportunity=opportunity, criteria=rows)
    assert opportunity.criteria.count() == 3


def test_an_expression_of_interest_is_kept_short(commissioning_body, commissioner):
    opportunity = draft_opportunity(commissioner, commissioning_body, two_stage=True)
    rows = [criterion_row()] + [
        criterion_row(BidStage.EOI, "25", title=f"Question {n}") for n in range(4)
    ]
    with pytest.raises(ValidationError, match="at most 3 questions"):
        services.opportunity_criteria_save(
            actor=commissioner, opportunity=opportunity, criteria=rows
        )
    rows = [criterion_row(), criterion_row(BidStage.EOI, word_limit=800)]
    with pytest.raises(ValidationError, match="at most 500 words"):
        services.opportunity_criteria_save(
            actor=commissioner, opportunity=opportunity, criteria=rows
        )


def test_a_single_stage_opportunity_has_no_eoi_criteria(commissioning_body, commissioner):
    opportunity = draft_opportunity(commissioner, commissioning_body)
    with pytest.raises(ValidationError, match="Only a two-stage"):
        services.opportunity_criteria_save(
            actor=commissioner,
            opportunity=opportunity,
            criteria=[criterion_row(), criterion_row(BidStage.EOI)],
        )


def test_only_drafts_change_in_full(commissioning_body, commissioner):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.opportunity_lots_save(actor=commissioner, opportunity=opportunity, lots=[])
    assert opportunity.lots.count() == 1


# Telling subscribers


def test_publishing_emails_each_subscriber_once(
    commissioning_body, commissioner, provider, django_capture_on_commit_callbacks
):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    SubscriptionFactory(user=provider, categories=list(opportunity.categories.all()))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    assert [message.to for message in mail.outbox] == [[provider.email]]
    assert opportunity.title in mail.outbox[0].subject
    assert opportunity_published_notify(opportunity.pk) == 0  # a second run tells nobody again
    assert len(mail.outbox) == 1


def test_commissioners_subscribed_are_not_emailed(
    commissioning_body, commissioner, django_capture_on_commit_callbacks
):
    opportunity = ready_opportunity(commissioner, commissioning_body)
    SubscriptionFactory(user=commissioner, categories=list(opportunity.categories.all()))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_publish(actor=commissioner, opportunity=opportunity)
    assert mail.outbox == []
