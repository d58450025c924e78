"""Reads for the network's register of funding arrangements: its filters' conditions, order and
totals, its CSV; a provider's agreements across every body (the 360 view) with their returns and
ratings side by side; a provider's own list; and the panel on a provider's directory page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from accounts.periods import financial_quarter

from .. import access
from ..models import (
    Agreement,
    AgreementFunder,
    AgreementKind,
    AgreementMember,
    AgreementMemberRole,
    AgreementStatus,
    ImprovementPlan,
    ImprovementPlanStatus,
    MonitoringReturn,
    ReturnStatus,
)
from ..models.agreements import NEVER_OPENLY_PROCURED

PAGE_SIZE = 25
PROVIDER_PAGE_SIZE = 25
PANEL_SIZE = 5
EXPORT_CHUNK = 1000
RECENT_QUARTERS = 4
LIVE = (AgreementStatus.ACTIVE, AgreementStatus.ENDING)
OPEN_PLAN_STATUSES = (
    ImprovementPlanStatus.OPEN,
    ImprovementPlanStatus.ON_TRACK,
    ImprovementPlanStatus.ESCALATED,
)

# The register's choices

STATUS_LIVE = "live"
STATUS_CHOICES = [(STATUS_LIVE, "Live (active or ending)"), *AgreementStatus.choices]

# Bands of the total value, in pounds: (code, label, at least, under).
VALUE_BANDS: list[tuple[str, str, int | None, int | None]] = [
    ("under_10k", "Under £10,000", None, 10_000),
    ("10k_50k", "£10,000 to £50,000", 10_000, 50_000),
    ("50k_250k", "£50,000 to £250,000", 50_000, 250_000),
    ("250k_1m", "£250,000 to £1 million", 250_000, 1_000_000),
    ("over_1m", "£1 million or more", 1_000_000, None),
]
VALUE_BAND_CHOICES = [(code, label) for code, label, _low, _high in VALUE_BANDS]

SORT_END = "end"
SORT_END_LATEST = "end_latest"
SORT_VALUE = "value"
SORT_VALUE_LOW = "value_low"
SORT_PROVIDER = "provider"
SORT_START = "start"
SORT_REFERENCE = "reference"
SORT_CHOICES = [
    (SORT_END, "End date, soonest first"),
    (SORT_END_LATEST, "End date, latest first"),
    (SORT_VALUE, "Value, highest first"),
    (SORT_VALUE_LOW, "Value, lowest first"),
    (SORT_PROVIDER, "Provider, A to Z"),
    (SORT_START, "Start date, newest first"),
    (SORT_REFERENCE, "Reference"),
]
_ORDER = {
    SORT_END: ("end_on", "reference"),
    SORT_END_LATEST: ("-end_on", "reference"),
    SORT_VALUE: ("-total_value", "reference"),
    SORT_VALUE_LOW: ("total_value", "reference"),
    SORT_PROVIDER: ("provider__name", "end_on", "reference"),
    SORT_START: ("-start_on", "reference"),
    SORT_REFERENCE: ("reference",),
}

ROLE_LEAD = "lead"
ROLE_LABELS = {ROLE_LEAD: "Lead provider", **dict(AgreementMemberRole.choices)}


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _url(name: str, pk: int) -> str:
    """The page's address, or "" while that page does not exist."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


# Conditions the register's filters use


def status_q(value: str) -> Q:
    return Q(status__in=LIVE) if value == STATUS_LIVE else Q(status=value)


def value_band_q(code: str) -> Q:
    for band, _label, low, high in VALUE_BANDS:
        if band == code:
            condition = Q()
            if low is not None:
                condition &= Q(total_value__gte=Decimal(low))
            if high is not None:
                condition &= Q(total_value__lt=Decimal(high))
            return condition
    return Q()


def ending_within_q(*, months: int = 12, today: date | None = None) -> Q:
    """Live agreements that end between today and this many months on."""
    today = today or timezone.localdate()
    return Q(status__in=LIVE, end_on__gte=today, end_on__lte=_months_later(today, months))


def never_openly_procured_q() -> Q:
    return Q(procurement_route__in=NEVER_OPENLY_PROCURED)


def funded_by_q(body: Organisation) -> Q:
    """Led by the body, or co-funded by it."""
    return Q(body=body) | Q(
        Exists(AgreementFunder.objects.filter(agreement_id=OuterRef("pk"), body=body))
    )


