"""The opportunities list's search and filters. Every choice is a GET parameter, so any
combination is a link that can be shared."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, VerificationStatus
from providers.filters import AreaChoiceFilter, CategoryChoiceFilter

from .models import Opportunity, OpportunityKind
from .selectors import sourcing_opportunities as selectors

SELECTS = ("state", "kind", "category", "area", "body")


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Words from the title or summary."
    )
    state = django_filters.ChoiceFilter(
        choices=selectors.STATE_CHOICES,
        label="State",
        empty_label="Open, forthcoming, closed and awarded",
        method="filter_state",
    )
    kind = django_filters.ChoiceFilter(
        choices=OpportunityKind.choices, label="Type", empty_label="Contracts and grants"
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
    closing_within = django_filters.NumberFilter(
        label="Closing within (days)",
        method="filter_closing",
        min_value=1,
        max_value=366,
        help_text="Open opportunities whose bid deadline is within this many days.",
        widget=forms.NumberInput(attrs={"min": "1", "max": "366", "inputmode": "numeric"}),
    )

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def filter_queryset(self, queryset):
        queryset = selectors.with_state(queryset)
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.exclude(
                state__in=[selectors.STATE_DRAFT, selectors.STATE_CANCELLED]
            )
        return selectors.list_order(super().filter_queryset(queryset))

    def filter_search(self, queryset, name, value):
        return selectors.opportunity_search(queryset, value)

    def filter_state(self, queryset, name, value):
        return queryset.filter(state=value)

    def filter_closing(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(
            state=selectors.STATE_OPEN,
            bid_deadline__gt=now,
            bid_deadline__lte=now + timedelta(days=int(value)),
        )
