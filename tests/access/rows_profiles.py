"""Access rows for profiles, services and reference data."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from providers.models import ServiceCategory
    from providers.reference_data import reference_data_ensure
    from providers.services.profiles import service_create

    reference_data_ensure()
    service = service_create(
        actor=base["users"]["provider"],
        organisation=base["provider_org"],
        data={"name": "Money Matters", "description": "Debt casework."},
        m2m={"categories": [ServiceCategory.objects.get(code="debt-advice")]},
    )
    category = ServiceCategory.objects.get(code="debt-advice")
    pk = base["provider_org"].pk
    return {
        "providers:profile_edit": {"pk": pk},
        "providers:profile_history": {"pk": pk},
        "providers:service_list": {"pk": pk},
        "providers:service_create": {"pk": pk},
        "providers:service_edit": {"pk": service.pk},
        "providers:reference_list": {"kind": "categories"},
        "providers:reference_create": {"kind": "categories"},
        "providers:reference_edit": {"kind": "categories", "pk": category.pk},
    }


ROWS = {
    # The organisation's own pages: its admins edit the profile; any member keeps services;
    # network admins may read the history and services; everyone else is not told they exist.
    "providers:profile_edit": row(302, 200, 404, 404, 404),
    "providers:profile_history": row(302, 200, 404, 200, 404),
    "providers:service_list": row(302, 200, 404, 200, 404),
    "providers:service_create": row(302, 200, 404, 403, 404),
    "providers:service_edit": row(302, 200, 404, 404, 404),
    # Reference data: network admins only.
    "providers:reference_index": row(302, 403, 403, 200, 403),
    "providers:reference_list": row(302, 403, 403, 200, 403),
    "providers:reference_create": row(302, 403, 403, 200, 403),
    "providers:reference_edit": row(302, 403, 403, 200, 403),
}
