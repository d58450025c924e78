"""Forms for opportunities: the opportunity itself, its lots, eligibility questions and
criteria (formsets), a document, and a cancellation. They clean input into domain values; the
services keep the rules."""

from __future__ import annotations

import re

from django import forms

from accounts.models import Organisation, OrganisationKind, VerificationStatus
from providers.models import Area, ServiceCategory

from .. import access
from ..models import BidStage, CriterionKind, NeedsAssessment, Opportunity, Outcome
from ..services.assessments import EVIDENCE_ACCEPT_ATTRIBUTE, EVIDENCE_TYPES_TEXT
from ..services.sourcing_opportunities import OPPORTUNITY_FIELDS, OPPORTUNITY_M2M
from .planning import BodyChoiceMixin, GroupedCheckboxes, GroupedChoicesMixin


def _time_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpportunityForm(BodyChoiceMixin, GroupedChoicesMixin, forms.ModelForm):
    """An opportunity of one of the person's bodies. Pass user=; pass bodies= when creating."""

    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Commissioning body",
        help_text="The body that owns the opportunity.",
        empty_label=None,
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(
            kind=OrganisationKind.COMMISSIONING_BODY,
            verification_status=VerificationStatus.VERIFIED,
        ).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner bodies",
        help_text="Other bodies commissioning this with you, in a joint exercise.",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=Outcome.objects.select_related("priority").order_by("priority__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Framework outcomes",
        help_text="The outcomes from the network's framework that it works towards.",
    )
    needs_assessments = forms.ModelMultipleChoiceField(
        queryset=NeedsAssessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Needs assessments",
        help_text="The evidence of need behind it.",
    )
    categories = GroupedCheckboxes(
        queryset=ServiceCategory.objects.all(),
        label="Categories",
        help_text="What kind of service it is. Providers subscribed to these hear of it.",
        error_messages={"required": "Choose at least one category, so that providers can find it."},
    )
    areas = GroupedCheckboxes(
        queryset=Area.objects.all(),
        label="Areas",
        help_text="Where it will be delivered.",
        error_messages={"required": "Choose at least one area, so that providers can find it."},
    )

    class Meta:
        model = Opportunity
        fields = ["body", *OPPORTUNITY_FIELDS[:5], *OPPORTUNITY_M2M, *OPPORTUNITY_FIELDS[5:]]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "outcomes_sought": forms.Textarea(attrs={"rows": 5}),
            "short_term_reason": forms.Textarea(attrs={"rows": 3}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "publish_at": _time_input(),
            "clarifications_close_at": _time_input(),
            "eoi_deadline": _time_input(),
            "bid_deadline": _time_input(),
            "shortlist_on": _date_input(),
            "evaluation_on": _date_input(),
            "award_on": _date_input(),
            "standstill_ends_on": _date_input(),
            "contract_start_on": _date_input(),
        }
        labels = {
            "kind": "Type",
            "title": "Title",
            "summary": "Summary in plain English",
            "outcomes_sought": "Outcomes sought",
            "intention": "Commissioning intention",
            "term_months": "Term (months)",
            "short_term_reason": "Why the term is shorter than three years",
            "consortium_bids": "Consortium bids are welcome",
            "contact_name": "Commissioning manager",
            "contact_email": "Commissioning manager's email",
            "publish_at": "Publish",
            "clarifications_close_at": "Clarification questions close",
            "eoi_deadline": "Expression of interest deadline",
            "shortlist_on": "Shortlist",
            "bid_deadline": "Bid deadline",
            "evaluation_on": "Evaluation",
            "award_on": "Award",
            "standstill_ends_on": "Standstill ends",
            "contract_start_on": "Contract starts",
        }
        help_texts = {
            "summary": "What is to be bought, for whom and why, in words a small charity can use.",
            "outcomes_sought": "What must change for people. Be tight on outcomes and loose on "
            "method.",
            "intention": "Optional: the forward plan's intention it comes from.",
            "term_months": "Three years (36 months) unless there is a good reason.",
            "short_term_reason": "Needed only for a term under 36 months.",
            "eoi_deadline": "Two-stage opportunities only.",
            "shortlist_on": "Two-stage opportunities only.",
            "standstill_ends_on": "Leave empty for 8 working days after the award, skipping "
            "weekends and bank holidays in England.",
            "publish_at": "All times are UK time.",
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "summary": {"required": "Write a short summary in plain English."},
            "outcomes_sought": {"required": "Say what outcomes are sought."},
            "kind": {"required": "Choose contract or grant."},
            "procedure": {"required": "Choose the procedure."},
            "contact_name": {"required": "Name the commissioning manager."},
            "contact_email": {"required": "Enter the commissioning manager's email address."},
            "publish_at": {"required": "Enter when it is published."},
            "clarifications_close_at": {"required": "Enter when clarification questions close."},
            "bid_deadline": {"required": "Enter the bid deadline."},
            "evaluation_on": {"required": "Enter the evaluation date."},
            "award_on": {"required": "Enter the award date."},
            "contract_start_on": {"required": "Enter the contract start date."},
        }

    def __init__(self, *args, user, bodies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.body_choices_set(bodies)
        self.fields["intention"].queryset = (
            access.intentions_visible_to(user).select_related("body").order_by("title")
        )
        self.fields["intention"].label_from_instance = lambda i: f"{i.title} ({i.body})"
        self.fields["intention"].empty_label = "None"
        self.fields["needs_assessments"].queryset = (
            access.assessments_visible_to(user).select_related("body").order_by("title")
        )
        self.fields["needs_assessments"].label_from_instance = lambda a: f"{a.title} ({a.body})"
        self.fields["outcomes"].label_from_instance = lambda o: o.name
        self._group_choices()

    def _post_clean(self):
        # The body, reference and author are set by the service, which keeps the rules.
        pass

    def opportunity_data(self) -> tuple[dict, dict]:
        data = {name: self.cleaned_data.get(name) for name in OPPORTUNITY_FIELDS}
        m2m = {name: list(self.cleaned_data.get(name) or []) for name in OPPORTUNITY_M2M}
        return data, m2m


# Lots, eligibility questions and criteria, each a formset


class _RowForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput())


