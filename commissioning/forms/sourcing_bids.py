"""Forms for bids: starting one (lots, who bids, the eligibility questions), the answers, the
full cost recovery budget and supporting documents. They clean input into domain values; the
services keep the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from ..models import BudgetLineKind
from ..services.assessments import EVIDENCE_ACCEPT_ATTRIBUTE, EVIDENCE_TYPES_TEXT
from ..services.sourcing_bids import NEGATIVE_AMOUNT, NO_BASIS, word_count

YES_NO = [("yes", "Yes"), ("no", "No")]
AS_ORGANISATION = "organisation"


class MoneyField(forms.CharField):
    """Pounds, as people type them: “£12,500.50” is 12500.50. Clear messages for the rest."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value).replace("£", "").replace(",", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise forms.ValidationError(
                f"“{value}” is not an amount of money. Enter pounds as a number, such as 12500 "
                "or 12500.50."
            ) from error
        if not amount.is_finite():
            raise forms.ValidationError("Enter pounds as a number, such as 12500 or 12500.50.")
        if amount < 0:
            raise forms.ValidationError(NEGATIVE_AMOUNT)
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError("Enter pounds and pence: at most two decimal places.")
        if amount >= Decimal("10000000000"):
            raise forms.ValidationError("That amount is too large. Check it and try again.")
        return amount.quantize(Decimal("0.01"))


def _eligibility_fields(form: forms.Form, questions, *, required: bool, initial=None) -> None:
    initial = initial or {}
    for question in questions:
        given = initial.get(question.pk)
        form.fields[f"eligibility_{question.pk}"] = forms.ChoiceField(
            label=question.text,
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=required,
            initial=None if given is None else ("yes" if given else "no"),
            error_messages={"required": f"Answer “{question.text}”, yes or no."},
        )


def _eligibility_answers(form: forms.Form) -> dict[int, bool]:
    return {
        int(name.removeprefix("eligibility_")): value == "yes"
        for name, value in form.cleaned_data.items()
        if name.startswith("eligibility_") and value
    }


class BidStartForm(forms.Form):
    lots = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Which lots are you bidding for?",
        error_messages={"required": "Choose at least one lot to bid for."},
    )
    bid_as = forms.ChoiceField(label="Who is bidding?", widget=forms.RadioSelect)

    def __init__(self, *args, opportunity, organisation, consortia, **kwargs):
        super().__init__(*args, **kwargs)
        lots = opportunity.lots.all()
        self.fields["lots"].queryset = lots
        self.fields["lots"].label_from_instance = lambda lot: (
            f"Lot {lot.number}: {lot.title} (up to £{lot.annual_budget:,.0f} a year)"
        )
        if len(lots) == 1:
            self.fields["lots"].initial = [lots[0].pk]
        self.consortia = {str(c.pk): c for c in consortia}
        choices = [(AS_ORGANISATION, f"{organisation}, on its own")]
        if opportunity.consortium_bids:
            choices += [
                (pk, f"{organisation} as the lead of the consortium {c.name}")
                for pk, c in self.consortia.items()
            ]
        self.fields["bid_as"].choices = choices
        self.fields["bid_as"].initial = AS_ORGANISATION
        _eligibility_fields(self, opportunity.eligibility_questions.all(), required=True)

    def consortium(self):
        return self.consortia.get(self.cleaned_data["bid_as"])

    def eligibility(self) -> dict[int, bool]:
        return _eligibility_answers(self)


class BidAnswersForm(forms.Form):
    """The answers, each with its word limit; an answer over its limit is saved but marked."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, criteria, answers, questions, given, passport_field, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            limit = f" (up to {criterion.word_limit} words)" if criterion.word_limit else ""
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.title}{limit}",
                help_text=criterion.question,
                required=False,
                initial=answers.get(criterion.pk, ""),
                widget=forms.Textarea(
                    attrs={"rows": 8, "data-word-limit": criterion.word_limit or ""}
                ),
            )
        _eligibility_fields(self, questions, required=False, initial=given)
        if passport_field:
            self.fields["reuses_passport"] = forms.BooleanField(
                label="Use our pre-qualification passport instead of uploading documents",
                required=False,
            )

    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"answer_{c.pk}", "") for c in self.criteria}

    def over_limit(self) -> list[str]:
        messages = []
        for criterion in self.criteria:
            count = word_count(self.cleaned_data.get(f"answer_{criterion.pk}", ""))
            if criterion.word_limit and count > criterion.word_limit:
                messages.append(
                    f"Your answer to “{criterion.title}” is {count} words; the limit is "
                    f"{criterion.word_limit}. It is saved as a draft, but cut it to "
                    f"{criterion.word_limit} words or fewer before you submit."
                )
        return messages

    def eligibility(self) -> dict[int, bool]:
        return _eligibility_answers(self)

    def reuses_passport(self) -> bool | None:
        if "reuses_passport" not in self.fields:
            return None
        return self.cleaned_data["reuses_passport"]


class BudgetLineForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of cost", choices=[("", "Choose"), *BudgetLineKind.choices], required=False
    )
    description = forms.CharField(label="What it is", max_length=200, required=False)
    amount = MoneyField(label="Amount a year (£)", required=False)
    basis = forms.CharField(label="Apportionment basis (overheads)", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        filled = any(data.get(name) not in (None, "") for name in self.fields)
        data["blank"] = not filled
        if not filled:
            return data
        if not data.get("kind"):
            self.add_error("kind", "Choose the kind of cost.")
        if not data.get("description", "").strip():
            self.add_error("description", "Say what this cost is.")
        if data.get("amount") is None:
            self.add_error("amount", "Enter the amount a year, in pounds.")
        if data.get("kind") == BudgetLineKind.OVERHEAD and not data.get("basis", "").strip():
            self.add_error("basis", NO_BASIS)
        return data


class _BaseBudgetLines(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        return [
            {
                "kind": form.cleaned_data["kind"],
                "description": form.cleaned_data["description"].strip(),
                "amount": form.cleaned_data["amount"],
                "basis": form.cleaned_data.get("basis", ""),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("blank")
        ]


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, formset=_BaseBudgetLines, extra=3, max_num=200, validate_max=True
)


class BudgetForm(forms.Form):
    price = MoneyField(
        label="Price a year (£)",
        required=False,
        help_text="What you would charge the commissioner each year.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class BidDocumentForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave blank to use the file's name."
    )
    file = forms.FileField(
        label="Document",
        help_text=f"A {EVIDENCE_TYPES_TEXT} file.",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT_ATTRIBUTE}),
        error_messages={"required": "Choose a file to upload."},
    )
