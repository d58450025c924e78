"""Grants as 360Giving Data Standard 1.4 open data.

Every agreement of kind grant is published, live or finished: who gave what to whom, when, for how
long and for which places, with the funders' and recipients' organisation identifiers. Nothing of
monitoring, feedback or the bid behind a grant is read here.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Organisation
from providers.models import Area

from . import ocds
from .models import Agreement, AgreementFunder, AgreementKind, AgreementStatus, Instalment
from .models.agreements import NEVER_OPENLY_PROCURED

SCHEMA_VERSION = "1.4"
PAGE_SIZE = 100
PUBLISHED_STATUSES = (
    AgreementStatus.ACTIVE,
    AgreementStatus.ENDING,
    AgreementStatus.ENDED,
    AgreementStatus.TERMINATED,
)

# The 360Giving geoCodeType codelist, by the entity code that starts an ONS (GSS) code.
GEO_CODE_TYPES = {
    "E00": "OA",
    "W00": "OA",
    "S00": "OA",
    "E01": "LSOA",
    "W01": "LSOA",
    "E02": "MSOA",
    "W02": "MSOA",
    "E04": "PAR",
    "E05": "WD",
    "W05": "WD",
    "S13": "WD",
    "E06": "UA",
    "W06": "UA",
    "E07": "NMD",
    "E08": "MD",
    "E09": "LONB",
    "E10": "CTY",
    "E12": "RGN",
    "E14": "WPC",
    "W07": "WPC",
    "S14": "WPC",
    "N06": "WPC",
    "S12": "CA",
}


def threesixtygiving_prefix() -> str:
    """The publisher's 360Giving prefix, registered with 360Giving: every grant id starts
    360G-<prefix>-."""
    return settings.THREESIXTYGIVING_PREFIX


def grant_id(agreement: Agreement) -> str:
    return f"360G-{threesixtygiving_prefix()}-{agreement.reference}"


def _grants() -> QuerySet[Agreement]:
    return Agreement.objects.filter(kind=AgreementKind.GRANT, status__in=PUBLISHED_STATUSES)


def published_grants() -> QuerySet[Agreement]:
    """Every grant, with what its record reads, in a fixed number of queries."""
    return (
        _grants()
        .select_related("body", "provider", "award", "opportunity")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("level", "name", "pk")),
            Prefetch(
                "funders",
                queryset=AgreementFunder.objects.select_related("body").order_by(
                    "body__name", "pk"
                ),
                to_attr="funder_list",
            ),
            Prefetch(
                "instalments",
                queryset=Instalment.objects.filter(paid_on__isnull=False).order_by("number"),
                to_attr="paid_instalments",
            ),
        )
        .order_by("pk")
    )


def grants_page(page: int) -> tuple[list[Agreement], bool]:
    """One page of grants by id, and whether another follows. The page's ids come first, on
    their own: an offset deep into the grants then skips bare ids, not joined rows."""
    ids, more = ocds.page_of(
        _grants().order_by("pk").values_list("pk", flat=True), page, size=PAGE_SIZE
    )
    return list(published_grants().filter(pk__in=ids)), more


def geo_code_type(ons_code: str) -> str | None:
    return GEO_CODE_TYPES.get(ons_code[:3].upper())


def duration_months(start: date, end: date) -> float:
    """Whole months from the start to the day after the end, with any part month as a fraction:
    1 April 2026 to 31 March 2029 is 36."""
    span = relativedelta(end + timedelta(days=1), start)
    months = span.years * 12 + span.months
    return float(months) if not span.days else round(months + span.days / 30.44, 1)


def _amount(value: Decimal) -> float | int:
    value = value.quantize(Decimal("0.01"))
    return int(value) if value == value.to_integral_value() else float(value)


def _organisation(organisation: Organisation) -> dict[str, Any]:
    """An organisation with its identifier: the Org-ID from its charity or company number where
    it has one, else the portal's own identifier for it; either way the same one its OCDS party
    carries, so the two data sets join up."""
    entry: dict[str, Any] = {"id": ocds.party_id(organisation), "name": organisation.name}
    if organisation.charity_number:
        entry["charityNumber"] = organisation.charity_number
    if organisation.company_number:
        entry["companyNumber"] = organisation.company_number
    return entry


def _location(area: Area) -> dict[str, Any]:
    location: dict[str, Any] = {"name": area.name, "countryCode": "GB", "geoCode": area.ons_code}
    if code_type := geo_code_type(area.ons_code):
        location["geoCodeType"] = code_type
    return location


def _programme(agreement: Agreement) -> dict[str, Any]:
    opportunity = agreement.opportunity
    programme: dict[str, Any] = {"code": opportunity.reference, "title": opportunity.title}
    try:
        path = reverse("commissioning:opportunity", args=[opportunity.pk])
    except NoReverseMatch:
        return programme
    programme["url"] = ocds.absolute(path)
    return programme


def _award_date(agreement: Agreement) -> str:
    decided = agreement.award.decided_at if agreement.award_id else agreement.created_at
    return timezone.localtime(decided).date().isoformat()


def grant(agreement: Agreement) -> dict[str, Any]:
    """One grant in the 360Giving shape."""
    record: dict[str, Any] = {
        "id": grant_id(agreement),
        "title": agreement.title,
        "description": agreement.description or agreement.title,
        "currency": "GBP",
        "amountAwarded": _amount(agreement.total_value),
        "awardDate": _award_date(agreement),
        "plannedDates": [
            {
                "startDate": agreement.start_on.isoformat(),
                "endDate": agreement.end_on.isoformat(),
                "duration": duration_months(agreement.start_on, agreement.end_on),
            }
        ],
        "recipientOrganization": [_organisation(agreement.provider)],
        "fundingOrganization": [
            _organisation(body)
            for body in {
                body.pk: body for body in [agreement.body, *(f.body for f in agreement.funder_list)]
            }.values()
        ],
        "fromOpenCall": "No" if agreement.procurement_route in NEVER_OPENLY_PROCURED else "Yes",
        "dateModified": timezone.localtime(agreement.updated_at).isoformat(timespec="seconds"),
    }
    if agreement.paid_instalments:
        record["amountDisbursed"] = _amount(
            sum((i.amount for i in agreement.paid_instalments), Decimal(0))
        )
    locations = [_location(area) for area in agreement.areas.all()]
    if locations:
        record["beneficiaryLocation"] = locations
    if agreement.opportunity_id:
        record["grantProgramme"] = [_programme(agreement)]
    return record


def grant_package(
    agreements: list[Agreement], *, uri: str, links: dict[str, str] | None = None
) -> dict[str, Any]:
    """A 360Giving grant package. The package's links page through the grants, as the OCDS
    package's do."""
    latest = max((a.updated_at for a in agreements), default=timezone.now())
    package: dict[str, Any] = {
        "grants": [grant(agreement) for agreement in agreements],
        "version": SCHEMA_VERSION,
        "title": f"Grants made through the {settings.PORTAL_NAME}",
        "description": "Grants made by the network's commissioning bodies to third sector "
        "organisations, live and finished.",
        "identifier": uri,
        "modified": timezone.localtime(latest).isoformat(timespec="seconds"),
        "publisher": {"name": settings.PORTAL_NAME, "website": ocds.absolute("/")},
        "accessURL": uri,
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    }
    if links:
        package["links"] = links
    return package
