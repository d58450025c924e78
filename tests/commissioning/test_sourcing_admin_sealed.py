"""The Django admin is no way round the seal: no bid, nor anything holding a bid's content or its
scores, is registered there, so not even a superuser can read one before its deadline."""

from django.contrib import admin

from commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidEligibilityAnswer,
    BidReceipt,
    BudgetLine,
    ConflictDeclaration,
    FeedbackLetter,
    ModeratedScore,
    Score,
)

SEALED_MODELS = [
    Bid,
    BidAnswer,
    BidDocument,
    BidEligibilityAnswer,
    BidReceipt,
    BudgetLine,
    ConflictDeclaration,
    FeedbackLetter,
    ModeratedScore,
    Score,
]


def test_no_bid_content_is_registered_in_the_django_admin():
    registered = set(admin.site._registry)
    assert not registered & set(SEALED_MODELS)
