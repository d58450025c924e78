"""The demo network's agreements and their monitoring: the contract made from the awarded carers'
tender, and a dozen more across the bodies, kinds and routes: grants, contracts, an SLA and a
partnership; open rounds, direct awards and a roll-over; one co-funded, one subcontracted, some
ending within the year, one ended with feedback to its provider, one terminated. Each has its
values by financial year, instalments (one paid late), outcome measures, risks and a schedule of
returns, some submitted and rated, one rated requires improvement with its improvement plan; and
visits and service users' feedback. The demo provider has a return due now on an agreement the
demo commissioner's body leads.

Rows are written as the agreement services would leave them. Idempotent: an agreement is keyed by
its lead body and title (the award's, by the award), so a second run adds nothing; the random
choices are seeded, so every run makes the same network."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import (
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
)
from accounts.periods import financial_years_between
from accounts.services import audit_event_record
from commissioning.models import (
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
    FeedbackTheme,
    ImprovementAction,
    Instalment,
    MeasureValueKind,
    MonitoringReturn,
    MultiYearFunding,
    Notice,
    NoticeKind,
    Opportunity,
    OutcomeMeasure,
    PaymentTiming,
    PerformanceRating,
    ProcurementRoute,
    ReportingFrequency,
    ReturnStatus,
    ReturnValue,
    Risk,
    RiskAllocation,
    RiskKind,
    ServiceUserFeedback,
    Visit,
    VisitKind,
)
from commissioning.services.improvement import improvement_plan_open
from commissioning.services.monitoring_schedule import returns_schedule_sync
from commissioning.services.sourcing_opportunities import body_initials
from providers.models import Area, ServiceCategory

SEED = 2026_0601
PENNY = Decimal("0.01")
AWARDED_OPPORTUNITY = "LC-ASC-2026-0007"

K, R = AgreementKind, ProcurementRoute
GOOD, APPROACHING = PerformanceRating.GOOD, PerformanceRating.APPROACHING
COUNT, MONEY, PERCENT = MeasureValueKind.COUNT, MeasureValueKind.MONEY, MeasureValueKind.PERCENTAGE

# Stories: how an agreement's returns and status stand today.
DUE_NOW = "due_now"  # every return past its due date accepted; the one due now not yet in
READY_SUBMITTED = "ready_submitted"  # the return for the period just ended submitted early
POOR = "poor"  # the latest return rated requires improvement: an improvement plan is open
RETURNED = "returned"  # the latest return sent back for more information
OVERDUE = "overdue"  # the latest return past its due date and not in
ENDING = "ending"  # notice given; it ends within months
ENDED = "ended"  # ended, with feedback to the provider; outcomes tracked for a year after
TERMINATED = "terminated"


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    target: Decimal
    kind: str = COUNT
    evidence: str = "A register of people supported, with dates, anonymised."
    payment_linked: bool = False


@dataclass(frozen=True)
class Spec:
    body: str
    provider: str
    kind: str
    route: str
    title: str
    description: str
    categories: tuple[str, ...]
    wards: int  # how many of the borough's wards it serves; 0 for the whole borough
    start_months_ago: int  # it starts on the 1st of the month this many months back
    term_months: int
    annual: Decimal
    measures: tuple[Measure, ...]
    frequency: str = ReportingFrequency.QUARTERLY
    timing: str = PaymentTiming.ADVANCE
    stories: frozenset[str] = frozenset()
    cofunder: tuple[str, Decimal] | None = None
    subcontractor: tuple[str, Decimal] | None = None
    full_cost_recovery: bool | None = True
    risks: tuple[tuple[str, str, str], ...] = (
        (RiskKind.DEMAND, RiskAllocation.SHARED, "Reviewed each quarter against referrals."),
        (RiskKind.INFLATION, RiskAllocation.COMMISSIONER, "Uplift by CPI each April."),
    )
    feedback: int = 0  # how many service users have given feedback
    late_payment: bool = False  # its second instalment was paid late
    renewal_options: str = ""
    extra: dict = field(default_factory=dict)


SAFEGUARDING = Measure(
    "Staff with safeguarding training in date", "%", Decimal(100), kind=PERCENT,
    evidence="The training log, with each person's last course date.",
)  # fmt: skip

# fmt: off
SPECS: tuple[Spec, ...] = (
    Spec(
        body="adult_social_care", provider="Lindenford Community Advice", kind=K.GRANT,
        route=R.GRANT_ROUND, title="Advice and advocacy for older people",
        description="Benefits checks, debt advice and advocacy for people over 65, at home and "
        "in four community hubs.",
        categories=("welfare-benefits", "debt-advice"), wards=4, start_months_ago=15,
        term_months=36, annual=Decimal(60000), stories=frozenset({DUE_NOW}), feedback=9,
        renewal_options="3+1",
        measures=(
            Measure("Older people given advice", "people", Decimal(90)),
            Measure("Benefit gains secured for clients", "£", Decimal(45000), kind=MONEY,
                    evidence="Award letters, or the case record of each gain, anonymised."),
            SAFEGUARDING,
        ),
    ),
    Spec(
        body="adult_social_care", provider="Lindenford Dementia Café", kind=K.GRANT,
        route=R.GRANT_ROUND, title="Dementia cafés and carer peer support",
        description="Monthly dementia cafés in three wards, and a peer support group for the "
        "people who care for them.",
        categories=("dementia-support", "carers-support"), wards=3, start_months_ago=21,
        term_months=36, annual=Decimal(45000), cofunder=("nhs", Decimal(45000)),
        stories=frozenset({READY_SUBMITTED}), feedback=5, late_payment=True,
        measures=(
            Measure("Café sessions held", "sessions", Decimal(9),
                    evidence="The sessions diary with attendance counts."),
            Measure("Carers in the peer group", "people", Decimal(20)),
        ),
    ),
    Spec(
        body="adult_social_care", provider="Good Neighbours Lindenford", kind=K.CONTRACT,
        route=R.OPEN_COMPETITION, title="Home from hospital support",
        description="Practical help and check-in calls for six weeks after a hospital stay.",
        categories=("home-support", "befriending"), wards=0, start_months_ago=11,
        term_months=36, annual=Decimal(120000), timing=PaymentTiming.ARREARS,
        stories=frozenset({POOR}), feedback=4, renewal_options="3+2",
        measures=(
            Measure("People supported home within 24 hours of discharge", "people",
                    Decimal(150), evidence="Referral and first-visit times from the case system."),
            Measure("Readmissions within 30 days", "%", Decimal(12), kind=PERCENT,
                    evidence="The monthly readmissions extract shared by the hospital trust."),
            SAFEGUARDING,
        ),
        risks=(
            (RiskKind.DEMAND, RiskAllocation.SHARED,
             "Above 120% of forecast referrals the price is reviewed."),
            (RiskKind.STAFF_TRANSFER, RiskAllocation.PROVIDER, "No TUPE transfer expected."),
            (RiskKind.SAFEGUARDING, RiskAllocation.SHARED, "Joint protocol with the hospital."),
        ),
    ),
    Spec(
        body="public_health", provider="Lindenford Recovery Community", kind=K.CONTRACT,
        route=R.OPEN_COMPETITION, title="Recovery peer support",
        description="Peer-led recovery groups and mentoring for people leaving drug and alcohol "
        "treatment.",
        categories=("substance-misuse",), wards=0, start_months_ago=33, term_months=36,
        annual=Decimal(70000), frequency=ReportingFrequency.HALF_YEARLY,
        stories=frozenset({ENDING}),
        measures=(
            Measure("People in recovery groups", "people", Decimal(80)),
            Measure("Peer mentors trained", "people", Decimal(12)),
        ),
    ),
    Spec(
        body="children", provider="Lindenford Young Carers", kind=K.GRANT, route=R.ROLLING,
        title="Young carers' breaks and support",
        description="Activity breaks, school liaison and one-to-one support for young carers.",
        categories=("carers-support", "family-support"), wards=0, start_months_ago=10,
        term_months=12, annual=Decimal(28000), full_cost_recovery=False,
        extra={
            "multi_year_funding": MultiYearFunding.NOT_PASSED_ON,
            "multi_year_reason": "Rolled over a year at a time while the council reviews its "
            "young carers' services.",
            "full_cost_recovery_note": "The grant covers the workers' time; the charity meets "
            "its own overheads.",
        },
        measures=(Measure("Young carers supported", "people", Decimal(35)),),
    ),
    Spec(
        body="children", provider="Lindenford Family Mediation", kind=K.CONTRACT,
        route=R.OPEN_COMPETITION, title="Family mediation service",
        description="Mediation for separating parents, to agree arrangements for their "
        "children out of court.",
        categories=("family-support",), wards=0, start_months_ago=40, term_months=36,
        annual=Decimal(52000), stories=frozenset({ENDED}), timing=PaymentTiming.ARREARS,
        measures=(
            Measure("Families completing mediation", "families", Decimal(25)),
            Measure("Agreements reached", "%", Decimal(65), kind=PERCENT),
        ),
    ),
    Spec(
        body="housing", provider="Lindenford Night Shelter", kind=K.GRANT, route=R.GRANT_ROUND,
        title="Winter night shelter and move-on support",
        description="Twenty beds from November to March, with a move-on worker all year.",
        categories=("homelessness",), wards=2, start_months_ago=8, term_months=24,
        annual=Decimal(85000), stories=frozenset({RETURNED}), feedback=3,
        measures=(
            Measure("Guests accommodated", "people", Decimal(40)),
            Measure("Guests moved on to settled housing", "people", Decimal(12)),
        ),
    ),
    Spec(
        body="employment", provider="Ready for Work Lindenford CIC", kind=K.CONTRACT,
        route=R.OPEN_COMPETITION, title="Ready for work programme",
        description="Coaching, training and placements for people out of work for a year or "
        "more. Part of the price is paid on people starting work.",
        categories=("job-search", "digital-skills"), wards=6, start_months_ago=6,
        term_months=36, annual=Decimal(150000), timing=PaymentTiming.ARREARS,
        stories=frozenset({OVERDUE}),
        measures=(
            Measure("People starting the programme", "people", Decimal(60)),
            Measure("People starting work", "people", Decimal(15), payment_linked=True,
                    evidence="A payslip or employer's letter for each person, seen by the "
                    "council."),
        ),
    ),
    Spec(
        body="nhs", provider="Lindenford Social Prescribing Partnership", kind=K.PARTNERSHIP,
        route=R.DIRECT_AWARD, title="Social prescribing link workers",
        description="Link workers in the four primary care networks, connecting patients to "
        "community groups.",
        categories=("mental-health", "befriending"), wards=0, start_months_ago=14,
        term_months=24, annual=Decimal(110000), frequency=ReportingFrequency.HALF_YEARLY,
        feedback=4,
        measures=(
            Measure("People referred by GPs", "people", Decimal(400)),
            Measure("People reporting better wellbeing", "%", Decimal(70), kind=PERCENT,
                    evidence="Before and after ONS4 wellbeing scores, summarised."),
        ),
    ),
    Spec(
        body="police", provider="Lindenford Domestic Abuse Service", kind=K.GRANT,
        route=R.GRANT_ROUND, title="Independent domestic violence advocates",
        description="Three advocates supporting victims at high risk through the courts and "
        "the MARAC.",
        categories=("domestic-abuse", "victim-support"), wards=0, start_months_ago=9,
        term_months=36, annual=Decimal(95000), cofunder=("public_health", Decimal(60000)),
        subcontractor=("Lindenford Sexual Violence Support Service", Decimal(20)),
        measures=(
            Measure("Victims supported", "people", Decimal(45)),
            Measure("Cases with reduced risk at closure", "%", Decimal(75), kind=PERCENT),
        ),
    ),
    Spec(
        body="schools", provider="Lindenford Young People's Counselling Service", kind=K.SLA,
        route=R.ROLLING, title="Counselling in secondary schools",
        description="A counsellor in each of the trust's five secondary schools, one day a "
        "week.",
        categories=("mental-health",), wards=5, start_months_ago=5, term_months=12,
        annual=Decimal(40000), extra={"multi_year_funding": MultiYearFunding.NOT_APPLICABLE},
        measures=(Measure("Pupils counselled", "pupils", Decimal(50)),),
    ),
    Spec(
        body="housing", provider="Lindenford Housing Advice Centre", kind=K.CONTRACT,
        route=R.DIRECT_AWARD, title="Tenancy sustainment for people leaving hostels",
        description="Support to set up and keep a first tenancy after a hostel stay.",
        categories=("tenancy-sustainment",), wards=0, start_months_ago=26, term_months=36,
        annual=Decimal(48000), stories=frozenset({TERMINATED}),
        measures=(Measure("Tenancies still held after six months", "tenancies", Decimal(20)),),
    ),
)
# fmt: on

NARRATIVES = (
    "Referrals held steady this period. We recruited two new volunteers and ran the drop-in "
    "from the library on Thursdays.",
    "A busy period: demand rose after the winter. Staff sickness meant we paused new "
    "referrals for a fortnight.",
    "We met most of our targets and started a waiting list. The new outreach sessions at the "
    "GP surgeries are bringing in people we did not reach before.",
)
COMMENTS = {
    GOOD: "On target, with clear evidence.",
    APPROACHING: "Slightly below target; the plan to catch up is credible.",
    PerformanceRating.REQUIRES_IMPROVEMENT: "Well below target for a second period, and the "
    "evidence of discharges supported within 24 hours is incomplete.",
}
WENT_WELL = (
    "The staff listened and knew what to do.",
    "They rang me back the same day.",
    "I felt safe and not judged.",
    "It made a real difference to my week.",
    "",
)
COULD_BE_BETTER = ("The waiting room is cold.", "Hard to get through on the phone.", "", "")
END_FEEDBACK = (
    "Thank you for three years of careful, well-evidenced work. Families told us the service "
    "was calm and fair, and most reached an agreement without court. The reports were always "
    "on time. For future bids, say more about how you would reach fathers and families where "
    "English is not the first language."
)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _years(annual: Decimal, start_on: date, end_on: date) -> dict[int, Decimal]:
    """A value a year spread over the financial years the term touches, by the days of each it
    covers; the last year takes the pennies, so the years add up to the value times the term."""
    months = relativedelta(end_on + timedelta(days=1), start_on)
    total = (annual * (months.years * 12 + months.months) / 12).quantize(PENNY, ROUND_HALF_UP)
    amounts = {}
    for fy in financial_years_between(start_on, end_on):
        covered = (min(end_on, fy.ends_on) - max(start_on, fy.starts_on)).days + 1
        length = (fy.ends_on - fy.starts_on).days + 1
        amounts[fy.start_year] = (annual * covered / length).quantize(PENNY, ROUND_HALF_UP)
    last = max(amounts)
    amounts[last] = max(Decimal(0), amounts[last] + total - sum(amounts.values()))
    return amounts


def _reference(body: Organisation, year: int) -> str:
    prefix = f"AG-{body_initials(body)}-{year}-"
    used = Agreement.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _snapshot(agreement: Agreement) -> dict:
    """The terms as they stand, as the first version keeps them."""
    return {
        "title": agreement.title,
        "start_on": agreement.start_on.isoformat(),
        "end_on": agreement.end_on.isoformat(),
        "total_value": str(agreement.total_value),
        "years": {y.label: str(y.amount) for y in agreement.years.all()},
        "measures": [
            {
                "id": m.pk,
                "name": m.name,
                "unit": m.unit,
                "target": str(m.target),
                "payment_linked": m.payment_linked,
                "retired_on": None,
            }
            for m in agreement.measures.all()
        ],
        "instalments": [
            {
                "number": i.number,
                "due_on": i.due_on.isoformat(),
                "amount": str(i.amount),
                "paid_on": None,
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


class _Network:
    """The demo's people and organisations, looked up once."""

    def __init__(self, *, bodies: dict[str, Organisation], commissioner: User, provider: User):
        self.bodies = bodies
        self.commissioner = commissioner
        self.provider_user = provider
        self.verified = {
            org.name: org
            for org in Organisation.objects.filter(
                kind=OrganisationKind.THIRD_SECTOR,
                verification_status=VerificationStatus.VERIFIED,
            ).order_by("name")
        }
        self.spare = sorted(self.verified)
        self._authors: dict[int, User] = {}
        self._submitters: dict[int, User | None] = {}

    def provider(self, name: str, rng: random.Random) -> Organisation:
        """The named provider, or, where the demo left it unverified, another verified one."""
        return self.verified.get(name) or self.verified[rng.choice(self.spare)]

    def author(self, body: Organisation) -> User:
        """Who acts for the body: the demo commissioner for their own, else its first admin."""
        if body.pk not in self._authors:
            if body.memberships.filter(user=self.commissioner).exists():
                self._authors[body.pk] = self.commissioner
            else:
                self._authors[body.pk] = (
                    User.objects.filter(
                        memberships__organisation=body, memberships__role=MembershipRole.ADMIN
                    )
                    .order_by("pk")
                    .first()
                    or self.commissioner
                )
        return self._authors[body.pk]

    def submitter(self, organisation: Organisation) -> User | None:
        if organisation.pk not in self._submitters:
            self._submitters[organisation.pk] = (
                User.objects.filter(memberships__organisation=organisation)
                .order_by("memberships__role", "pk")
                .first()
            )
        return self._submitters[organisation.pk]


