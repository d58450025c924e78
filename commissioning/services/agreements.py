"""Writes for agreements: making one from an award or entering one directly, changing its terms,
its outcome measures and payment schedule, variations with their versions, notices, the one
guarded status change (agreement_move) and the commissioner's feedback at the end.

Every write locks the agreement (or, for a new one, its lead body), checks the person manages it,
saves, writes an audit event and keeps the returns schedule in step (returns_schedule_sync)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import Organisation, OrganisationKind, User, VerificationStatus
from accounts.periods import financial_year, financial_years_between
from accounts.services import audit_event_record
from accounts.workflow import TransitionNotAllowed, check_transition, delay_on_commit
from providers.models import Consortium, ConsortiumMember

from .. import access
from ..models import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementFunder,
    AgreementKind,
    AgreementMember,
    AgreementMemberRole,
    AgreementStatus,
    AgreementVersion,
    AgreementYear,
    AwardDecision,
    BudgetLineKind,
    Instalment,
    MultiYearFunding,
    Notice,
    NoticeKind,
    OpportunityKind,
    OpportunityStatus,
    OutcomeMeasure,
    Procedure,
    ProcurementRoute,
    ReturnStatus,
    Risk,
    Variation,
)
from .monitoring_schedule import returns_schedule_sync
from .sourcing_opportunities import body_initials

PENNY = Decimal("0.01")

# The terms entered on the agreement's form. Dates and values change, once it is made, only by
# a variation; the lead body, the provider and its consortium never change.
AGREEMENT_FIELDS = (
    "kind",
    "title",
    "description",
    "procurement_route",
    "start_on",
    "end_on",
    "renewal_options",
    "multi_year_funding",
    "multi_year_reason",
    "payment_timing",
    "full_cost_recovery",
    "full_cost_recovery_note",
    "clawback_conditions",
    "reporting_frequency",
)
EDITABLE_FIELDS = tuple(name for name in AGREEMENT_FIELDS if name not in ("start_on", "end_on"))
AGREEMENT_M2M = ("categories", "areas", "outcomes")

# The statuses in which the commissioner writes feedback to the provider and sets what goes on
# being tracked (seeds/000 11.2.3(g)(h)).
END_STATUSES = (AgreementStatus.ENDING, AgreementStatus.ENDED, AgreementStatus.TERMINATED)
# An active agreement this close to its end date is ending.
ENDING_WITHIN = relativedelta(months=3)
# The Compact's default minimum notice (DESIGN §4); shown as a warning, never a block.
COMPACT_NOTICE_MONTHS = {
    NoticeKind.REDUCTION: 3,
    NoticeKind.END: 3,
    NoticeKind.CHANGE_OF_TERMS: 12,
}
# A second identical save by the same person this soon after the first is the same submission.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


# Words and figures


def money(amount: Decimal | None) -> str:
    return "none" if amount is None else f"£{amount:,.2f}"


def day(value: date | None) -> str:
    return "none" if value is None else date_format(value, "j F Y")


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _label(name: str) -> str:
    return str(Agreement._meta.get_field(name).verbose_name)


def agreement_years_for(start_on: date, end_on: date) -> list[int]:
    """The start years of the financial years a term from start_on to end_on touches."""
    if start_on is None or end_on is None or end_on < start_on:
        return []
    return [fy.start_year for fy in financial_years_between(start_on, end_on)]


def agreement_reference_next(body: Organisation, *, year: int | None = None) -> str:
    """The next free reference for the body this year, such as "AG-ASC-2027-0003", from the same
    initials as its opportunities. Call it with the body locked."""
    year = year or timezone.localdate().year
    prefix = f"AG-{body_initials(body)}-{year}-"
    used = Agreement.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def annual_price_spread(
    price: Decimal, start_on: date, end_on: date, term_months: int
) -> dict[int, Decimal]:
    """A price a year spread over the financial years of a term, pro rata by month: each month
    of the term is a twelfth of the price, counted in the financial year in which it starts. So
    a whole financial year gets the whole price, and a term starting in July gets nine twelfths
    in its first year and three in its last. The last year takes the pennies of rounding, so
    that the years add up to exactly the price a year times the term in years."""
    amounts = {fy.start_year: Decimal(0) for fy in financial_years_between(start_on, end_on)}
    if not amounts:
        return {}
    months: dict[int, int] = {}
    for month in range(term_months):
        start_year = financial_year(start_on + relativedelta(months=month)).start_year
        months[start_year] = months.get(start_year, 0) + 1
    for start_year, count in months.items():
        if start_year in amounts:
            amounts[start_year] = (price * count / 12).quantize(PENNY, rounding=ROUND_HALF_UP)
    total = (price * term_months / 12).quantize(PENNY, rounding=ROUND_HALF_UP)
    last = (
        max(start_year for start_year in amounts if months.get(start_year))
        if months
        else max(amounts)
    )
    amounts[last] = max(Decimal(0), amounts[last] + total - sum(amounts.values()))
    return amounts


# Locks and permissions


def _check_manages(actor: User | None, agreement: Agreement) -> None:
    """The system (actor None, a scheduled task) may move an agreement; people must be members
    of its lead body."""
    if actor is not None and not access.manages_agreement(actor, agreement):
        raise PermissionDenied(f"Only members of {agreement.body} can change this agreement.")


def _lock(actor: User | None, agreement: Agreement) -> Agreement:
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("body", "provider")
        .get(pk=agreement.pk)
    )
    _check_manages(actor, locked)
    return locked


def _refuse_unless_live(agreement: Agreement, what: str) -> None:
    if not agreement.is_live:
        raise ValidationError(
            f"This agreement is {agreement.get_status_display().lower()}, so {what}."
        )


# Checking the terms


def _is_verified_third_sector(organisation: Organisation) -> bool:
    return (
        organisation.kind == OrganisationKind.THIRD_SECTOR
        and organisation.verification_status == VerificationStatus.VERIFIED
    )


def _years_problems(start_on: date, end_on: date, years: dict[int, Decimal]) -> dict[str, str]:
    problems: dict[str, str] = {}
    wanted = agreement_years_for(start_on, end_on)
    for start_year in wanted:
        amount = years.get(start_year)
        if amount is None:
            problems[f"year_{start_year}"] = (
                f"Enter the value for {year_label(start_year)}: the dates run into that "
                "financial year. Enter 0 if nothing is paid in it."
            )
        elif amount < 0:
            problems[f"year_{start_year}"] = "A value cannot be negative. Enter 0 or more."
    extra = sorted(set(years) - set(wanted))
    if extra:
        problems["__all__"] = (
            "These financial years are outside the agreement's dates, so they can have no value: "
            + ", ".join(year_label(y) for y in extra)
            + "."
        )
    return problems


def _dates_problems(start_on: date | None, end_on: date | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if start_on is None:
        problems["start_on"] = "Enter the start date."
    if end_on is None:
        problems["end_on"] = "Enter the end date."
    if start_on and end_on and end_on < start_on:
        problems["end_on"] = (
            f"The end date, {day(end_on)}, is before the start date, {day(start_on)}. "
            "Enter an end date on or after the start."
        )
    return problems


def _parties_problems(
    *,
    body: Organisation,
    provider: Organisation,
    members: list[dict],
    funders: list[dict],
    total: Decimal,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    seen = {provider.pk}
    for number, row in enumerate(members, start=1):
        organisation = row["organisation"]
        if organisation.pk == provider.pk:
            problems.setdefault("members", []).append(
                f"Member {number}: {organisation} is the lead provider, so it is not also a member."
            )
        elif organisation.pk in seen:
            problems.setdefault("members", []).append(
                f"Member {number}: {organisation} is listed twice."
            )
        elif not _is_verified_third_sector(organisation):
            problems.setdefault("members", []).append(
                f"Member {number}: {organisation} is not a verified third sector organisation."
            )
        share = row.get("share")
        if share is not None and not 0 <= share <= 100:
            problems.setdefault("members", []).append(
                f"Member {number}: a share is a percentage from 0 to 100."
            )
        seen.add(organisation.pk)
    bodies = set()
    for number, row in enumerate(funders, start=1):
        funder = row["body"]
        if funder.pk == body.pk:
            problems.setdefault("funders", []).append(
                f"Co-funder {number}: {funder} leads the agreement; the lead body pays whatever "
                "the co-funders do not."
            )
        elif funder.kind != OrganisationKind.COMMISSIONING_BODY:
            problems.setdefault("funders", []).append(
                f"Co-funder {number}: {funder} is not a commissioning body."
            )
        elif funder.pk in bodies:
            problems.setdefault("funders", []).append(
                f"Co-funder {number}: {funder} is listed twice."
            )
        if row["contribution"] < 0:
            problems.setdefault("funders", []).append(
                f"Co-funder {number}: a contribution cannot be negative."
            )
        bodies.add(funder.pk)
    contributed = sum((row["contribution"] for row in funders), Decimal(0))
    if contributed > total:
        problems.setdefault("funders", []).append(
            f"The co-funders' contributions add up to {money(contributed)}, more than the "
            f"agreement's total value of {money(total)}. Reduce them to {money(total)} or less."
        )
    return problems


def _terms_problems(data: dict, m2m: dict) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        problems["title"] = "Enter a title."
    if (
        data.get("multi_year_funding") == MultiYearFunding.NOT_PASSED_ON
        and not (data.get("multi_year_reason") or "").strip()
    ):
        problems["multi_year_reason"] = (
            "Say why the body's multi-year funding is not passed on as a multi-year agreement: "
            "the Compact expects it to be."
        )
    if "categories" in m2m and not list(m2m["categories"]):
        problems["categories"] = "Choose at least one category."
    if "areas" in m2m and not list(m2m["areas"]):
        problems["areas"] = "Choose at least one area."
    return problems


def _raise(problems: dict) -> None:
    if problems:
        raise ValidationError(problems)


# Writing the parts


def _years_set(agreement: Agreement, years: dict[int, Decimal]) -> Decimal:
    """Replace the values per financial year; return the total, which the agreement keeps."""
    agreement.years.exclude(start_year__in=list(years)).delete()
    existing = {y.start_year: y for y in agreement.years.all()}
    for start_year, amount in sorted(years.items()):
        row = existing.get(start_year)
        if row is None:
            AgreementYear.objects.create(agreement=agreement, start_year=start_year, amount=amount)
        elif row.amount != amount:
            row.amount = amount
            row.save(update_fields=["amount"])
    return sum(years.values(), Decimal(0)).quantize(PENNY)


def _members_set(agreement: Agreement, members: list[dict]) -> None:
    agreement.members.exclude(organisation__in=[row["organisation"] for row in members]).delete()
    for row in members:
        AgreementMember.objects.update_or_create(
            agreement=agreement,
            organisation=row["organisation"],
            defaults={"role": row["role"], "share": row.get("share")},
        )


def _funders_set(agreement: Agreement, funders: list[dict]) -> None:
    agreement.funders.exclude(body__in=[row["body"] for row in funders]).delete()
    for row in funders:
        AgreementFunder.objects.update_or_create(
            agreement=agreement, body=row["body"], defaults={"contribution": row["contribution"]}
        )


def _risks_set(agreement: Agreement, risks: list[dict]) -> None:
    agreement.risks.all().delete()
    Risk.objects.bulk_create(
        Risk(
            agreement=agreement,
            kind=row["kind"],
            allocation=row["allocation"],
            note=(row.get("note") or "").strip(),
            position=position,
        )
        for position, row in enumerate(risks)
    )


def _m2m_set(agreement: Agreement, m2m: dict) -> list[str]:
    changed = []
    for name in AGREEMENT_M2M:
        if name not in m2m:
            continue
        before = set(getattr(agreement, name).values_list("pk", flat=True))
        after = {item.pk for item in m2m[name]}
        if before != after:
            getattr(agreement, name).set(list(m2m[name]))
            changed.append(name)
    return changed


def agreement_snapshot(agreement: Agreement) -> dict:
    """The terms as they stand: what each version keeps."""
    return {
        "title": agreement.title,
        "start_on": agreement.start_on.isoformat(),
        "end_on": agreement.end_on.isoformat(),
        "total_value": str(agreement.total_value),
        "years": {year_label(y.start_year): str(y.amount) for y in agreement.years.all()},
        "measures": [
            {
                "id": m.pk,
                "name": m.name,
                "unit": m.unit,
                "target": str(m.target),
                "payment_linked": m.payment_linked,
                "retired_on": m.retired_on.isoformat() if m.retired_on else None,
            }
            for m in agreement.measures.all()
        ],
        "instalments": [
            {
                "number": i.number,
                "due_on": i.due_on.isoformat(),
                "amount": str(i.amount),
                "paid_on": i.paid_on.isoformat() if i.paid_on else None,
            }
            for i in agreement.instalments.all()
        ],
        "funders": [
            {"body": f.body.name, "contribution": str(f.contribution)}
            for f in agreement.funders.select_related("body")
        ],
        "reporting_frequency": agreement.reporting_frequency,
        "payment_timing": agreement.payment_timing,
    }


def _version_record(agreement: Agreement, actor: User, now: datetime) -> AgreementVersion:
    return AgreementVersion.objects.create(
        agreement=agreement,
        number=agreement.version,
        snapshot=agreement_snapshot(agreement),
        made_by=actor,
        made_at=now,
    )


# Making an agreement


def _recent_duplicate(
    *, actor: User, body: Organisation, provider: Organisation, data: dict, now: datetime
) -> Agreement | None:
    return (
        Agreement.objects.filter(
            body=body,
            provider=provider,
            created_by=actor,
            title=data["title"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            award__isnull=True,
            created_at__gte=now - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by("-pk")
        .first()
    )


def _consortium_members(consortium: Consortium, provider: Organisation) -> list[dict]:
    return [
        {
            "organisation": member.organisation,
            "role": AgreementMemberRole.MEMBER,
            "share": member.indicative_share,
        }
        for member in ConsortiumMember.objects.filter(consortium=consortium)
        .exclude(organisation=provider)
        .select_related("organisation")
    ]


def _create(
    *,
    actor: User,
    body: Organisation,
    provider: Organisation,
    consortium: Consortium | None,
    data: dict,
    m2m: dict,
    years: dict[int, Decimal],
    members: list[dict],
    funders: list[dict],
    risks: list[dict],
    now: datetime,
    award: AwardDecision | None = None,
    full_cost_recovery_from_bid: bool = False,
    note: str = "",
) -> Agreement:
    agreement = Agreement.objects.create(
        reference=agreement_reference_next(body),
        body=body,
        provider=provider,
        consortium=consortium,
        award=award,
        opportunity=award.opportunity if award else None,
        lot=award.lot if award else None,
        created_by=actor,
        created_at=now,
        status_changed_at=now,
        full_cost_recovery_from_bid=full_cost_recovery_from_bid,
        **{name: data[name] for name in AGREEMENT_FIELDS if name in data},
    )
    agreement.total_value = _years_set(agreement, years)
    agreement.save(update_fields=["total_value"])
    _m2m_set(agreement, m2m)
    _members_set(agreement, members)
    _funders_set(agreement, funders)
    _risks_set(agreement, risks)
    _version_record(agreement, actor, now)
    audit_event_record(
        actor=actor,
        action="agreement.created",
        obj=agreement,
        organisation=body,
        to_state=agreement.status,
        note=note or f"Entered directly: {agreement.get_kind_display()} with {provider}.",
    )
    returns_schedule_sync(agreement)
    return agreement


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    body: Organisation,
    provider: Organisation,
    data: dict,
    m2m: dict,
    years: dict[int, Decimal],
    consortium: Consortium | None = None,
    members: Iterable[dict] = (),
    funders: Iterable[dict] = (),
    risks: Iterable[dict] = (),
    now: datetime | None = None,
) -> Agreement:
    """Enter an existing arrangement directly. A consortium's members join the agreement as
    members unless listed already. The same person saving the same agreement twice at once
    gets the one already made."""
    now = now or timezone.now()
    access.check_acts_for(actor, body)
    members, funders, risks = list(members), list(funders), list(risks)
    data = {name: data.get(name) for name in AGREEMENT_FIELDS if name in data}
    problems: dict = {}
    if body.kind != OrganisationKind.COMMISSIONING_BODY:
        problems["body"] = "Choose one of your commissioning bodies."
    if not _is_verified_third_sector(provider):
        problems["provider"] = f"{provider} is not a verified third sector organisation."
    if data.get("kind") not in AgreementKind.values:
        problems["kind"] = "Choose the kind of agreement."
    if data.get("procurement_route") not in ProcurementRoute.values:
        problems["procurement_route"] = "Choose how it was awarded."
    if consortium is not None and consortium.lead_id != provider.pk:
        problems["consortium"] = f"{provider} does not lead the consortium {consortium}."
    problems.update(_dates_problems(data.get("start_on"), data.get("end_on")))
    if "end_on" not in problems and "start_on" not in problems:
        problems.update(_years_problems(data["start_on"], data["end_on"], years))
    problems.update(_terms_problems(data, m2m))
    total = sum((v for v in years.values() if v is not None), Decimal(0))
    problems.update(
        _parties_problems(
            body=body, provider=provider, members=members, funders=funders, total=total
        )
    )
    _raise(problems)
    Organisation.objects.select_for_update().filter(pk=body.pk).first()
    existing = _recent_duplicate(actor=actor, body=body, provider=provider, data=data, now=now)
    if existing is not None:
        return existing
    if consortium is not None:
        listed = {row["organisation"].pk for row in members}
        members += [
            row
            for row in _consortium_members(consortium, provider)
            if row["organisation"].pk not in listed
        ]
    return _create(
        actor=actor,
        body=body,
        provider=provider,
        consortium=consortium,
        data=data,
        m2m=m2m,
        years=years,
        members=members,
        funders=funders,
        risks=risks,
        now=now,
    )


# From an award


def award_refusal(award: AwardDecision) -> str | None:
    """Why no agreement can be made from this award, or None."""
    existing = Agreement.objects.filter(award=award).only("reference").first()
    if existing is not None:
        return (
            f"An agreement was already made from this award: {existing.reference}. There is one "
            "agreement for each award."
        )
    if award.opportunity.status != OpportunityStatus.AWARDED:
        return "The opportunity is not awarded yet, so no agreement can be made from it."
    if award.bid.price is None:
        return (
            "The successful bid gives no price a year, so the agreement's value cannot be worked "
            "out from it. Enter the agreement directly instead."
        )
    return None


def award_terms(award: AwardDecision) -> dict:
    """What an agreement made from this award carries over from the opportunity and the
    successful bid."""
    opportunity, bid, lot = award.opportunity, award.bid, award.lot
    start_on = opportunity.contract_start_on
    end_on = start_on + relativedelta(months=opportunity.term_months) - timedelta(days=1)
    years = (
        annual_price_spread(bid.price, start_on, end_on, opportunity.term_months)
        if bid.price is not None
        else {}
    )
    lines = list(bid.budget_lines.all())
    full_cost = sum((line.amount for line in lines), Decimal(0))
    overheads = sum(
        (line.amount for line in lines if line.kind == BudgetLineKind.OVERHEAD), Decimal(0)
    )
    if lines and bid.price is not None:
        recovers = overheads > 0 and bid.price >= full_cost
        fcr_note = (
            f"From the bid's budget: full cost {money(full_cost)} a year, of which overheads "
            f"{money(overheads)}; price {money(bid.price)} a year. "
            + (
                "The price covers the full cost, overheads included."
                if recovers
                else "The price does not cover the full cost with a share of overheads."
            )
        )
    else:
        recovers, fcr_note = None, "The bid had no full cost recovery budget."
    grant = opportunity.kind == OpportunityKind.GRANT or opportunity.procedure == (
        Procedure.GRANT_ROUND
    )
    multi_year = (
        MultiYearFunding.PASSED_ON
        if opportunity.term_months >= 36
        else (MultiYearFunding.NOT_PASSED_ON)
    )
    several_lots = opportunity.lots.count() > 1
    title = (
        f"{opportunity.title}: lot {lot.number}, {lot.title}"
        if several_lots
        else (opportunity.title)
    )
    return {
        "data": {
            "kind": AgreementKind.GRANT if grant else AgreementKind.CONTRACT,
            "title": title[:250],
            "description": opportunity.summary,
            "procurement_route": (
                ProcurementRoute.GRANT_ROUND if grant else ProcurementRoute.OPEN_COMPETITION
            ),
            "start_on": start_on,
            "end_on": end_on,
            "multi_year_funding": multi_year,
            "multi_year_reason": (
                opportunity.short_term_reason
                if multi_year == MultiYearFunding.NOT_PASSED_ON
                else ""
            ),
            "full_cost_recovery": recovers,
            "full_cost_recovery_note": fcr_note,
        },
        "m2m": {
            "categories": list(opportunity.categories.all()),
            "areas": list(opportunity.areas.all()),
            "outcomes": list(opportunity.outcomes.all()),
        },
        "years": years,
        "year_rows": [(year_label(y), amount) for y, amount in sorted(years.items())],
        "total": sum(years.values(), Decimal(0)),
        "members": _consortium_members(bid.consortium, bid.organisation)
        if bid.consortium_id
        else [],
        "full_cost_recovery_from_bid": bool(lines),
    }


@transaction.atomic
def agreement_from_award(
    *, actor: User, award: AwardDecision, now: datetime | None = None
) -> Agreement:
    """Make the agreement for an award decision: the body, the successful bidder (and its
    consortium's members), the lot, outcomes, categories and areas, the term from the contract
    start, the bid's price a year spread over the financial years, and full cost recovery from
    its budget. Co-funders are not assumed: the opportunity's partners are added only if
    entered. One agreement for each award: a second is refused."""
    now = now or timezone.now()
    award = (
        AwardDecision.objects.select_for_update(of=("self",))
        .select_related("opportunity__body", "lot", "bid__organisation", "bid__consortium")
        .get(pk=award.pk)
    )
    if not access.runs_opportunity(actor, award.opportunity):
        raise PermissionDenied("Only the opportunity's commissioners can make its agreements.")
    refusal = award_refusal(award)
    if refusal:
        raise ValidationError(refusal, code="refused")
    terms = award_terms(award)
    body = award.opportunity.body
    Organisation.objects.select_for_update().filter(pk=body.pk).first()
    return _create(
        actor=actor,
        body=body,
        provider=award.bid.organisation,
        consortium=award.bid.consortium,
        data=terms["data"],
        m2m=terms["m2m"],
        years=terms["years"],
        members=terms["members"],
        funders=[],
        risks=[],
        now=now,
        award=award,
        full_cost_recovery_from_bid=terms["full_cost_recovery_from_bid"],
        note=f"Made from the award of {award.lot} of {award.opportunity.reference}.",
    )


# Changing the terms (not the dates or values: those change by variation)


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: Agreement,
    data: dict,
    m2m: dict,
    members: Iterable[dict],
    funders: Iterable[dict],
    risks: Iterable[dict],
) -> Agreement:
    agreement = _lock(actor, agreement)
    _refuse_unless_live(agreement, "its terms can no longer be changed")
    members, funders, risks = list(members), list(funders), list(risks)
    data = {name: data.get(name) for name in EDITABLE_FIELDS if name in data}
    problems: dict = {}
    if data.get("kind") not in AgreementKind.values:
        problems["kind"] = "Choose the kind of agreement."
    if data.get("procurement_route") not in ProcurementRoute.values:
        problems["procurement_route"] = "Choose how it was awarded."
    problems.update(_terms_problems(data, m2m))
    problems.update(
        _parties_problems(
            body=agreement.body,
            provider=agreement.provider,
            members=members,
            funders=funders,
            total=agreement.total_value,
        )
    )
    _raise(problems)
    changed = [_label(name) for name, value in data.items() if getattr(agreement, name) != value]
    frequency_changed = data.get("reporting_frequency", agreement.reporting_frequency) != (
        agreement.reporting_frequency
    )
    if data.get("full_cost_recovery", agreement.full_cost_recovery) != (
        agreement.full_cost_recovery
    ):
        agreement.full_cost_recovery_from_bid = False
    for name, value in data.items():
        setattr(agreement, name, value)
    agreement.save()
    changed += _m2m_set(agreement, m2m)
    before = (
        sorted(agreement.members.values_list("organisation_id", "role", "share")),
        sorted(agreement.funders.values_list("body_id", "contribution")),
        list(agreement.risks.values_list("kind", "allocation", "note")),
    )
    _members_set(agreement, members)
    _funders_set(agreement, funders)
    _risks_set(agreement, risks)
    after = (
        sorted(agreement.members.values_list("organisation_id", "role", "share")),
        sorted(agreement.funders.values_list("body_id", "contribution")),
        list(agreement.risks.values_list("kind", "allocation", "note")),
    )
    for label, old, new in zip(("members", "co-funders", "risks"), before, after, strict=True):
        if old != new:
            changed.append(label)
    audit_event_record(
        actor=actor,
        action="agreement.updated",
        obj=agreement,
        organisation=agreement.body,
        from_state=agreement.status,
        to_state=agreement.status,
        note=f"Changed: {', '.join(changed)}." if changed else "Saved with no changes.",
    )
    if frequency_changed:
        returns_schedule_sync(agreement)
    return agreement


# Outcome measures


def measures_locked(agreement: Agreement) -> bool:
    """Once the provider has submitted a return, the measures change only by variation."""
    return agreement.returns.filter(
        Q(submitted_at__isnull=False) | ~Q(status=ReturnStatus.DUE)
    ).exists()


MEASURE_FIELDS = (
    "name",
    "unit",
    "value_kind",
    "target",
    "higher_is_better",
    "evidence_required",
    "payment_linked",
    "outcome",
)


def measure_problems(rows: list[dict], *, noun: str = "Measure") -> list[str]:
    """What is wrong with each row of measures, in a sentence naming the row."""
    problems = []
    names: set[str] = set()
    for number, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        called = f"{noun} {number}" + (f" (“{name}”)" if name else "")
        if not name:
            problems.append(f"{called}: give it a name.")
        elif name.lower() in names:
            problems.append(f"{called}: another measure has this name. Give each its own.")
        names.add(name.lower())
        if row.get("target") is None:
            problems.append(
                f"{called}: give it a target a period. A measure without a target cannot be "
                "monitored."
            )
        if not (row.get("unit") or "").strip():
            problems.append(f"{called}: say what it counts, such as people or sessions.")
        if not (row.get("evidence_required") or "").strip():
            problems.append(f"{called}: say what evidence the provider gives for it.")
    return problems


@transaction.atomic
def agreement_measures_save(*, actor: User, agreement: Agreement, measures: list[dict]) -> int:
    """Replace the measures with those given: rows with a pk are updated, the rest added (a new
    row with the name of a measure already saved updates it, so a double submit adds nothing),
    and measures left out are removed. Refused once the first return is submitted."""
    agreement = _lock(actor, agreement)
    if measures_locked(agreement):
        raise ValidationError(
            "The provider has submitted a return, so the measures now change only through a "
            "variation."
        )
    problems = measure_problems(measures)
    if any(row.get("outcome") and row["outcome"].pk is None for row in measures):
        problems.append("Choose an outcome from the framework.")
    if problems:
        raise ValidationError(problems)
    existing = {m.pk: m for m in agreement.measures.filter(retired_on__isnull=True)}
    by_name = {m.name.lower(): m for m in existing.values()}
    kept: list[int] = []
    for position, row in enumerate(measures):
        values = {name: row.get(name) for name in MEASURE_FIELDS}
        values["name"] = values["name"].strip()
        values["higher_is_better"] = bool(values["higher_is_better"])
        values["payment_linked"] = bool(values["payment_linked"])
        measure = existing.get(row.get("pk")) or by_name.get(values["name"].lower())
        if measure is not None and measure.pk not in kept:
            for name, value in values.items():
                setattr(measure, name, value)
            measure.position = position
            measure.save()
        else:
            measure = OutcomeMeasure.objects.create(
                agreement=agreement, position=position, **values
            )
        kept.append(measure.pk)
    removed = agreement.measures.filter(retired_on__isnull=True).exclude(pk__in=kept).delete()[0]
    agreement.save(update_fields=["updated_at"])
    audit_event_record(
        actor=actor,
        action="agreement.measures_saved",
        obj=agreement,
        organisation=agreement.body,
        note=f"{len(kept)} measure{'s' if len(kept) != 1 else ''}"
        + (f"; {removed} removed" if removed else "")
        + ".",
    )
    return len(kept)


# The payment schedule


@transaction.atomic
def agreement_instalments_save(
    *, actor: User, agreement: Agreement, instalments: list[dict]
) -> int:
    """Replace the unpaid instalments with those given; paid ones stay as they are. All of them
    together must add up to the agreement's total value, or nothing is saved."""
    agreement = _lock(actor, agreement)
    paid = list(agreement.instalments.filter(paid_on__isnull=False))
    problems = []
    for number, row in enumerate(instalments, start=1):
        if row.get("due_on") is None:
            problems.append(f"Instalment {number}: enter the date it is due.")
        if row.get("amount") is None or row["amount"] <= 0:
            problems.append(f"Instalment {number}: enter an amount above £0.")
    if problems:
        raise ValidationError(problems)
    total = sum((i.amount for i in paid), Decimal(0)) + sum(
        (row["amount"] for row in instalments), Decimal(0)
    )
    if total != agreement.total_value:
        already = (
            f" (including {money(sum((i.amount for i in paid), Decimal(0)))} already paid)"
            if paid
            else ""
        )
        raise ValidationError(
            f"The instalments add up to {money(total)}{already}, but the agreement's total value "
            f"is {money(agreement.total_value)}. Change them so that they add up to exactly "
            f"{money(agreement.total_value)}. Nothing was saved."
        )
    agreement.instalments.filter(paid_on__isnull=True).delete()
    # Numbers are unique: move the paid ones out of the way, then number everything by date.
    for offset, instalment in enumerate(paid):
        Instalment.objects.filter(pk=instalment.pk).update(number=10000 + offset)
    rows = [("paid", i.due_on, i.pk, i) for i in paid] + [
        ("new", row["due_on"], index, row) for index, row in enumerate(instalments)
    ]
    rows.sort(key=lambda item: (item[1], item[0] == "new", item[2]))
    for number, (kind, _due, _key, item) in enumerate(rows, start=1):
        if kind == "paid":
            Instalment.objects.filter(pk=item.pk).update(number=number)
        else:
            Instalment.objects.create(
                agreement=agreement,
                number=number,
                due_on=item["due_on"],
                amount=item["amount"],
                measure_linked=bool(item.get("measure_linked")),
            )
    agreement.save(update_fields=["updated_at"])
    audit_event_record(
        actor=actor,
        action="agreement.instalments_saved",
        obj=agreement,
        organisation=agreement.body,
        note=f"{len(rows)} instalment{'s' if len(rows) != 1 else ''} adding up to {money(total)}.",
    )
    return len(rows)


@transaction.atomic
def instalment_mark_paid(
    *, actor: User, instalment: Instalment, paid_on: date, today: date | None = None
) -> tuple[Instalment, bool]:
    """Record that an instalment was paid, and when. Recording it twice changes nothing."""
    today = today or timezone.localdate()
    instalment = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("agreement__body")
        .get(pk=instalment.pk)
    )
    _check_manages(actor, instalment.agreement)
    if instalment.paid_on is not None:
        return instalment, False
    if paid_on is None:
        raise ValidationError({"paid_on": "Enter the date it was paid."})
    if paid_on > today:
        raise ValidationError(
            {
                "paid_on": f"A payment cannot be recorded before it is made: {day(paid_on)} is later "
                "than today."
            }
        )
    instalment.paid_on = paid_on
    instalment.paid_recorded_by = actor
    instalment.save(update_fields=["paid_on", "paid_recorded_by"])
    late = instalment.is_late(today)
    audit_event_record(
        actor=actor,
        action="agreement.instalment_paid",
        obj=instalment.agreement,
        organisation=instalment.agreement.body,
        note=f"Instalment {instalment.number} of {money(instalment.amount)}, due "
        f"{day(instalment.due_on)}, paid {day(paid_on)}"
        + (f": {(paid_on - instalment.due_on).days} days late." if late else "."),
    )
    return instalment, True


