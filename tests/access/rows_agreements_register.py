"""Access rows for the register of agreements, a provider's agreements across the network (the
360 view) and a provider's own list. The register is for commissioners and network admins; a
provider's 360 view is theirs and its own members'; the own list is for third sector people."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_agreements import (
        AgreementFactory,
        AgreementFunderFactory,
        MonitoringReturnFactory,
    )

    agreement = AgreementFactory(body=base["commissioning_body"], provider=base["provider_org"])
    AgreementFunderFactory(agreement=agreement)
    MonitoringReturnFactory(agreement=agreement)
    return {"commissioning:provider_agreements": {"pk": base["provider_org"].pk}}


PLANNERS = row(302, 403, 200, 200, 403)

ROWS = {
    "commissioning:agreements": PLANNERS,
    "commissioning:agreements_csv": PLANNERS,
    # Any provider's for planners, its own members' too; hidden from other organisations.
    "commissioning:provider_agreements": row(302, 200, 200, 200, 404),
    # People of third sector organisations only (the outsider's list is empty).
    "commissioning:agreements_ours": row(302, 200, 403, 403, 200),
}
