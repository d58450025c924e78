"""The business case list's filters: by body, status, route and outcome. Every choice is a GET
parameter, so a filtered list is a link that can be shared."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.models import Organisation, OrganisationKind, VerificationStatus

from .models import BusinessCaseStatus, CommissioningRoute, Outcome


class OutcomeChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        return f"{obj.priority.name}: {obj.name}"


class OutcomeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = OutcomeChoiceField


def commissioning_bodies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrganisationKind.COMMISSIONING_BODY,
        verification_status=VerificationStatus.VERIFIED,
    ).order_by("name")


class BusinessCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Title contains"
    )
    body = django_filters.ModelChoiceFilter(
        queryset=commissioning_bodies(), label="Commissioning body", empty_label="Any body"
    )
    status = django_filters.ChoiceFilter(
        choices=BusinessCaseStatus.choices, label="Status", empty_label="Any status"
    )
    route = django_filters.ChoiceFilter(
        choices=CommissioningRoute.choices, label="Proposed route", empty_label="Any route"
    )
    outcome = OutcomeChoiceFilter(
        field_name="outcomes",
        queryset=Outcome.objects.select_related("priority"),
        label="Outcome sought",
        empty_label="Any outcome",
    )