class LotForm(_RowForm):
    number = forms.IntegerField(
        min_value=1, label="Lot number", error_messages={"required": "Enter the lot number."}
    )
    title = forms.CharField(
        max_length=200, label="Title", error_messages={"required": "Enter the lot's title."}
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description"
    )
    annual_budget = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label="Budget a year (£)",
        error_messages={
            "required": "Enter the lot's budget a year.",
            "invalid": "Enter the budget as a number of pounds, such as 125000.",
            "min_value": "Enter a budget of £0 or more.",
        },
    )


class EligibilityQuestionForm(_RowForm):
    text = forms.CharField(
        max_length=400,
        label="Question (answered yes or no)",
        error_messages={"required": "Enter the question."},
    )


_GUIDANCE_LINE = re.compile(r"^\s*(\d+)\s*[:=\-\u2013]\s*(.+)$")


def guidance_from_text(text: str) -> dict[str, str]:
    """Lines such as "3: A good answer that..." into {"3": "A good answer that..."}. A line
    without a score takes the next score after the last one."""
    guidance: dict[str, str] = {}
    score = -1
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _GUIDANCE_LINE.match(line)
        if match:
            score, words = int(match.group(1)), match.group(2).strip()
        else:
            score, words = score + 1, line.strip()
        guidance[str(score)] = words
    return guidance


def guidance_as_text(guidance: dict) -> str:
    return "\n".join(
        f"{score}: {text}"
        for score, text in sorted((guidance or {}).items(), key=lambda p: int(p[0]))
    )


class CriterionForm(_RowForm):
    stage = forms.ChoiceField(choices=BidStage.choices, label="Stage")
    kind = forms.ChoiceField(choices=CriterionKind.choices, label="Kind")
    title = forms.CharField(
        max_length=200, label="Title", error_messages={"required": "Enter the criterion's title."}
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Question",
        error_messages={"required": "Enter the question bidders answer."},
    )
    weight = forms.DecimalField(
        min_value=0.01,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        label="Weight (%)",
        error_messages={
            "required": "Enter the weight.",
            "invalid": "Enter the weight as a number, such as 25.",
            "min_value": "Enter a weight above 0.",
            "max_value": "Enter a weight of at most 100.",
        },
    )
    scale_max = forms.IntegerField(
        min_value=1, max_value=100, initial=5, label="Highest score", help_text="Scores run from 0."
    )
    scale_guidance = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What earns each score",
        help_text="One line per score, such as “0: No answer” and “5: Excellent, with evidence”.",
    )
    word_limit = forms.IntegerField(
        required=False, min_value=1, label="Word limit", help_text="Leave empty for no limit."
    )

    def clean_scale_guidance(self):
        return guidance_from_text(self.cleaned_data.get("scale_guidance") or "")


LotFormSet = forms.formset_factory(LotForm, extra=1, can_delete=True)
EligibilityFormSet = forms.formset_factory(EligibilityQuestionForm, extra=2, can_delete=True)
CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)


def formset_rows(formset) -> list[dict]:
    """The rows kept: filled in and not marked for removal."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("pk"):
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        row = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if row:
            rows.append(row)
    return rows


class OpportunityDocumentForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        label="Title",
        help_text="Leave empty to use the file's name.",
    )
    file = forms.FileField(
        label="File",
        help_text=f"A {EVIDENCE_TYPES_TEXT} file.",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT_ATTRIBUTE}),
        error_messages={"required": "Choose a file to upload."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown on the public page and recorded on the audit trail.",
        error_messages={
            "required": "Say why it is cancelled: bidders and the public are told the reason."
        },
    )