# Variations


def _change(field: str, before, after) -> dict:
    return {"field": field, "before": before, "after": after}


def _last_paid_date(agreement: Agreement) -> tuple[date, Instalment] | None:
    latest = None
    for instalment in agreement.instalments.filter(paid_on__isnull=False):
        moment = max(instalment.due_on, instalment.paid_on)
        if latest is None or moment > latest[0]:
            latest = (moment, instalment)
    return latest


@transaction.atomic
def agreement_vary(
    *,
    actor: User,
    agreement: Agreement,
    start_on: date,
    end_on: date,
    years: dict[int, Decimal],
    targets: dict[int, Decimal] | None = None,
    retire: Iterable[int] = (),
    new_measures: Iterable[dict] = (),
    reason: str,
    effective_on: date,
    agreed_by: str,
    now: datetime | None = None,
) -> tuple[Variation, bool]:
    """Change the dates, the values per year or the measures (targets, new ones, retired ones),
    saved as a variation with a new version of the terms. Returns the variation and whether it
    is new: the same variation submitted twice is made once. Refused when the end moves before
    the last paid instalment."""
    now = now or timezone.now()
    agreement = _lock(actor, agreement)
    _refuse_unless_live(agreement, "it can no longer be varied")
    targets, retire, new_measures = dict(targets or {}), set(retire), list(new_measures)
    problems: dict = {}
    if not (reason or "").strip():
        problems["reason"] = "Say why the terms change."
    if effective_on is None:
        problems["effective_on"] = "Enter the date the change takes effect."
    if not (agreed_by or "").strip():
        problems["agreed_by"] = "Say who agreed the change, on each side."
    problems.update(_dates_problems(start_on, end_on))
    if "start_on" not in problems and "end_on" not in problems:
        problems.update(_years_problems(start_on, end_on, years))
        last_paid = _last_paid_date(agreement)
        if last_paid is not None and end_on < last_paid[0]:
            moment, instalment = last_paid
            problems["end_on"] = (
                f"The new end date, {day(end_on)}, is before instalment {instalment.number}, "
                f"which was paid (due {day(instalment.due_on)}, paid {day(instalment.paid_on)}). "
                f"The end can move no earlier than {day(moment)}."
            )
    measures = {m.pk: m for m in agreement.measures.filter(retired_on__isnull=True)}
    new_problems = measure_problems(new_measures, noun="New measure")
    taken = {m.name.lower() for m in measures.values()}
    for number, row in enumerate(new_measures, start=1):
        if (row.get("name") or "").strip().lower() in taken:
            new_problems.append(
                f"New measure {number}: a measure called “{row['name'].strip()}” exists already."
            )
    if new_problems:
        problems["__all__"] = new_problems
    for pk, target in targets.items():
        if pk in measures and pk not in retire and target is None:
            problems[f"target_{pk}"] = (
                f"Give “{measures[pk].name}” a target a period, or retire it."
            )
    new_total = sum((v for v in years.values() if v is not None), Decimal(0))
    contributed = sum(agreement.funders.values_list("contribution", flat=True), Decimal(0))
    if not problems and contributed > new_total:
        problems["__all__"] = (
            f"The co-funders contribute {money(contributed)}, more than the new total value of "
            f"{money(new_total)}. Change their contributions first, or the values."
        )
    _raise(problems)

    changes: list[dict] = []
    if start_on != agreement.start_on:
        changes.append(_change("Start date", day(agreement.start_on), day(start_on)))
    if end_on != agreement.end_on:
        changes.append(_change("End date", day(agreement.end_on), day(end_on)))
    current_years = {y.start_year: y.amount for y in agreement.years.all()}
    for start_year in sorted(set(current_years) | set(years)):
        before, after = current_years.get(start_year), years.get(start_year)
        if before != after:
            changes.append(
                _change(f"Value in {year_label(start_year)}", money(before), money(after))
            )
    for pk, measure in measures.items():
        if pk in retire:
            changes.append(_change(f"Measure “{measure.name}”", "in use", "retired"))
        elif pk in targets and targets[pk] != measure.target:
            changes.append(
                _change(
                    f"Target of “{measure.name}”",
                    f"{measure.target.normalize():f} {measure.unit}",
                    f"{targets[pk].normalize():f} {measure.unit}",
                )
            )
    for row in new_measures:
        changes.append(
            _change(
                f"Measure “{row['name'].strip()}”",
                "none",
                f"added, target {row['target'].normalize():f} {row['unit']}",
            )
        )
    if not changes:
        latest = agreement.variations.order_by("-number").first()
        if (
            latest is not None
            and latest.recorded_by_id == actor.pk
            and latest.reason == reason.strip()
            and latest.effective_on == effective_on
            and latest.recorded_at >= now - DOUBLE_SUBMIT_WINDOW
        ):
            return latest, False
        raise ValidationError(
            "Nothing in the terms changes. Change the dates, a value or a measure, or cancel."
        )

    agreement.start_on, agreement.end_on = start_on, end_on
    agreement.total_value = _years_set(agreement, years)
    for pk, measure in measures.items():
        if pk in retire:
            measure.retired_on = effective_on
            measure.save(update_fields=["retired_on"])
        elif pk in targets and targets[pk] != measure.target:
            measure.target = targets[pk]
            measure.save(update_fields=["target"])
    position = max((m.position for m in agreement.measures.all()), default=-1)
    for offset, row in enumerate(new_measures, start=1):
        values = {name: row.get(name) for name in MEASURE_FIELDS}
        values["name"] = values["name"].strip()
        values["higher_is_better"] = bool(values["higher_is_better"])
        values["payment_linked"] = bool(values["payment_linked"])
        OutcomeMeasure.objects.create(agreement=agreement, position=position + offset, **values)
    agreement.version += 1
    agreement.save(update_fields=["start_on", "end_on", "total_value", "version", "updated_at"])
    version = _version_record(agreement, actor, now)
    variation = Variation.objects.create(
        agreement=agreement,
        number=agreement.variations.count() + 1,
        changes=changes,
        reason=reason.strip(),
        effective_on=effective_on,
        agreed_by=agreed_by.strip()[:300],
        version=version,
        recorded_by=actor,
        recorded_at=now,
    )
    audit_event_record(
        actor=actor,
        action="agreement.varied",
        obj=agreement,
        organisation=agreement.body,
        from_state=agreement.status,
        to_state=agreement.status,
        note=f"Variation {variation.number}, version {version.number}: "
        + "; ".join(f"{c['field']} {c['before']} → {c['after']}" for c in changes),
    )
    returns_schedule_sync(agreement)
    return variation, True


