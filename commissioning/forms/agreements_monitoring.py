"""Forms for monitoring returns: the provider's return (a value and note for each measure, the
narrative, feedback and concerns, and a file to attach) and the lead body's review (a rating and
comment for each measure and the return, then the decision). They turn what was typed into
domain values, with a clear message for a value of the wrong kind; the services keep the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from ..models import MeasureValueKind, OutcomeMeasure, PerformanceRating, ReturnValue
from ..selectors.monitoring import label_measures
from ..services.agreements_monitoring import EvidenceUpload, MeasureReview, ReturnDraft
from ..services.assessments import EVIDENCE_ACCEPT_ATTRIBUTE, EVIDENCE_TYPES_TEXT

# The largest figure a value can hold (14 digits, 2 of them after the point).
VALUE_LIMIT = Decimal("1000000000000")
TWO_PLACES = Decimal("0.01")


class MeasureValueField(forms.CharField):
    """A figure for one measure, checked against the kind of value it takes: a whole number of
    0 or more, a percentage from 0 to 100, an amount in pounds, or any number. Commas, “£” and
    “%” are allowed as people type them."""

    def __init__(self, *args, measure: OutcomeMeasure, **kwargs):
        self.measure = measure
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "numeric"
                    if measure.value_kind == MeasureValueKind.COUNT
                    else "decimal",
                    "autocomplete": "off",
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        typed = super().to_python(value).strip()
        text = typed.replace(",", "").replace("£", "").replace("%", "").strip()
        if not text:
            return None
        kind = self.measure.value_kind
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise forms.ValidationError(self._wrong_kind(typed))
        if abs(number) >= VALUE_LIMIT:
            raise forms.ValidationError("That figure is too large. Check it and try again.")
        if kind == MeasureValueKind.COUNT:
            if number != number.to_integral_value():
                raise forms.ValidationError(self._wrong_kind(typed))
            if number < 0:
                raise forms.ValidationError("Enter 0 or more: a count cannot be negative.")
            return number.quantize(Decimal(1))
        if kind == MeasureValueKind.PERCENTAGE and not 0 <= number <= 100:
            raise forms.ValidationError(
                f"“{typed}” is not a percentage from 0 to 100. Enter a figure such as 85 or 85.5."
            )
        if kind == MeasureValueKind.MONEY and number < 0:
            raise forms.ValidationError("Enter 0 or more: an amount in pounds cannot be negative.")
        if number != number.quantize(TWO_PLACES):
            places = "pounds and pence: at most two decimal places"
            raise forms.ValidationError(
                f"Enter {places}."
                if kind == MeasureValueKind.MONEY
                else "Enter at most two decimal places."
            )
        return number.quantize(TWO_PLACES)

    def _wrong_kind(self, typed: str) -> str:
        kind = self.measure.value_kind
        if kind == MeasureValueKind.COUNT:
            return (
                f"“{typed}” is not a whole number. Enter the number of {self.measure.unit} as a "
                "whole number, such as 42."
            )
        if kind == MeasureValueKind.PERCENTAGE:
            return f"“{typed}” is not a percentage. Enter a figure from 0 to 100, such as 85."
        if kind == MeasureValueKind.MONEY:
            return (
                f"“{typed}” is not an amount of money. Enter pounds as a number, such as 12500 "
                "or 12500.50."
            )
        return f"“{typed}” is not a number. Enter a figure such as 42 or 3.5."


def _value_label(measure: OutcomeMeasure) -> str:
    kind = measure.value_kind
    if kind == MeasureValueKind.MONEY:
        return f"{measure.name} (£)"
    if kind == MeasureValueKind.PERCENTAGE:
        return f"{measure.name} (%)"
    if kind == MeasureValueKind.COUNT:
        return f"{measure.name} (number of {measure.unit})"
    return f"{measure.name} ({measure.unit})"


def _shown(value: Decimal | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == MeasureValueKind.COUNT:
        return f"{value.quantize(Decimal(1))}"
    return f"{value}"


class ReturnForm(forms.Form):
    """The provider's return. Every field may be left blank in a draft; the submission needs a
    value for each measure and the narrative (services.agreements_monitoring)."""

    narrative = forms.CharField(
        label="What you did this period",
        help_text="Who you worked with, what you did and what difference it made. Say why any "
        "figure is above or below its target.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    feedback_summary = forms.CharField(
        label="What service users told you (optional)",
        help_text="A summary of the feedback you gathered yourselves: surveys, comments, "
        "complaints and compliments.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    concerns = forms.CharField(
        label="Concerns or risks (optional)",
        help_text="Anything the commissioner should know: demand, staffing, safeguarding, costs.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A file to attach with this save: the upload button posts the whole form, so nothing typed
    # is lost if the file is refused.
    evidence_title = forms.CharField(
        label="Title of the file (optional)",
        max_length=200,
        required=False,
        help_text="Leave blank to use the file's name.",
    )
    evidence_measure = forms.TypedChoiceField(
        label="Which measure it evidences (optional)",
        coerce=int,
        empty_value=None,
        required=False,
    )
    file = forms.FileField(
        label="File",
        required=False,
        help_text=f"A {EVIDENCE_TYPES_TEXT} file.",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, measures, values: dict[int, ReturnValue], **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = label_measures(measures)
        for measure in self.measures:
            stored = values.get(measure.pk)
            self.fields[f"value_{measure.pk}"] = MeasureValueField(
                measure=measure,
                label=_value_label(measure),
                help_text=f"Target a period: {measure.target_text}.",
                required=False,
                initial=_shown(stored.value if stored else None, measure.value_kind),
            )
            self.fields[f"note_{measure.pk}"] = forms.CharField(
                label=f"Note on {measure.name} (optional)",
                required=False,
                initial=stored.note if stored else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["evidence_measure"].choices = [
            ("", "The return as a whole"),
            *((m.pk, m.name) for m in self.measures),
        ]
        # The upload fields come last on the page, after the measures.
        self.order_fields(
            [
                *(n for m in self.measures for n in (f"value_{m.pk}", f"note_{m.pk}")),
                "narrative",
                "feedback_summary",
                "concerns",
                "evidence_title",
                "evidence_measure",
                "file",
                "version",
            ]
        )

    def measure_fields(self):
        return [
            (measure, self[f"value_{measure.pk}"], self[f"note_{measure.pk}"])
            for measure in self.measures
        ]

    def draft(self) -> ReturnDraft:
        data = self.cleaned_data
        return ReturnDraft(
            values={
                m.pk: (data.get(f"value_{m.pk}"), data.get(f"note_{m.pk}", "").strip())
                for m in self.measures
            },
            narrative=data.get("narrative", "").strip(),
            feedback_summary=data.get("feedback_summary", "").strip(),
            concerns=data.get("concerns", "").strip(),
            version=data.get("version"),
        )

    def upload(self) -> EvidenceUpload | None:
        file = self.cleaned_data.get("file")
        if not file:
            return None
        return EvidenceUpload(
            file=file,
            title=self.cleaned_data.get("evidence_title", ""),
            measure_id=self.cleaned_data.get("evidence_measure"),
        )


RATING_CHOICES = [("", "Choose a rating"), *PerformanceRating.choices]


class ReturnReviewForm(forms.Form):
    """The lead body's review: a rating and comment for each measure and for the return, then
    accept it or return it for more information."""

    rating = forms.ChoiceField(label="Overall rating", choices=RATING_CHOICES, required=False)
    rating_comment = forms.CharField(
        label="Comment on the overall rating",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("accept", "Accept the return"),
            ("return", "Return it for more information"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept the return or ask for more."},
    )
    returned_reason = forms.CharField(
        label="What more is needed (if you return it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, values: list[ReturnValue], cofunders: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.values = list(values)
        for value in self.values:
            name = value.measure.name
            self.fields[f"rating_{value.pk}"] = forms.ChoiceField(
                label=f"Rating for {name}",
                choices=RATING_CHOICES,
                required=False,
                initial=value.rating,
            )
            self.fields[f"comment_{value.pk}"] = forms.CharField(
                label=f"Comment on {name}",
                required=False,
                initial=value.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if cofunders:
            self.fields["accepted_for_cofunders"] = forms.BooleanField(
                label="Accept it on behalf of the co-funders too: " + ", ".join(cofunders),
                required=False,
                help_text="Only if they have agreed that the lead body reviews for them.",
            )
        self.order_fields(
            [
                *(n for v in self.values for n in (f"rating_{v.pk}", f"comment_{v.pk}")),
                "rating",
                "rating_comment",
                "decision",
                "returned_reason",
                "accepted_for_cofunders",
                "version",
            ]
        )

    def value_fields(self):
        return [
            (value, self[f"rating_{value.pk}"], self[f"comment_{value.pk}"])
            for value in self.values
        ]

    def review(self) -> dict:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "ratings": {
                v.pk: MeasureReview(
                    rating=data.get(f"rating_{v.pk}", ""),
                    comment=data.get(f"comment_{v.pk}", "").strip(),
                )
                for v in self.values
            },
            "rating": data.get("rating", ""),
            "rating_comment": data.get("rating_comment", "").strip(),
            "returned_reason": data.get("returned_reason", "").strip(),
            "accepted_for_cofunders": bool(data.get("accepted_for_cofunders")),
            "version": data.get("version"),
        }
