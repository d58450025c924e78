"""Forms for visits and improvement plans: planning and completing a visit or desk review, opening
a plan by hand, the plan with its row set of actions, and a change of the plan's status. They
clean input into domain values; services/improvement.py keeps the rules."""

from __future__ import annotations

from django import forms

from ..models import ImprovementPlanStatus, VisitKind


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str, *, required: bool, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=_date_input(),
        error_messages={"invalid": "Enter a real date, such as 17 5 2027."},
    )


class VisitPlanForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        help_text="A physical visit to where the service is delivered, or a desk review of "
        "records and reports. Monitoring should include physical visits, not just desk reviews.",
        error_messages={"required": "Choose a physical visit or a desk review."},
    )
    planned_on = _date_field("Planned date", required=True)
    visitors = forms.CharField(
        label="Who",
        max_length=300,
        help_text="Who will carry it out: names and roles.",
        error_messages={"required": "Say who will carry it out, such as a name and role."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].error_messages["required"] = (
            "Give the date the visit or review is planned for."
        )


class VisitForm(VisitPlanForm):
    completed_on = _date_field(
        "Date completed",
        required=False,
        help_text="Leave blank until it has happened. It cannot be in the future.",
    )
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What was found. Needed once it is completed.",
    )
    follow_up_actions = forms.CharField(
        label="Follow-up actions",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What happens next, who does it and by when.",
    )


SUPPORT_HELP = (
    "Support comes first: say what was offered, such as mentoring, training, or help from an "
    "infrastructure body. The plan can be marked on track or closed only once this is recorded."
)


class ImprovementPlanNewForm(forms.Form):
    issues = forms.CharField(
        label="What needs to improve",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what needs to improve."},
    )
    support_offered = forms.CharField(
        label="Support offered first",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=SUPPORT_HELP,
    )
    review_on = _date_field(
        "Review date", required=False, help_text="When you will review progress with the provider."
    )


class ImprovementPlanForm(ImprovementPlanNewForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)


class ImprovementActionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(
        label="What to do", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = forms.CharField(label="Owner", max_length=200, required=False)
    due_on = _date_field("Due date", required=False)
    done_on = _date_field("Date done", required=False)
    remove = forms.BooleanField(label="Remove this action", required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["description"] = (data.get("description") or "").strip()
        data["owner"] = (data.get("owner") or "").strip()
        if data.get("remove") and data.get("id"):
            return data
        filled = any(
            data.get(name) not in (None, "")
            for name in ("description", "owner", "due_on", "done_on")
        )
        data["blank"] = not filled and not data.get("id")
        if data["blank"]:
            return data
        if not data["description"]:
            self.add_error("description", "Describe the action.")
        if not data["owner"]:
            self.add_error("owner", "Say who owns the action.")
        if data.get("due_on") is None:
            self.add_error("due_on", "Give the date the action is due.")
        return data


class _BaseActions(forms.BaseFormSet):
    def actions(self) -> list[dict]:
        """The rows to keep, change, add or remove, in order; blank new rows are left out."""
        return [
            {
                "id": form.cleaned_data.get("id"),
                "description": form.cleaned_data["description"],
                "owner": form.cleaned_data["owner"],
                "due_on": form.cleaned_data.get("due_on"),
                "done_on": form.cleaned_data.get("done_on"),
                "remove": bool(form.cleaned_data.get("remove")),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("blank")
        ]


ImprovementActionFormSet = forms.formset_factory(
    ImprovementActionForm, formset=_BaseActions, extra=2, max_num=100, validate_max=True
)


class PlanMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=ImprovementPlanStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
