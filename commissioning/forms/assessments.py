"""Forms for needs assessments: writing one, marking it reviewed, and adding a document. They
clean input into domain values; the services keep the rules."""

from __future__ import annotations

from django import forms
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from providers.models import Area, ClientGroup, ServiceCategory

from ..models import Indicator, NeedsAssessment, Visibility
from ..services.assessments import (
    ASSESSMENT_FIELDS,
    ASSESSMENT_M2M,
    EVIDENCE_ACCEPT_ATTRIBUTE,
    EVIDENCE_TYPES_TEXT,
    NO_AREA,
    NO_THEME,
    REVIEW_NOT_AFTER,
    evidence_document_check,
    evidence_max_text,
)


def _tree_order(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent_id").asc(nulls_first=True), "name"
    )


class _Checkboxes(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ThemeField(_Checkboxes):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else f"{obj.name} (all of it)"


class AreaField(_Checkboxes):
    def label_from_instance(self, obj: Area) -> str:
        if obj.parent_id:
            return f"{obj.name} ({obj.get_level_display().lower()} in {obj.parent.name})"
        return f"{obj.name} (all of it)"


class PopulationGroupField(_Checkboxes):
    def label_from_instance(self, obj: ClientGroup) -> str:
        return f"{obj.name} (a community usually excluded)" if obj.usually_excluded else obj.name


class IndicatorField(_Checkboxes):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.outcome.name}: {obj.name}"


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedsAssessmentForm(forms.ModelForm):
    """Pass bodies=access.bodies_of(user): the bodies the person may write for."""

    body = forms.ModelChoiceField(
        queryset=None,
        label="Owning commissioning body",
        empty_label="Choose a body",
        error_messages={"required": "Choose the body that owns the assessment."},
    )
    themes = ThemeField(
        queryset=_tree_order(ServiceCategory.objects.all()),
        label="Themes",
        help_text="The kinds of service the need is about. Choose at least one.",
        error_messages={"required": NO_THEME},
    )
    areas = AreaField(
        queryset=_tree_order(Area.objects.all()),
        label="Areas",
        help_text="Where the need is. A borough includes all of its wards. Choose at least one.",
        error_messages={"required": NO_AREA},
    )
    population_groups = PopulationGroupField(
        queryset=ClientGroup.objects.order_by("name"),
        required=False,
        label="Population groups",
        help_text="Who has the need, including communities that commissioning usually fails "
        "to reach.",
    )
    indicators = IndicatorField(
        queryset=Indicator.objects.select_related("outcome").order_by(
            "outcome__name", "name", "pk"
        ),
        required=False,
        label="Indicators from the outcomes framework",
        help_text="The indicator data the findings draw on.",
    )

    class Meta:
        model = NeedsAssessment
        fields = [
            "body",
            "title",
            "summary",
            "themes",
            "areas",
            "population_groups",
            "indicators",
            "data_sources",
            "method",
            "involvement",
            "assessed_on",
            "next_review_on",
            "visibility",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "data_sources": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 4}),
            "involvement": forms.Textarea(attrs={"rows": 4}),
            "assessed_on": DATE_WIDGET,
            "next_review_on": DATE_WIDGET,
            "visibility": forms.RadioSelect,
        }
        labels = {
            "summary": "Summary of findings",
            "data_sources": "Other data sources",
            "method": "Method",
            "involvement": "How the third sector and service users were involved",
            "assessed_on": "Date of the assessment",
            "next_review_on": "Next review date",
            "visibility": "Who may see it",
        }
        help_texts = {
            "summary": "What the assessment found: the need, who has it, and how big it is.",
            "data_sources": "Surveys, studies and data not in the outcomes framework, with "
            "where to find them.",
            "method": "How the evidence was gathered and analysed.",
            "involvement": "Who took part, how, and how their views shaped the findings.",
            "assessed_on": "When the assessment was completed. For example 2026-03-31.",
            "next_review_on": "When it should next be looked at again. It must be after the "
            "date of the assessment. Its owners are emailed once it passes.",
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "summary": {"required": "Enter a summary of the findings."},
            "method": {"required": "Say how the evidence was gathered."},
            "involvement": {
                "required": "Say how the third sector and service users were involved."
            },
            "assessed_on": {
                "required": "Enter the date of the assessment.",
                "invalid": "Enter the date of the assessment as a real date.",
            },
            "next_review_on": {
                "required": "Enter the next review date.",
                "invalid": "Enter the next review date as a real date.",
            },
        }

    def __init__(self, *args, bodies: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["visibility"].choices = Visibility.choices
        if not self.instance.pk and len(bodies) == 1:
            self.fields["body"].initial = bodies[0].pk

    def clean(self):
        cleaned = super().clean()
        assessed, review = cleaned.get("assessed_on"), cleaned.get("next_review_on")
        if assessed and review and review <= assessed:
            self.add_error("next_review_on", REVIEW_NOT_AFTER)
        return cleaned

    def _post_clean(self):
        # The service sets the body and author, and runs the model's own checks.
        pass

    def assessment_data(self) -> tuple[dict, dict]:
        data = {name: self.cleaned_data[name] for name in ASSESSMENT_FIELDS}
        m2m = {name: list(self.cleaned_data[name]) for name in ASSESSMENT_M2M}
        return data, m2m


class MarkReviewedForm(forms.Form):
    next_review_on = forms.DateField(
        label="Next review date",
        help_text="When it should next be looked at again. It must be in the future.",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Enter the next review date.",
            "invalid": "Enter the next review date as a real date.",
        },
    )
    note = forms.CharField(
        label="What the review found",
        help_text="For example, whether the findings still stand, and what changed.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what the review found, or why the assessment still stands."
        },
    )

    def clean_next_review_on(self):
        review = self.cleaned_data["next_review_on"]
        if review <= timezone.localdate():
            raise forms.ValidationError("The next review date must be in the future.")
        return review


class EvidenceFileField(forms.FileField):
    """A piece of evidence for private storage: refused, with a message saying why, if it is too
    big or not a type we accept (checked by its name and by its content)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", f"{EVIDENCE_TYPES_TEXT}, up to {evidence_max_text()}.")
        kwargs.setdefault("widget", forms.FileInput)
        kwargs.setdefault(
            "error_messages",
            {"required": "Choose a file to upload.", "empty": "The file is empty."},
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", EVIDENCE_ACCEPT_ATTRIBUTE)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file and file is not initial:
            evidence_document_check(file)
        return file


class AssessmentDocumentForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        label="Title (optional)",
        help_text="What the document is, such as “Survey of carers, 2026”. Left blank, the "
        "file's name is used.",
    )
    file = EvidenceFileField(label="The document")

    def document_data(self) -> dict:
        return {"title": self.cleaned_data["title"], "file": self.cleaned_data["file"]}
