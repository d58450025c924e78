"""Access rows for business cases and the contract thresholds. The case is a draft of the
commissioner's body: planners read it, the body's members change it, network admins only read."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from commissioning.models import ContractThreshold
    from tests.factories.commissioning_business_cases import make_business_case

    case = make_business_case(actor=base["users"]["commissioner"], body=base["commissioning_body"])
    case_urls = [
        "commissioning:business_case",
        "commissioning:business_case_edit",
        "commissioning:business_case_approve",
        "commissioning:business_case_reopen",
        "commissioning:business_case_pdf",
    ]
    return {
        **{name: {"pk": case.pk} for name in case_urls},
        "commissioning:threshold_edit": {"pk": ContractThreshold.objects.first().pk},
    }


ROWS = {
    "commissioning:business_case_list": row(302, 403, 200, 200, 403),
    # Written by members of a commissioning body; a network admin acts for none.
    "commissioning:business_case_create": row(302, 403, 200, 403, 403),
    "commissioning:business_case": row(302, 403, 200, 200, 403),
    "commissioning:business_case_edit": row(302, 403, 200, 403, 403),
    "commissioning:business_case_approve": row(302, 405, 405, 405, 405),
    "commissioning:business_case_reopen": row(302, 405, 405, 405, 405),
    "commissioning:business_case_pdf": row(302, 403, 200, 200, 403),
    "commissioning:thresholds": row(302, 403, 403, 200, 403),
    "commissioning:threshold_edit": row(302, 403, 403, 200, 403),
}
