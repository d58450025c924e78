"""Access rows for agreements (part A). Providers on an agreement and every commissioner and
network admin read it; only members of its lead body change it; everyone else gets 404. Making
one is for commissioners: directly, or from an award by the opportunity's commissioners."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from decimal import Decimal

    from commissioning.models import AwardDecision, BidStatus, OpportunityStatus
    from tests.factories.commissioning_agreements import AgreementFactory, InstalmentFactory
    from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

    commissioner = base["users"]["commissioner"]
    body, provider_org = base["commissioning_body"], base["provider_org"]
    agreement = AgreementFactory(
        body=body, provider=provider_org, created_by=commissioner, title="Agreements access"
    )
    instalment = InstalmentFactory(agreement=agreement)
    opportunity = OpportunityFactory(body=body, status=OpportunityStatus.AWARDED)
    bid = BidFactory(
        opportunity=opportunity,
        organisation=provider_org,
        status=BidStatus.SUCCESSFUL,
        price=Decimal("50000"),
    )
    award = AwardDecision.objects.create(
        opportunity=opportunity,
        lot=opportunity.lots.get(),
        bid=bid,
        reason="Highest score.",
        decided_by=commissioner,
    )
    on_agreement = {"pk": agreement.pk}
    return {
        "commissioning:agreement_new": {},
        "commissioning:agreement_from_award": {"pk": award.pk},
        "commissioning:agreement": on_agreement,
        "commissioning:agreement_edit": on_agreement,
        "commissioning:agreement_measures": on_agreement,
        "commissioning:agreement_payments": on_agreement,
        "commissioning:instalment_paid": {"pk": instalment.pk},
        "commissioning:agreement_variation_new": on_agreement,
        "commissioning:agreement_history": on_agreement,
        "commissioning:agreement_notice_new": on_agreement,
        "commissioning:agreement_move": on_agreement,
        "commissioning:agreement_end_feedback": on_agreement,
    }


READ = row(302, 200, 200, 200, 404)
MANAGE = row(302, 403, 200, 403, 404)
POST_ONLY = row(302, 405, 405, 405, 405)

ROWS = {
    "commissioning:agreement_new": row(302, 403, 200, 403, 403),
    "commissioning:agreement_from_award": row(302, 403, 200, 403, 403),
    "commissioning:agreement": READ,
    "commissioning:agreement_history": READ,
    "commissioning:agreement_edit": MANAGE,
    "commissioning:agreement_measures": MANAGE,
    "commissioning:agreement_payments": MANAGE,
    "commissioning:agreement_variation_new": MANAGE,
    "commissioning:agreement_notice_new": MANAGE,
    "commissioning:agreement_end_feedback": MANAGE,
    "commissioning:instalment_paid": POST_ONLY,
    "commissioning:agreement_move": POST_ONLY,
}