def _make(
    spec: Spec,
    *,
    net: _Network,
    rng: random.Random,
    wards: list[Area],
    borough: Area,
    today: date,
    now: datetime,
) -> Agreement:
    body = net.bodies[spec.body]
    provider = net.provider(spec.provider, rng)
    author = net.author(body)
    start_on = _first_of_month(today) - relativedelta(months=spec.start_months_ago)
    end_on = start_on + relativedelta(months=spec.term_months) - timedelta(days=1)
    created_at = min(now - timedelta(days=1), _at(start_on - timedelta(days=30)))
    multi_year = (
        MultiYearFunding.PASSED_ON if spec.term_months >= 36 else MultiYearFunding.NOT_PASSED_ON
    )
    fields = {
        "multi_year_funding": multi_year,
        "multi_year_reason": ""
        if multi_year == MultiYearFunding.PASSED_ON
        else "The body's funding for this service is confirmed for two years at a time.",
        "full_cost_recovery": spec.full_cost_recovery,
        "full_cost_recovery_note": "The price includes a share of the charity's central costs."
        if spec.full_cost_recovery
        else "",
        **spec.extra,
    }
    agreement = Agreement.objects.create(
        reference=_reference(body, created_at.year),
        kind=spec.kind,
        title=spec.title,
        description=spec.description,
        body=body,
        provider=provider,
        procurement_route=spec.route,
        start_on=start_on,
        end_on=end_on,
        renewal_options=spec.renewal_options,
        payment_timing=spec.timing,
        reporting_frequency=spec.frequency,
        clawback_conditions="Unspent funds are returned at the end of each financial year."
        if spec.kind == K.GRANT
        else "",
        created_by=author,
        created_at=created_at,
        status_changed_at=created_at,
        **fields,
    )
    agreement.categories.set(ServiceCategory.objects.filter(code__in=spec.categories))
    agreement.areas.set(rng.sample(wards, spec.wards) if spec.wards else [borough])
    if spec.cofunder:
        key, contribution = spec.cofunder
        AgreementFunder.objects.create(
            agreement=agreement, body=net.bodies[key], contribution=contribution
        )
    if spec.subcontractor:
        name, share = spec.subcontractor
        partner = net.provider(name, rng)
        if partner != provider:
            AgreementMember.objects.create(
                agreement=agreement,
                organisation=partner,
                role=AgreementMemberRole.SUBCONTRACTOR,
                share=share,
            )
    _terms(agreement, annual=spec.annual, measures=spec.measures, risks=spec.risks)
    _created(
        agreement,
        author=author,
        note=f"Entered directly: {agreement.get_kind_display()} with {provider}.",
    )
    return agreement


