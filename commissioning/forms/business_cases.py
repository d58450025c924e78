"""Forms for business cases (the common template and its options) and the contract thresholds.
They clean input into domain values; the rules of the template are checked by the service."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from ..models import (
    BusinessCase,
    BusinessCaseOption,
    CommissioningRoute,
    ContractThreshold,
    Indicator,
    NeedsAssessment,
    Outcome,
)
from ..services.business_cases import (
    CASE_FIELDS,
    NO_OPTION,
    NO_OUTCOME,
    OPTION_FIELDS,
    TOO_MANY_PREFERRED,
)
from ..social_value import pounds

MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _money(label: str, help_text: str = "", *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        widget=MONEY_WIDGET,
        error_messages={"min_value": "Enter an amount of £0 or more."},
    )


class OutcomeField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        return f"{obj.name} ({obj.priority.name})"


class AssessmentField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: NeedsAssessment) -> str:
        return f"{obj.title} ({obj.body.name}, {obj.assessed_on:%B %Y})"


class ThresholdField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContractThreshold) -> str:
        return f"{obj.name}: {pounds(obj.amount)}"


class BusinessCaseForm(forms.ModelForm):
    """The common template. Pass bodies= (the person's bodies) when writing a new case, and
    assessments= (the needs assessments the person may see)."""

    body = forms.ModelChoiceField(
        queryset=None,
        label="Commissioning body",
        help_text="The body whose business case this is.",
        empty_label=None,
    )
    outcomes = OutcomeField(
        queryset=Outcome.objects.select_related("priority"),
        widget=forms.CheckboxSelectMultiple,
        label="The outcomes sought",
        help_text="From the network's outcomes framework. Choose one or more.",
        error_messages={"required": NO_OUTCOME},
    )
    needs_assessments = AssessmentField(
        queryset=NeedsAssessment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label="Needs assessments it draws on",
        help_text="Hold Ctrl (or Cmd on a Mac) to choose more than one.",
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label="Indicators it draws on",
        help_text="Hold Ctrl (or Cmd on a Mac) to choose more than one.",
    )
    estimated_annual_value = _money("Estimated annual value (£ a year)")
    term_months = forms.IntegerField(
        label="Term (months)",
        min_value=1,
        max_value=240,
        initial=36,
        help_text="How long the arrangement would run. 36 months is three years.",
        error_messages={
            "min_value": "Enter a term of at least 1 month.",
            "max_value": "Enter a term of at most 240 months (20 years).",
        },
    )
    route = forms.ChoiceField(
        choices=CommissioningRoute.choices,
        widget=forms.RadioSelect,
        label="Proposed route",
    )
    threshold = ThresholdField(
        queryset=ContractThreshold.objects.order_by("position", "name"),
        required=False,
        label="Who would let the contract",
        empty_label="Choose the kind of body",
        help_text="The social value check compares the estimated value over the whole term with "
        "the public contract threshold for this kind of body. Not needed for a grant.",
    )

    class Meta:
        model = BusinessCase
        fields = [
            "body",
            "title",
            "need",
            "evidence",
            "needs_assessments",
            "indicators",
            "outcomes",
            "estimated_annual_value",
            "term_months",
            "route",
            "nationally_driven",
            "local_assessment",
            "threshold",
            "social_value_considered",
        ]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "local_assessment": forms.Textarea(attrs={"rows": 4}),
            "social_value_considered": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"title": "Title"}
        help_texts = {
            "evidence": "What the evidence shows, in your words. Link the needs assessments and "
            "indicators below.",
            "nationally_driven": "Tick if a national programme, funding stream or priority is "
            "behind this. You then say how local evidence shapes it.",
            "local_assessment": "Required when driven by national funding or priority "
            "(seeds/000 7.3.3(h)).",
        }

    def __init__(
        self,
        *args,
        bodies: QuerySet | None = None,
        assessments: QuerySet[NeedsAssessment],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if bodies is None:
            del self.fields["body"]
        else:
            self.fields["body"].queryset = bodies
        self.fields["needs_assessments"].queryset = assessments.select_related("body").order_by(
            "title"
        )

    def case_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in CASE_FIELDS}

    def relations(self) -> dict:
        return {
            "outcomes": list(self.cleaned_data["outcomes"]),
            "needs_assessments": list(self.cleaned_data["needs_assessments"]),
            "indicators": list(self.cleaned_data["indicators"]),
        }


class BusinessCaseOptionForm(forms.ModelForm):
    direct_costs = _money(
        "Direct costs a year (£)",
        "Staff, materials and other costs of the service itself.",
        required=False,
    )
    overhead_costs = _money(
        "Overheads a year (£)",
        "Management, premises, finance, HR, IT, recruitment and other support costs, so that the "
        "full cost is compared (full cost recovery).",
        required=False,
    )

    class Meta:
        model = BusinessCaseOption
        fields = OPTION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "benefits": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": "Option",
            "description": "What it would mean",
            "in_house": "Delivered in-house by the body itself",
            "preferred": "This is the preferred option",
        }


class BaseOptionFormSet(forms.BaseInlineFormSet):
    """At least one option, and at most one preferred, with messages that say so."""

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.is_valid()
            and not self._should_delete_form(form)
            and (form.instance.pk or form.has_changed())
        ]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = self.kept_forms()
        if not kept:
            raise forms.ValidationError(NO_OPTION)
        if sum(1 for form in kept if form.cleaned_data.get("preferred")) > 1:
            raise forms.ValidationError(TOO_MANY_PREFERRED)

    def options(self) -> list[dict]:
        """The options to keep, as the service takes them: existing ones carry their pk."""
        return [
            {
                **{name: form.cleaned_data.get(name) for name in OPTION_FIELDS},
                "pk": form.instance.pk,
            }
            for form in self.kept_forms()
        ]


def option_formset(*, extra: int):
    return forms.inlineformset_factory(
        BusinessCase,
        BusinessCaseOption,
        form=BusinessCaseOptionForm,
        formset=BaseOptionFormSet,
        fields=OPTION_FIELDS,
        extra=extra,
        can_delete=True,
        max_num=20,
        validate_max=True,
    )


# The options a new case starts with: delivering it in-house, and buying it in (make or buy).
STARTING_OPTIONS = [
    {"title": "Deliver it in-house", "in_house": True},
    {"title": "Commission it from the third sector", "in_house": False},
]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why reopen it",
        help_text="It goes back to draft and must be approved again. The reason is kept in its "
        "history.",
        error_messages={"required": "Say why the business case is being reopened."},
    )


class ContractThresholdForm(forms.Form):
    amount = forms.DecimalField(
        label="Threshold (£, VAT included)",
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the threshold as an amount in pounds, such as 214904.",
            "required": "Enter the threshold in pounds.",
        },
    )
    effective_from = forms.DateField(
        label="Takes effect from",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Enter a real date, such as 2026-01-01.",
            "required": "Enter the date the threshold takes effect.",
        },
    )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(
                "The threshold must be more than £0: a negative or zero amount would make the "
                "Social Value Act apply to every contract."
            )
        return amount
