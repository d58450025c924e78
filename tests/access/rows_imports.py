"""Access rows for importing organisations from CSV: network admins only."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories import OrganisationImportFactory

    job = OrganisationImportFactory(uploaded_by=base["users"]["network_admin"])
    return {
        "providers:import_detail": {"pk": job.pk},
        "providers:import_report": {"pk": job.pk},
    }


ROWS = {
    # Anonymous people are sent to sign in; everyone else but network admins is refused.
    "providers:import_list": row(302, 403, 403, 200, 403),
    "providers:import_create": row(302, 403, 403, 200, 403),
    "providers:import_template": row(302, 403, 403, 200, 403),
    "providers:import_detail": row(302, 403, 403, 200, 403),
    "providers:import_report": row(302, 403, 403, 200, 403),
}
