"""The directory's search and filters, and the provision map's choice of areas and categories.
Every choice is a GET parameter, so any combination is a link that can be shared."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES

from accounts.filters import SortedFilterSet
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


def tree_order(queryset: QuerySet) -> QuerySet:
    """Each parent followed by its children, so a long list of choices reads as a tree."""
    return queryset.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent_id").asc(nulls_first=True), "name"
    )


def linked_to(model: type[Model], relation: str, ids: Iterable[int]) -> Exists:
    """Rows of the model linked, through its many-to-many relation, to one of the ids."""
    field = getattr(model, relation).field
    return Exists(
        field.remote_field.through.objects.filter(
            **{
                f"{field.m2m_field_name()}_id": OuterRef("pk"),
                f"{field.m2m_reverse_field_name()}_id__in": ids,
            }
        )
    )


class CategoryChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else f"{obj.name} (all)"


class AreaChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.parent_id:
            return f"{obj.name} ({obj.get_level_display().lower()} in {obj.parent.name})"
        return f"{obj.name} (all of it)"


class _TreeChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice from a tree, listed parent first. Without a method it keeps the rows linked,
    through the many-to-many relation named by field_name, to the choice or to anything inside it."""

    tree_model: type[Model]
    default_label = ""
    default_empty_label = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", tree_order(self.tree_model.objects.all()))
        kwargs.setdefault("label", self.default_label)
        kwargs.setdefault("empty_label", self.default_empty_label)
        super().__init__(*args, **kwargs)

    def subtree_ids(self, value) -> list[int]:
        raise NotImplementedError

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(linked_to(qs.model, self.field_name, self.subtree_ids(value)))


class CategoryChoiceFilter(_TreeChoiceFilter):
    """A category, which includes those inside it."""

    field_class = CategoryChoiceField
    tree_model = ServiceCategory
    default_label = "Category"
    default_empty_label = "Any category"

    def subtree_ids(self, value: ServiceCategory) -> list[int]:
        return selectors.category_subtree_ids(value)


class AreaChoiceFilter(_TreeChoiceFilter):
    """An area, which includes its wards."""

    field_class = AreaChoiceField
    tree_model = Area
    default_label = "Area"
    default_empty_label = "Any area"

    def subtree_ids(self, value: Area) -> list[int]:
        return selectors.area_subtree_ids(value)


def _normalised(data, *, sorts: set[str]):
    """The effective sort in the data, so the form shows how the results are ordered: best match
    when searching, by name otherwise."""
    data = data.copy()
    searching = bool((data.get("q") or "").strip())
    sort = data.get("sort")
    if sort not in sorts or (sort == selectors.SORT_RELEVANCE and not searching):
        data["sort"] = selectors.SORT_RELEVANCE if searching else selectors.SORT_NAME
    return data


class DirectoryFilter(SortedFilterSet):
    """Pass request=request: the consortium filter sees only the consortia the person may see."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        help_text="Words from an organisation's name, description or services.",
    )
    category = CategoryChoiceFilter(method="filter_category", label="Service category")
    area = AreaChoiceFilter(method="filter_area")
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
    sort = SortedFilterSet.sort_filter(selectors.SORT_CHOICES)
    default_sort = selectors.SORT_NAME

    def normalised(self, data):
        return _normalised(data, sorts=self.sorts())

    def order(self, queryset, sort):
        return selectors.directory_order(queryset, sort=sort)

    def filter_search(self, queryset, name, value):
        return selectors.directory_search(queryset, value)

    def _reaches(self, queryset, *, relation: str, values) -> QuerySet:
        """Organisations whose directory entry reaches one of the values: on their profile, or on
        a listed service (ProviderProfile.reach_*, kept current by the services layer)."""
        return queryset.filter(linked_to(ProviderProfile, relation, values))

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
