"""Access rows for evaluation: the panel, declarations, scoring, moderation, shortlist, award
and feedback. The commissioner runs the opportunity and sits on its panel; the provider has bid.
Network admins are not evaluators: they never read a bid, and only panel members score."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from commissioning.models import FeedbackLetter
    from commissioning.services import sourcing_evaluation as services
    from tests.factories.commissioning_sourcing_evaluation import (
        closed_opportunity,
        panellist,
        submitted_bid,
    )

    commissioner = base["users"]["commissioner"]
    opportunity = closed_opportunity(
        body=base["commissioning_body"], title="Evaluation access opportunity"
    )
    panellist(opportunity, user=commissioner)
    # The provider's bid, on which the commissioner has declared no conflict; and another bid,
    # on which nothing is declared yet.
    declared = submitted_bid(
        opportunity, organisation=base["provider_org"], member=base["users"]["provider"]
    )
    undeclared = submitted_bid(opportunity)
    services.conflict_declare(actor=commissioner, bid=declared, has_conflict=False)
    FeedbackLetter.objects.create(bid=declared, content={"criteria": [], "lots": []})
    return {
        "commissioning:panel": {"pk": opportunity.pk},
        "commissioning:panel_bids": {"pk": opportunity.pk},
        "commissioning:moderation": {"pk": opportunity.pk},
        "commissioning:shortlist": {"pk": opportunity.pk},
        "commissioning:award": {"pk": opportunity.pk},
        "commissioning:bid_declare": {"pk": undeclared.pk},
        "commissioning:bid_score": {"pk": declared.pk},
        "commissioning:moderate_bid": {"pk": declared.pk},
        "commissioning:feedback": {"pk": declared.pk},
        "commissioning:feedback_pdf": {"pk": declared.pk},
    }


ROWS = {
    # The opportunity is public, so others are refused (403) rather than told it is not there.
    "commissioning:panel": row(302, 403, 200, 403, 403),
    "commissioning:panel_bids": row(302, 403, 200, 403, 403),
    "commissioning:moderation": row(302, 403, 200, 403, 403),
    "commissioning:shortlist": row(302, 403, 200, 403, 403),
    "commissioning:award": row(302, 403, 200, 403, 403),
    # A bid is hidden (404) from all but its bidder and the evaluators; the bidder cannot
    # declare on, score or moderate their own bid (403).
    "commissioning:bid_declare": row(302, 404, 200, 404, 404),
    "commissioning:bid_score": row(302, 403, 200, 404, 404),
    "commissioning:moderate_bid": row(302, 403, 200, 404, 404),
    # The letter is the bidder's alone: commissioners can see the bid but not the letter.
    "commissioning:feedback": row(302, 200, 403, 404, 404),
    "commissioning:feedback_pdf": row(302, 200, 403, 404, 404),
}
