"""Forms for the forward plan: an intention, its withdrawal, and a provider's alerts. They clean
input into domain values and nothing else; the services keep the rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django import forms

from accounts.models import Organisation
from providers.models import Area, ClientGroup, ServiceCategory

from .. import access
from ..models import CommissioningIntention, Outcome
from ..services.intentions import INTENTION_FIELDS, INTENTION_M2M

# Choices grouped by the top of their tree, for checkbox lists a person can scan


@dataclass(frozen=True)
class Option:
    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: list[Option]


def _top(node):
    while node.parent_id:
        node = node.parent
    return node


def category_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Each top-level category with the ones inside it; the top one first, as "all of it"."""
    nodes = ServiceCategory.objects.select_related("parent__parent").order_by("name")
    return _grouped(nodes)


def area_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Each borough with its wards (and anything inside them)."""
    nodes = Area.objects.select_related("parent__parent").order_by("name")
    return _grouped(nodes)


def _grouped(nodes: Iterable) -> list[tuple[str, list[tuple[int, str]]]]:
    tops: dict[int, object] = {}
    inside: dict[int, list] = {}
    for node in nodes:
        top = _top(node)
        tops.setdefault(top.pk, top)
        if node.pk != top.pk:
            inside.setdefault(top.pk, []).append(node)
    groups = []
    for top in sorted(tops.values(), key=lambda node: node.name):
        options = [(top.pk, f"All of {top.name}")]
        for node in inside.get(top.pk, []):
            within = f" (in {node.parent.name})" if node.parent_id != top.pk else ""
            options.append((node.pk, f"{node.name}{within}"))
        groups.append((top.name, options))
    return groups


class GroupedCheckboxes(forms.ModelMultipleChoiceField):
    """A multiple choice of tree nodes, shown as a checkbox list per top-level node."""

    widget = forms.CheckboxSelectMultiple


def option_groups(bound_field) -> list[OptionGroup]:
    """The field's grouped choices, with ids and what is ticked, for the grouped template."""
    value = bound_field.value() or []
    selected = {str(item.pk if hasattr(item, "pk") else item) for item in value}
    groups = []
    index = 0
    for label, choices in bound_field.field.widget.choices:
        options = []
        for pk, option_label in choices:
            options.append(
                Option(
                    id=f"{bound_field.auto_id}_{index}",
                    value=str(pk),
                    label=option_label,
                    checked=str(pk) in selected,
                )
            )
            index += 1
        groups.append(OptionGroup(label=label, options=options))
    return groups


class GroupedChoicesMixin:
    """For a form with `categories` and `areas` fields shown as grouped checkbox lists."""

    GROUPED = {"categories": category_groups, "areas": area_groups}

    def _group_choices(self) -> None:
        for name, groups in self.GROUPED.items():
            if name in self.fields:
                self.fields[name].widget.choices = groups()

    @cached_property
    def groups(self) -> dict[str, list[OptionGroup]]:
        return {name: option_groups(self[name]) for name in self.GROUPED if name in self.fields}


# Intentions


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_input() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "1", "min": "0", "inputmode": "decimal"})


class BodyChoiceMixin:
    """A form's choice of which of the person's bodies a record is for. With only one body there
    is nothing to choose: the field is hidden and single_body says which it is."""

    def body_choices_set(self, bodies) -> None:
        """Pass bodies=None where the body is already fixed: the field goes."""
        self.single_body = None
        if bodies is None:
            del self.fields["body"]
            return
        self.fields["body"].queryset = bodies
        choices = list(bodies)
        if len(choices) == 1:
            self.single_body = choices[0]
            self.fields["body"].widget = forms.HiddenInput()
            self.fields["body"].required = False

    def clean_body(self):
        return self.cleaned_data.get("body") or self.single_body


class OutcomeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        return obj.name