def _terms(agreement: Agreement, *, annual: Decimal, measures, risks) -> None:
    """The values by year, risks, measures and instalments, then the first version."""
    years = _years(annual, agreement.start_on, agreement.end_on)
    AgreementYear.objects.bulk_create(
        [AgreementYear(agreement=agreement, start_year=y, amount=a) for y, a in years.items()]
    )
    agreement.total_value = sum(years.values(), Decimal(0))
    agreement.save(update_fields=["total_value"])
    Risk.objects.bulk_create(
        [
            Risk(agreement=agreement, kind=kind, allocation=held_by, note=note, position=n)
            for n, (kind, held_by, note) in enumerate(risks)
        ]
    )
    OutcomeMeasure.objects.bulk_create(
        [
            OutcomeMeasure(
                agreement=agreement,
                position=n,
                name=m.name,
                unit=m.unit,
                value_kind=m.kind,
                target=m.target,
                higher_is_better=not m.name.startswith("Readmissions"),
                evidence_required=m.evidence,
                payment_linked=m.payment_linked,
                tracked_after_end=n == 0,
            )
            for n, m in enumerate(measures)
        ]
    )
    _instalments(agreement, linked=any(m.payment_linked for m in measures))
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        snapshot=_snapshot(agreement),
        made_by=agreement.created_by,
        made_at=agreement.created_at,
    )


