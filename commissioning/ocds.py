"""Published opportunities, awards and contracts as Open Contracting Data Standard 1.1 releases.

Each published opportunity gives a "tender" release as first published, a "tenderUpdate" release
for each change (an extension or an amendment), a "tenderCancellation" release if it was
cancelled, and an "award" release once it is awarded. Nothing of a bid is ever read here except,
after the award, which organisations won which lots: no bid content, scores, prices or counts.

Each agreement of kind contract gives a "contract" release under its ocid (its opportunity's, or
its own when entered directly, with an award of its own since every contract names one), and an
"implementation" release once an instalment is paid or it has ended: its payment schedule as
milestones, and each paid instalment as a transaction. Grants are published as 360Giving data
instead (threesixtygiving.py).
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
    Agreement,
    AgreementFunder,
    AgreementKind,
    AgreementStatus,
    AwardDecision,
    Instalment,
    Opportunity,
    OpportunityChange,
    OpportunityDocument,
    OpportunityStatus,
    Procedure,
    ProcurementRoute,
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
CONTRACT_STATUS = {
    AgreementStatus.ACTIVE: "active",
    AgreementStatus.ENDING: "active",
    AgreementStatus.ENDED: "terminated",
    AgreementStatus.TERMINATED: "terminated",
}
# How an agreement entered directly came about, in OCDS's procurement methods.
ROUTE_METHOD = {
    ProcurementRoute.OPEN_COMPETITION: "open",
    ProcurementRoute.GRANT_ROUND: "open",
    ProcurementRoute.DIRECT_AWARD: "direct",
    ProcurementRoute.ROLLING: "direct",
}


def contract_agreements() -> QuerySet[Agreement]:
    """Agreements of kind contract, with what their releases read: the parties, the award's lot,
    the instalments and the co-funders. No bid is read."""
    return (
        Agreement.objects.filter(kind=AgreementKind.CONTRACT)
        .select_related("body", "provider", "award__lot")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.order_by("number", "pk"),
                to_attr="instalment_list",
            ),
            Prefetch(
                "funders",
                queryset=AgreementFunder.objects.select_related("body").order_by(
                    "body__name", "pk"
                ),
                to_attr="funder_list",
            ),
        )
        .order_by("pk")
    )


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
            Prefetch("agreements", queryset=contract_agreements(), to_attr="contract_list"),
        )
        .order_by("pk")
    )


def direct_contract_agreements() -> QuerySet[Agreement]:
    """Contracts entered directly, with no opportunity: each has an ocid of its own."""
    return contract_agreements().filter(opportunity__isnull=True)


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


def party_id(organisation: Organisation) -> str:
    return org_id(organisation) or f"{settings.OCDS_OCID_PREFIX}-org-{organisation.pk}"


def _party(organisation: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": party_id(organisation),
        "name": organisation.name,
        "roles": roles,
    }
    identifier = _split_identifier(org_id(organisation))
    if identifier is not None:
        party["identifier"] = {**identifier, "legalName": organisation.name}
    return party


def _reference(organisation: Organisation) -> dict[str, str]:
    return {"id": party_id(organisation), "name": organisation.name}


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
    for agreement in getattr(opportunity, "contract_list", ()):
        releases += agreement_releases(agreement, ocid=ocid, parties=parties)
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
            suppliers.setdefault(party_id(winner), _party(winner, ["supplier"]))
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


# Contracts


def _day_end(day: date) -> str:
    end = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return end.isoformat(timespec="seconds")


def _as_moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _merge_parties(parties: list[dict], more: list[tuple[Organisation, list[str]]]) -> list[dict]:
    """The parties with more added: an organisation already there gains the new roles."""
    merged = {party["id"]: {**party, "roles": list(party["roles"])} for party in parties}
    for organisation, roles in more:
        party = merged.setdefault(party_id(organisation), _party(organisation, []))
        party["roles"] += [role for role in roles if role not in party["roles"]]
    return list(merged.values())


def _milestones(agreement: Agreement, as_at: date) -> list[dict[str, Any]]:
    """The payment schedule as at a day: an instalment paid by then is met."""
    milestones = []
    for instalment in agreement.instalment_list:
        met = instalment.paid_on is not None and instalment.paid_on <= as_at
        milestone: dict[str, Any] = {
            "id": f"instalment-{instalment.number}",
            "title": f"Instalment {instalment.number}",
            "type": "payment",
            "dueDate": _moment(instalment.due_on),
            "status": "met" if met else "scheduled",
        }
        if met:
            milestone["dateMet"] = _moment(instalment.paid_on)
        milestones.append(milestone)
    return milestones


def _award_id(agreement: Agreement, ocid: str) -> str:
    """The award the contract came from: the lot's award in the opportunity's award release, or
    the award its own release carries when it was entered directly."""
    if agreement.award_id is not None:
        return f"{ocid}-award-lot-{agreement.award.lot.number}"
    return f"{ocid}-award-{agreement.reference}"


def _contract(agreement: Agreement, *, ocid: str, as_at: date, status: str) -> dict[str, Any]:
    contract: dict[str, Any] = {
        "id": agreement.reference,
        "awardID": _award_id(agreement, ocid),
        "title": agreement.title,
        "status": status,
        "period": {
            "startDate": _moment(agreement.start_on),
            "endDate": _day_end(agreement.end_on),
        },
        "value": _money(agreement.total_value),
    }
    if agreement.description:
        contract["description"] = agreement.description
    if milestones := _milestones(agreement, as_at):
        contract["milestones"] = milestones
    return contract


def _direct_award(agreement: Agreement, ocid: str) -> dict[str, Any]:
    return {
        "id": _award_id(agreement, ocid),
        "title": agreement.title,
        "status": "active",
        "date": _moment(agreement.created_at),
        "value": _money(agreement.total_value),
        "suppliers": [_reference(agreement.provider)],
        "contractPeriod": {
            "startDate": _moment(agreement.start_on),
            "endDate": _day_end(agreement.end_on),
        },
    }


def _transaction(agreement: Agreement, instalment: Instalment) -> dict[str, Any]:
    return {
        "id": f"{agreement.reference}-instalment-{instalment.number}",
        "date": _moment(instalment.paid_on),
        "value": _money(instalment.amount),
        "payer": _reference(agreement.body),
        "payee": _reference(agreement.provider),
    }


def agreement_releases(
    agreement: Agreement, *, ocid: str | None = None, parties: list[dict] | None = None
) -> list[dict[str, Any]]:
    """A contract's releases, oldest first: "contract" as made, then "implementation" with the
    payments made and, once it has ended, "contractTermination". An agreement from an award
    joins its opportunity's ocid and parties; one entered directly has its own, and its contract
    release carries the award too, since every OCDS contract names the award it came from."""
    direct = ocid is None
    ocid = ocid or agreement.ocid
    parties = _merge_parties(
        parties or [],
        [
            (agreement.body, ["buyer", "payer"]),
            (agreement.provider, ["supplier", "payee"]),
            *((funder.body, ["funder"]) for funder in agreement.funder_list),
        ],
    )
    base = {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "en",
        "buyer": _reference(agreement.body),
        "parties": parties,
    }
    made = timezone.localtime(agreement.created_at)
    contract_release: dict[str, Any] = {
        **base,
        "id": f"{ocid}-contract-{agreement.reference}",
        "date": _moment(made),
        "tag": ["contract"],
        "contracts": [_contract(agreement, ocid=ocid, as_at=made.date(), status="active")],
    }
    if direct or agreement.award_id is None:
        contract_release["tag"] = ["award", "contract"]
        contract_release["awards"] = [_direct_award(agreement, ocid)]
    if direct:
        contract_release["tender"] = {
            "id": agreement.reference,
            "title": agreement.title,
            "status": "complete",
            "procurementMethod": ROUTE_METHOD.get(agreement.procurement_route, "direct"),
            "procurementMethodDetails": agreement.get_procurement_route_display(),
            "mainProcurementCategory": "services",
        }
    releases = [contract_release]

    paid = [i for i in agreement.instalment_list if i.paid_on is not None]
    if not paid and agreement.is_live:
        return releases
    moments = [made] + [_as_moment(i.paid_on) for i in paid]
    if not agreement.is_live:
        moments.append(agreement.status_changed_at)
    latest = max(moments)
    contract = _contract(
        agreement,
        ocid=ocid,
        as_at=timezone.localtime(latest).date(),
        status=CONTRACT_STATUS[agreement.status],
    )
    if paid:
        contract["implementation"] = {
            "transactions": [_transaction(agreement, instalment) for instalment in paid]
        }
    releases.append(
        {
            **base,
            "id": f"{ocid}-implementation-{agreement.reference}",
            "date": _moment(latest),
            "tag": ["implementation"] + ([] if agreement.is_live else ["contractTermination"]),
            "contracts": [contract],
        }
    )
    return releases


# Packages and pages


def _published_date(items: Iterable[Opportunity | Agreement]) -> str:
    latest = None
    for item in items:
        for record in (item, *getattr(item, "contract_list", ())):
            if latest is None or record.updated_at > latest:
                latest = record.updated_at
    return _moment(latest or timezone.now())


def _releases(item: Opportunity | Agreement) -> list[dict[str, Any]]:
    if isinstance(item, Agreement):
        return agreement_releases(item)
    return releases_for(item)


def release_package(
    items: list[Opportunity | Agreement], *, uri: str, links: dict | None = None
) -> dict[str, Any]:
    """A release package of published opportunities (with their contracts) and of contracts
    entered directly."""
    releases = [release for item in items for release in _releases(item)]
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _published_date(items),
        "publisher": {"name": settings.PORTAL_NAME, "uri": _absolute("/")},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "extensions": [LOTS_EXTENSION, *([PAGINATION_EXTENSION] if links is not None else [])],
        "releases": releases,
    }
    if links:
        package["links"] = links
    return package


def page_of(queryset: QuerySet, page: int, *, size: int) -> tuple[list, bool]:
    """One page of a queryset in its order, and whether another page follows: one query, by
    offset, for the page and one row more."""
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return rows[:size], len(rows) > size


def page_number(raw: str) -> int | None:
    """The ?page= of an open data list: a whole number from 1, or None."""
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def page_links(path: str, page: int, more: bool) -> dict[str, str]:
    """The pagination extension's links: next while another page follows, prev after the
    first."""
    links = {}
    if more:
        links["next"] = _absolute(f"{path}?page={page + 1}")
    if page > 1:
        links["prev"] = _absolute(f"{path}?page={page - 1}")
    return links


def package_page(page: int) -> tuple[list[Opportunity | Agreement], bool]:
    """One page of the package, and whether another page follows: published opportunities by
    id (each with its contracts), then the contracts entered directly by id. Each page costs the
    same few queries however many there are."""
    opportunities = ocds_opportunities()
    published = opportunities.count()
    start = (page - 1) * PAGE_SIZE
    if start + PAGE_SIZE < published:
        return page_of(opportunities, page, size=PAGE_SIZE)
    rows: list[Opportunity | Agreement] = (
        list(opportunities[start:published]) if start < published else []
    )
    offset = max(0, start - published)
    room = PAGE_SIZE - len(rows)
    direct = list(direct_contract_agreements()[offset : offset + room + 1])
    return rows + direct[:room], len(direct) > room


def absolute(path: str) -> str:
    return _absolute(path)