def provider_named_q(text: str) -> Q:
    """The lead provider, or a consortium member or subcontractor, has this in its name. The
    matching organisations are found first, in one query, so that each of the page's queries
    (the rows and the totals) looks their agreements up by index."""
    names = list(
        Organisation.objects.filter(name__icontains=text.strip())
        .exclude(kind=OrganisationKind.COMMISSIONING_BODY)
        .values_list("pk", flat=True)
    )
    return Q(provider_id__in=names) | Q(
        pk__in=AgreementMember.objects.filter(organisation_id__in=names).values("agreement_id")
    )


def register_order(queryset: QuerySet[Agreement], sort: str) -> QuerySet[Agreement]:
    return queryset.order_by(*_ORDER.get(sort, _ORDER[SORT_END]))


def _with_funders(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.select_related("body", "provider").prefetch_related(
        Prefetch("funders", queryset=AgreementFunder.objects.select_related("body"))
    )


def register_page(queryset: QuerySet[Agreement], page_number, *, count: int | None = None) -> Page:
    """A page of the register: the rows with their bodies and provider, and their co-funders;
    two queries whatever the size, and a third to count them unless the count is known (the
    totals give it)."""
    paginator = Paginator(_with_funders(queryset), PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted again
    return paginator.get_page(page_number)


# Totals


@dataclass(frozen=True)
class BodyTotal:
    body_id: int
    name: str
    led: int  # agreements the body leads
    cofunded: int  # agreements it co-funds
    amount: Decimal  # what it pays: the lead's share after co-funders, plus its contributions


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class Totals:
    count: int
    value: Decimal
    by_body: list[BodyTotal]
    by_kind: list[KindTotal]


def totals(queryset: QuerySet[Agreement]) -> Totals:
    """Totals over the agreements by type and by funding body, in three queries whatever their
    number: the agreements by lead body and type, the co-funders' contributions by lead body and
    funding body, and the names of the bodies. The lead body pays what its co-funders do not."""
    base = queryset.order_by()
    by_kind_rows: dict[str, list] = {}
    bodies: dict[int, dict] = {}

    def entry(body_id: int) -> dict:
        return bodies.setdefault(body_id, {"led": 0, "cofunded": 0, "amount": Decimal(0)})

    for row in base.values("body_id", "kind").annotate(n=Count("pk"), value=Sum("total_value")):
        value = row["value"] or Decimal(0)
        counted = by_kind_rows.setdefault(row["kind"], [0, Decimal(0)])
        counted[0] += row["n"]
        counted[1] += value
        lead = entry(row["body_id"])
        lead["led"] += row["n"]
        lead["amount"] += value
    for row in (
        AgreementFunder.objects.filter(agreement__in=base.values("pk"))
        .order_by()
        .values("agreement__body_id", "body_id")
        .annotate(n=Count("pk"), amount=Sum("contribution"))
    ):
        amount = row["amount"] or Decimal(0)
        bodies[row["agreement__body_id"]]["amount"] -= amount
        funder = entry(row["body_id"])
        funder["cofunded"] += row["n"]
        funder["amount"] += amount
    names = (
        dict(Organisation.objects.filter(pk__in=list(bodies)).values_list("pk", "name"))
        if bodies
        else {}
    )
    by_kind = [
        KindTotal(
            kind=kind.value,
            label=kind.label,
            count=by_kind_rows[kind.value][0],
            value=by_kind_rows[kind.value][1],
        )
        for kind in AgreementKind
        if kind.value in by_kind_rows
    ]
    by_body = sorted(
        (BodyTotal(body_id=pk, name=names.get(pk, ""), **values) for pk, values in bodies.items()),
        key=lambda total: (-total.amount, total.name, total.body_id),
    )
    return Totals(
        count=sum(total.count for total in by_kind),
        value=sum((total.value for total in by_kind), Decimal(0)),
        by_body=by_body,
        by_kind=by_kind,
    )


# The CSV

EXPORT_HEADER = [
    "Reference",
    "Title",
    "Type",
    "Status",
    "Lead body",
    "Co-funding bodies",
    "Provider",
    "Consortium members and subcontractors",
    "Service categories",
    "Areas",
    "How it was awarded",
    "Never openly procured",
    "Start date",
    "End date",
    "Total value (£)",
    "Multi-year funding",
    "Full cost recovery met",
    "Reporting frequency",
    "Address",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def register_export(queryset: QuerySet[Agreement], *, base_url: str):
    """The header and rows of the register's CSV, read a thousand agreements at a time (five
    queries each) so that a long register streams in flat memory."""
    rows = queryset.select_related("body", "provider").prefetch_related(
        Prefetch("funders", queryset=AgreementFunder.objects.select_related("body")),
        Prefetch("members", queryset=AgreementMember.objects.select_related("organisation")),
        "categories",
        "areas",
    )
    base_url = base_url.rstrip("/")

    def lines() -> Iterator[list]:
        for agreement in rows.iterator(chunk_size=EXPORT_CHUNK):
            address = _url("commissioning:agreement", agreement.pk)
            yield [
                agreement.reference,
                agreement.title,
                agreement.get_kind_display(),
                agreement.get_status_display(),
                agreement.body.name,
                "; ".join(
                    f"{funder.body.name} (£{funder.contribution})"
                    for funder in agreement.funders.all()
                ),
                agreement.provider.name,
                "; ".join(
                    f"{member.organisation.name} ({member.get_role_display().lower()})"
                    for member in agreement.members.all()
                ),
                "; ".join(sorted(category.name for category in agreement.categories.all())),
                "; ".join(sorted(area.name for area in agreement.areas.all())),
                agreement.get_procurement_route_display(),
                _yes_no(agreement.procurement_route in NEVER_OPENLY_PROCURED),
                agreement.start_on.isoformat(),
                agreement.end_on.isoformat(),
                agreement.total_value,
                agreement.get_multi_year_funding_display(),
                _yes_no(agreement.full_cost_recovery),
                agreement.get_reporting_frequency_display(),
                base_url + address if address else "",
            ]

    return EXPORT_HEADER, lines()


# A provider's agreements across the network (the 360 view)


def provider_agreements_of(organisation_ids: list[int]) -> QuerySet[Agreement]:
    """Agreements these organisations lead, or deliver part of as a consortium member or
    subcontractor."""
    return Agreement.objects.filter(access._provider_side(organisation_ids))


def _live_first(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.annotate(
        live_rank=Case(
            When(status__in=LIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("live_rank", "end_on", "reference")


def _with_role(
    queryset: QuerySet[Agreement], organisation_ids: list[int], *, naming: bool = False
) -> QuerySet[Agreement]:
    """Each agreement with the part the organisations play in it (role) and, naming, which of
    them plays it (role_organisation)."""
    part = AgreementMember.objects.filter(
        agreement_id=OuterRef("pk"), organisation_id__in=organisation_ids
    ).order_by("organisation__name")
    queryset = queryset.annotate(
        role=Case(
            When(provider_id__in=organisation_ids, then=Value(ROLE_LEAD)),
            default=Subquery(part.values("role")[:1]),
            output_field=CharField(),
        )
    )
    if not naming:
        return queryset
    return queryset.annotate(
        role_organisation=Case(
            When(provider_id__in=organisation_ids, then=F("provider__name")),
            default=Subquery(part.values("organisation__name")[:1]),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class Quarter:
    label: str
    starts_on: date
    ends_on: date


def recent_quarters(today: date | None = None, *, count: int = RECENT_QUARTERS) -> list[Quarter]:
    """The financial quarters up to and including today's, oldest first."""
    today = today or timezone.localdate()
    year, number = financial_quarter(today)
    starts_on = _months_later(year.starts_on, 3 * (number - 1))
    quarters = []
    for back in range(count - 1, -1, -1):
        start = _months_later(starts_on, -3 * back)
        end = _months_later(start, 3) - timedelta(days=1)
        fy, q = financial_quarter(start)
        quarters.append(Quarter(label=f"Q{q} {fy.label}", starts_on=start, ends_on=end))
    return quarters


@dataclass(frozen=True)
class ReturnCell:
    monitoring_return: MonitoringReturn
    words: str  # the rating, or where the return has got to, in words
    rating: str  # the rating's code, for the badge's style; "" when not rated
    url: str


@dataclass
class JointRow:
    agreement: Agreement
    cells: list[list[ReturnCell]]
    open_plans: int


@dataclass
class ProviderView:
    organisation: Organisation
    page: Page
    totals: Totals
    live_count: int
    live_value: Decimal
    open_plans: int
    quarters: list[Quarter]
    joint_rows: list[JointRow] = field(default_factory=list)

    @property
    def body_count(self) -> int:
        return len(self.totals.by_body)


def return_words(monitoring_return: MonitoringReturn, today: date) -> str:
    if monitoring_return.rating:
        return monitoring_return.get_rating_display()
    if monitoring_return.status == ReturnStatus.DUE:
        due = monitoring_return.due_on
        if due < today:
            return f"Overdue since {due.day} {due:%b %Y}"
        return f"Due {due.day} {due:%b %Y}"
    if monitoring_return.status == ReturnStatus.SUBMITTED:
        return "Submitted, not yet reviewed"
    return monitoring_return.get_status_display()


def provider_view(organisation: Organisation, page_number, *, today: date | None = None):
    """Everything the 360 view shows, in a fixed number of queries whatever the number of
    agreements, returns and plans: every agreement the organisation is a party to across the
    bodies, what each body pays, and a page of agreements with their recent returns side by
    side."""
    today = today or timezone.localdate()
    ids = [organisation.pk]
    # The organisation's agreements are found once; every query after reads them by primary key.
    agreements = Agreement.objects.filter(
        pk__in=list(provider_agreements_of(ids).values_list("pk", flat=True))
    )
    summary = agreements.order_by().aggregate(
        live=Count("pk", filter=Q(status__in=LIVE)),
        live_value=Sum("total_value", filter=Q(status__in=LIVE)),
    )
    page = Paginator(
        _with_funders(_with_role(_live_first(agreements), ids)), PROVIDER_PAGE_SIZE
    ).get_page(page_number)
    plans = dict(
        ImprovementPlan.objects.filter(
            agreement__in=agreements.values("pk"), status__in=OPEN_PLAN_STATUSES
        )
        .order_by()
        .values_list("agreement_id")
        .annotate(n=Count("pk"))
    )
    quarters = recent_quarters(today)
    shown = page.object_list = list(page.object_list)
    returns: dict[int, list[MonitoringReturn]] = defaultdict(list)
    for monitoring_return in (
        MonitoringReturn.objects.filter(
            agreement_id__in=[agreement.pk for agreement in shown],
            period_end__gte=quarters[0].starts_on,
            period_end__lte=quarters[-1].ends_on,
        )
        .only("pk", "agreement_id", "period_start", "period_end", "due_on", "status", "rating")
        .order_by("period_end", "pk")
    ):
        returns[monitoring_return.agreement_id].append(monitoring_return)
    joint_rows = []
    for agreement in shown:
        if agreement.status not in LIVE and not returns.get(agreement.pk):
            continue
        cells: list[list[ReturnCell]] = [[] for _ in quarters]
        for monitoring_return in returns.get(agreement.pk, ()):
            for index, quarter in enumerate(quarters):
                if quarter.starts_on <= monitoring_return.period_end <= quarter.ends_on:
                    cells[index].append(
                        ReturnCell(
                            monitoring_return=monitoring_return,
                            words=return_words(monitoring_return, today),
                            rating=monitoring_return.rating,
                            url=_url("commissioning:return", monitoring_return.pk),
                        )
                    )
        joint_rows.append(
            JointRow(agreement=agreement, cells=cells, open_plans=plans.get(agreement.pk, 0))
        )
    return ProviderView(
        organisation=organisation,
        page=page,
        totals=totals(agreements),
        live_count=summary["live"],
        live_value=summary["live_value"] or Decimal(0),
        open_plans=sum(plans.values()),
        quarters=quarters,
        joint_rows=joint_rows,
    )


# A provider's own list


def ours_page(organisations: list[Organisation], page_number) -> Page:
    """A page of the agreements of the person's organisations, live first, with the part each
    organisation plays; three queries whatever the size."""
    ids = [organisation.pk for organisation in organisations]
    queryset = _with_role(_live_first(provider_agreements_of(ids)), ids, naming=True)
    return Paginator(_with_funders(queryset), PAGE_SIZE).get_page(page_number)


# The panel on a provider's directory page (registered with providers.selectors)


def provider_profile_panel(request, organisation: Organisation) -> dict | None:
    """A provider's agreements across the network, live first, for commissioners, network admins
    and the provider's own members; None for everyone else. One query for members (two for
    planners), none for the public."""
    user = request.user
    if not user.is_authenticated or organisation.kind == OrganisationKind.COMMISSIONING_BODY:
        return None
    portal = getattr(request, "portal", None)
    memberships = portal.memberships if portal is not None else []
    is_member = any(membership.organisation_id == organisation.pk for membership in memberships)
    if not is_member and not access.can_plan(user):
        return None
    rows = list(
        _live_first(provider_agreements_of([organisation.pk])).select_related("body")[
            : PANEL_SIZE + 1
        ]
    )
    return {
        "organisation": organisation,
        "agreements": rows[:PANEL_SIZE],
        "more": len(rows) > PANEL_SIZE,
        "is_member": is_member,
    }