def _instalments(agreement: Agreement, *, linked: bool) -> None:
    """One instalment a quarter: at its start when paid in advance, a month after its end in
    arrears. The last takes the pennies."""
    quarters = []
    start = agreement.start_on
    while start <= agreement.end_on:
        end = min(start + relativedelta(months=3) - timedelta(days=1), agreement.end_on)
        quarters.append((start, end))
        start = end + timedelta(days=1)
    share = (agreement.total_value / len(quarters)).quantize(PENNY, ROUND_HALF_UP)
    rows = []
    for n, (start, end) in enumerate(quarters, start=1):
        due = start if agreement.payment_timing == PaymentTiming.ADVANCE else end + timedelta(30)
        amount = share if n < len(quarters) else agreement.total_value - share * (n - 1)
        rows.append(
            Instalment(
                agreement=agreement,
                number=n,
                due_on=due,
                amount=amount,
                measure_linked=linked and n > 1,
            )
        )
    Instalment.objects.bulk_create(rows)


def _created(agreement: Agreement, *, author: User, note: str) -> None:
    audit_event_record(
        actor=author,
        action="agreement.created",
        obj=agreement,
        organisation=agreement.body,
        to_state=agreement.status,
        note=note,
    )
    returns_schedule_sync(agreement)


def _from_award(*, net: _Network) -> Agreement | None:
    """The agreement for the awarded carers' tender, on the terms the award carries: the
    contract start and term, the bid's price a year and full cost recovery from its budget."""
    award = (
        AwardDecision.objects.filter(opportunity__reference=AWARDED_OPPORTUNITY)
        .select_related("opportunity__body", "lot", "bid__organisation")
        .order_by("pk")
        .first()
    )
    if award is None or Agreement.objects.filter(award=award).exists():
        return None
    opportunity: Opportunity = award.opportunity
    bid = award.bid
    author = net.commissioner
    start_on = opportunity.contract_start_on
    end_on = start_on + relativedelta(months=opportunity.term_months) - timedelta(days=1)
    price = bid.price or sum((lot.annual_budget for lot in opportunity.lots.all()), Decimal(0))
    lines = list(bid.budget_lines.all())
    full_cost = sum((line.amount for line in lines), Decimal(0))
    overheads = sum((ln.amount for ln in lines if ln.kind == BudgetLineKind.OVERHEAD), Decimal(0))
    recovers = bool(lines) and overheads > 0 and price >= full_cost
    made = max(award.decided_at, timezone.now() - timedelta(days=1))
    agreement = Agreement.objects.create(
        reference=_reference(opportunity.body, timezone.localtime(made).year),
        kind=K.CONTRACT,
        title=opportunity.title,
        description=opportunity.summary,
        body=opportunity.body,
        provider=bid.organisation,
        award=award,
        opportunity=opportunity,
        lot=award.lot,
        procurement_route=R.OPEN_COMPETITION,
        start_on=start_on,
        end_on=end_on,
        renewal_options="3+2",
        multi_year_funding=MultiYearFunding.PASSED_ON
        if opportunity.term_months >= 36
        else MultiYearFunding.NOT_PASSED_ON,
        multi_year_reason=""
        if opportunity.term_months >= 36
        else (opportunity.short_term_reason or "The funding is confirmed a year at a time."),
        payment_timing=PaymentTiming.ARREARS,
        full_cost_recovery=recovers if lines else None,
        full_cost_recovery_from_bid=bool(lines),
        full_cost_recovery_note=(
            f"From the bid's budget: full cost £{full_cost:,.2f} a year, of which overheads "
            f"£{overheads:,.2f}; price £{price:,.2f} a year."
            if lines
            else "The bid had no full cost recovery budget."
        ),
        created_by=author,
        created_at=made,
        status_changed_at=made,
    )
    agreement.categories.set(opportunity.categories.all())
    agreement.areas.set(opportunity.areas.all())
    agreement.outcomes.set(opportunity.outcomes.all())
    _terms(
        agreement,
        annual=price,
        measures=(
            Measure("Carers given information and advice", "carers", Decimal(250)),
            Measure("Carers taking a short break", "carers", Decimal(60),
                    evidence="Bookings of breaks, with dates, anonymised."),
            Measure("Carers who say they can look after their own health", "%", Decimal(70),
                    kind=PERCENT, evidence="The carers' survey each quarter, summarised."),
        ),
        risks=(
            (RiskKind.DEMAND, RiskAllocation.SHARED, "Breaks are capped at the budget; the "
             "waiting list is shared monthly."),
            (RiskKind.INFLATION, RiskAllocation.COMMISSIONER, "Uplift by CPI each April."),
        ),
    )  # fmt: skip
    _created(
        agreement,
        author=author,
        note=f"Made from the award of {award.lot} of {opportunity.reference}.",
    )
    return agreement


