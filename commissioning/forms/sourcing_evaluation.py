"""Forms for evaluation: adding a panel member, a conflict declaration, a member's scores, the
agreed scores, the shortlist and the award. They clean input into values; services decide."""

from __future__ import annotations

from django import forms

from accounts.models import User

from ..models import Criterion, PanelRole


class PanelMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The person must already have an account on the portal.",
    )
    role = forms.ChoiceField(choices=PanelRole.choices, widget=forms.RadioSelect, label="Role")

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                "Nobody has an account with this email address. Ask them to sign up first."
            )
        self.cleaned_data["user"] = user
        return email


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with this bidder?",
        choices=[
            ("no", "No, I have no conflict of interest"),
            ("yes", "Yes, I have a conflict of interest"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="For example, you work for, volunteer with, advise or are related to someone "
        "at the bidding organisation or a consortium member.",
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if you have a conflict. Say what it is, and anything you want the "
        "commissioners to know even if you have none.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not (cleaned.get("details") or "").strip():
            self.add_error("details", "Say what the conflict of interest is.")
        return cleaned


def _score_field(criterion: Criterion, *, required: bool) -> forms.IntegerField:
    message = (
        f"Score “{criterion.title}” from 0 to {criterion.scale_max}: a whole number on the scale."
    )
    return forms.IntegerField(
        label=f"Score for “{criterion.title}” (0 to {criterion.scale_max})",
        required=required,
        min_value=0,
        max_value=criterion.scale_max,
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": message,
            "required": f"Give a score for “{criterion.title}”.",
        },
    )


class ScoresForm(forms.Form):
    """A member's score and comment per criterion; fields score_<pk> and comment_<pk>."""

    def __init__(self, *args, criteria: list[Criterion], initial_scores: dict | None = None, **kw):
        super().__init__(*args, **kw)
        self.criteria = criteria
        initial_scores = initial_scores or {}
        for criterion in criteria:
            score = initial_scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = _score_field(criterion, required=False)
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on “{criterion.title}”",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            if score is not None:
                self.initial[f"score_{criterion.pk}"] = score.score
                self.initial[f"comment_{criterion.pk}"] = score.comment

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}"))
            for c in self.criteria
        }


class ModerationForm(forms.Form):
    """The agreed score and reason per criterion; fields score_<pk> and reason_<pk>."""

    def __init__(self, *args, criteria: list[Criterion], agreed: dict | None = None, **kw):
        super().__init__(*args, **kw)
        self.criteria = criteria
        agreed = agreed or {}
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = _score_field(criterion, required=True)
            self.fields[
                f"score_{criterion.pk}"
            ].label = f"Agreed score for “{criterion.title}” (0 to {criterion.scale_max})"
            self.fields[f"reason_{criterion.pk}"] = forms.CharField(
                label=f"Reason for the agreed score on “{criterion.title}”",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Give the reason for “{criterion.title}”."},
            )
            row = agreed.get(criterion.pk)
            if row is not None:
                self.initial[f"score_{criterion.pk}"] = row.score
                self.initial[f"reason_{criterion.pk}"] = row.reason

    def agreed(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"reason_{c.pk}"))
            for c in self.criteria
        }


class ShortlistForm(forms.Form):
    """For each expression of interest: shortlisted or not, and why."""

    def __init__(self, *args, bids: list, **kw):
        super().__init__(*args, **kw)
        self.bids = bids
        for bid in bids:
            self.fields[f"decision_{bid.pk}"] = forms.TypedChoiceField(
                label=f"Is {bid.organisation} shortlisted?",
                choices=[("yes", "Shortlisted"), ("no", "Not shortlisted")],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether {bid.organisation} is shortlisted."},
            )
            self.fields[f"reason_{bid.pk}"] = forms.CharField(
                label=f"Reason for the decision on {bid.organisation}",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Give the reason for {bid.organisation}."},
            )

    def decisions(self) -> dict[int, tuple[bool, str]]:
        return {
            bid.pk: (self.cleaned_data[f"decision_{bid.pk}"], self.cleaned_data[f"reason_{bid.pk}"])
            for bid in self.bids
        }


class AwardForm(forms.Form):
    """For each lot: the successful bid or bids, and the reason."""

    def __init__(self, *args, lots: list, bids_by_lot: dict, **kw):
        super().__init__(*args, **kw)
        self.lots = lots
        for lot in lots:
            bids = bids_by_lot.get(lot.pk, [])
            self.fields[f"winners_{lot.pk}"] = forms.TypedMultipleChoiceField(
                label=f"Successful bid or bids for {lot}",
                choices=[(bid.pk, str(bid.organisation)) for bid in bids],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                required=bool(bids),
                error_messages={"required": f"Name the successful bid or bids for {lot}."},
            )
            self.fields[f"reason_{lot.pk}"] = forms.CharField(
                label=f"Reason for the decision on {lot}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=bool(bids),
                error_messages={"required": f"Give the reason for the decision on {lot}."},
            )

    def winners(self) -> dict[int, list[int]]:
        return {lot.pk: self.cleaned_data.get(f"winners_{lot.pk}") or [] for lot in self.lots}

    def reasons(self) -> dict[int, str]:
        return {lot.pk: self.cleaned_data.get(f"reason_{lot.pk}") or "" for lot in self.lots}
