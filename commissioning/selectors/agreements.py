"""Reads for an agreement: what its page shows (parties, co-funders and the lead's share, values
by financial year, the payment schedule with what is paid and late, risks, measures, notices and
what may be done next), and its history of versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, VerificationStatus

from .. import access
from ..models import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementFunder,
    AgreementMember,
    AgreementStatus,
    AgreementVersion,
    Instalment,
    MultiYearFunding,
    Notice,
    OutcomeMeasure,
)
from ..services import agreements as services

# Finding an organisation by what people know of it

_LABEL = re.compile(r"\(([^()]*)\)\s*$")
_NUMBERS = re.compile(r"\b(charity|company)\s+([A-Za-z0-9]+)", re.IGNORECASE)


def organisation_label(organisation: Organisation) -> str:
    """“Riverside Advice (charity 1123456)”: what the lookup below finds again."""
    numbers = [
        f"charity {organisation.charity_number}" if organisation.charity_number else "",
        f"company {organisation.company_number}" if organisation.company_number else "",
    ]
    numbers = [n for n in numbers if n]
    return f"{organisation.name} ({', '.join(numbers)})" if numbers else organisation.name


def third_sector_organisation_find(text: str) -> tuple[Organisation | None, str]:
    """The verified third sector organisation named by a charity or company number, by its
    exact name, or by a label such as organisation_label gives; or None and why not. One
    indexed query, whatever the size of the directory."""
    text = " ".join((text or "").split())
    if not text:
        return None, "Enter its charity or company number, or its name."
    verified = Organisation.objects.filter(
        kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.VERIFIED
    )
    label = _LABEL.search(text)
    labelled = _NUMBERS.findall(label.group(1)) if label else []
    if labelled:
        query = Q()
        for kind, number in labelled:
            field = "charity_number" if kind.lower() == "charity" else "company_number"
            query |= Q(**{f"{field}__iexact": number})
    else:
        query = (
            Q(charity_number__iexact=text) | Q(company_number__iexact=text) | Q(name__iexact=text)
        )
    found = list(verified.filter(query).distinct()[:2])
    if not found:
        return None, (
            f"No verified third sector organisation has the number or name “{text}”. Check it "
            "in the provider directory; an organisation must be registered and verified first."
        )
    if len(found) > 1:
        return None, (
            f"More than one organisation matches “{text}”. Enter its charity or company number."
        )
    return found[0], ""


# The agreement's page


@dataclass
class InstalmentRow:
    instalment: Instalment
    late: bool
    state: str


@dataclass
class FunderRow:
    name: str
    contribution: Decimal
    percent: Decimal | None
    is_lead: bool = False


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def instalment_rows(instalments: list[Instalment], today: date) -> list[InstalmentRow]:
    rows = []
    for instalment in instalments:
        late = instalment.is_late(today)
        if instalment.paid_on is not None:
            state = (
                f"Paid late, on {services.day(instalment.paid_on)}"
                if late
                else f"Paid on {services.day(instalment.paid_on)}"
            )
        else:
            state = "Overdue: not paid" if late else "Not yet due"
        rows.append(InstalmentRow(instalment=instalment, late=late, state=state))
    return rows


def funder_rows(agreement: Agreement, funders: list[AgreementFunder]) -> list[FunderRow]:
    """The lead body first, with what the co-funders leave it to pay, then each co-funder."""
    total = agreement.total_value
    contributed = sum((f.contribution for f in funders), Decimal(0))
    lead = total - contributed
    return [
        FunderRow(agreement.body.name, lead, _percent(lead, total), is_lead=True),
        *(FunderRow(f.body.name, f.contribution, _percent(f.contribution, total)) for f in funders),
    ]


def agreement_for_page(pk: int) -> Agreement:
    """The agreement with everything its page shows, in a fixed number of queries."""
    return (
        Agreement.objects.select_related(
            "body", "provider", "consortium", "opportunity", "lot", "end_feedback_by"
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=AgreementMember.objects.select_related("organisation").order_by(
                    "role", "organisation__name"
                ),
            ),
            Prefetch("funders", queryset=AgreementFunder.objects.select_related("body")),
            "years",
            "instalments",
            "risks",
            Prefetch("measures", queryset=OutcomeMeasure.objects.select_related("outcome")),
            Prefetch("notices", queryset=Notice.objects.select_related("recorded_by")),
            "categories",
            "areas",
            "outcomes",
        )
        .get(pk=pk)
    )


def status_actions(agreement: Agreement) -> list[tuple[str, str]]:
    allowed = AGREEMENT_TRANSITIONS[agreement.status]
    return [(to, label) for to, label in services.STATUS_ACTIONS.items() if to in allowed]


def compact_flags(agreement: Agreement, measures: list[OutcomeMeasure]) -> list[str]:
    """What the Compact expects of every agreement that this one does not show yet (DESIGN §4).
    Shown, never blocking."""
    flags = []
    if not measures:
        flags.append(
            "No outcome measures yet: the Compact expects the measures, and the evidence "
            "required for each, to be defined when the agreement is made."
        )
    if agreement.full_cost_recovery is None:
        flags.append("Full cost recovery has not been considered yet.")
    elif agreement.full_cost_recovery is False:
        flags.append("The price does not recover the provider's full cost.")
    if agreement.multi_year_funding == MultiYearFunding.NOT_PASSED_ON:
        flags.append("The body's multi-year funding is not passed on as a multi-year agreement.")
    return flags


def agreement_page(agreement: Agreement, user, *, today: date | None = None) -> dict:
    """What the agreement's page shows; the caller fetched it through access.py."""
    today = today or timezone.localdate()
    full = agreement_for_page(agreement.pk)
    funders = list(full.funders.all())
    instalments = list(full.instalments.all())
    measures = list(full.measures.all())
    members = list(full.members.all())
    notices = list(full.notices.all())
    rows = instalment_rows(instalments, today)
    scheduled = sum((i.amount for i in instalments), Decimal(0))
    paid = sum((i.amount for i in instalments if i.paid_on), Decimal(0))
    can_manage = access.manages_agreement(user, full)
    return {
        "agreement": full,
        "can_manage": can_manage,
        "is_provider": access.is_agreement_provider(user, full),
        "members": [m for m in members if m.role == "member"],
        "subcontractors": [m for m in members if m.role == "subcontractor"],
        "funders": funder_rows(full, funders),
        "cofunded": bool(funders),
        "years": list(full.years.all()),
        "instalments": rows,
        "late_count": sum(1 for row in rows if row.late),
        "scheduled": scheduled,
        "paid": paid,
        "schedule_mismatch": bool(instalments) and scheduled != full.total_value,
        "risks": list(full.risks.all()),
        "measures": [m for m in measures if m.retired_on is None],
        "retired_measures": [m for m in measures if m.retired_on is not None],
        "notices": [
            {
                "notice": n,
                "shortfall": services.notice_shortfall(n.kind, n.given_on, n.takes_effect_on),
            }
            for n in notices
        ],
        "categories": list(full.categories.all()),
        "areas": list(full.areas.all()),
        "outcomes": list(full.outcomes.all()),
        "variations": full.version - 1,
        "status_actions": status_actions(full) if can_manage else [],
        "can_write_end_feedback": can_manage and full.status in services.END_STATUSES,
        "compact_flags": compact_flags(full, measures),
    }