# Monitoring, payments and the end of an agreement


def _submit(r: MonitoringReturn, *, at: datetime, by: User | None, rng: random.Random) -> None:
    measures = list(r.agreement.measures.filter(retired_on__isnull=True).order_by("position"))
    ReturnValue.objects.bulk_create(
        [
            ReturnValue(
                monitoring_return=r,
                measure=m,
                value=(
                    m.target * Decimal(rng.randint(82, 112)) / 100
                    if m.value_kind != COUNT
                    else Decimal(int(m.target * rng.randint(82, 112) / 100))
                ).quantize(PENNY),
                note="" if rng.random() < 0.7 else "Figures checked against the case system.",
            )
            for m in measures
        ]
    )
    r.status = ReturnStatus.SUBMITTED
    r.narrative = rng.choice(NARRATIVES)
    r.feedback_summary = "People told us the staff were kind and that waiting times were long."
    r.submitted_at = at
    r.submitted_by = by
    r.version += 1
    r.save()
    audit_event_record(
        actor=by,
        action="monitoring_return.submitted",
        obj=r,
        organisation=r.agreement.provider,
        from_state=ReturnStatus.DUE,
        to_state=ReturnStatus.SUBMITTED,
    )


def _review(
    r: MonitoringReturn, *, at: datetime, by: User, rating: str, returned_reason: str = ""
) -> None:
    to_status = ReturnStatus.RETURNED if returned_reason else ReturnStatus.ACCEPTED
    if to_status == ReturnStatus.ACCEPTED:
        values = list(r.values.select_related("measure"))
        for value in values:
            value.rating = rating
            if rating == PerformanceRating.REQUIRES_IMPROVEMENT:
                # Poor overall: the measures that met their target are rated a step better.
                met = value.value >= value.measure.target
                value.rating = APPROACHING if met == value.measure.higher_is_better else rating
            value.comment = COMMENTS.get(value.rating, COMMENTS[APPROACHING])
        ReturnValue.objects.bulk_update(values, ["rating", "comment"])
        r.rating = rating
        r.rating_comment = COMMENTS[rating]
    r.status = to_status
    r.returned_reason = returned_reason
    r.accepted_for_cofunders = to_status == ReturnStatus.ACCEPTED and r.agreement.funders.exists()
    r.reviewed_at = at
    r.reviewed_by = by
    r.version += 1
    r.save()
    audit_event_record(
        actor=by,
        action=f"monitoring_return.{to_status}",
        obj=r,
        organisation=r.agreement.provider,
        from_state=ReturnStatus.SUBMITTED,
        to_state=to_status,
        note=f"Rated {r.get_rating_display().lower()}"
        if r.rating
        else f"Not rated. More needed: {returned_reason}",
    )


