"""Forms for clarifications and changes: a question, an answer, an extension and an amendment.
They clean input into domain values; the services keep the rules."""

from __future__ import annotations

from django import forms

from ..models import Opportunity, OpportunityDocument, Procedure
from ..services.assessments import (
    EVIDENCE_ACCEPT_ATTRIBUTE,
    EVIDENCE_TYPES_TEXT,
    evidence_max_text,
)
from ..services.sourcing_clarifications import QUESTION_MAX_CHARS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text="UK time. Leave it as it is to keep the current one.",
        error_messages={"invalid": "Enter a date and time, such as 5 March 2027 at 12:00."},
    )


class ClarificationAskForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label="Asking for",
        empty_label=None,
        help_text="The answer is published to everyone, without naming your organisation.",
    )
    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=QUESTION_MAX_CHARS,
        help_text="Do not include anything that would identify your organisation.",
        error_messages={"required": "Enter your question."},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        listed = list(organisations)
        self.single_organisation = listed[0] if len(listed) == 1 else None
        if self.single_organisation is not None:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = self.single_organisation.pk


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Published to everyone, and emailed to every organisation that registered "
        "interest or started a bid. Do not name who asked.",
        error_messages={"required": "Enter the answer."},
    )


REASON_ERROR = "Say why, so that bidders understand the change. It is sent to them."


class ExtendForm(forms.Form):
    bid_deadline = _datetime_field("New bid deadline")
    eoi_deadline = _datetime_field("New expression of interest deadline")
    clarifications_close_at = _datetime_field("New close of clarification questions")
    reason = forms.CharField(
        label="Why is it extended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Sent to every organisation that registered interest or started a bid.",
        error_messages={"required": REASON_ERROR},
    )

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "bid_deadline": opportunity.bid_deadline,
                "eoi_deadline": opportunity.eoi_deadline,
                "clarifications_close_at": opportunity.clarifications_close_at,
            },
        )
        super().__init__(*args, **kwargs)
        if opportunity.procedure != Procedure.TWO_STAGE:
            del self.fields["eoi_deadline"]

    def deadlines(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("bid_deadline", "eoi_deadline", "clarifications_close_at")
        }


class AmendForm(forms.Form):
    replaces = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Replaces",
        empty_label="Nothing: it is a new document",
        help_text="The replaced version stays on record, marked as replaced.",
    )
    title = forms.CharField(
        label="Title", max_length=200, required=False, help_text="Leave blank to keep the title."
    )
    file = forms.FileField(
        label="Document",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT_ATTRIBUTE}),
        error_messages={"required": "Choose a file to upload."},
    )
    reason = forms.CharField(
        label="Why is it amended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Sent to every organisation that registered interest or started a bid.",
        error_messages={"required": REASON_ERROR},
    )

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"A {EVIDENCE_TYPES_TEXT} file, up to {evidence_max_text()}."
        self.fields["replaces"].queryset = OpportunityDocument.objects.filter(
            opportunity=opportunity, replaced=False
        ).order_by("title")
        self.fields["replaces"].label_from_instance = lambda document: (
            f"{document.title} (version {document.version})"
        )
