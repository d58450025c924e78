"""Forms for agreements: the agreement itself with its members, co-funders and risks (formsets)
and a value for each financial year its dates touch; its measures and payment schedule; a
payment made; a variation; a notice; a status move; and the feedback at the end. They clean input
into domain values; the services keep the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, VerificationStatus
from providers.models import Area, Consortium, ServiceCategory

from ..models import (
    Agreement,
    AgreementMemberRole,
    MeasureValueKind,
    NoticeKind,
    Outcome,
    RiskAllocation,
    RiskKind,
)
from ..selectors.agreements import organisation_label, third_sector_organisation_find
from ..services.agreements import (
    AGREEMENT_FIELDS,
    AGREEMENT_M2M,
    EDITABLE_FIELDS,
    STATUS_ACTIONS,
    agreement_years_for,
    year_label,
)
from .planning import BodyChoiceMixin, GroupedCheckboxes, GroupedChoicesMixin
from .sourcing_bids import MoneyField

FULL_COST_RECOVERY = [
    ("yes", "Yes: the price covers the provider's full cost, with a fair share of overheads"),
    ("no", "No: it does not"),
    ("unknown", "Not yet known"),
]
FCR_VALUES = {"yes": True, "no": False, "unknown": None}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str, **kwargs) -> forms.DateField:
    kwargs.setdefault("error_messages", {})
    kwargs["error_messages"].setdefault(
        "invalid", "Enter a real date, such as 1 April 2027 (2027-04-01)."
    )
    return forms.DateField(label=label, widget=_date_input(), **kwargs)


class OrganisationLookupField(forms.CharField):
    """A verified third sector organisation, given by its charity or company number or its
    name: one query, so the page stays small whatever the size of the directory."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("help_text", "Its charity or company number, or its registered name.")
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        organisation, problem = third_sector_organisation_find(text)
        if organisation is None:
            raise ValidationError(problem)
        return organisation


# The value for each financial year


