"""Published opportunities and awards as Open Contracting Data Standard 1.1 releases.

Each published opportunity gives a "tender" release as first published, a "tenderUpdate" release
for each change (an extension or an amendment), a "tenderCancellation" release if it was
cancelled, and an "award" release once it is awarded. Nothing of a bid is ever read here except,
after the award, which organisations won which lots: no bid content, scores, prices or counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Organisation
from providers.selectors import org_id

from .models import (
    AwardDecision,
    Opportunity,
    OpportunityChange,
    OpportunityDocument,
    OpportunityStatus,
    Procedure,
)

OCDS_VERSION = "1.1"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
PAGINATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/"
    "master/extension.json"
)
PAGE_SIZE = 100

TENDER_STATUS = {
    OpportunityStatus.AWARDED: "complete",
    OpportunityStatus.CANCELLED: "cancelled",
}


def ocds_opportunities() -> QuerySet[Opportunity]:
    """Every opportunity that has been published, with what its releases read, in a fixed number
    of queries. Drafts never appear."""
    return (
        Opportunity.objects.exclude(status=OpportunityStatus.DRAFT)
        .exclude(published_at=None)
        .select_related("body")
        .prefetch_related(
            "lots",
            "partners",
            Prefetch(
                "documents",
                queryset=OpportunityDocument.objects.filter(replaced=False).order_by("title", "pk"),
                to_attr="current_documents",
            ),
            Prefetch(
                "changes",
                queryset=OpportunityChange.objects.order_by("made_at", "pk"),
                to_attr="change_list",
            ),
            Prefetch(
                "award_decisions",
                # Only who won which lot: the bid is read for its organisation and nothing else.
                queryset=AwardDecision.objects.select_related("lot", "bid__organisation")
                .only(
                    "pk",
                    "opportunity_id",
                    "decided_at",
                    "lot",
                    "lot__number",
                    "lot__title",
                    "bid",
                    "bid__organisation",
                    "bid__organisation__name",
                    "bid__organisation__charity_number",
                    "bid__organisation__company_number",
                )
                .order_by("lot__number", "pk"),
                to_attr="award_list",
            ),
        )
        .order_by("pk")
    )


def _moment(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=timezone.get_current_timezone())
    return timezone.localtime(value).isoformat(timespec="seconds")


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount.quantize(Decimal("0.01"))), "currency": "GBP"}


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _split_identifier(identifier: str) -> dict[str, str] | None:
    """ "GB-CHC-123456" → scheme "GB-CHC", id "123456"."""
    parts = identifier.split("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return {"scheme": f"{parts[0]}-{parts[1]}", "id": parts[2]}


def _party_id(organisation: Organisation) -> str:
    return org_id(organisation) or f"{settings.OCDS_OCID_PREFIX}-org-{organisation.pk}"


def _party(organisation: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _party_id(organisation),
        "name": organisation.name,
        "roles": roles,
    }
    identifier = _split_identifier(org_id(organisation))
    if identifier is not None:
        party["identifier"] = {**identifier, "legalName": organisation.name}
    return party


def _reference(organisation: Organisation) -> dict[str, str]:
    return {"id": _party_id(organisation), "name": organisation.name}


def _original(opportunity: Opportunity, name: str):
    """A deadline as first published: the oldest value any change moved it from."""
    for change in opportunity.change_list:
        moved = (change.details or {}).get("fields", {}).get(name)
        if moved:
            old = moved.get("old")
            return datetime.fromisoformat(old) if old else None
    return getattr(opportunity, name)


def _document_url(document: OpportunityDocument) -> str | None:
    try:
        return _absolute(reverse("commissioning:opportunity_document", args=[document.pk]))
    except NoReverseMatch:
        return None


def _tender(opportunity: Opportunity, *, deadlines: dict, status: str) -> dict[str, Any]:
    lots = list(opportunity.lots.all())
    years = Decimal(opportunity.term_months) / Decimal(12)
    tender: dict[str, Any] = {
        "id": opportunity.reference,
        "title": opportunity.title,
        "description": opportunity.summary,
        "status": status,
        "procuringEntity": _reference(opportunity.body),
        "procurementMethod": "selective"
        if opportunity.procedure == Procedure.TWO_STAGE
        else "open",
        "procurementMethodDetails": opportunity.get_procedure_display(),
        "mainProcurementCategory": "services",
        "tenderPeriod": {
            "startDate": _moment(opportunity.published_at),
            "endDate": _moment(deadlines["bid_deadline"]),
        },
        "enquiryPeriod": {
            "startDate": _moment(opportunity.published_at),
            "endDate": _moment(deadlines["clarifications_close_at"]),
        },
        "contractPeriod": {
            "startDate": _moment(opportunity.contract_start_on),
            "durationInDays": round(opportunity.term_months * 365.25 / 12),
        },
    }
    if lots:
        tender["value"] = _money(sum((lot.annual_budget for lot in lots), Decimal(0)) * years)
        tender["lots"] = [
            {
                "id": str(lot.number),
                "title": lot.title,
                **({"description": lot.description} if lot.description else {}),
                "value": _money(lot.annual_budget * years),
                "status": status,
            }
            for lot in lots
        ]
    documents = []
    for document in opportunity.current_documents:
        entry: dict[str, Any] = {
            "id": f"{document.pk}-v{document.version}",
            "title": document.title,
            "format": document.content_type,
            "datePublished": _moment(document.uploaded_at),
        }
        if url := _document_url(document):
            entry["url"] = url
        documents.append(entry)
    if documents:
        tender["documents"] = documents
    return tender


def _amendment(change: OpportunityChange) -> dict[str, Any]:
    details = change.details or {}
    lines = [
        f"{values.get('label', name)}: {values.get('old_text', '')} → {values.get('new_text', '')}"
        for name, values in details.get("fields", {}).items()
    ] + [
        f"{document.get('title')}, version {document.get('version')}"
        for document in details.get("documents", [])
    ]
    return {
        "id": f"change-{change.pk}",
        "date": _moment(change.made_at),
        "rationale": change.reason,
        "description": f"{change.get_kind_display()}. " + "; ".join(lines),
    }


def _status(opportunity: Opportunity) -> str:
    return TENDER_STATUS.get(opportunity.status, "active")


def releases_for(opportunity: Opportunity) -> list[dict[str, Any]]:
    """Every release of one published opportunity, oldest first."""
    ocid = opportunity.ocid
    buyer = opportunity.body
    parties = [_party(buyer, ["buyer", "procuringEntity"])]
    parties += [_party(partner, ["procuringEntity"]) for partner in opportunity.partners.all()]
    base = {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "en",
        "buyer": _reference(buyer),
    }
    original = {
        name: _original(opportunity, name) for name in ("bid_deadline", "clarifications_close_at")
    }
    releases = [
        {
            **base,
            "id": f"{ocid}-tender",
            "date": _moment(opportunity.published_at),
            "tag": ["tender"],
            "parties": parties,
            "tender": _tender(opportunity, deadlines=original, status="active"),
        }
    ]
    current = {
        name: getattr(opportunity, name) for name in ("bid_deadline", "clarifications_close_at")
    }
    amendments = []
    for change in opportunity.change_list:
        amendments.append(_amendment(change))
        tender = _tender(opportunity, deadlines=current, status="active")
        tender["amendments"] = list(amendments)
        releases.append(
            {
                **base,
                "id": f"{ocid}-change-{change.pk}",
                "date": _moment(change.made_at),
                "tag": ["tenderUpdate"],
                "parties": parties,
                "tender": tender,
            }
        )
    if opportunity.status == OpportunityStatus.CANCELLED:
        tender = _tender(opportunity, deadlines=current, status="cancelled")
        if opportunity.cancelled_reason:
            tender["statusDetails"] = opportunity.cancelled_reason
        releases.append(
            {
                **base,
                "id": f"{ocid}-cancelled",
                "date": _moment(opportunity.updated_at),
                "tag": ["tenderCancellation"],
                "parties": parties,
                "tender": tender,
            }
        )
    if opportunity.status == OpportunityStatus.AWARDED and opportunity.award_list:
        releases.append(_award_release(opportunity, base, parties, current))
    return releases


def _award_release(opportunity: Opportunity, base: dict, parties: list, deadlines: dict) -> dict:
    today = timezone.localdate()
    in_standstill = opportunity.standstill_ends_on is not None and today < (
        opportunity.standstill_ends_on
    )
    by_lot: dict[int, list[AwardDecision]] = {}
    for decision in opportunity.award_list:
        by_lot.setdefault(decision.lot.number, []).append(decision)
    suppliers: dict[str, dict] = {}
    awards = []
    for number, decisions in by_lot.items():
        winners = [decision.bid.organisation for decision in decisions]
        for winner in winners:
            suppliers.setdefault(_party_id(winner), _party(winner, ["supplier"]))
        awards.append(
            {
                "id": f"{opportunity.ocid}-award-lot-{number}",
                "title": decisions[0].lot.title,
                "status": "pending" if in_standstill else "active",
                "date": _moment(max(decision.decided_at for decision in decisions)),
                "suppliers": [_reference(winner) for winner in winners],
                "relatedLots": [str(number)],
            }
        )
    decided = max(decision.decided_at for decision in opportunity.award_list)
    return {
        **base,
        "id": f"{opportunity.ocid}-award",
        "date": _moment(opportunity.awarded_at or decided),
        "tag": ["award"],
        "parties": parties + list(suppliers.values()),
        "tender": _tender(opportunity, deadlines=deadlines, status=_status(opportunity)),
        "awards": awards,
    }


def _published_date(opportunities: Iterable[Opportunity]) -> str:
    latest = None
    for opportunity in opportunities:
        if latest is None or opportunity.updated_at > latest:
            latest = opportunity.updated_at
    return _moment(latest or timezone.now())


def release_package(
    opportunities: list[Opportunity], *, uri: str, links: dict | None = None
) -> dict[str, Any]:
    releases = [release for opportunity in opportunities for release in releases_for(opportunity)]
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _published_date(opportunities),
        "publisher": {"name": settings.PORTAL_NAME, "uri": _absolute("/")},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "extensions": [LOTS_EXTENSION, *([PAGINATION_EXTENSION] if links is not None else [])],
        "releases": releases,
    }
    if links:
        package["links"] = links
    return package


def package_page(page: int) -> tuple[list[Opportunity], bool]:
    """One page of published opportunities by id, and whether another page follows. Keyed by
    offset on the primary key order, so each page costs the same however many there are."""
    start = (page - 1) * PAGE_SIZE
    rows = list(ocds_opportunities()[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def absolute(path: str) -> str:
    return _absolute(path)
