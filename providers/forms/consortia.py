"""Forms for consortia and support links. They clean input and nothing else."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from accounts.models import Organisation

from ..models import ConsortiumStatus, SupportKind
from .passports import DocumentFileField


def _share_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ConsortiumForm(forms.Form):
    """Forming a consortium (with a lead to choose) or changing one (without)."""

    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead organisation",
        help_text="It holds the contract and answers for the consortium.",
        empty_label=None,
    )
    name = forms.CharField(max_length=200, label="Name of the consortium")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What it does",
        help_text="A sentence or two for commissioners and the directory.",
    )
    lead_share = _share_field(
        "Lead's indicative share (%)",
        "The lead's and the members' shares must add up to 100% before the consortium is active.",
    )
    has_written_agreement = forms.BooleanField(
        required=False, label="The members have signed a written consortium agreement"
    )
    agreement_document = DocumentFileField(
        required=False,
        label="The consortium agreement",
    )

    def __init__(self, *args, leads=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if leads is None:
            del self.fields["lead"]
        else:
            self.fields["lead"].queryset = leads

    def consortium_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lead", None)
        data.pop("agreement_document", None)
        return data


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find the organisation",
        help_text="Part of its name, or its charity or company number.",
    )


class _PartnerChoiceForm(forms.Form):
    """Choose one of the organisations a search found. Any verified third sector organisation is
    valid; only the matches are offered, so that the page stays small whatever the directory's
    size."""

    partner_field = "organisation"

    def __init__(self, *args, candidates=None, shown=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.partner_field]
        field.queryset = candidates if candidates is not None else Organisation.objects.none()
        field.widget.choices = [(o.pk, _organisation_label(o)) for o in shown]


def _organisation_label(organisation: Organisation) -> str:
    numbers = [
        f"charity {organisation.charity_number}" if organisation.charity_number else "",
        f"company {organisation.company_number}" if organisation.company_number else "",
    ]
    numbers = [n for n in numbers if n]
    return f"{organisation.name} ({', '.join(numbers)})" if numbers else organisation.name


class ConsortiumMemberForm(_PartnerChoiceForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Organisation",
        error_messages={"required": "Choose the organisation to add."},
    )
    role = forms.CharField(
        max_length=200, label="Its role", help_text="What it will deliver in the consortium."
    )
    indicative_share = _share_field("Its indicative share (%)")


class ConsortiumMemberEditForm(forms.Form):
    role = forms.CharField(
        max_length=200, label="Its role", help_text="What it will deliver in the consortium."
    )
    indicative_share = _share_field("Its indicative share (%)")


class ConsortiumStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConsortiumStatus.choices)


class SupportLinkForm(_PartnerChoiceForm):
    partner_field = "partner"

    partner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Group",
        error_messages={"required": "Choose the group."},
    )
    kind = forms.ChoiceField(
        choices=SupportKind.choices,
        widget=forms.RadioSelect,
        label="How you work with them",
        initial=SupportKind.SUPPORTS,
    )
    note = forms.CharField(
        required=False,
        max_length=300,
        label="Note",
        help_text="For example: “We subcontract the outreach part of our advice contract.”",
    )
