"""The register of agreements' filters and sort. Every choice is a GET parameter, so any
combination is a link that can be shared, and the CSV takes the same parameters."""

from __future__ import annotations

import django_filters
from django import forms

from accounts.filters import SortedFilterSet
from providers.filters import AreaChoiceFilter, CategoryChoiceFilter

from .filters_business_cases import commissioning_bodies
from .models import Agreement, AgreementKind
from .selectors import agreements_register as selectors

SELECTS = ("sort", "body", "kind", "category", "area", "value", "status")


class RegisterFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("ends_from"), cleaned.get("ends_to")
        if first and last and first > last:
            self.add_error("ends_to", "The second date must be the same as or after the first.")
        return cleaned


def _end_date_filter(lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="end_on",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AgreementFilter(SortedFilterSet):
    """Filter the agreements the person may see (access.agreements_visible_to)."""

    provider = django_filters.CharFilter(
        label="Provider",
        method="filter_provider",
        help_text="Part of the name of the lead provider, a consortium member or a subcontractor.",
    )
    body = django_filters.ModelChoiceFilter(
        queryset=commissioning_bodies(),
        method="filter_body",
        label="Funded by",
        empty_label="Any body",
        help_text="As the lead body or as a co-funder.",
    )
    kind = django_filters.ChoiceFilter(
        choices=AgreementKind.choices, label="Type", empty_label="Any type"
    )
    category = CategoryChoiceFilter(field_name="categories")
    area = AreaChoiceFilter(field_name="areas")
    value = django_filters.ChoiceFilter(
        choices=selectors.VALUE_BAND_CHOICES,
        method="filter_value",
        label="Total value",
        empty_label="Any value",
    )
    status = django_filters.ChoiceFilter(
        choices=selectors.STATUS_CHOICES,
        method="filter_status",
        label="Status",
        empty_label="Any status",
    )
    ends_from = _end_date_filter("gte", "Ending on or after")
    ends_to = _end_date_filter("lte", "Ending on or before")
    ending_soon = django_filters.BooleanFilter(
        method="filter_ending_soon",
        label="Ends within the next 12 months",
        help_text="Live agreements only.",
        widget=forms.CheckboxInput,
    )
    never_open = django_filters.BooleanFilter(
        method="filter_never_open",
        label="Rolled over or never openly procured",
        help_text="Direct awards, negotiated arrangements and roll-overs without competition.",
        widget=forms.CheckboxInput,
    )
    sort = SortedFilterSet.sort_filter(selectors.SORT_CHOICES)
    default_sort = selectors.SORT_END

    class Meta:
        model = Agreement
        fields: list[str] = []
        form = RegisterFilterForm

    def order(self, queryset, sort):
        return selectors.register_order(queryset, sort)

    def filter_provider(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(selectors.provider_named_q(value))

    def filter_body(self, queryset, name, value):
        return queryset.filter(selectors.funded_by_q(value))

    def filter_value(self, queryset, name, value):
        return queryset.filter(selectors.value_band_q(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(selectors.status_q(value))

    def filter_ending_soon(self, queryset, name, value):
        return queryset.filter(selectors.ending_within_q()) if value else queryset

    def filter_never_open(self, queryset, name, value):
        return queryset.filter(selectors.never_openly_procured_q()) if value else queryset
