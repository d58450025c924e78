"""Forms for importing organisations from a CSV file. They clean input and nothing else."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from ..services.imports import Outcome
from ..services.uploads import max_upload_text, uploaded_document_name


class OrganisationImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A .csv file of up to {size}, with the columns below.",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text.format(size=max_upload_text())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = uploaded_document_name(upload)
        if os.path.splitext(name)[1].lower() not in (".csv", ".txt"):
            raise ValidationError(
                f"“{name}” is not a CSV file. In your spreadsheet, choose Save as, then "
                "“CSV UTF-8 (comma delimited)”, and upload that."
            )
        if (upload.size or 0) > settings.PORTAL_MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"“{name}” is {filesizeformat(upload.size)}. Files can be up to "
                f"{max_upload_text()}: split it into smaller files and import each."
            )
        if not upload.size:
            raise ValidationError(f"“{name}” is empty. Check that it is the right file.")
        upload.seek(0)
        return upload

    def upload(self) -> tuple[str, bytes]:
        """The file's name as the person gave it, and its content."""
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return uploaded_document_name(upload), upload.read()


REPORT_FILTER_CHOICES = [
    ("", "All rows"),
    *((value, f"{label} rows") for value, label in Outcome.LABELS.items()),
]


class ImportReportFilterForm(forms.Form):
    outcome = forms.ChoiceField(choices=REPORT_FILTER_CHOICES, required=False, label="Show")
