"""Forms for accounts. Each cleans its input into domain values and does nothing else."""

from __future__ import annotations

import os

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .models import (
    LEGAL_FORMS_NEEDING_CHARITY_NUMBER,
    LEGAL_FORMS_NEEDING_COMPANY_NUMBER,
    LegalForm,
    MembershipRole,
    Organisation,
    OrganisationKind,
    RowOutcome,
    VerificationStatus,
)
from .uploads import uploaded_document_name
from .validators import normalise_charity_number, normalise_company_number, normalise_postcode


def form_errors_from(error: ValidationError, form) -> None:
    """Put a service's ValidationError on the form, beside the field it names where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class OrganisationDetailsForm(forms.Form):
    """The details a third sector organisation gives when it registers."""

    organisation_name = forms.CharField(
        max_length=200,
        label="Organisation name",
        help_text="As it appears on its governing document.",
    )
    legal_form = forms.ChoiceField(
        choices=[("", "Choose a legal form"), *LegalForm.choices], label="Legal form"
    )
    charity_number = forms.CharField(
        max_length=20,
        required=False,
        label="Registered charity number (England and Wales)",
        help_text="Required for registered charities and CIOs. For example 1234567.",
    )
    company_number = forms.CharField(
        max_length=20,
        required=False,
        label="Companies House number",
        help_text="Required for companies and CICs. For example 01234567 or SC123456.",
    )
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}), label="Address"
    )
    postcode = forms.CharField(
        max_length=10,
        label="Postcode",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, exclude_organisation: Organisation | None = None, **kwargs) -> None:
        self.exclude_organisation = exclude_organisation
        super().__init__(*args, **kwargs)

    def clean_charity_number(self) -> str:
        number = normalise_charity_number(self.cleaned_data["charity_number"])
        if number and self._taken(charity_number=number):
            raise ValidationError(
                "An organisation with this charity number is already registered. "
                "Ask its admin to invite you instead."
            )
        return number

    def clean_company_number(self) -> str:
        number = normalise_company_number(self.cleaned_data["company_number"])
        if number and self._taken(company_number=number):
            raise ValidationError(
                "An organisation with this company number is already registered. "
                "Ask its admin to invite you instead."
            )
        return number

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        legal_form = cleaned.get("legal_form")
        required = [
            (
                LEGAL_FORMS_NEEDING_CHARITY_NUMBER,
                "charity_number",
                "Enter the registered charity number for a charity or CIO.",
            ),
            (
                LEGAL_FORMS_NEEDING_COMPANY_NUMBER,
                "company_number",
                "Enter the Companies House number for a company or CIC.",
            ),
        ]
        for legal_forms, field, message in required:
            missing = not cleaned.get(field) and field not in self.errors
            if legal_form in legal_forms and missing:
                self.add_error(field, message)
        return cleaned

    def _taken(self, **lookup) -> bool:
        existing = Organisation.objects.filter(**lookup)
        if self.exclude_organisation is not None:
            existing = existing.exclude(pk=self.exclude_organisation.pk)
        return existing.exists()

    def organisation_details(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "name": data["organisation_name"],
            "legal_form": data["legal_form"],
            "charity_number": data["charity_number"],
            "company_number": data["company_number"],
            "address": data["address"],
            "postcode": data["postcode"],
        }

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, str]:
        return {
            "organisation_name": organisation.name,
            "legal_form": organisation.legal_form,
            "charity_number": organisation.charity_number,
            "company_number": organisation.company_number,
            "address": organisation.address,
            "postcode": organisation.postcode,
        }


class OrganisationSignupForm(OrganisationDetailsForm):
    """allauth builds its sign-up form on this: a person and their organisation register together."""

    full_name = forms.CharField(
        max_length=150,
        label="Your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "organisation_name",
        "legal_form",
        "charity_number",
        "company_number",
        "address",
        "postcode",
    ]

    def signup(self, request, user) -> None:
        from .services import organisation_register

        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        organisation_register(user=user, **self.organisation_details())


class VerificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (VerificationStatus.VERIFIED, "Verify: the organisation is genuine and eligible"),
            (VerificationStatus.REJECTED, "Reject: the organisation must correct something"),
        ],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Reason",
        help_text="Required when rejecting; optional when verifying. The organisation's users are sent it.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == VerificationStatus.REJECTED
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error(
                "reason", "Give a reason for rejecting, so the organisation can put it right."
            )
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Their email address")
    role = forms.ChoiceField(
        choices=MembershipRole.choices,
        initial=MembershipRole.MEMBER,
        widget=forms.RadioSelect,
        help_text="Organisation admins can invite and manage colleagues.",
    )


class InvitationAcceptNewUserForm(forms.Form):
    full_name = forms.CharField(
        max_length=150,
        label="Your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password and not all numbers.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.contrib.auth import password_validation

        from .models import User

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices, label="Role")
    is_compact_champion = forms.BooleanField(required=False, label="Compact champion")


class CommissioningBodyForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Name", help_text="For example, Adult Social Care."
    )
    kind = forms.ChoiceField(
        choices=[
            (OrganisationKind.COMMISSIONING_BODY, OrganisationKind.COMMISSIONING_BODY.label),
            (OrganisationKind.INFRASTRUCTURE, OrganisationKind.INFRASTRUCTURE.label),
        ],
        widget=forms.RadioSelect,
        initial=OrganisationKind.COMMISSIONING_BODY,
        label="Kind",
    )
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Address (optional)"
    )
    postcode = forms.CharField(max_length=10, required=False, label="Postcode (optional)")

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data["postcode"])


class OrganisationSwitchForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


# Importing a CSV file (providers' organisations, commissioning's indicator values)


class CsvUploadForm(forms.Form):
    """A CSV file to import. Each import says how large a file it takes."""

    file = forms.FileField(
        label="CSV file",
        help_text="A .csv file of up to {size}, with the columns below.",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text.format(
            size=self.max_size_text()
        )

    def max_size(self) -> int:
        raise NotImplementedError

    def max_size_text(self) -> str:
        return filesizeformat(self.max_size())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = uploaded_document_name(upload)
        if os.path.splitext(name)[1].lower() not in (".csv", ".txt"):
            raise ValidationError(
                f"“{name}” is not a CSV file. In your spreadsheet, choose Save as, then "
                "“CSV UTF-8 (comma delimited)”, and upload that."
            )
        if (upload.size or 0) > self.max_size():
            raise ValidationError(
                f"“{name}” is {filesizeformat(upload.size)}. Files can be up to "
                f"{self.max_size_text()}: split it into smaller files and import each."
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
    *((value, f"{label} rows") for value, label in RowOutcome.LABELS.items()),
]


class ImportReportFilterForm(forms.Form):
    """Which rows of an import's report to show."""

    outcome = forms.ChoiceField(choices=REPORT_FILTER_CHOICES, required=False, label="Show")
