"""Forms for provider profiles, services and reference data. They clean input and nothing else."""

from __future__ import annotations

from django import forms

from ..models import (
    PROFILE_FIELDS,
    PROFILE_M2M,
    Area,
    ClientGroup,
    Language,
    ProviderProfile,
    QualityMark,
    Service,
    ServiceCategory,
)


def _checkboxes(queryset, label: str, help_text: str = "") -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
    )


class ProfileForm(forms.ModelForm):
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="For example https://www.example.org.uk",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    areas_served = _checkboxes(Area.objects.order_by("level", "name"), "Areas served")
    client_groups = _checkboxes(ClientGroup.objects.all(), "Who you work with")
    languages = _checkboxes(Language.objects.all(), "Languages you work in")

    class Meta:
        model = ProviderProfile
        fields = [*PROFILE_FIELDS, *PROFILE_M2M]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "safeguarding_policy_reviewed": forms.DateInput(attrs={"type": "date"}),
            "insurance_expires": forms.DateInput(attrs={"type": "date"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }
        labels = {"income_band": "Annual income"}
        help_texts = {
            "description": "A sentence or two about what you do, for the public directory.",
            "website": "For example https://www.example.org.uk",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year_founded", "staff_count", "volunteer_count"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        bands = list(self.fields["income_band"].choices)[1:]
        self.fields["income_band"].choices = [("", "Choose a band"), *bands]

    def clean_year_founded(self):
        from django.utils import timezone

        year = self.cleaned_data["year_founded"]
        if year is not None and not 1500 <= year <= timezone.localdate().year:
            raise forms.ValidationError(
                f"Enter a year between 1500 and {timezone.localdate().year}."
            )
        return year


class QualityMarksForm(forms.Form):
    """One checkbox and expiry date per quality mark."""

    def __init__(self, *args, current: dict[int, object] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        self.marks = list(QualityMark.objects.all())
        for mark in self.marks:
            self.fields[f"mark_{mark.pk}"] = forms.BooleanField(
                required=False, label=mark.name, initial=mark.pk in current
            )
            self.fields[f"expires_{mark.pk}"] = forms.DateField(
                required=False,
                label=f"{mark.name}: expires on",
                widget=forms.DateInput(attrs={"type": "date"}),
                initial=current.get(mark.pk),
            )

    def rows(self):
        return [(self[f"mark_{m.pk}"], self[f"expires_{m.pk}"]) for m in self.marks]

    def held(self) -> dict[QualityMark, object]:
        return {
            mark: self.cleaned_data.get(f"expires_{mark.pk}")
            for mark in self.marks
            if self.cleaned_data.get(f"mark_{mark.pk}")
        }


class ServiceForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=ServiceCategory.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__name", "name"),
        widget=forms.CheckboxSelectMultiple,
        label="Categories",
        help_text="Choose at least one, so people can find the service.",
        error_messages={
            "required": "Choose at least one category, so people can find the service."
        },
    )
    client_groups = _checkboxes(ClientGroup.objects.all(), "Who it is for")
    areas = _checkboxes(Area.objects.order_by("level", "name"), "Areas it covers")
    languages = _checkboxes(Language.objects.all(), "Languages it is delivered in")

    M2M = ("categories", "client_groups", "areas", "languages")

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "status",
            "categories",
            "client_groups",
            "minimum_age",
            "maximum_age",
            "eligibility",
            "areas",
            "delivery_locations",
            "languages",
            "accessibility",
            "capacity",
            "capacity_unit",
            "cost_to_users",
            "provides_information",
            "focus",
            "who_provides_what",
            "provider_quality",
            "good_practice",
            "commissioned_by",
            "market_spend",
            "market_staff",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "delivery_locations": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "who_provides_what": forms.Textarea(attrs={"rows": 2}),
            "provider_quality": forms.Textarea(attrs={"rows": 2}),
            "good_practice": forms.Textarea(attrs={"rows": 2}),
            "commissioned_by": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "minimum_age": "Youngest age served",
            "maximum_age": "Oldest age served",
            "capacity_unit": "Capacity is counted in",
            "focus": "Is the focus preventative or early intervention?",
            "market_spend": "Annual spend on the service (£)",
        }

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "The oldest age must be the same as or above the youngest."
            )
        if cleaned.get("capacity") is not None and not cleaned.get("capacity_unit"):
            self.add_error("capacity_unit", "Say whether capacity is in places or hours a week.")
        return cleaned

    def _post_clean(self):
        # The organisation is set by the service layer, which runs the model's own checks.
        pass

    def service_data(self) -> tuple[dict, dict]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.M2M}
        m2m = {k: self.cleaned_data[k] for k in self.M2M}
        return data, m2m


REFERENCE_KINDS = {
    "categories": (
        ServiceCategory,
        ["name", "code", "parent", "description"],
        "Service categories",
    ),
    "client-groups": (ClientGroup, ["name", "code", "usually_excluded"], "Client groups"),
    "languages": (Language, ["name", "code"], "Languages"),
    "quality-marks": (QualityMark, ["name", "code", "awarded_by"], "Quality marks"),
    "areas": (Area, ["name", "ons_code", "level", "parent"], "Areas"),
}


def reference_form_class(kind: str) -> type[forms.ModelForm]:
    model, fields, _title = REFERENCE_KINDS[kind]
    return forms.modelform_factory(model, fields=fields)
