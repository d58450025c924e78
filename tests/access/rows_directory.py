"""Access rows for the directory, its organisation and service pages, and the provision map."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from providers.models import ServiceCategory
    from providers.reference_data import reference_data_ensure
    from providers.services.profiles import service_create

    reference_data_ensure()
    service = service_create(
        actor=base["users"]["provider"],
        organisation=base["provider_org"],
        data={"name": "Benefits Check", "description": "Help to claim what you are owed."},
        m2m={"categories": [ServiceCategory.objects.get(code="welfare-benefits")]},
    )
    return {
        "providers:organisation": {"pk": base["provider_org"].pk},
        "providers:service": {"pk": service.pk},
    }


ROWS = {
    # The directory is public: anyone may search it, export it and open a verified organisation
    # and its active services. Members see more on the same pages, not other pages.
    "providers:directory": row(200, 200, 200, 200, 200),
    "providers:directory_csv": row(200, 200, 200, 200, 200),
    "providers:organisation": row(200, 200, 200, 200, 200),
    "providers:service": row(200, 200, 200, 200, 200),
    # The provision map is for network members: commissioners, network admins and verified
    # providers. Anonymous people are sent to sign in.
    "providers:provision_map": row(302, 200, 200, 200, 200),
    "providers:provision_map_csv": row(302, 200, 200, 200, 200),
}
