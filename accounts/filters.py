"""Filters for the network admins' organisation list and audit log."""

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
