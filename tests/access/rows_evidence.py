"""Access rows for the outcomes framework and indicator data: commissioners and network admins
read them; network admins keep the framework; a commissioner sees the imports they uploaded."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_evidence import (
        IndicatorFactory,
        IndicatorImportFactory,
        IndicatorValueFactory,
    )

    value = IndicatorValueFactory()
    indicator = value.indicator
    outcome = indicator.outcome
    job = IndicatorImportFactory(uploaded_by=base["users"]["commissioner"])
    IndicatorFactory(outcome=outcome)  # an indicator with no values yet
    return {
        "commissioning:priority_edit": {"pk": outcome.priority_id},
        "commissioning:outcome_edit": {"pk": outcome.pk},
        "commissioning:indicator_edit": {"pk": indicator.pk},
        "commissioning:indicator": {"pk": indicator.pk},
        "commissioning:indicator_csv": {"pk": indicator.pk},
        "commissioning:indicator_value_add": {"pk": indicator.pk},
        "commissioning:indicator_import_detail": {"pk": job.pk},
    }


PLANNERS = row(302, 403, 200, 200, 403)
NETWORK_ADMINS = row(302, 403, 403, 200, 403)

ROWS = {
    "commissioning:outcomes": PLANNERS,
    "commissioning:priority_create": NETWORK_ADMINS,
    "commissioning:priority_edit": NETWORK_ADMINS,
    "commissioning:outcome_create": NETWORK_ADMINS,
    "commissioning:outcome_edit": NETWORK_ADMINS,
    "commissioning:indicator_create": NETWORK_ADMINS,
    "commissioning:indicator_edit": NETWORK_ADMINS,
    "commissioning:indicator": PLANNERS,
    "commissioning:indicator_csv": PLANNERS,
    "commissioning:indicator_value_add": PLANNERS,
    # The upload page lists the person's own imports (all of them, for a network admin).
    "commissioning:indicator_import": PLANNERS,
    "commissioning:indicator_import_template": PLANNERS,
    # The commissioner's own import: other commissioners get 404 (tests/commissioning).
    "commissioning:indicator_import_detail": PLANNERS,
}
