"""Access rows for visits and improvement plans. The network reads them (commissioners and
network admins), and so does the provider; only the lead body's commissioners change them; an
unrelated organisation's people see nothing of them (404)."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_agreements import (
        AgreementFactory,
        ImprovementPlanFactory,
        VisitFactory,
    )

    body = base["commissioning_body"]
    agreement = AgreementFactory(
        body=body, provider=base["provider_org"], title="Improvement access: befriending"
    )
    visit = VisitFactory(agreement=agreement, recorded_by=base["users"]["commissioner"])
    plan = ImprovementPlanFactory(agreement=agreement)
    return {
        "commissioning:visit_new": {"pk": agreement.pk},
        "commissioning:visit_edit": {"pk": visit.pk},
        "commissioning:improvement_plan_new": {"pk": agreement.pk},
        "commissioning:improvement_plan": {"pk": plan.pk},
        "commissioning:improvement_plan_edit": {"pk": plan.pk},
        "commissioning:improvement_plan_move": {"pk": plan.pk},
    }


# Seen by the provider and the network, changed by the lead body only.
MANAGED = row(302, 403, 200, 403, 404)

ROWS = {
    "commissioning:visit_new": MANAGED,
    "commissioning:visit_edit": MANAGED,
    "commissioning:improvement_plan_new": MANAGED,
    "commissioning:improvement_plan": row(302, 200, 200, 200, 404),
    "commissioning:improvement_plan_edit": MANAGED,
    "commissioning:improvement_plan_move": row(302, 405, 405, 405, 405),
}
