"""Access rows for the HSDS open data API: public, the same for everyone."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from providers.opendata import CATEGORY_TAXONOMY_ID
    from tests.factories import ProviderProfileFactory, ServiceCategoryFactory, ServiceFactory

    profile = ProviderProfileFactory(organisation=base["provider_org"])
    category = ServiceCategoryFactory(code="open-data-access-category")
    service = ServiceFactory(organisation=base["provider_org"], categories=[category])
    return {
        "providers:hsds_organization": {"id": profile.uuid},
        "providers:hsds_service": {"id": service.uuid},
        "providers:hsds_taxonomy": {"id": CATEGORY_TAXONOMY_ID},
        "providers:hsds_taxonomy_term": {"id": category.uuid},
    }


EVERYONE = row(200, 200, 200, 200, 200)

ROWS = {
    "providers:hsds_index": EVERYONE,
    "providers:hsds_organizations": EVERYONE,
    "providers:hsds_organization": EVERYONE,
    "providers:hsds_services": EVERYONE,
    "providers:hsds_service": EVERYONE,
    "providers:hsds_taxonomies": EVERYONE,
    "providers:hsds_taxonomy": EVERYONE,
    "providers:hsds_taxonomy_terms": EVERYONE,
    "providers:hsds_taxonomy_term": EVERYONE,
}
