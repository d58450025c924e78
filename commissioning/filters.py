"""Search and filters for commissioning's lists. Every choice is a GET parameter, so any
combination is a link that can be shared."""

from __future__ import annotations

import django_filters

from accounts.filters import SortedFilterSet
from accounts.models import Organisation, OrganisationKind
from providers.filters import AreaChoiceFilter, CategoryChoiceFilter
from providers.models import ClientGroup

from .selectors import assessments as assessment_selectors

# Needs assessments: the evidence library


class GroupChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: ClientGroup) -> str:
        return f"{obj.name} (usually excluded)" if obj.usually_excluded else obj.name


class GroupChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = GroupChoiceField


class AssessmentFilter(SortedFilterSet):
    """The evidence library's search, filters and sort. Filter the assessments the person may
    see (access.assessments_visible_to); the choice of body lists every commissioning body."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        help_text="Words from an assessment's title or summary of findings.",
    )
    theme = CategoryChoiceFilter(method="filter_theme", label="Theme", empty_label="Any theme")
    area = AreaChoiceFilter(method="filter_area")
    group = GroupChoiceFilter(
        queryset=ClientGroup.objects.order_by("name"),
        method="filter_group",
        label="Population group",
        empty_label="Any group",
    )
    body = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(kind=OrganisationKind.COMMISSIONING_BODY).order_by(
            "name"
        ),
        label="Owning body",
        empty_label="Any body",
    )
    freshness = django_filters.ChoiceFilter(
        choices=assessment_selectors.FRESHNESS_CHOICES,
        method="filter_freshness",
        label="Review status",
        empty_label="Any",
    )
    sort = SortedFilterSet.sort_filter(assessment_selectors.SORT_CHOICES)
    default_sort = assessment_selectors.SORT_ASSESSED

    def order(self, queryset, sort):
        return assessment_selectors.library_order(queryset, sort=sort)

    def filter_search(self, queryset, name, value):
        return assessment_selectors.library_search(queryset, value)

    def filter_theme(self, queryset, name, value):
        return assessment_selectors.filter_by_theme(queryset, value)

    def filter_area(self, queryset, name, value):
        return assessment_selectors.filter_by_area(queryset, value)

    def filter_group(self, queryset, name, value):
        return assessment_selectors.filter_by_group(queryset, value)

    def filter_freshness(self, queryset, name, value):
        return assessment_selectors.freshness_filter(queryset, value)
