"""Reads for opportunities: the public list with each one's state (open, forthcoming, closed,
awarded, cancelled), its search, one opportunity's published details, and the bid counts a
commissioner sees (counts only: a bid's content is sealed)."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    AwardDecision,
    Bid,
    BidStage,
    BidStatus,
    Criterion,
    Lot,
    Opportunity,
    OpportunityDocument,
    OpportunityStatus,
)

PAGE_SIZE = 20

STATE_OPEN = "open"
STATE_FORTHCOMING = "forthcoming"
STATE_CLOSED = "closed"
STATE_AWARDED = "awarded"
STATE_CANCELLED = "cancelled"
STATE_DRAFT = "draft"
STATE_CHOICES = [
    (STATE_OPEN, "Open for bids"),
    (STATE_FORTHCOMING, "Forthcoming"),
    (STATE_CLOSED, "Closed or being evaluated"),
    (STATE_AWARDED, "Awarded"),
    (STATE_CANCELLED, "Cancelled"),
    (STATE_DRAFT, "Draft (not published)"),
]
STATE_LABELS = dict(STATE_CHOICES)
_STATE_RANK = {STATE_OPEN: 0, STATE_FORTHCOMING: 1, STATE_CLOSED: 2, STATE_AWARDED: 3}


def with_state(queryset: QuerySet[Opportunity], *, now=None) -> QuerySet[Opportunity]:
    """Each opportunity's public state, worked out in the database so it can be filtered on."""
    now = now or timezone.now()
    S = OpportunityStatus
    state = Case(
        When(status=S.DRAFT, then=Value(STATE_DRAFT)),
        When(status=S.CANCELLED, then=Value(STATE_CANCELLED)),
        When(status=S.AWARDED, then=Value(STATE_AWARDED)),
        When(publish_at__gt=now, then=Value(STATE_FORTHCOMING)),
        When(status__in=[S.CLOSED, S.EVALUATING], then=Value(STATE_CLOSED)),
        When(bid_deadline__lte=now, then=Value(STATE_CLOSED)),
        default=Value(STATE_OPEN),
        output_field=CharField(),
    )
    rank = Case(
        *[When(state=Value(name), then=Value(rank)) for name, rank in _STATE_RANK.items()],
        default=Value(9),
    )
    budget = Subquery(
        Lot.objects.filter(opportunity=OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(total=Sum("annual_budget"))
        .values("total"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    return queryset.annotate(state=state).annotate(
        state_rank=rank, total_budget=Coalesce(budget, Value(Decimal(0)))
    )


def opportunity_search(queryset: QuerySet[Opportunity], text: str) -> QuerySet[Opportunity]:
    """Opportunities whose reference, title or summary holds every word."""
    for word in text.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(reference__iexact=word)
        )
    return queryset


def list_order(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Open first (soonest deadline first), then forthcoming, closed and awarded."""
    return queryset.order_by("state_rank", "bid_deadline", "pk")


def opportunities_page(queryset: QuerySet[Opportunity], page_number) -> Page:
    """A page of the list: a count and the rows, two queries whatever the size."""
    return Paginator(queryset.select_related("body"), PAGE_SIZE).get_page(page_number)


def opportunity_detail(pk: int) -> Opportunity:
    """Everything the public page shows, in a fixed number of queries."""
    return (
        with_state(Opportunity.objects.filter(pk=pk))
        .select_related("body", "intention")
        .prefetch_related(
            "partners",
            "categories",
            "areas",
            "outcomes",
            "needs_assessments",
            "lots",
            "eligibility_questions",
            Prefetch("criteria", queryset=Criterion.objects.order_by("stage", "position", "pk")),
            Prefetch(
                "documents",
                queryset=OpportunityDocument.objects.filter(replaced=False).order_by("title"),
            ),
            Prefetch(
                "award_decisions",
                queryset=AwardDecision.objects.select_related("lot", "bid__organisation").order_by(
                    "lot__number", "pk"
                ),
            ),
        )
        .get()
    )


def criteria_by_stage(opportunity: Opportunity) -> list[dict]:
    """The criteria of each stage used, with their guidance as (score, text) pairs."""
    stages = []
    for stage, label in BidStage.choices:
        rows = [c for c in opportunity.criteria.all() if c.stage == stage]
        if not rows:
            continue
        for criterion in rows:
            criterion.guidance_rows = sorted(
                ((int(score), text) for score, text in (criterion.scale_guidance or {}).items()),
                key=lambda pair: pair[0],
            )
        stages.append({"stage": stage, "label": label, "criteria": rows})
    return stages


def timetable(opportunity: Opportunity) -> list[dict]:
    """The timetable in order, each with its label and whether it is a time or a day."""
    from ..services.sourcing_opportunities import TIMETABLE

    rows = []
    for name in TIMETABLE:
        value = getattr(opportunity, name)
        if value is None:
            continue
        field = Opportunity._meta.get_field(name)
        rows.append(
            {
                "name": name,
                "label": str(field.verbose_name).capitalize(),
                "value": value,
                "is_time": field.get_internal_type() == "DateTimeField",
            }
        )
    return rows


def bid_counts(opportunity: Opportunity) -> dict:
    """How many bids there are per stage and status: counts only, never content."""
    rows = (
        Bid.objects.filter(opportunity=opportunity)
        .order_by()
        .values("stage", "status")
        .annotate(count=Count("pk"))
    )
    counts = {(row["stage"], row["status"]): row["count"] for row in rows}
    stages = []
    for stage, label in BidStage.choices:
        statuses = [
            {"status": status, "label": status_label, "count": counts.get((stage, status), 0)}
            for status, status_label in BidStatus.choices
        ]
        total = sum(item["count"] for item in statuses)
        stages.append({"stage": stage, "label": label, "statuses": statuses, "total": total})
    return {"stages": stages, "total": sum(counts.values())}


EXPORT_HEADER = [
    "Reference",
    "Title",
    "Commissioning body",
    "Type",
    "Procedure",
    "State",
    "Budget a year (£)",
    "Term (months)",
    "Bid deadline (UK time)",
    "Award date",
    "Address",
]


def opportunity_export(queryset: QuerySet[Opportunity], *, base_url: str):
    """The header and rows of the list's CSV, read in chunks so that a long list streams."""
    rows = list_order(queryset).select_related("body")

    def lines():
        for opportunity in rows.iterator(chunk_size=500):
            yield [
                opportunity.reference,
                opportunity.title,
                opportunity.body.name,
                opportunity.get_kind_display(),
                opportunity.get_procedure_display(),
                STATE_LABELS.get(opportunity.state, opportunity.state),
                opportunity.total_budget,
                opportunity.term_months,
                timezone.localtime(opportunity.bid_deadline).strftime("%Y-%m-%d %H:%M"),
                opportunity.award_on.isoformat(),
                base_url.rstrip("/") + opportunity.get_absolute_url(),
            ]

    return EXPORT_HEADER, lines()
