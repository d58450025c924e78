"""Forms for the outcomes framework and indicator data. They clean input into domain values and
do nothing else; the rules on values are the services' (services/indicators.py)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.forms import CsvUploadForm
from providers.models import Area, ServiceCategory

from ..models import Indicator, Outcome, StrategyPriority
from ..selectors.evidence import SORTS, AreaIndex, Period, PeriodError, parse_period
from ..services.indicator_imports import MAX_IMPORT_BYTES
from ..services.indicators import Measurement

# The outcomes framework


class PriorityForm(forms.ModelForm):
    class Meta:
        model = StrategyPriority
        fields = ["name", "description", "position"]
        help_texts = {
            "position": "Priorities are listed by this number, lowest first, then by name.",
        }


class _CategoryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else obj.name


class OutcomeForm(forms.ModelForm):
    categories = _CategoryChoice(
        queryset=ServiceCategory.objects.select_related("parent").order_by("parent__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Service categories",
        help_text="The kinds of service that work towards this outcome. The gap analysis finds "
        "provision through them.",
    )

    class Meta:
        model = Outcome
        fields = ["priority", "name", "description", "position", "categories"]
        labels = {"priority": "Strategy priority"}
        help_texts = {
            "position": "Outcomes are listed by this number within their priority, then by name.",
        }

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class _OutcomeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        return f"{obj.priority.name}: {obj.name}"


class IndicatorForm(forms.ModelForm):
    outcome = _OutcomeChoice(
        queryset=Outcome.objects.select_related("priority").order_by(
            "priority__position", "priority__name", "position", "name"
        ),
        help_text="The outcome this indicator measures.",
    )

    class Meta:
        model = Indicator
        fields = [
            "outcome",
            "code",
            "name",
            "definition",
            "unit",
            "polarity",
            "comparator_name",
            "comparator_code",
            "source",
        ]
        labels = {
            "comparator_name": "Comparator",
            "comparator_code": "Comparator's area code",
        }
        help_texts = {
            "polarity": "Whether a higher value is better or worse. Areas are rated better or "
            "worse than the comparator by this.",
        }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_comparator_code(self) -> str:
        return self.cleaned_data["comparator_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("comparator_code") and not cleaned.get("comparator_name"):
            self.add_error(
                "comparator_name",
                "Give the comparator's name, such as England, as well as its code.",
            )
        return cleaned


# Entering a value


class FastSelect(forms.Select):
    """A select drawn without a template for each option: the indicator page offers every area,
    which may be hundreds, and Django's option templates would take most of the page's time."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        selected = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == selected else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


COMPARATOR_CHOICE = "comparator"


