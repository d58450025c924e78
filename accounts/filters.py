"""Filters for the network admins' organisation list and audit log, and the base of the
portal's sorted lists' filters."""

import django_filters
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import AuditEvent, Organisation, OrganisationKind, VerificationStatus


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or registered number")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, empty_label="Any kind")
    verification_status = django_filters.ChoiceFilter(
        choices=VerificationStatus.choices, empty_label="Any status", label="Status"
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "verification_status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(charity_number=value) | Q(company_number=value.upper())
        )


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor__email", lookup_expr="icontains", label="Actor's email"
    )
    object_type = django_filters.ModelChoiceFilter(
        field_name="content_type",
        queryset=ContentType.objects.filter(app_label__in=settings.PORTAL_APPS).order_by(
            "app_label", "model"
        ),
        label="Object type",
        empty_label="Any type",
    )
    object_id = django_filters.CharFilter(label="Object id")
    action = django_filters.CharFilter(lookup_expr="startswith", label="Action starts with")

    class Meta:
        model = AuditEvent
        fields = ["actor", "object_type", "object_id", "action"]


class SortedFilterSet(django_filters.FilterSet):
    """A FilterSet whose `sort` choice is always in force: a missing or unknown sort becomes the
    default, so the form shows how the results are ordered. A subclass declares
    `sort = SortedFilterSet.sort_filter(choices)`, its `default_sort` and `order(queryset, sort)`."""

    default_sort: str

    @staticmethod
    def sort_filter(choices) -> django_filters.ChoiceFilter:
        return django_filters.ChoiceFilter(
            choices=choices, label="Sort by", empty_label=None, method="keep"
        )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = self.normalised(data)
        super().__init__(data, *args, **kwargs)

    @classmethod
    def sorts(cls) -> set[str]:
        return {value for value, _label in cls.base_filters["sort"].extra["choices"]}

    def normalised(self, data):
        """A copy of the data with a known sort."""
        data = data.copy()
        if data.get("sort") not in self.sorts():
            data["sort"] = self.default_sort
        return data

    @property
    def has_criteria(self) -> bool:
        """A search or a filter is in force (the sort alone is not one)."""
        chosen = self.form.cleaned_data if self.form.is_valid() else {}
        return any(value for name, value in chosen.items() if name != "sort")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.order(queryset, self.form.cleaned_data.get("sort") or self.default_sort)

    def order(self, queryset, sort: str):
        raise NotImplementedError

    def keep(self, queryset, name, value):
        return queryset
