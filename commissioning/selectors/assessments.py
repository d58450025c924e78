"""Reads for needs assessments: the evidence library's search, freshness, ordering, pages and CSV,
and everything an assessment's own page shows. Each page issues a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from providers.models import Area, ClientGroup, ServiceCategory
from providers.selectors import area_subtree_ids, category_subtree_ids

from .. import access
from ..models import (
    BusinessCase,
    CommissioningIntention,
    Indicator,
    NeedsAssessment,
    NeedsAssessmentDocument,
)

LIBRARY_PAGE_SIZE = 20
# An assessment whose review falls within this many days is shown as due for review.
REVIEW_DUE_DAYS = 60
REVIEWED_ACTION = "needs_assessment.reviewed"

FRESHNESS_CURRENT = "current"
FRESHNESS_DUE = "due"
FRESHNESS_OVERDUE = "overdue"
FRESHNESS_CHOICES = [
    (FRESHNESS_CURRENT, "Current"),
    (FRESHNESS_DUE, f"Review due within {REVIEW_DUE_DAYS} days"),
    (FRESHNESS_OVERDUE, "Overdue for review"),
]

SORT_ASSESSED = "assessed"
SORT_REVIEW = "review"
SORT_TITLE = "title"
SORT_CHOICES = [
    (SORT_ASSESSED, "Date of assessment, newest first"),
    (SORT_REVIEW, "Review date, soonest first"),
    (SORT_TITLE, "Title, A to Z"),
]


# Freshness: how near an assessment is to its review date


@dataclass(frozen=True)
class Freshness:
    code: str  # one of the FRESHNESS_* values
    label: str  # "Overdue for review", "Review due soon" or "Current"
    detail: str  # the label with the date


def freshness_of(next_review_on: date, *, today: date | None = None) -> Freshness:
    """Overdue once the review date has passed, until someone marks it reviewed (which moves
    the date on); due when the date is near; current otherwise."""
    today = today or timezone.localdate()
    shown = f"{next_review_on:%-d %B %Y}"
    if next_review_on < today:
        return Freshness(
            FRESHNESS_OVERDUE, "Overdue for review", f"Overdue for review: it was due on {shown}"
        )
    if next_review_on <= today + timedelta(days=REVIEW_DUE_DAYS):
        return Freshness(FRESHNESS_DUE, "Review due soon", f"Review due soon, by {shown}")
    return Freshness(FRESHNESS_CURRENT, "Current", f"Current: next review by {shown}")


def freshness_filter(queryset: QuerySet, code: str, *, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    soon = today + timedelta(days=REVIEW_DUE_DAYS)
    conditions = {
        FRESHNESS_OVERDUE: Q(next_review_on__lt=today),
        FRESHNESS_DUE: Q(next_review_on__gte=today, next_review_on__lte=soon),
        FRESHNESS_CURRENT: Q(next_review_on__gt=soon),
    }
    return queryset.filter(conditions[code]) if code in conditions else queryset


# Search and filters


def library_search(queryset: QuerySet[NeedsAssessment], text: str) -> QuerySet[NeedsAssessment]:
    """Assessments whose title or summary holds every word, in any case."""
    for word in text.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return queryset


def _linked_to(queryset: QuerySet, relation: str, ids: list[int]) -> QuerySet:
    """Assessments linked through the many-to-many relation to any of the ids. Exists rather
    than a join, so an assessment linked to several of them is listed once."""
    field = NeedsAssessment._meta.get_field(relation)
    links = field.remote_field.through.objects.filter(
        **{
            f"{field.m2m_field_name()}_id": OuterRef("pk"),
            f"{field.m2m_reverse_field_name()}_id__in": ids,
        }
    )
    return queryset.filter(Exists(links))


def filter_by_theme(queryset: QuerySet, theme: ServiceCategory) -> QuerySet:
    """A theme includes the themes below it: Advice finds assessments of debt advice."""
    return _linked_to(queryset, "themes", category_subtree_ids(theme))


def filter_by_area(queryset: QuerySet, area: Area) -> QuerySet:
    """An area includes its wards."""
    return _linked_to(queryset, "areas", area_subtree_ids(area))


def filter_by_group(queryset: QuerySet, group: ClientGroup) -> QuerySet:
    return _linked_to(queryset, "population_groups", [group.pk])


def library_order(queryset: QuerySet[NeedsAssessment], *, sort: str) -> QuerySet[NeedsAssessment]:
    """The primary key settles ties, so pages never overlap."""
    if sort == SORT_REVIEW:
        return queryset.order_by("next_review_on", "title", "pk")
    if sort == SORT_TITLE:
        return queryset.order_by("title", "pk")
    return queryset.order_by("-assessed_on", "title", "pk")


# The library's rows


@dataclass(frozen=True)
class LibraryRow:
    assessment: NeedsAssessment
    freshness: Freshness
    themes: list[ServiceCategory]
    areas: list[Area]
    population_groups: list[ClientGroup]


def _with_lists(queryset: QuerySet[NeedsAssessment]) -> QuerySet[NeedsAssessment]:
    return queryset.select_related("body").prefetch_related(
        Prefetch("themes", queryset=ServiceCategory.objects.order_by("name")),
        Prefetch("areas", queryset=Area.objects.order_by("name")),
        Prefetch("population_groups", queryset=ClientGroup.objects.order_by("name")),
    )


def library_page(queryset: QuerySet[NeedsAssessment], page_number) -> tuple[Page, list[LibraryRow]]:
    """A page of the library and its rows: a count, the page with its bodies, then its themes,
    areas and groups. Five queries, whatever the size of the library."""
    page = Paginator(_with_lists(queryset), LIBRARY_PAGE_SIZE).get_page(page_number)
    today = timezone.localdate()
    rows = [
        LibraryRow(
            assessment=assessment,
            freshness=freshness_of(assessment.next_review_on, today=today),
            themes=list(assessment.themes.all()),
            areas=list(assessment.areas.all()),
            population_groups=list(assessment.population_groups.all()),
        )
        for assessment in page.object_list
    ]
    return page, rows


LIBRARY_EXPORT_HEADER = [
    "Title",
    "Owning body",
    "Themes",
    "Areas",
    "Population groups",
    "Summary of findings",
    "Date of assessment",
    "Next review date",
    "Review status",
    "Who may see it",
    "Link",
]


def library_export_rows(queryset: QuerySet[NeedsAssessment], *, base_url: str) -> Iterator[list]:
    """The filtered library as CSV rows, read in chunks so a large export never sits in memory."""
    today = timezone.localdate()
    for assessment in _with_lists(queryset).iterator(chunk_size=500):
        yield [
            assessment.title,
            assessment.body.name,
            "; ".join(theme.name for theme in assessment.themes.all()),
            "; ".join(area.name for area in assessment.areas.all()),
            "; ".join(group.name for group in assessment.population_groups.all()),
            assessment.summary,
            assessment.assessed_on.isoformat(),
            assessment.next_review_on.isoformat(),
            freshness_of(assessment.next_review_on, today=today).detail,
            assessment.get_visibility_display(),
            base_url + reverse("commissioning:assessment", args=[assessment.pk]),
        ]


# An assessment's page


@dataclass(frozen=True)
class AssessmentPage:
    assessment: NeedsAssessment
    freshness: Freshness
    themes: list[ServiceCategory]
    areas: list[Area]
    population_groups: list[ClientGroup]
    indicators: list[Indicator]
    documents: list[NeedsAssessmentDocument]
    business_cases: list[BusinessCase]
    intentions: list[CommissioningIntention]
    last_review: AuditEvent | None

    @property
    def usually_excluded_groups(self) -> list[ClientGroup]:
        return [group for group in self.population_groups if group.usually_excluded]


def assessment_page(assessment: NeedsAssessment, *, user) -> AssessmentPage:
    """Everything on the record, with the business cases and intentions that use it as far as
    the person may see them, and its last review."""
    themes = list(assessment.themes.select_related("parent").order_by("name"))
    areas = list(assessment.areas.select_related("parent").order_by("name"))
    groups = list(assessment.population_groups.order_by("name"))
    indicators = list(
        assessment.indicators.select_related("outcome__priority").order_by("name", "pk")
    )
    documents = list(assessment.documents.select_related("uploaded_by").order_by("title", "pk"))
    business_cases = list(
        access.business_cases_visible_to(user)
        .filter(needs_assessments=assessment)
        .select_related("body")
        .order_by("title", "pk")
    )
    intentions = list(
        access.intentions_visible_to(user)
        .filter(needs_assessment=assessment)
        .select_related("body")
        .order_by("title", "pk")
    )
    last_review = (
        AuditEvent.objects.filter(
            action=REVIEWED_ACTION,
            content_type__app_label="commissioning",
            content_type__model="needsassessment",
            object_id=str(assessment.pk),
        )
        .select_related("actor")
        .first()
    )
    return AssessmentPage(
        assessment=assessment,
        freshness=freshness_of(assessment.next_review_on),
        themes=themes,
        areas=areas,
        population_groups=groups,
        indicators=indicators,
        documents=documents,
        business_cases=business_cases,
        intentions=intentions,
        last_review=last_review,
    )