# Notices


def notice_shortfall(kind: str, given_on: date, takes_effect_on: date) -> str | None:
    """A warning when the notice is shorter than the Compact's default minimum. It is recorded
    all the same: the Compact's compliance check reports it, with its reason."""
    months = COMPACT_NOTICE_MONTHS.get(kind)
    if months is None or given_on + relativedelta(months=months) <= takes_effect_on:
        return None
    return (
        f"This notice gives {(takes_effect_on - given_on).days} days. The Compact expects at "
        f"least {months} months' notice of {NoticeKind(kind).label.lower()}: say why in the "
        "details if it could not be given."
    )


@transaction.atomic
def agreement_give_notice(
    *,
    actor: User,
    agreement: Agreement,
    kind: str,
    given_on: date,
    takes_effect_on: date,
    details: str,
    new_annual_value: Decimal | None = None,
    today: date | None = None,
) -> tuple[Notice, bool]:
    """Record notice given to the provider: of a reduction (with the new value a year), of the
    end of funding, or of a change of terms. An end notice moves an active agreement to ending.
    The same notice recorded twice is kept once."""
    today = today or timezone.localdate()
    agreement = _lock(actor, agreement)
    _refuse_unless_live(agreement, "no more notice can be given on it")
    problems: dict = {}
    if kind not in NoticeKind.values:
        problems["kind"] = "Choose what the notice is of."
    if given_on is None:
        problems["given_on"] = "Enter the date the notice was given."
    elif given_on > today:
        problems["given_on"] = "Record a notice once it is given: the date cannot be in the future."
    if takes_effect_on is None:
        problems["takes_effect_on"] = "Enter the date it takes effect."
    elif given_on is not None and takes_effect_on < given_on:
        problems["takes_effect_on"] = (
            f"The date it takes effect, {day(takes_effect_on)}, is before the date the notice "
            f"was given, {day(given_on)}."
        )
    if not (details or "").strip():
        problems["details"] = "Say what the notice says."
    if kind == NoticeKind.REDUCTION and new_annual_value is None:
        problems["new_annual_value"] = "Enter the value a year after the reduction."
    if new_annual_value is not None and new_annual_value < 0:
        problems["new_annual_value"] = "A value cannot be negative."
    _raise(problems)
    existing = agreement.notices.filter(
        kind=kind, given_on=given_on, takes_effect_on=takes_effect_on, details=details.strip()
    ).first()
    if existing is not None:
        return existing, False
    notice = Notice.objects.create(
        agreement=agreement,
        kind=kind,
        given_on=given_on,
        takes_effect_on=takes_effect_on,
        details=details.strip(),
        new_annual_value=new_annual_value if kind == NoticeKind.REDUCTION else None,
        recorded_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="agreement.notice_given",
        obj=agreement,
        organisation=agreement.body,
        note=f"{notice.get_kind_display()}: given {day(given_on)}, takes effect "
        f"{day(takes_effect_on)} ({notice.days_given} days)"
        + (f"; new value a year {money(new_annual_value)}" if notice.new_annual_value else "")
        + ".",
    )
    if kind == NoticeKind.END and agreement.status == AgreementStatus.ACTIVE:
        agreement_move(
            actor=actor,
            agreement=agreement,
            to_status=AgreementStatus.ENDING,
            note=f"Notice of the end of funding given on {day(given_on)}.",
        )
    return notice, True


