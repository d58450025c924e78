"""Reads for the forward plan: who hears of a new intention (or, later, an opportunity), what a
subscription matches, and the rows the forward plan, its exports and the planners' list show."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from urllib.parse import urlsplit

from django.core.paginator import Page, Paginator
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, OrganisationKind, User, VerificationStatus
from providers.models import Area, ServiceCategory
from providers.selectors import TREE_DEPTH

from ..icalendar import AllDayEvent
from ..models import CommissioningIntention, IntentionStatus, Subscription

PAGE_SIZE = 25
EXPORT_CHUNK = 500

SORT_START = "start"
SORT_PUBLISHED = "published"
SORT_TITLE = "title"
SORT_CHOICES = [
    (SORT_START, "Start date, soonest first"),
    (SORT_PUBLISHED, "Recently published"),
    (SORT_TITLE, "Title, A to Z"),
]


# Trees of categories and areas


def _ids(values) -> QuerySet | list[int]:
    """Model instances, ids or a queryset, as something `pk__in` takes without a query."""
    if isinstance(values, QuerySet):
        return values.values("pk")
    return [value.pk if isinstance(value, Model) else int(value) for value in values]


def _with_ancestors(model: type[Model], values) -> Q:
    """The nodes given and every node above them, as a condition on the model: a subscription to
    "Advice" covers an intention for "Debt advice", and one to a borough covers its wards."""
    ids = _ids(values)
    condition = Q(pk__in=ids)
    path = "parent_id"
    for _ in range(TREE_DEPTH):
        condition |= Q(pk__in=model.objects.filter(pk__in=ids).values(path))
        path = "parent__" + path
    return condition


def _with_descendants(model: type[Model], values) -> Q:
    """The nodes given and every node below them."""
    ids = _ids(values)
    condition = Q(pk__in=ids)
    path = "parent_id"
    for _ in range(TREE_DEPTH):
        condition |= Q(**{f"{path}__in": ids})
        path = "parent__" + path
    return condition


# Who hears of what


def provider_users() -> QuerySet[User]:
    """Active people who belong to a verified third sector organisation: those alerts go to."""
    belongs = Membership.objects.filter(
        user=OuterRef("pk"),
        organisation__kind=OrganisationKind.THIRD_SECTOR,
        organisation__verification_status=VerificationStatus.VERIFIED,
    )
    return User.objects.filter(Exists(belongs), is_active=True)


def _listed(values) -> QuerySet | list:
    return values if isinstance(values, QuerySet) else list(values)


def _given(values) -> bool:
    """False for an empty list of choices; a queryset counts as given, to be settled in SQL."""
    return isinstance(values, QuerySet) or bool(values)


def subscribers_for(categories, areas) -> QuerySet[User]:
    """The provider users whose subscription covers one of these categories or areas, each once.

    A subscription covers a category (or area) when it names that category or one above it. The
    arguments are model instances, ids or querysets; the answer is one query, with the trees
    walked inside it, so it costs the same for ten subscribers or ten thousand."""
    categories, areas = _listed(categories), _listed(areas)
    covered = Q()
    if _given(categories):
        links = Subscription.categories.through.objects.filter(
            subscription__user=OuterRef("pk"),
            servicecategory__in=ServiceCategory.objects.filter(
                _with_ancestors(ServiceCategory, categories)
            ),
        )
        covered |= Q(Exists(links))
    if _given(areas):
        links = Subscription.areas.through.objects.filter(
            subscription__user=OuterRef("pk"),
            area__in=Area.objects.filter(_with_ancestors(Area, areas)),
        )
        covered |= Q(Exists(links))
    if not covered:
        return User.objects.none()
    return provider_users().filter(covered).order_by("pk")


def intention_subscribers(intention: CommissioningIntention) -> QuerySet[User]:
    return subscribers_for(intention.categories.all(), intention.areas.all())


def intentions_matching(categories, areas) -> QuerySet[CommissioningIntention]:
    """Published intentions that a subscription to these categories and areas is told about:
    those in one of the categories or areas, or in one below it."""
    categories, areas = _listed(categories), _listed(areas)
    covered = Q()
    if _given(categories):
        links = CommissioningIntention.categories.through.objects.filter(
            commissioningintention_id=OuterRef("pk"),
            servicecategory__in=ServiceCategory.objects.filter(
                _with_descendants(ServiceCategory, categories)
            ),
        )
        covered |= Q(Exists(links))
    if _given(areas):
        links = CommissioningIntention.areas.through.objects.filter(
            commissioningintention_id=OuterRef("pk"),
            area__in=Area.objects.filter(_with_descendants(Area, areas)),
        )
        covered |= Q(Exists(links))
    if not covered:
        return CommissioningIntention.objects.none()
    return forward_plan_intentions().filter(covered)


# The forward plan


def forward_plan_intentions() -> QuerySet[CommissioningIntention]:
    """What the public forward plan holds: every published intention. A withdrawn one leaves it."""
    return CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED)


def intention_search(
    queryset: QuerySet[CommissioningIntention], text: str
) -> QuerySet[CommissioningIntention]:
    """Intentions whose title or summary holds every word. The forward plan is small enough
    (thousands, not millions) for a plain scan."""
    for word in text.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return queryset


def intention_order(
    queryset: QuerySet[CommissioningIntention], *, sort: str
) -> QuerySet[CommissioningIntention]:
    """The primary key settles ties, so pages never overlap."""
    if sort == SORT_PUBLISHED:
        return queryset.order_by("-published_at", "start_on", "pk")
    if sort == SORT_TITLE:
        return queryset.order_by("title", "pk")
    return queryset.order_by("start_on", "title", "pk")


def with_details(queryset: QuerySet[CommissioningIntention]) -> QuerySet[CommissioningIntention]:
    """Everything a row of the plan shows, in four queries however many rows there are."""
    return queryset.select_related("body", "outcome").prefetch_related(
        "categories", "areas", "client_groups"
    )


def intentions_page(queryset: QuerySet[CommissioningIntention], page_number) -> Page:
    """A page of intentions with their details: a count, the rows, and three lists."""
    return Paginator(with_details(queryset), PAGE_SIZE).get_page(page_number)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.0f}"


def value_range(intention: CommissioningIntention) -> str:
    if intention.value_low == intention.value_high:
        return f"{money(intention.value_low)} a year"
    return f"{money(intention.value_low)} to {money(intention.value_high)} a year"


@dataclass(frozen=True)
class KeyDate:
    code: str  # "consultation", "tender", "start"
    label: str  # for pages: "Expected tender or grant round"
    short: str  # for calendars: "Tender"
    day: date


KEY_DATES = [
    ("consultation", "Expected consultation", "Consultation", "consultation_on"),
    ("tender", "Expected tender or grant round", "Tender", "tender_on"),
    ("start", "Expected start", "Start", "start_on"),
]


def key_dates(intention: CommissioningIntention) -> list[KeyDate]:
    """The expected consultation, tender and start dates that are known, in that order."""
    return [
        KeyDate(code, label, short, getattr(intention, field))
        for code, label, short, field in KEY_DATES
        if getattr(intention, field) is not None
    ]


@dataclass(frozen=True)
class PlanRow:
    """An intention as a row of the forward plan or the planners' list."""

    intention: CommissioningIntention
    value_range: str
    key_dates: list[KeyDate]


