"""Access rows for grants as 360Giving open data: public, the same for everyone."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_agreements import AgreementFactory

    # A grant from the commissioner's body to the provider, so the page has one to publish.
    AgreementFactory(
        body=base["commissioning_body"],
        provider=base["provider_org"],
        created_by=base["users"]["commissioner"],
    )
    return {"commissioning:open_data_360giving": {}}


ROWS = {
    "commissioning:open_data_360giving": row(200, 200, 200, 200, 200),
}