# Status


def agreement_move(
    *,
    actor: User | None,
    agreement: Agreement,
    to_status: str,
    note: str = "",
    reason: str = "",
) -> Agreement:
    """The one guarded status change of an agreement: lock, check the move (and the person:
    the lead body's members, or the system), save, audit. Termination needs a reason. Runs in
    the caller's transaction, or its own. Raises TransitionNotAllowed, PermissionDenied or
    ValidationError."""
    with transaction.atomic():
        agreement = _lock(actor, agreement)
        from_status = agreement.status
        check_transition(AGREEMENT_TRANSITIONS, from_status, to_status, label="agreement's status")
        fields = ["status", "status_changed_at", "updated_at"]
        if to_status == AgreementStatus.TERMINATED:
            reason = (reason or "").strip()
            if not reason:
                raise ValidationError({"reason": "Say why the agreement is terminated."})
            agreement.terminated_reason = reason
            fields.append("terminated_reason")
            note = note or reason
        agreement.status = to_status
        agreement.status_changed_at = timezone.now()
        agreement.save(update_fields=fields)
        audit_event_record(
            actor=actor,
            action=f"agreement.{to_status}",
            obj=agreement,
            organisation=agreement.body,
            from_state=from_status,
            to_state=to_status,
            note=note,
        )
        return agreement


