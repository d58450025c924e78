"""Access rows for clarifications, changes to an opportunity and its OCDS open data."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_sourcing import OpportunityFactory
    from tests.factories.commissioning_sourcing_clarifications import ClarificationFactory

    # A published opportunity of the commissioner's body, with a question waiting for an answer.
    opportunity = OpportunityFactory(
        body=base["commissioning_body"],
        created_by=base["users"]["commissioner"],
        title="Clarifications access opportunity",
    )
    clarification = ClarificationFactory(
        opportunity=opportunity,
        asked_by=base["users"]["provider"],
        asked_for=base["provider_org"],
    )
    return {
        "commissioning:clarifications": {"pk": opportunity.pk},
        "commissioning:clarification_answer": {"pk": clarification.pk},
        "commissioning:opportunity_extend": {"pk": opportunity.pk},
        "commissioning:opportunity_amend": {"pk": opportunity.pk},
        "commissioning:ocds_release": {"pk": opportunity.pk},
    }


# Only the opportunity's own commissioners answer questions and change it; network admins see
# the opportunity but do not run it.
RUNS_IT = row(302, 403, 200, 403, 403)
EVERYONE = row(200, 200, 200, 200, 200)

ROWS = {
    # A published opportunity's questions, answers and changes are public.
    "commissioning:clarifications": EVERYONE,
    "commissioning:clarification_answer": RUNS_IT,
    "commissioning:opportunity_extend": RUNS_IT,
    "commissioning:opportunity_amend": RUNS_IT,
    # OCDS open data is public.
    "commissioning:ocds_releases": EVERYONE,
    "commissioning:ocds_release": EVERYONE,
}