class IndicatorValueForm(forms.Form):
    area = forms.ChoiceField(
        label="Area",
        widget=FastSelect,
        error_messages={"required": "Choose the area the value is for."},
    )
    period = forms.CharField(
        max_length=40,
        label="Period",
        help_text="Such as 2023/24 (a financial year), 2023, 2021 - 23, 2023 Q2 or Mar 2024.",
        error_messages={"required": "Give the period the value is for."},
    )
    value = forms.DecimalField(
        max_digits=14,
        decimal_places=4,
        error_messages={"required": "Give the value.", "invalid": "Give the value as a number."},
    )
    lower_ci = forms.DecimalField(
        label="Lower 95% confidence limit",
        max_digits=14,
        decimal_places=4,
        required=False,
        error_messages={"invalid": "Give the lower limit as a number."},
    )
    upper_ci = forms.DecimalField(
        label="Upper 95% confidence limit",
        max_digits=14,
        decimal_places=4,
        required=False,
        error_messages={"invalid": "Give the upper limit as a number."},
    )
    count = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="The number of people or events the value counts, if known.",
        error_messages={"invalid": "Give the count as a number."},
    )
    denominator = forms.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text="The population the value is out of, if known.",
        error_messages={"invalid": "Give the denominator as a number."},
    )
    source = forms.CharField(max_length=250, required=False)

    def __init__(self, *args, indicator: Indicator, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.areas = {str(area.pk): area for area in areas}
        choices = [("", "Choose an area")]
        if indicator.comparator_name:
            choices.append((COMPARATOR_CHOICE, f"{indicator.comparator_name} (the comparator)"))
        choices += [(str(area.pk), f"{area.name} ({area.ons_code})") for area in areas]
        self.fields["area"].choices = choices
        if indicator.unit == "percent":
            self.fields["value"].help_text = "A percentage, from 0 to 100."

    def clean_area(self) -> Area | None:
        """The area, or None for the comparator."""
        chosen = self.cleaned_data["area"]
        return None if chosen == COMPARATOR_CHOICE else self.areas[chosen]

    def clean_period(self) -> Period:
        try:
            label, start = parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise ValidationError(str(error)) from None
        return Period(start, label)

    def measurement(self) -> Measurement:
        data = self.cleaned_data
        return Measurement(
            value=data["value"],
            lower_ci=data["lower_ci"],
            upper_ci=data["upper_ci"],
            count=data["count"],
            denominator=data["denominator"],
            source=data["source"].strip(),
        )


# The indicator page's choices


class IndicatorViewForm(forms.Form):
    """A GET form: which area's trend, which area's areas to compare, and which period. Choices
    come from lists the page has already read, so the form adds no queries."""

    trend_area = forms.ChoiceField(label="Trend for", required=False, widget=FastSelect)
    parent = forms.ChoiceField(label="Compare the areas in", required=False, widget=FastSelect)
    period = forms.ChoiceField(label="Period", required=False)
    sort = forms.ChoiceField(label="Order", required=False, choices=list(SORTS.items()))

    def __init__(self, *args, periods: list[Period], area_index: AreaIndex, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {p.label: p for p in periods}
        self.area_index = area_index
        self.fields["trend_area"].choices = [
            (str(area.pk), area.name) for area in _tree_order(area_index)
        ]
        self.fields["parent"].choices = [("", "Top-level areas")] + [
            (str(area.pk), area.name) for area in area_index.parents
        ]
        self.fields["period"].choices = [(p.label, p.label) for p in periods]

    def chosen(self) -> dict:
        """The choices, with the default for anything not chosen (or not valid)."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        areas = self.area_index.areas
        trend_area = areas.get(int(data["trend_area"])) if data.get("trend_area") else None
        if "parent" in data and "parent" in self.data:
            parent = areas.get(int(data["parent"])) if data["parent"] else None
        else:
            parent = self.area_index.default_parent()
        return {
            "trend_area": trend_area or self.area_index.default_trend_area(),
            "parent_area": parent,
            "period": self.periods.get(data.get("period") or ""),
            "sort": data.get("sort") or "name",
        }

    def for_display(self, chosen: dict) -> IndicatorViewForm:
        """An unbound copy showing what the page shows, defaults included."""
        return IndicatorViewForm(
            periods=list(self.periods.values()),
            area_index=self.area_index,
            initial={
                "trend_area": str(chosen["trend_area"].pk) if chosen["trend_area"] else "",
                "parent": str(chosen["parent_area"].pk) if chosen["parent_area"] else "",
                "period": chosen["period"].label if chosen["period"] else "",
                "sort": chosen["sort"],
            },
        )


def _tree_order(area_index: AreaIndex) -> list[Area]:
    """Top-level areas, each followed by the areas inside it."""
    ordered: list[Area] = []

    def walk(parent_id: int | None) -> None:
        for area in area_index.children.get(parent_id, []):
            ordered.append(area)
            walk(area.pk)

    walk(None)
    return ordered


# Importing a file


class IndicatorImportForm(CsvUploadForm):
    """Files up to MAX_IMPORT_BYTES: public health profile downloads are larger than documents."""

    def max_size(self) -> int:
        return MAX_IMPORT_BYTES