# The moves a commissioner makes from the agreement's page
STATUS_ACTIONS = {
    AgreementStatus.ENDING: "Mark as ending",
    AgreementStatus.ENDED: "Mark as ended",
    AgreementStatus.TERMINATED: "Terminate",
}


def agreements_status_refresh(*, today: date | None = None) -> int:
    """Daily, as the system: an active agreement within three months of its end date becomes
    ending, and one past its end date ends. Running it twice moves nothing more. Returns how
    many moves were made."""
    today = today or timezone.localdate()
    moves = 0
    due = Agreement.objects.filter(
        status__in=(AgreementStatus.ACTIVE, AgreementStatus.ENDING),
        end_on__lte=today + ENDING_WITHIN,
    ).values_list("pk", "status", "end_on")
    for pk, status, end_on in list(due):
        targets = []
        if status == AgreementStatus.ACTIVE:
            targets.append(AgreementStatus.ENDING)
        if end_on < today:
            targets.append(AgreementStatus.ENDED)
        for to_status in targets:
            try:
                agreement_move(
                    actor=None,
                    agreement=Agreement(pk=pk),
                    to_status=to_status,
                    note="Its end date is near."
                    if to_status == AgreementStatus.ENDING
                    else "Its end date has passed.",
                )
            except TransitionNotAllowed:
                continue  # moved meanwhile by someone else
            moves += 1
    return moves