def _monitor(
    agreement: Agreement,
    *,
    stories: frozenset[str],
    net: _Network,
    rng: random.Random,
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Take the returns the schedule made to where the story has them today."""
    reviewer = net.author(agreement.body)
    submitter = net.submitter(agreement.provider)
    returns = list(agreement.returns.order_by("period_start"))
    past = [r for r in returns if r.due_on < today]
    ready = [r for r in returns if r.period_end < today <= r.due_on]
    counts = {"returns_reviewed": 0, "improvement_plans": 0}
    last = past[-1] if past else None
    for r in past:
        if r is last and OVERDUE in stories:
            break
        submitted = min(_at(r.due_on - timedelta(days=rng.randint(1, 12)), 15), now)
        submitted = max(submitted, _at(r.period_end + timedelta(days=1), 15))
        _submit(r, at=submitted, by=submitter, rng=rng)
        reviewed = min(submitted + timedelta(days=rng.randint(4, 14)), now - timedelta(hours=2))
        if r is last and RETURNED in stories:
            _review(
                r, at=reviewed, by=reviewer, rating="",
                returned_reason="Please add the move-on figures for February and the evidence "
                "of the two tenancies started.",
            )  # fmt: skip
        elif r is last and POOR in stories:
            _review(r, at=reviewed, by=reviewer, rating=PerformanceRating.REQUIRES_IMPROVEMENT)
            plan = improvement_plan_open(actor=reviewer, monitoring_return=r)
            plan.support_offered = (
                "Mentoring from the CVS's development worker, and a joint session with the "
                "hospital discharge team on referrals."
            )
            plan.review_on = today + timedelta(days=45)
            plan.save(update_fields=["support_offered", "review_on"])
            ImprovementAction.objects.bulk_create(
                [
                    ImprovementAction(
                        plan=plan, position=0, owner="Service manager",
                        description="Agree a same-day referral route with the discharge team.",
                        due_on=today + timedelta(days=21),
                    ),
                    ImprovementAction(
                        plan=plan, position=1, owner="Contracts officer",
                        description="Share the readmissions extract monthly, not quarterly.",
                        due_on=today + timedelta(days=14), done_on=today - timedelta(days=2),
                    ),
                ]
            )  # fmt: skip
            Visit.objects.create(
                agreement=agreement,
                kind=VisitKind.DESK,
                planned_on=today + timedelta(days=10),
                visitors=f"{reviewer.get_full_name()} (contracts officer)",
                recorded_by=reviewer,
            )
            counts["improvement_plans"] += 1
        else:
            rating = GOOD if rng.random() < 0.7 else APPROACHING
            if POOR in stories:
                rating = APPROACHING
            _review(r, at=reviewed, by=reviewer, rating=rating)
        counts["returns_reviewed"] += 1
    if READY_SUBMITTED in stories:
        for r in ready:
            at = max(_at(r.period_end + timedelta(days=1), 11), now - timedelta(days=2))
            _submit(r, at=min(at, now), by=submitter, rng=rng)
    return counts


def _pay(agreement: Agreement, *, by: User, today: date, late: bool) -> None:
    """Pay every instalment due by today (or by its termination), on time; the second one late
    when asked."""
    if agreement.status == AgreementStatus.TERMINATED:
        today = min(today, timezone.localtime(agreement.status_changed_at).date())
    for instalment in agreement.instalments.filter(due_on__lte=today).order_by("number"):
        paid = instalment.due_on - timedelta(days=2) if instalment.number > 1 else instalment.due_on
        if late and instalment.number == 2:
            paid = min(instalment.due_on + timedelta(days=16), today)
        instalment.paid_on = min(paid, today)
        instalment.paid_recorded_by = by
        instalment.save(update_fields=["paid_on", "paid_recorded_by"])
        days_late = (instalment.paid_on - instalment.due_on).days
        audit_event_record(
            actor=by,
            action="agreement.instalment_paid",
            obj=agreement,
            organisation=agreement.body,
            note=f"Instalment {instalment.number} of £{instalment.amount:,.2f}, paid "
            f"{instalment.paid_on:%d %B %Y}"
            + (f": {days_late} days late." if days_late > 0 else "."),
        )


def _move(agreement: Agreement, to_status: str, *, by: User, at: datetime, note: str = "") -> None:
    from_status = agreement.status
    agreement.status = to_status
    agreement.status_changed_at = at
    agreement.save(update_fields=["status", "status_changed_at", "terminated_reason"])
    audit_event_record(
        actor=by,
        action=f"agreement.{to_status}",
        obj=agreement,
        organisation=agreement.body,
        from_state=from_status,
        to_state=to_status,
        note=note,
    )


def _ending_and_ended(
    agreement: Agreement, *, stories: frozenset[str], net: _Network, today: date, now: datetime
) -> None:
    author = net.author(agreement.body)
    if ENDING in stories or ENDED in stories:
        given = agreement.end_on - relativedelta(months=4)
        Notice.objects.create(
            agreement=agreement,
            kind=NoticeKind.END,
            given_on=min(given, today),
            takes_effect_on=agreement.end_on,
            details="The contract ends at the end of its term. The service will be "
            "recommissioned with the wider recovery offer.",
            recorded_by=author,
            recorded_at=_at(min(given, today)),
        )
        audit_event_record(
            actor=author,
            action="agreement.notice_given",
            obj=agreement,
            organisation=agreement.body,
            note=f"End of funding from {agreement.end_on:%d %B %Y}, given {given:%d %B %Y}.",
        )
        _move(
            agreement, AgreementStatus.ENDING, by=author, at=min(_at(given), now),
            note="Notice of the end given.",
        )  # fmt: skip
    if ENDED in stories:
        _move(agreement, AgreementStatus.ENDED, by=author, at=_at(agreement.end_on, 17))
        agreement.end_feedback = END_FEEDBACK
        agreement.end_feedback_by = author
        agreement.end_feedback_at = _at(agreement.end_on + timedelta(days=20), 14)
        agreement.tracking_until = agreement.end_on + relativedelta(months=12)
        agreement.save(
            update_fields=["end_feedback", "end_feedback_by", "end_feedback_at", "tracking_until"]
        )
        audit_event_record(
            actor=author,
            action="agreement.end_feedback",
            obj=agreement,
            organisation=agreement.body,
            note="Feedback given to the provider at the end.",
        )
        returns_schedule_sync(agreement)
    if TERMINATED in stories:
        agreement.terminated_reason = (
            "The provider asked to end the contract early after losing its hostel partner; "
            "both sides agreed a handover of current tenants."
        )
        ended = now - timedelta(days=60)
        _move(
            agreement, AgreementStatus.TERMINATED, by=author, at=ended,
            note=agreement.terminated_reason,
        )  # fmt: skip
        # The returns for periods after it ended are no longer wanted.
        agreement.returns.filter(
            status=ReturnStatus.DUE, period_start__gt=timezone.localtime(ended).date()
        ).delete()


def _feedback(agreement: Agreement, *, count: int, rng: random.Random, today: date) -> int:
    themes = [choice.value for choice in FeedbackTheme]
    rows = [
        ServiceUserFeedback(
            agreement=agreement,
            given_on=today - timedelta(days=rng.randint(3, 150)),
            rating=rng.choice((3, 4, 4, 5, 5, 5, 2)),
            themes=sorted(rng.sample(themes, rng.randint(1, 2))),
            went_well=rng.choice(WENT_WELL),
            could_be_better=rng.choice(COULD_BE_BETTER),
            age_band=rng.choice(("", "65-74", "75-84", "85+", "25-44")),
        )
        for _ in range(count)
    ]
    ServiceUserFeedback.objects.bulk_create(rows)
    return len(rows)


def seed_agreements(
    *, bodies: dict[str, Organisation], commissioner: User, provider: User, borough: Area
) -> dict[str, int]:
    """Add the demo agreements that are missing, with their monitoring. Returns what it made."""
    today, now = timezone.localdate(), timezone.now()
    net = _Network(bodies=bodies, commissioner=commissioner, provider=provider)
    wards = list(Area.objects.filter(parent=borough).order_by("name"))
    counts = {"agreements": 0, "returns_reviewed": 0, "improvement_plans": 0, "user_feedback": 0}

    awarded = _from_award(net=net)
    if awarded is not None:
        counts["agreements"] += 1

    for spec in SPECS:
        # Each agreement has a generator of its own, so it comes out the same whichever of the
        # others a run makes.
        spec_rng = random.Random(f"{SEED}-{spec.title}")
        body = bodies[spec.body]
        if Agreement.objects.filter(body=body, title=spec.title).exists():
            continue
        agreement = _make(
            spec, net=net, rng=spec_rng, wards=wards, borough=borough, today=today, now=now
        )
        author = net.author(body)
        _ending_and_ended(agreement, stories=spec.stories, net=net, today=today, now=now)
        _pay(agreement, by=author, today=today, late=spec.late_payment)
        made = _monitor(
            agreement, stories=spec.stories, net=net, rng=spec_rng, today=today, now=now
        )
        counts["agreements"] += 1
        counts["returns_reviewed"] += made["returns_reviewed"]
        counts["improvement_plans"] += made["improvement_plans"]
        counts["user_feedback"] += _feedback(
            agreement, count=spec.feedback, rng=spec_rng, today=today
        )
        if DUE_NOW in spec.stories:
            Visit.objects.create(
                agreement=agreement,
                kind=VisitKind.PHYSICAL,
                planned_on=today - timedelta(days=40),
                completed_on=today - timedelta(days=40),
                visitors=f"{author.get_full_name()} and a carers' representative",
                findings="A welcoming hub with a clear triage process. Case records were up to "
                "date; two files lacked signed consent forms.",
                follow_up_actions="Check consent forms at the next visit.",
                recorded_by=author,
                recorded_at=_at(today - timedelta(days=38)),
            )
    return counts
