"""The public feedback form: a rating, what it was about, two comments and an optional "About you"
section. It also carries a honeypot for spam robots and a one-time key against double submits."""

from __future__ import annotations

import re
import secrets

from django import forms

from ..models import FeedbackTheme
from ..services.user_feedback import (
    COMMENT_MAX_LENGTH,
    RATING_WORDS,
    AgeBand,
    Disability,
    Ethnicity,
    Gender,
)

HONEYPOT = "website"
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _about_you(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices.choices, widget=forms.RadioSelect, required=False
    )


def _comment(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"Keep this to {COMMENT_MAX_LENGTH:,} characters or fewer "
            "(you wrote %(show_value)d)."
        },
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how was the service?",
        choices=[(value, f"{words} ({value})") for value, words in RATING_WORDS.items()],
        coerce=int,
        widget=forms.RadioSelect,
        # Checked in clean_rating, so the label carries no unexplained asterisk.
        required=False,
    )
    themes = forms.MultipleChoiceField(
        label="What was it about?",
        help_text="Tick any that apply.",
        choices=FeedbackTheme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    went_well = _comment("What went well?", "Optional.")
    could_be_better = _comment("What could be better?", "Optional.")
    age_band = _about_you("Your age", AgeBand)
    gender = _about_you("How do you describe your gender?", Gender)
    ethnicity = _about_you("Your ethnic group", Ethnicity)
    disability = _about_you("Do you have a disability or long-term health condition?", Disability)
    # Never shown to people, and hidden from screen readers: only robots fill it in.
    website = forms.CharField(label="Leave this empty", required=False)
    # Made when the form is shown, so that sending the same form twice stores it once.
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    ABOUT_YOU_FIELDS = ("age_band", "gender", "ethnicity", "disability")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", secrets.token_urlsafe(16))

    def clean_rating(self) -> int:
        rating = self.cleaned_data.get("rating")
        if rating in (None, ""):
            raise forms.ValidationError("Choose how the service was, from very poor to very good.")
        return rating

    def clean_submission(self) -> str:
        """A key that is not one of ours is ignored rather than shown as an error: the person
        cannot see or change it."""
        key = self.cleaned_data["submission"]
        return key if _SUBMISSION_KEY.fullmatch(key) else ""

    def is_spam(self) -> bool:
        """Whether the hidden field was filled in, whatever else was sent."""
        return self.is_bound and bool(str(self.data.get(HONEYPOT, "")).strip())

    def answers(self) -> dict:
        """The answers as the service takes them."""
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "themes": data["themes"],
            "went_well": data["went_well"],
            "could_be_better": data["could_be_better"],
            **{name: data[name] for name in self.ABOUT_YOU_FIELDS},
        }

    def about_you(self) -> list:
        return [self[name] for name in self.ABOUT_YOU_FIELDS]

    def questions(self) -> list:
        return [self[name] for name in ("rating", "themes", "went_well", "could_be_better")]
