"""The forward plan's search and filters, and the planners' list of intentions. Every choice is a
GET parameter, so any combination is a link that can be shared."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from accounts.filters import SortedFilterSet
from accounts.models import Organisation, OrganisationKind, VerificationStatus
from providers.filters import AreaChoiceFilter, CategoryChoiceFilter, linked_to
from providers.models import ClientGroup

from .models import CommissioningIntention, CommissioningRoute, IntentionStatus
from .selectors import planning as selectors


def select_options(bound_field) -> SafeString:
    """A select list's options as HTML, written in one go: the lists of areas and categories run
    to hundreds, which a template per option (or a loop in a template) makes slow."""
    value = bound_field.value()
    chosen = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, " selected" if str(key) == chosen else "", label)
            for key, label in bound_field.field.choices
        ),
    )


SELECTS = ("sort", "category", "area", "body", "route", "client_group", "status")


def select_lists(filterset: django_filters.FilterSet) -> dict[str, SafeString]:
    """The options of each of the filter form's select lists, for templates/.../_select.html."""
    form = filterset.form
    return {name: select_options(form[name]) for name in SELECTS if name in form.fields}


class PlanFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("starts_from"), cleaned.get("starts_to")
        if first and last and first > last:
            self.add_error("starts_to", "The second date must be the same as or after the first.")
        return cleaned


def _date_filter(lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="start_on",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class _IntentionFilter(SortedFilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Words from the title or summary."
    )
    category = CategoryChoiceFilter(field_name="categories")
    area = AreaChoiceFilter(field_name="areas")
    body = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(
            kind=OrganisationKind.COMMISSIONING_BODY,
            verification_status=VerificationStatus.VERIFIED,
        ).order_by("name"),
        label="Commissioning body",
        empty_label="Any body",
    )
    route = django_filters.ChoiceFilter(
        choices=CommissioningRoute.choices, label="Expected route", empty_label="Any route"
    )
    sort = SortedFilterSet.sort_filter(selectors.SORT_CHOICES)
    default_sort = selectors.SORT_START

    class Meta:
        model = CommissioningIntention
        fields: list[str] = []
        form = PlanFilterForm

    def order(self, queryset, sort):
        return selectors.intention_order(queryset, sort=sort)

    def filter_search(self, queryset, name, value):
        return selectors.intention_search(queryset, value)


class ForwardPlanFilter(_IntentionFilter):
    """The public forward plan: a category includes those inside it, an area its wards."""

    client_group = django_filters.ModelChoiceFilter(
        queryset=ClientGroup.objects.all(),
        method="filter_client_group",
        label="Who it is for",
        empty_label="Anyone",
    )
    starts_from = _date_filter("gte", "Starting on or after")
    starts_to = _date_filter("lte", "Starting on or before")

    def filter_client_group(self, queryset, name, value):
        return queryset.filter(linked_to(CommissioningIntention, "client_groups", [value.pk]))


class IntentionListFilter(_IntentionFilter):
    """The planners' list: every body's intentions, drafts and withdrawn ones included."""

    status = django_filters.ChoiceFilter(
        choices=IntentionStatus.choices, label="Status", empty_label="Any status"
    )