# The end of an agreement


@transaction.atomic
def agreement_end_feedback_save(
    *,
    actor: User,
    agreement: Agreement,
    feedback: str,
    tracking_until: date | None = None,
    tracked_measure_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Agreement:
    """Once the agreement is ending or over: the commissioner's feedback to the provider, and
    which outcomes go on being tracked, until when. The provider's admins are emailed once,
    the first time feedback is written."""
    now = now or timezone.now()
    agreement = _lock(actor, agreement)
    if agreement.status not in END_STATUSES:
        raise ValidationError(
            "Feedback to the provider is written once the agreement is ending or has ended."
        )
    tracked = set(tracked_measure_ids)
    problems: dict = {}
    if not (feedback or "").strip():
        problems["end_feedback"] = "Write the feedback to the provider."
    if tracking_until is not None and tracking_until <= agreement.end_on:
        problems["tracking_until"] = (
            f"Outcomes are tracked after the end: choose a date after {day(agreement.end_on)}, "
            "or leave it empty."
        )
    if tracking_until is not None and not tracked:
        problems["tracked_measures"] = "Choose the measures that go on being tracked."
    if tracked and tracking_until is None:
        problems["tracking_until"] = "Enter the date to track these measures until."
    measures = set(agreement.measures.values_list("pk", flat=True))
    if tracked - measures:
        problems["tracked_measures"] = "Choose measures of this agreement."
    _raise(problems)
    first_time = not agreement.end_feedback
    agreement.end_feedback = feedback.strip()
    agreement.end_feedback_by = actor
    agreement.end_feedback_at = now
    tracking_changed = agreement.tracking_until != tracking_until
    agreement.tracking_until = tracking_until
    agreement.save(
        update_fields=[
            "end_feedback",
            "end_feedback_by",
            "end_feedback_at",
            "tracking_until",
            "updated_at",
        ]
    )
    agreement.measures.filter(pk__in=tracked).update(tracked_after_end=True)
    agreement.measures.exclude(pk__in=tracked).update(tracked_after_end=False)
    audit_event_record(
        actor=actor,
        action="agreement.end_feedback",
        obj=agreement,
        organisation=agreement.body,
        note=(
            f"Outcomes tracked until {day(tracking_until)} ({len(tracked)} measures)."
            if tracking_until
            else "No outcomes tracked after the end."
        ),
    )
    if tracking_changed:
        returns_schedule_sync(agreement)
    if first_time:
        from ..tasks.agreements import agreement_end_feedback_notify

        delay_on_commit(agreement_end_feedback_notify, agreement.pk)
    return agreement


END_FEEDBACK_EMAILED = "agreement.end_feedback_emailed"


def end_feedback_notify(*, agreement_id: int) -> int:
    """Email the lead provider's admins that feedback is written, once: the email is marked by
    an audit event written under a lock on the agreement, so a retry sends nothing more."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from accounts.emails import send_templated_email
    from accounts.models import AuditEvent, Membership, MembershipRole

    with transaction.atomic():
        agreement = (
            Agreement.objects.select_for_update(of=("self",))
            .select_related("body", "provider")
            .filter(pk=agreement_id)
            .exclude(end_feedback="")
            .first()
        )
        if agreement is None:
            return 0
        sent = AuditEvent.objects.filter(
            action=END_FEEDBACK_EMAILED,
            content_type=ContentType.objects.get_for_model(Agreement),
            object_id=str(agreement.pk),
        ).exists()
        if sent:
            return 0
        admins = list(
            Membership.objects.filter(
                organisation_id=agreement.provider_id,
                role=MembershipRole.ADMIN,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
        audit_event_record(
            actor=None,
            action=END_FEEDBACK_EMAILED,
            obj=agreement,
            organisation=agreement.provider,
            note=f"{len(admins)} admin{'s' if len(admins) != 1 else ''} told.",
        )
        return send_templated_email(
            name="agreements_end_feedback",
            to=admins,
            context={
                "agreement": agreement,
                "agreement_url": reverse("commissioning:agreement", args=[agreement.pk]),
            },
        )


__all__ = [
    "AGREEMENT_FIELDS",
    "EDITABLE_FIELDS",
    "END_STATUSES",
    "STATUS_ACTIONS",
    "TransitionNotAllowed",
    "agreement_create",
    "agreement_end_feedback_save",
    "agreement_from_award",
    "agreement_give_notice",
    "agreement_instalments_save",
    "agreement_measures_save",
    "agreement_move",
    "agreement_reference_next",
    "agreement_snapshot",
    "agreement_update",
    "agreement_vary",
    "agreements_status_refresh",
    "annual_price_spread",
    "award_refusal",
    "award_terms",
    "end_feedback_notify",
    "instalment_mark_paid",
    "measures_locked",
    "notice_shortfall",
]
