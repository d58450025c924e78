"""The filters of the commission-together page and the joint exercise list: GET forms, so every
choice is a link that can be shared."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from accounts.models import Organisation, OrganisationKind, VerificationStatus

from .models import JointExercise, JointExerciseStatus, JointPartner, OverlapPair
from .selectors.together import overlap_kind_choices

SHOW_OPEN = "open"
SHOW_DISMISSED = "dismissed"
SHOW_EXERCISES = "exercises"
SHOW_CHOICES = [
    (SHOW_OPEN, "Waiting for a decision"),
    (SHOW_DISMISSED, "Dismissed"),
    (SHOW_EXERCISES, "Turned into joint exercises"),
]


def commissioning_bodies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrganisationKind.COMMISSIONING_BODY,
        verification_status=VerificationStatus.VERIFIED,
    ).order_by("name")


class OverlapPairFilter(django_filters.FilterSet):
    show = django_filters.ChoiceFilter(
        choices=SHOW_CHOICES,
        method="filter_show",
        label="Show",
        empty_label=None,
        null_label=None,
    )
    body = django_filters.ModelChoiceFilter(
        queryset=commissioning_bodies(),
        method="filter_body",
        label="Body (either side)",
        empty_label="Any body",
    )
    kind = django_filters.ChoiceFilter(
        choices=overlap_kind_choices,
        method="filter_kind",
        label="Kind of record (either side)",
        empty_label="Any kind",
    )
    min_score = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        label="Lowest score",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        help_text="0 to 100.",
    )

    class Meta:
        model = OverlapPair
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None and not data.get("show"):
            data = data.copy()
            data["show"] = SHOW_OPEN
        super().__init__(data, *args, **kwargs)
        self.form.fields["min_score"].widget.attrs.setdefault("inputmode", "numeric")

    def filter_show(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == SHOW_DISMISSED:
            return queryset.filter(dismissed_at__isnull=False)
        if value == SHOW_EXERCISES:
            return queryset.filter(exercise__isnull=False)
        return queryset.filter(current=True, dismissed_at__isnull=True, exercise__isnull=True)

    def filter_body(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(first_body=value) | Q(second_body=value))

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(first_kind=value) | Q(second_kind=value))


class JointExerciseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=JointExerciseStatus.choices, label="Status", empty_label="Any status"
    )
    body = django_filters.ModelChoiceFilter(
        queryset=commissioning_bodies(),
        method="filter_body",
        label="Body taking part",
        empty_label="Any body",
    )

    class Meta:
        model = JointExercise
        fields: list[str] = []

    def filter_body(self, queryset: QuerySet, name: str, value) -> QuerySet:
        partnering = JointPartner.objects.filter(body=value).values("exercise")
        return queryset.filter(Q(lead=value) | Q(pk__in=partnering))
