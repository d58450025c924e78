"""Access rows for bids, from the bidder's side. Before the deadline a bid is sealed: only the
bidding organisation sees it; commissioners, network admins and everyone else get 404."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from commissioning.models import BidStatus
    from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory
    from tests.factories.commissioning_sourcing_bids import BidDocumentFactory, BidReceiptFactory

    provider = base["users"]["provider"]
    body = base["commissioning_body"]
    # An open opportunity the provider has not started a bid for.
    fresh = OpportunityFactory(body=body, title="Bids access: not started")
    # A draft, for the pages that change a bid.
    draft = BidFactory(
        opportunity=OpportunityFactory(body=body),
        organisation=base["provider_org"],
        created_by=provider,
    )
    document = BidDocumentFactory(bid=draft, uploaded_by=provider)
    # A submitted bid with its receipt.
    submitted = BidFactory(
        opportunity=OpportunityFactory(body=body),
        organisation=base["provider_org"],
        created_by=provider,
        status=BidStatus.SUBMITTED,
    )
    BidReceiptFactory(bid=submitted, submitted_by=provider)
    return {
        "commissioning:bid_start": {"pk": fresh.pk},
        "commissioning:bid": {"pk": draft.pk},
        "commissioning:bid_edit": {"pk": draft.pk},
        "commissioning:bid_budget": {"pk": draft.pk},
        "commissioning:bid_documents": {"pk": draft.pk},
        "commissioning:bid_document": {"pk": document.pk},
        "commissioning:bid_receipt": {"pk": submitted.pk},
        "commissioning:bid_submit": {"pk": draft.pk},
        "commissioning:bid_withdraw": {"pk": submitted.pk},
        "commissioning:bid_confirm_member": {"pk": draft.pk},
    }


SEALED = row(404, 200, 404, 404, 404)
POST_ONLY = row(302, 405, 405, 405, 405)

ROWS = {
    # Every signed-in person has a list of their organisations' bids, empty or not.
    "commissioning:bid_list": row(302, 200, 200, 200, 200),
    # Members of verified third sector organisations may start a bid; others are refused.
    "commissioning:bid_start": row(302, 200, 403, 403, 200),
    # The bid and all its content: the bidding side only, before the deadline.
    "commissioning:bid": SEALED,
    "commissioning:bid_edit": row(302, 200, 404, 404, 404),
    "commissioning:bid_budget": row(302, 200, 404, 404, 404),
    "commissioning:bid_documents": row(302, 200, 404, 404, 404),
    "commissioning:bid_document": SEALED,
    "commissioning:bid_receipt": SEALED,
    "commissioning:bid_submit": POST_ONLY,
    "commissioning:bid_withdraw": POST_ONLY,
    "commissioning:bid_confirm_member": POST_ONLY,
}