def payments_page(agreement: Agreement, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    instalments = list(agreement.instalments.select_related("paid_recorded_by"))
    rows = instalment_rows(instalments, today)
    return {
        "rows": rows,
        "paid": [row for row in rows if row.instalment.paid_on],
        "unpaid": [row for row in rows if not row.instalment.paid_on],
        "paid_total": sum((i.amount for i in instalments if i.paid_on), Decimal(0)),
        "scheduled": sum((i.amount for i in instalments), Decimal(0)),
        "late_count": sum(1 for row in rows if row.late),
        "today": today,
    }


# History


def versions_of(agreement: Agreement) -> QuerySet[AgreementVersion]:
    """Every version, newest first, with the variation that made it (none for the first)."""
    return AgreementVersion.objects.filter(agreement=agreement).select_related(
        "made_by", "variation__recorded_by"
    )


def history_rows(agreement: Agreement) -> list[dict]:
    rows = []
    for version in versions_of(agreement):
        snapshot = version.snapshot or {}
        try:
            variation = version.variation
        except AgreementVersion.variation.RelatedObjectDoesNotExist:
            variation = None
        rows.append(
            {
                "version": version,
                "variation": variation,
                "start_on": _iso_day(snapshot.get("start_on")),
                "end_on": _iso_day(snapshot.get("end_on")),
                "total_value": _decimal(snapshot.get("total_value")),
                "years": [(label, _decimal(v)) for label, v in snapshot.get("years", {}).items()],
                "measures": [m for m in snapshot.get("measures", []) if not m.get("retired_on")],
            }
        )
    return rows


def _iso_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value) if value is not None else None
    except (TypeError, ArithmeticError):
        return None


__all__ = [
    "AgreementStatus",
    "agreement_for_page",
    "agreement_page",
    "funder_rows",
    "history_rows",
    "instalment_rows",
    "organisation_label",
    "payments_page",
    "third_sector_organisation_find",
    "versions_of",
]