class IntentionForm(BodyChoiceMixin, GroupedChoicesMixin, forms.ModelForm):
    """An intention of one of the person's bodies. Pass user=; pass bodies= when creating, so the
    person chooses the body if they belong to several."""

    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Commissioning body",
        help_text="The body that plans to commission it.",
        empty_label=None,
    )
    outcome = OutcomeChoiceField(
        queryset=Outcome.objects.select_related("priority"),
        label="Outcome it works towards",
        help_text="From the network's outcomes framework.",
        error_messages={"required": "Choose the outcome it works towards."},
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
    client_groups = forms.ModelMultipleChoiceField(
        queryset=ClientGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who it is for",
    )

    class Meta:
        model = CommissioningIntention
        fields = ["body", *INTENTION_FIELDS[:3], *INTENTION_M2M, *INTENTION_FIELDS[3:]]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "value_low": _money_input(),
            "value_high": _money_input(),
            "consultation_on": _date_input(),
            "tender_on": _date_input(),
            "start_on": _date_input(),
            "end_on": _date_input(),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        labels = {
            "title": "Title",
            "summary": "What it is",
            "business_case": "Business case",
            "needs_assessment": "Needs assessment",
            "value_low": "Indicative value from (£ a year)",
            "value_high": "Indicative value to (£ a year)",
            "route": "Expected route",
            "consultation_on": "Expected consultation",
            "tender_on": "Expected tender or grant round",
            "start_on": "Expected start",
            "end_on": "Expected end",
            "contact_name": "Contact name",
            "contact_email": "Contact email",
        }
        help_texts = {
            "summary": "Plain words for providers: the need, what is to be commissioned and for "
            "whom.",
            "business_case": "Optional: the business case behind it.",
            "needs_assessment": "Optional: the needs assessment that is its evidence.",
            "consultation_on": "Optional. When providers and service users will be asked.",
            "tender_on": "Optional. When the tender or grant round is expected to open.",
            "start_on": "When the service is expected to start.",
            "end_on": "Optional. Must be after the start.",
            "contact_name": "Who providers can ask about it.",
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "summary": {"required": "Say what it is, in a sentence or two."},
            "value_low": {"required": "Enter the lower end of the indicative value."},
            "value_high": {"required": "Enter the upper end of the indicative value."},
            "route": {"required": "Choose the expected route."},
            "start_on": {"required": "Enter the expected start date."},
            "contact_name": {"required": "Enter a contact name."},
            "contact_email": {"required": "Enter a contact email address."},
        }

    def __init__(self, *args, user, bodies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.body_choices_set(bodies)
        self.fields["outcome"].widget.choices = self._outcome_choices()
        self.fields["business_case"].queryset = (
            access.business_cases_visible_to(user).select_related("body").order_by("title")
        )
        self.fields["business_case"].label_from_instance = lambda c: f"{c.title} ({c.body})"
        self.fields["business_case"].empty_label = "None"
        self.fields["needs_assessment"].queryset = (
            access.assessments_visible_to(user).select_related("body").order_by("title")
        )
        self.fields["needs_assessment"].label_from_instance = lambda a: f"{a.title} ({a.body})"
        self.fields["needs_assessment"].empty_label = "None"
        self._group_choices()

    def _outcome_choices(self) -> list:
        """The outcomes under their strategy priorities."""
        groups: dict[str, list] = {}
        for outcome in self.fields["outcome"].queryset:
            groups.setdefault(outcome.priority.name, []).append((outcome.pk, outcome.name))
        return [("", "Choose an outcome"), *groups.items()]

    def _post_clean(self):
        # The body and author are set by the service, which keeps the rules.
        pass

    def intention_data(self) -> tuple[dict, dict]:
        data = {name: self.cleaned_data[name] for name in INTENTION_FIELDS}
        m2m = {name: list(self.cleaned_data[name]) for name in INTENTION_M2M}
        return data, m2m


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded on the audit trail.",
        error_messages={
            "required": "Say why it is withdrawn, so that colleagues understand the decision."
        },
    )


# Alerts


class SubscriptionForm(GroupedChoicesMixin, forms.Form):
    categories = GroupedCheckboxes(
        queryset=ServiceCategory.objects.all(),
        required=False,
        label="Categories",
        help_text="Choose a whole group to hear of everything in it.",
    )
    areas = GroupedCheckboxes(
        queryset=Area.objects.all(),
        required=False,
        label="Areas",
        help_text="Choose a borough to hear of everything in its wards.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._group_choices()