class YearFieldsMixin:
    """A required amount for each financial year the dates touch: the dates posted, or else the
    initial ones. After the dates change, the page is shown again with the rows for the new
    years."""

    def _posted_date(self, name: str):
        if name not in self.fields:
            return None
        if self.is_bound:
            try:
                return self.fields[name].clean(self.data.get(self.add_prefix(name)))
            except ValidationError:
                return None
        value = self.initial.get(name, self.fields[name].initial)
        return value

    def year_fields_add(self, initial: dict[int, object] | None = None) -> None:
        initial = initial or {}
        start, end = self._posted_date("start_on"), self._posted_date("end_on")
        for start_year in agreement_years_for(start, end):
            label = year_label(start_year)
            self.fields[f"year_{start_year}"] = MoneyField(
                label=f"Value in {label} (£)",
                initial=None if initial.get(start_year) is None else f"{initial[start_year]}",
                error_messages={
                    "required": f"Enter the value for {label}: the dates run into that "
                    "financial year. Enter 0 if nothing is paid in it."
                },
            )

    @property
    def year_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("year_")]

    def years(self) -> dict[int, object]:
        return {
            int(name.removeprefix("year_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("year_")
        }


# The agreement


class AgreementForm(BodyChoiceMixin, GroupedChoicesMixin, YearFieldsMixin, forms.ModelForm):
    """A new agreement entered directly (pass bodies=), or an agreement's terms (pass
    instance=): once made, its body, provider, consortium, dates and values are fixed here and
    change only by variation."""

    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead commissioning body",
        help_text="The body that manages the agreement.",
        empty_label=None,
    )
    provider = OrganisationLookupField(
        label="Provider",
        help_text="The provider, or the lead of a consortium: its charity or company number, or "
        "its registered name. It must be a verified third sector organisation.",
        error_messages={"required": "Enter the provider's charity or company number, or name."},
    )
    consortium = forms.CharField(
        required=False,
        max_length=200,
        label="Consortium (optional)",
        help_text="If the provider holds it as the lead of a consortium: the consortium's name. "
        "Its members join the agreement.",
    )
    categories = GroupedCheckboxes(
        queryset=ServiceCategory.objects.all(),
        label="Categories",
        help_text="What kind of service it pays for.",
        error_messages={"required": "Choose at least one category."},
    )
    areas = GroupedCheckboxes(
        queryset=Area.objects.all(),
        label="Areas",
        help_text="Where it is delivered.",
        error_messages={"required": "Choose at least one area."},
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=Outcome.objects.select_related("priority").order_by("priority__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Framework outcomes",
        help_text="The outcomes from the network's framework it works towards.",
    )
    full_cost_recovery = forms.ChoiceField(
        choices=FULL_COST_RECOVERY,
        widget=forms.RadioSelect,
        label="Full cost recovery",
        initial="unknown",
        help_text="The Compact expects full cost recovery to be considered in every agreement.",
    )

    class Meta:
        model = Agreement
        fields = [
            "body",
            "kind",
            "title",
            "description",
            "provider",
            "consortium",
            *AGREEMENT_M2M,
            *(name for name in AGREEMENT_FIELDS if name not in ("kind", "title", "description")),
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_on": _date_input(),
            "end_on": _date_input(),
            "multi_year_funding": forms.RadioSelect,
            "multi_year_reason": forms.Textarea(attrs={"rows": 3}),
            "payment_timing": forms.RadioSelect,
            "full_cost_recovery_note": forms.Textarea(attrs={"rows": 3}),
            "clawback_conditions": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "kind": "Kind of agreement",
            "title": "Title",
            "description": "What it pays for",
            "procurement_route": "How it was awarded",
            "start_on": "Start date",
            "end_on": "End date",
            "renewal_options": "Renewal options",
            "multi_year_funding": "Multi-year funding",
            "multi_year_reason": "Why multi-year funding is not passed on",
            "payment_timing": "Payments",
            "full_cost_recovery_note": "Full cost recovery: note",
            "clawback_conditions": "Clawback conditions",
            "reporting_frequency": "Monitoring returns",
        }
        help_texts = {
            "end_on": "The last day of the agreement.",
            "multi_year_reason": "Needed only when the body's multi-year funding is not passed on.",
            "full_cost_recovery_note": "How it was judged, such as from the provider's budget.",
            "clawback_conditions": "When money paid may be recovered, such as for services not "
            "delivered.",
            "reporting_frequency": "How often the provider reports on the measures.",
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "kind": {"required": "Choose the kind of agreement."},
            "procurement_route": {"required": "Choose how it was awarded."},
            "start_on": {
                "required": "Enter the start date.",
                "invalid": "Enter a real date, such as 1 April 2027.",
            },
            "end_on": {
                "required": "Enter the end date.",
                "invalid": "Enter a real date, such as 31 March 2030.",
            },
            "multi_year_funding": {"required": "Say whether multi-year funding is passed on."},
        }

    def __init__(self, *args, bodies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            for name in ("body", "provider", "consortium", "start_on", "end_on"):
                del self.fields[name]
            self.single_body = None
            self.initial["full_cost_recovery"] = next(
                key
                for key, value in FCR_VALUES.items()
                if value == self.instance.full_cost_recovery
            )
        else:
            self.body_choices_set(bodies)
            self.year_fields_add(self.initial.get("years"))
        self.fields["outcomes"].label_from_instance = lambda o: o.name
        for name in ("kind", "procurement_route", "multi_year_funding"):
            field = self.fields[name]
            field.choices = [(value, label) for value, label in field.choices if value != ""]
        self._group_choices()

    def _post_clean(self):
        # The body, provider, reference and author are set by the service, which keeps the rules.
        pass

    def clean_full_cost_recovery(self):
        return FCR_VALUES[self.cleaned_data["full_cost_recovery"]]

    def clean(self):
        data = super().clean()
        provider, name = data.get("provider"), (data.get("consortium") or "").strip()
        if "consortium" in self.fields:
            data["consortium"] = None
            if name and provider is not None:
                consortium = Consortium.objects.filter(lead=provider, name__iexact=name).first()
                if consortium is None:
                    self.add_error("consortium", f"{provider} leads no consortium called “{name}”.")
                data["consortium"] = consortium
        return data

    def agreement_data(self) -> tuple[dict, dict]:
        names = EDITABLE_FIELDS if self.instance.pk else AGREEMENT_FIELDS
        data = {name: self.cleaned_data.get(name) for name in names}
        for name in ("title", "description", "renewal_options", "multi_year_reason"):
            data[name] = (data.get(name) or "").strip()
        m2m = {name: list(self.cleaned_data.get(name) or []) for name in AGREEMENT_M2M}
        return data, m2m


# Rows: members, co-funders, risks


class _TableRowForm(forms.Form):
    """A row shown in a table cell by cell, so styled here rather than by crispy-forms."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class _RowsFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {k: v for k, v in form.cleaned_data.items() if k not in ("blank", "DELETE")}
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("blank")
            and not form.cleaned_data.get("DELETE")
        ]


def _blank(form: forms.Form, names) -> bool:
    return all(form.cleaned_data.get(name) in (None, "", False) for name in names) and not any(
        form.errors.get(name) for name in names
    )


class MemberForm(_TableRowForm):
    organisation = OrganisationLookupField(required=False, label="Organisation", help_text="")
    role = forms.ChoiceField(
        choices=AgreementMemberRole.choices,
        label="Role",
        initial=AgreementMemberRole.MEMBER,
        required=False,
    )
    share = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        label="Share of the work (%)",
        error_messages={
            "invalid": "Enter the share as a percentage, such as 25.",
            "min_value": "Enter a share of 0% or more.",
            "max_value": "Enter a share of at most 100%.",
        },
    )

    def clean(self):
        data = super().clean()
        raw = (self.data.get(self.add_prefix("organisation")) or "").strip()
        data["blank"] = not raw and data.get("share") is None
        if not data["blank"] and not raw:
            self.add_error("organisation", "Enter the organisation's charity or company number.")
        data["role"] = data.get("role") or AgreementMemberRole.MEMBER
        return data


class FunderForm(_TableRowForm):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(
            kind=OrganisationKind.COMMISSIONING_BODY,
            verification_status=VerificationStatus.VERIFIED,
        ).order_by("name"),
        required=False,
        label="Co-funding body",
        empty_label="Choose a body",
    )
    contribution = MoneyField(label="Its contribution over the whole term (£)", required=False)

    def clean(self):
        data = super().clean()
        data["blank"] = _blank(self, ("body", "contribution"))
        if not data["blank"]:
            if data.get("body") is None and "body" not in self.errors:
                self.add_error("body", "Choose the co-funding body.")
            if data.get("contribution") is None and "contribution" not in self.errors:
                self.add_error("contribution", "Enter its contribution, in pounds.")
        return data


class RiskForm(_TableRowForm):
    kind = forms.ChoiceField(
        choices=[("", "Choose"), *RiskKind.choices], required=False, label="Risk"
    )
    allocation = forms.ChoiceField(
        choices=[("", "Choose"), *RiskAllocation.choices], required=False, label="Held by"
    )
    note = forms.CharField(required=False, max_length=1000, label="How it is shared or managed")

    def clean(self):
        data = super().clean()
        data["blank"] = _blank(self, ("kind", "allocation", "note"))
        if not data["blank"]:
            if not data.get("kind"):
                self.add_error("kind", "Choose the kind of risk.")
            if not data.get("allocation"):
                self.add_error("allocation", "Choose who holds the risk.")
        return data


MemberFormSet = forms.formset_factory(
    MemberForm, formset=_RowsFormSet, extra=2, max_num=100, validate_max=True
)
FunderFormSet = forms.formset_factory(
    FunderForm, formset=_RowsFormSet, extra=2, max_num=50, validate_max=True
)
RiskFormSet = forms.formset_factory(
    RiskForm, formset=_RowsFormSet, extra=2, max_num=50, validate_max=True
)


def members_initial(agreement: Agreement) -> list[dict]:
    return [
        {"organisation": organisation_label(m.organisation), "role": m.role, "share": m.share}
        for m in agreement.members.select_related("organisation")
    ]


def funders_initial(agreement: Agreement) -> list[dict]:
    return [
        {"body": f.body_id, "contribution": f"{f.contribution}"} for f in agreement.funders.all()
    ]


def risks_initial(agreement: Agreement) -> list[dict]:
    return [
        {"kind": r.kind, "allocation": r.allocation, "note": r.note} for r in agreement.risks.all()
    ]


# Outcome measures


NO_TARGET = "Give this measure a target a period: a measure without a target cannot be monitored."


class MeasureForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput())
    name = forms.CharField(max_length=200, required=False, label="Measure")
    unit = forms.CharField(
        max_length=60, required=False, label="Unit", help_text="Such as people, sessions or %."
    )
    value_kind = forms.ChoiceField(
        choices=MeasureValueKind.choices,
        label="Kind of value",
        initial=MeasureValueKind.COUNT,
        required=False,
    )
    target = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        label="Target a period",
        error_messages={"invalid": "Enter the target as a number, such as 40."},
    )
    higher_is_better = forms.BooleanField(required=False, initial=True, label="Higher is better")
    evidence_required = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Evidence required",
        help_text="How the provider shows the figure.",
    )
    payment_linked = forms.BooleanField(required=False, label="Payment depends on it")
    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.order_by("name"),
        required=False,
        label="Framework outcome (optional)",
        empty_label="None",
    )

    def clean(self):
        data = super().clean()
        data["blank"] = not data.get("pk") and _blank(
            self, ("name", "unit", "target", "evidence_required")
        )
        if data["blank"] or data.get("DELETE"):
            return data
        data["value_kind"] = data.get("value_kind") or MeasureValueKind.COUNT
        if not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", "Give the measure a name.")
        if data.get("target") is None and "target" not in self.errors:
            self.add_error("target", NO_TARGET)
        if not (data.get("unit") or "").strip():
            self.add_error("unit", "Say what it counts, such as people or sessions.")
        if not (data.get("evidence_required") or "").strip():
            self.add_error("evidence_required", "Say what evidence the provider gives for it.")
        return data


MeasureFormSet = forms.formset_factory(
    MeasureForm, formset=_RowsFormSet, extra=2, can_delete=True, max_num=100, validate_max=True
)
NewMeasureFormSet = forms.formset_factory(
    MeasureForm, formset=_RowsFormSet, extra=1, max_num=50, validate_max=True
)


def measures_initial(agreement: Agreement) -> list[dict]:
    return [
        {
            "pk": m.pk,
            "name": m.name,
            "unit": m.unit,
            "value_kind": m.value_kind,
            "target": m.target,
            "higher_is_better": m.higher_is_better,
            "evidence_required": m.evidence_required,
            "payment_linked": m.payment_linked,
            "outcome": m.outcome_id,
        }
        for m in agreement.measures.filter(retired_on__isnull=True)
    ]


# The payment schedule


class InstalmentForm(_TableRowForm):
    due_on = _date_field("Due", required=False)
    amount = MoneyField(label="Amount (£)", required=False)
    measure_linked = forms.BooleanField(required=False, label="Depends on the measures")

    def clean(self):
        data = super().clean()
        data["blank"] = _blank(self, ("due_on", "amount"))
        if data["blank"] or data.get("DELETE"):
            return data
        if data.get("due_on") is None and "due_on" not in self.errors:
            self.add_error("due_on", "Enter the date it is due.")
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount, in pounds.")
        elif data.get("amount") is not None and data["amount"] <= 0:
            self.add_error("amount", "Enter an amount above £0.")
        return data


InstalmentFormSet = forms.formset_factory(
    InstalmentForm, formset=_RowsFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


def instalments_initial(agreement: Agreement) -> list[dict]:
    return [
        {"due_on": i.due_on, "amount": f"{i.amount}", "measure_linked": i.measure_linked}
        for i in agreement.instalments.filter(paid_on__isnull=True)
    ]


class InstalmentPaidForm(forms.Form):
    paid_on = _date_field(
        "Paid on",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date it was paid."},
    )


# Variations


class VariationForm(YearFieldsMixin, forms.Form):
    """The dates, a value for each financial year they touch, each measure's target (or
    retiring it), and why, from when and who agreed."""

    start_on = _date_field("Start date", error_messages={"required": "Enter the start date."})
    end_on = _date_field("End date", error_messages={"required": "Enter the end date."})
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        label="Why the terms change",
        error_messages={"required": "Say why the terms change."},
    )
    effective_on = _date_field(
        "Takes effect on",
        error_messages={"required": "Enter the date the change takes effect."},
    )
    agreed_by = forms.CharField(
        max_length=300,
        label="Who agreed it",
        help_text="On each side, such as “Sam Okafor (council) and Priya Shah (provider)”.",
        error_messages={"required": "Say who agreed the change, on each side."},
    )

    def __init__(self, *args, agreement: Agreement, measures, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("start_on", agreement.start_on)
        kwargs["initial"].setdefault("end_on", agreement.end_on)
        kwargs["initial"].setdefault("effective_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.year_fields_add({y.start_year: y.amount for y in agreement.years.all()})
        self.measures = list(measures)
        for measure in self.measures:
            self.fields[f"target_{measure.pk}"] = forms.DecimalField(
                required=False,
                max_digits=14,
                decimal_places=2,
                label=f"Target of “{measure.name}” ({measure.unit} a period)",
                initial=measure.target,
                error_messages={"invalid": "Enter the target as a number, such as 40."},
            )
            self.fields[f"retire_{measure.pk}"] = forms.BooleanField(
                required=False, label=f"Retire “{measure.name}”"
            )

    @property
    def measure_fields(self) -> list[tuple]:
        return [(m, self[f"target_{m.pk}"], self[f"retire_{m.pk}"]) for m in self.measures]

    def targets(self) -> dict[int, object]:
        return {m.pk: self.cleaned_data.get(f"target_{m.pk}") for m in self.measures}

    def retired(self) -> set[int]:
        return {m.pk for m in self.measures if self.cleaned_data.get(f"retire_{m.pk}")}


# Notices, status moves and the end


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=NoticeKind.choices,
        widget=forms.RadioSelect,
        label="Notice of",
        error_messages={"required": "Choose what the notice is of."},
    )
    given_on = _date_field(
        "Date given",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the notice was given."},
    )
    takes_effect_on = _date_field(
        "Date it takes effect",
        error_messages={"required": "Enter the date it takes effect."},
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label="What the notice says",
        error_messages={"required": "Say what the notice says."},
    )
    new_annual_value = MoneyField(
        required=False,
        label="Value a year after the reduction (£)",
        help_text="For a reduction only.",
    )


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=list(STATUS_ACTIONS.items()))
    reason = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why it is terminated",
    )


class EndFeedbackForm(forms.Form):
    end_feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        label="Feedback to the provider",
        help_text="What went well, what could have gone better, and what the outcomes were. "
        "The provider reads it on the agreement's page.",
        error_messages={"required": "Write the feedback to the provider."},
    )
    tracking_until = _date_field(
        "Track outcomes until (optional)",
        required=False,
        help_text="After the end date: the provider goes on reporting the measures chosen below.",
    )
    tracked_measures = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Measures tracked after the end",
    )

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tracked_measures"].queryset = agreement.measures.filter(
            retired_on__isnull=True
        )
        self.fields["tracked_measures"].label_from_instance = lambda m: f"{m.name} ({m.unit})"
