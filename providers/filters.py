"""The directory's search and filters, and the provision map's choice of areas and categories.
Every choice is a GET parameter, so any combination is a link that can be shared."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import LegalForm

from . import access, selectors
from .models import (
    Area,
    ClientGroup,
    ConsortiumStatus,
    IncomeBand,
    Language,
    OrganisationQualityMark,
    ProviderProfile,
    QualityMark,
    ServiceCategory,
)


def _tree_order(queryset: QuerySet) -> QuerySet:
    """Each parent followed by its children, so a long list of choices reads as a tree."""
    return queryset.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent_id").asc(nulls_first=True), "name"
    )


class CategoryChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else f"{obj.name} (all)"


class AreaChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.parent_id:
            return f"{obj.name} ({obj.get_level_display().lower()} in {obj.parent.name})"
        return f"{obj.name} (all of it)"


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = AreaChoiceField


def _normalised(data, *, sorts: set[str]):
    """The effective sort in the data, so the form shows how the results are ordered: best match
    when searching, by name otherwise."""
    data = data.copy()
    searching = bool((data.get("q") or "").strip())
    sort = data.get("sort")
    if sort not in sorts or (sort == selectors.SORT_RELEVANCE and not searching):
        data["sort"] = selectors.SORT_RELEVANCE if searching else selectors.SORT_NAME
    return data


class DirectoryFilter(django_filters.FilterSet):
    """Pass request=request: the consortium filter sees only the consortia the person may see."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        help_text="Words from an organisation's name, description or services.",
    )
    category = CategoryChoiceFilter(
        queryset=_tree_order(ServiceCategory.objects.all()),
        method="filter_category",
        label="Service category",
        empty_label="Any category",
    )
    area = AreaChoiceFilter(
        queryset=_tree_order(Area.objects.all()),
        method="filter_area",
        label="Area",
        empty_label="Any area",
    )
    client_group = django_filters.ModelChoiceFilter(
        queryset=ClientGroup.objects.all(),
        method="filter_client_group",
        label="Works with",
        empty_label="Anyone",
    )
    language = django_filters.ModelChoiceFilter(
        queryset=Language.objects.all(),
        method="filter_language",
        label="Language",
        empty_label="Any language",
    )
    legal_form = django_filters.ChoiceFilter(
        choices=LegalForm.choices, label="Legal form", empty_label="Any legal form"
    )
    income_band = django_filters.ChoiceFilter(
        field_name="profile__income_band",
        choices=IncomeBand.choices,
        label="Size (annual income)",
        empty_label="Any size",
    )
    quality_mark = django_filters.ModelChoiceFilter(
        queryset=QualityMark.objects.all(),
        method="filter_quality_mark",
        label="Holds a current quality mark",
        empty_label="Any or none",
    )
    passport = django_filters.BooleanFilter(
        method="filter_passport",
        label="Has a current pre-qualification passport",
        widget=forms.CheckboxInput,
    )
    consortium = django_filters.BooleanFilter(
        method="filter_consortium",
        label="Leads or belongs to a consortium",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        choices=selectors.SORT_CHOICES, label="Sort by", empty_label=None, method="keep"
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = _normalised(data, sorts={value for value, _label in selectors.SORT_CHOICES})
        super().__init__(data, *args, **kwargs)

    @property
    def has_criteria(self) -> bool:
        """A search or a filter is in force (the sort alone is not one)."""
        chosen = self.form.cleaned_data if self.form.is_valid() else {}
        return any(value for name, value in chosen.items() if name != "sort")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return selectors.directory_order(
            queryset, sort=self.form.cleaned_data.get("sort") or selectors.SORT_NAME
        )

    def keep(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        return selectors.directory_search(queryset, value)

    def _reaches(self, queryset, *, relation: str, values) -> QuerySet:
        """Organisations whose directory entry reaches one of the values: on their profile, or on
        a listed service (ProviderProfile.reach_*, kept current by the services layer)."""
        field = getattr(ProviderProfile, relation).field
        links = field.remote_field.through.objects.filter(
            **{
                f"{field.m2m_field_name()}_id": OuterRef("pk"),
                f"{field.m2m_reverse_field_name()}_id__in": values,
            }
        )
        return queryset.filter(Exists(links))

    def filter_category(self, queryset, name, value):
        return self._reaches(
            queryset, relation="reach_categories", values=selectors.category_subtree_ids(value)
        )

    def filter_area(self, queryset, name, value):
        return self._reaches(
            queryset, relation="reach_areas", values=selectors.area_subtree_ids(value)
        )

    def filter_client_group(self, queryset, name, value):
        return self._reaches(queryset, relation="reach_client_groups", values=[value.pk])

    def filter_language(self, queryset, name, value):
        return self._reaches(queryset, relation="reach_languages", values=[value.pk])

    def filter_quality_mark(self, queryset, name, value):
        held = OrganisationQualityMark.objects.filter(
            profile_id=OuterRef("pk"), quality_mark=value
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()))
        return queryset.filter(Exists(held))

    def filter_passport(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(passport__expires_on__gte=timezone.localdate())

    def filter_consortium(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user if self.request is not None else AnonymousUser()
        consortia = access.consortia_visible_to(user).exclude(status=ConsortiumStatus.DISSOLVED)
        return queryset.filter(
            Exists(consortia.filter(lead=OuterRef("pk")))
            | Exists(consortia.filter(members__organisation=OuterRef("pk")))
        )


class ProvisionMapForm(forms.Form):
    """Which areas make the rows and which categories the columns."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(children__isnull=False).distinct().order_by("name"),
        required=False,
        label="Rows: the areas within",
        empty_label="All top-level areas",
        help_text="Each row is one of the areas inside the one you choose, such as its wards.",
    )
    category = forms.ModelChoiceField(
        queryset=ServiceCategory.objects.filter(children__isnull=False).distinct().order_by("name"),
        required=False,
        label="Columns: the categories within",
        empty_label="All top-level categories",
        help_text="Each column is one of the categories inside the one you choose.",
    )
