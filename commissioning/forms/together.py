"""Forms for the chances to commission together, joint exercises and the gap analysis. Each
cleans its input into domain values and does nothing else."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organisation
from accounts.periods import FinancialYear, financial_year
from providers.models import Area, ServiceCategory

from ..filters_together import commissioning_bodies
from ..models import JointExerciseStatus, JointModel, Outcome

MULTI_SELECT_HELP = "Hold Ctrl (or Cmd on a Mac) to choose more than one."


def _tree_order(queryset: QuerySet) -> QuerySet:
    """Each parent followed by its children, so a long list of choices reads as a tree."""
    return queryset.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent_id").asc(nulls_first=True), "name"
    )


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else f"{obj.name} (all)"


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else f"{obj.name} (all)"


class AreasField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} (in {obj.parent.name})" if obj.parent_id else obj.name


class OutcomeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        return f"{obj.priority.name}: {obj.name}"


def outcome_choices() -> QuerySet[Outcome]:
    return Outcome.objects.select_related("priority")


class OverlapDismissForm(forms.Form):
    reason = forms.CharField(
        label="Why are you dismissing this overlap?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The other body sees this, so say it plainly: for example, the services are "
        "for different people, or the budget is already committed.",
        error_messages={"required": "Say why you are dismissing this overlap."},
    )


class JointExerciseForm(forms.Form):
    """Pass bodies: the commissioning bodies that may take part."""

    title = forms.CharField(max_length=250)
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the bodies want to achieve together, and why together.",
    )
    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead commissioner",
        empty_label=None,
        help_text="The body that procures on behalf of the partners and manages the contract.",
    )
    model = forms.ChoiceField(
        choices=JointModel.choices,
        widget=forms.RadioSelect,
        label="Model",
        help_text="Aligned budgets: each partner transfers its budget to the lead every year, "
        "and the lead procures and manages the contract for all. Stand-alone partnership: one "
        "body leads for the group, and financial and performance management may stay with each "
        "partner; better suited to new services or a few partners.",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Partner bodies",
        required=False,
        help_text="Every body taking part besides the lead.",
    )
    outcome = OutcomeField(
        queryset=outcome_choices(), required=False, empty_label="No outcome chosen"
    )
    categories = CategoriesField(
        queryset=_tree_order(ServiceCategory.objects.all()),
        required=False,
        label="Service categories",
        help_text=MULTI_SELECT_HELP,
    )
    areas = AreasField(
        queryset=Area.objects.select_related("parent").order_by("level", "name"),
        required=False,
        help_text=MULTI_SELECT_HELP,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bodies = commissioning_bodies()
        self.fields["lead"].queryset = bodies
        self.fields["partners"].queryset = bodies


def financial_year_choices(extra: set[int] | None = None, *, today=None) -> list[tuple[int, str]]:
    """From two years back to six ahead, and any year already recorded."""
    current = financial_year(today or timezone.localdate()).start_year
    years = set(range(current - 2, current + 7)) | set(extra or ())
    return [(year, FinancialYear(year).label) for year in sorted(years)]


class JointContributionForm(forms.Form):
    """Pass parties (the bodies taking part) and years (the years to offer)."""

    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Body",
        empty_label=None,
        error_messages={
            "invalid_choice": "Choose one of the bodies taking part in this exercise.",
        },
    )
    financial_year = forms.TypedChoiceField(
        coerce=int,
        label="Financial year",
        help_text="April to March.",
        error_messages={"invalid_choice": "Choose a financial year from the list."},
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        help_text="Pounds for the year. Enter 0 for a year the body takes part without funding.",
        error_messages={
            "min_value": "Enter an amount of £0 or more.",
            "required": "Enter the amount for the year, in pounds.",
            "invalid": "Enter the amount as a number of pounds, such as 25000 or 25000.50.",
            "max_digits": "Enter an amount under £10,000,000,000.",
            "max_decimal_places": "Enter the amount in pounds and pence, at most 2 decimal places.",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )

    def __init__(self, *args, parties: QuerySet[Organisation], years, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = parties
        self.fields["financial_year"].choices = years


class JointExerciseStatusForm(forms.Form):
    status = forms.ChoiceField(choices=JointExerciseStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


# The gap analysis

# An area with fewer active services than this in a category has thin provision; the page lets
# a planner choose another number, and settings.COMMISSIONING_THIN_PROVISION moves the default.
DEFAULT_THIN_BELOW = getattr(settings, "COMMISSIONING_THIN_PROVISION", 2)


class GapAnalysisForm(forms.Form):
    """Choose an outcome or a category, and the area whose parts make the rows."""

    outcome = OutcomeField(
        queryset=outcome_choices(),
        required=False,
        empty_label="No outcome: use a category",
        help_text="Shows the outcome's indicators, and provision in its service categories.",
    )
    category = CategoryField(
        queryset=_tree_order(ServiceCategory.objects.all()),
        required=False,
        empty_label="No category: use an outcome",
        help_text="Shows the indicators of the outcomes linked to the category (or a category "
        "above it), and provision in the category.",
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(children__isnull=False)
        .distinct()
        .select_related("parent__parent")
        .order_by("name"),
        required=False,
        label="Rows: the areas within",
        empty_label="All top-level areas",
        help_text="Each row is one of the areas inside the one you choose, such as its wards.",
    )
    thin = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        label="Thin provision: fewer than this many active services",
        help_text="An area with an indicator worse than the comparator and fewer active services "
        "than this, in a category, is marked as a gap.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 50, "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") and cleaned.get("category"):
            raise ValidationError("Choose an outcome or a category, not both.")
        if not cleaned.get("thin"):
            cleaned["thin"] = DEFAULT_THIN_BELOW
        return cleaned
