"""The public directory as Open Referral HSDS 3.0: what is published, and how each record is shaped.

Only what the public directory shows is published: verified third sector organisations (name,
description, website, legal form, registered numbers) and their services that are not inactive,
with their categories, areas and languages. Contact names, emails and phone numbers are not.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from accounts.models import LegalForm, Organisation

from .access import directory_organisations, services_visible_to
from .models import Area, Language, Service, ServiceCategory, ServiceStatus

HSDS_VERSION = "3.0"
HSDS_PROFILE_URL = "https://github.com/openreferral/specification/tree/3.0"
HSDS_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)

# Ids of records the portal has no table for (taxonomies, identifiers, link rows) are UUIDs made
# from this namespace and a stable name, so they stay the same from one request to the next.
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "hsds.commissioners-network-portal")
CATEGORY_TAXONOMY_ID = uuid.uuid5(HSDS_NAMESPACE, "taxonomy:service-categories")
CATEGORY_TAXONOMY = {
    "id": str(CATEGORY_TAXONOMY_ID),
    "name": "Commissioners Network service categories",
    "description": "The categories the Commissioners Network uses to map local services, "
    "such as Advice, then Debt advice.",
}

# Which register each of an organisation's numbers comes from, as org-id.guide names it.
IDENTIFIER_SCHEMES = {
    "charity_number": ("GB-CHC", "Charity Commission for England and Wales"),
    "company_number": ("GB-COH", "Companies House"),
}
SERVICE_STATUSES = {
    ServiceStatus.ACTIVE: "active",
    ServiceStatus.INACTIVE: "inactive",
    ServiceStatus.TEMPORARILY_CLOSED: "temporarily closed",
}
# The Office for National Statistics' persistent identifier for a GSS code.
ONS_AREA_URI = "http://statistics.data.gov.uk/id/statistical-geography/{code}"


def _derived_id(*parts: Any) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, ":".join(str(part) for part in parts)))


# What is published


def hsds_organisations() -> QuerySet[Organisation]:
    """Verified third sector organisations with a profile, whose uuid is their HSDS id."""
    return (
        directory_organisations()
        .filter(profile__isnull=False)
        .select_related("profile")
        .order_by("name", "pk")
    )


def hsds_services() -> QuerySet[Service]:
    """What the public directory lists: services of verified organisations, except inactive ones."""
    return (
        services_visible_to(AnonymousUser())
        .filter(organisation__profile__isnull=False)
        .select_related("organisation__profile")
        .order_by("name", "pk")
    )


def hsds_taxonomy_terms() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.select_related("parent").order_by("name", "pk")


def with_service_details(services: QuerySet[Service]) -> QuerySet[Service]:
    """Prefetch what a fully nested service shows: one query for each list, whatever the count."""
    return services.prefetch_related(
        Prefetch("categories", queryset=hsds_taxonomy_terms()),
        Prefetch("areas", queryset=Area.objects.order_by("name")),
        Prefetch("languages", queryset=Language.objects.order_by("name")),
    )


def with_organisation_services(
    organisations: QuerySet[Organisation], *, full: bool
) -> QuerySet[Organisation]:
    services = hsds_services()
    if full:
        services = with_service_details(services)
    return organisations.prefetch_related(
        Prefetch("services", queryset=services, to_attr="hsds_services")
    )


# Shaping the records


def _without_blanks(record: dict[str, Any], *, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """HSDS leaves out what is not known, rather than sending empty strings."""
    return {k: v for k, v in record.items() if k in keep or v not in ("", None)}


def taxonomy_to_hsds() -> dict[str, Any]:
    return dict(CATEGORY_TAXONOMY)


def taxonomy_term_to_hsds(category: ServiceCategory) -> dict[str, Any]:
    return _without_blanks(
        {
            "id": str(category.uuid),
            "code": category.code,
            "name": category.name,
            "description": category.description,
            "parent_id": str(category.parent.uuid) if category.parent_id else None,
            "taxonomy": CATEGORY_TAXONOMY["name"],
            "taxonomy_id": CATEGORY_TAXONOMY["id"],
            "taxonomy_detail": taxonomy_to_hsds(),
        },
        keep=("description",),
    )


def organisation_identifiers_to_hsds(organisation: Organisation) -> list[dict[str, Any]]:
    profile_id = organisation.profile.uuid
    identifiers = []
    for field, (scheme, register) in IDENTIFIER_SCHEMES.items():
        number = getattr(organisation, field)
        if number:
            identifiers.append(
                {
                    "id": _derived_id("organization_identifier", profile_id, scheme),
                    "organization_id": str(profile_id),
                    "identifier_scheme": scheme,
                    "identifier_type": register,
                    "identifier": number,
                }
            )
    return identifiers


def organisation_to_hsds(
    organisation: Organisation, *, nested: bool = False, full_services: bool = False
) -> dict[str, Any]:
    """The one-to-one fields of an organisation; with nested, its identifiers and services too
    (the prefetch of with_organisation_services must have run)."""
    profile = organisation.profile
    record = _without_blanks(
        {
            "id": str(profile.uuid),
            "name": organisation.name,
            "description": profile.description,
            "website": profile.website,
            "legal_status": LegalForm(organisation.legal_form).label
            if organisation.legal_form
            else "",
        },
        keep=("description",),
    )
    if nested:
        record["organization_identifiers"] = organisation_identifiers_to_hsds(organisation)
        record["services"] = [
            service_to_hsds(service, nested=full_services, organisation=organisation)
            for service in organisation.hsds_services
        ]
    return record


def _service_areas(service: Service) -> list[dict[str, Any]]:
    return [
        {
            "id": _derived_id("service_area", service.uuid, area.ons_code),
            "service_id": str(service.uuid),
            "name": area.name,
            "description": f"{area.get_level_display()}, ONS code {area.ons_code}",
            "uri": ONS_AREA_URI.format(code=area.ons_code),
        }
        for area in service.areas.all()
    ]


def _languages(service: Service) -> list[dict[str, Any]]:
    return [
        {
            "id": _derived_id("language", service.uuid, language.code),
            "service_id": str(service.uuid),
            "name": language.name,
            "code": language.code,
        }
        for language in service.languages.all()
    ]


def _attributes(service: Service) -> list[dict[str, Any]]:
    return [
        {
            "id": _derived_id("attribute", service.uuid, category.uuid),
            "link_id": str(service.uuid),
            "link_type": "service_type",
            "link_entity": "service",
            "taxonomy_term_id": str(category.uuid),
            "taxonomy_term": taxonomy_term_to_hsds(category),
        }
        for category in service.categories.all()
    ]


def service_to_hsds(
    service: Service,
    *,
    nested: bool = False,
    organisation: Organisation | None = None,
    with_organisation: bool = False,
) -> dict[str, Any]:
    """A service's one-to-one fields; with nested, its categories (as attributes), areas and
    languages too (with_service_details must have prefetched them)."""
    organisation = organisation or service.organisation
    record = _without_blanks(
        {
            "id": str(service.uuid),
            "organization_id": str(organisation.profile.uuid),
            "name": service.name,
            "description": service.description,
            "status": SERVICE_STATUSES[service.status],
            "fees_description": service.cost_to_users,
            "eligibility_description": service.eligibility,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "last_modified": service.updated_at.isoformat(),
        }
    )
    if with_organisation:
        record["organization"] = organisation_to_hsds(organisation)
    if nested:
        record["attributes"] = _attributes(service)
        record["service_areas"] = _service_areas(service)
        record["languages"] = _languages(service)
    return record
