"""Factories for the bidder's side of sourcing: budget lines, supporting documents, receipts and
a ready-to-submit bid. Workflow moves (submitting, withdrawing) go through the services."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidReceipt,
    BudgetLine,
    BudgetLineKind,
)

from .accounts import UserFactory
from .commissioning_sourcing import BidFactory

PDF_BYTES = b"%PDF-1.4\n% a bid document\n"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    bid = factory.SubFactory(BidFactory)
    kind = BudgetLineKind.STAFF
    description = "Two support workers"
    amount = Decimal("60000")


class BidDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BidDocument

    bid = factory.SubFactory(BidFactory)
    title = "Safeguarding policy"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="safeguarding.pdf"))
    original_name = "safeguarding.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class BidReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BidReceipt

    bid = factory.SubFactory(BidFactory)
    submitted_at = factory.LazyFunction(timezone.now)
    submitted_by = factory.SubFactory(UserFactory)
    content_hash = "0" * 64


def complete_bid(bid: Bid, *, price: Decimal = Decimal("100000")) -> Bid:
    """Fill a draft with what submission needs: its lots, an answer to every criterion of its
    stage within the limit, and (for a full bid) a budget and a price."""
    bid.lots.set(bid.opportunity.lots.all())
    for criterion in bid.opportunity.criteria.filter(stage=bid.stage):
        BidAnswer.objects.update_or_create(
            bid=bid, criterion=criterion, defaults={"text": "We work with local groups."}
        )
    if bid.stage == "full":
        BudgetLineFactory(bid=bid, kind=BudgetLineKind.STAFF, amount=Decimal("60000"))
        BudgetLineFactory(
            bid=bid,
            kind=BudgetLineKind.NON_STAFF,
            description="Venue hire",
            amount=Decimal("15000"),
        )
        BudgetLineFactory(
            bid=bid,
            kind=BudgetLineKind.OVERHEAD,
            description="Share of central costs",
            amount=Decimal("25000"),
            basis="Staff time",
        )
        bid.price = price
        bid.save(update_fields=["price"])
    return bid