def plan_rows(intentions: Iterable[CommissioningIntention]) -> list[PlanRow]:
    return [PlanRow(i, value_range(i), key_dates(i)) for i in intentions]


# Exports of the forward plan

EXPORT_HEADER = [
    "Title",
    "Commissioning body",
    "Summary",
    "Outcome",
    "Categories",
    "Areas",
    "Client groups",
    "Value from (£ a year)",
    "Value to (£ a year)",
    "Expected route",
    "Expected consultation",
    "Expected tender or grant round",
    "Expected start",
    "Expected end",
    "Contact name",
    "Contact email",
    "Published",
    "Link",
]


def _iso(day) -> str:
    return day.isoformat() if day else ""


@dataclass(frozen=True)
class ExportItem:
    intention: CommissioningIntention
    categories: list[str]
    areas: list[str]
    client_groups: list[str]


def _names(relation: str, ids: list[int]) -> dict[int, list[str]]:
    """The names an intention is linked to through one many-to-many relation, by intention."""
    field = getattr(CommissioningIntention, relation).field
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = (
        field.remote_field.through.objects.filter(**{f"{source}_id__in": ids})
        .order_by(f"{target}__name")
        .values_list(f"{source}_id", f"{target}__name")
    )
    found: dict[int, list[str]] = {}
    for pk, name in links:
        found.setdefault(pk, []).append(name)
    return found


def export_intentions(queryset: QuerySet[CommissioningIntention]) -> Iterator[ExportItem]:
    """The intentions with the names of their categories, areas and client groups, read a chunk
    at a time (the rows, then three queries of names), so that a long export streams."""
    rows = queryset.select_related("body", "outcome").iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        ids = [intention.pk for intention in chunk]
        categories = _names("categories", ids)
        areas = _names("areas", ids)
        groups = _names("client_groups", ids)
        for intention in chunk:
            yield ExportItem(
                intention,
                categories.get(intention.pk, []),
                areas.get(intention.pk, []),
                groups.get(intention.pk, []),
            )


def forward_plan_export_rows(
    queryset: QuerySet[CommissioningIntention], *, base_url: str
) -> Iterator[list]:
    for item in export_intentions(queryset):
        intention = item.intention
        yield [
            intention.title,
            intention.body.name,
            intention.summary,
            intention.outcome.name,
            "; ".join(item.categories),
            "; ".join(item.areas),
            "; ".join(item.client_groups),
            f"{intention.value_low:.2f}",
            f"{intention.value_high:.2f}",
            intention.get_route_display(),
            _iso(intention.consultation_on),
            _iso(intention.tender_on),
            _iso(intention.start_on),
            _iso(intention.end_on),
            intention.contact_name,
            intention.contact_email,
            _iso(timezone.localdate(intention.published_at)) if intention.published_at else "",
            f"{base_url}{intention.get_absolute_url()}",
        ]


def _description(intention: CommissioningIntention, range_text: str) -> str:
    lines = [
        f"{intention.body.name} plans to commission this.",
        intention.summary,
        f"Indicative value: {range_text}.",
        f"Expected route: {intention.get_route_display()}.",
        f"Expected start: {intention.start_on.day} {intention.start_on:%B %Y}.",
        f"Contact: {intention.contact_name}, {intention.contact_email}",
    ]
    return "\n".join(lines)


def forward_plan_events(
    queryset: QuerySet[CommissioningIntention], *, base_url: str
) -> Iterator[AllDayEvent]:
    """One all-day event per known key date of each intention, for the calendar feed. Each
    event's UID is made from the intention and the kind of date, so it stays the same in every
    download and a calendar moves the event when the date changes."""
    host = urlsplit(base_url).hostname or "localhost"
    for item in export_intentions(queryset):
        intention = item.intention
        url = f"{base_url}{intention.get_absolute_url()}"
        description = _description(intention, value_range(intention))
        for key in key_dates(intention):
            yield AllDayEvent(
                uid=f"intention-{intention.pk}-{key.code}@{host}",
                day=key.day,
                summary=f"{key.short}: {intention.title}",
                stamp=intention.updated_at,
                description=description,
                url=url,
            )
