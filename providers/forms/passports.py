"""Forms for the pre-qualification passport: uploading a document and reviewing one."""

from __future__ import annotations

from django import forms

from ..models import PassportDocumentKind, PassportDocumentStatus
from ..services.uploads import (
    ACCEPT_ATTRIBUTE,
    ACCEPTED_TYPES_TEXT,
    max_upload_text,
    uploaded_document_check,
)


class DocumentFileField(forms.FileField):
    """A document for private storage: refused, with a message saying why, if it is too big or
    not a type we accept (checked by its name and by its first bytes)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", f"{ACCEPTED_TYPES_TEXT}, up to {max_upload_text()}.")
        kwargs.setdefault("widget", forms.FileInput)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT_ATTRIBUTE)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file and file is not initial:
            uploaded_document_check(file)
        return file


class PassportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Choose the kind of document"), *PassportDocumentKind.choices],
        label="Which document is this?",
    )
    file = DocumentFileField(label="The document")
    valid_until = forms.DateField(
        required=False,
        label="Valid until (if it has an end date)",
        help_text="For insurance, the date the policy ends. For example 31/3/2027.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def document_data(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "file": data["file"], "valid_until": data["valid_until"]}


class PassportReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (PassportDocumentStatus.ACCEPTED, "Accept it"),
            (PassportDocumentStatus.RETURNED, "Return it to the organisation to put right"),
        ],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Comment for the organisation",
        help_text="Required when you return it: say what needs to change.",
    )
