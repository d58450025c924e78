"""Writes for service users' feedback: storing what a member of the public gives through an
agreement's public link. Nothing about the person is kept beyond their answers: no account, no
internet address and no time of day, only the date (seeds/000 11.2.3(d)(e))."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ..models import Agreement, AgreementStatus, FeedbackTheme, ServiceUserFeedback

COMMENT_MAX_LENGTH = 2000
PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"

RATING_WORDS = {
    1: "Very poor",
    2: "Poor",
    3: "Neither good nor poor",
    4: "Good",
    5: "Very good",
}


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    FROM_18 = "18_24", "18 to 24"
    FROM_25 = "25_34", "25 to 34"
    FROM_35 = "35_49", "35 to 49"
    FROM_50 = "50_64", "50 to 64"
    FROM_65 = "65_74", "65 to 74"
    FROM_75 = "75_over", "75 or over"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "In another way"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Ethnicity(models.TextChoices):
    """The Office for National Statistics' top-level ethnic groups (England and Wales)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Another ethnic group"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


# The optional "About you" questions: (model field, heading, choices).
ABOUT_YOU = (
    ("age_band", "Age", AgeBand),
    ("gender", "Gender", Gender),
    ("ethnicity", "Ethnic group", Ethnicity),
    ("disability", "Disability", Disability),
)

# Contact details a person might type despite being asked not to: taken out before storing, so
# that a comment cannot be traced back to them by whoever reads it.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(\+44\s?(\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
REMOVED = "[contact details removed]"


def without_contact_details(text: str) -> str:
    return _PHONE.sub(REMOVED, _EMAIL.sub(REMOVED, text))


def _clean_comment(text: str) -> str:
    return without_contact_details(text.strip())[:COMMENT_MAX_LENGTH]


def _choice(value: str, choices: type[models.TextChoices], field: str) -> str:
    if value and value not in choices.values:
        raise ValidationError({field: "Choose one of the answers given."})
    return value


def feedback_give(
    *,
    agreement: Agreement,
    rating: int,
    themes: Iterable[str] = (),
    went_well: str = "",
    could_be_better: str = "",
    age_band: str = "",
    gender: str = "",
    ethnicity: str = "",
    disability: str = "",
) -> ServiceUserFeedback:
    """Store one person's feedback on a live agreement, dated today in Europe/London."""
    if rating not in RATING_WORDS:
        raise ValidationError({"rating": "Choose a rating from very poor to very good."})
    chosen = set(themes)
    unknown = chosen - set(FeedbackTheme.values)
    if unknown:
        raise ValidationError({"themes": "Choose from the topics given."})
    with transaction.atomic():
        live = Agreement.objects.filter(
            pk=agreement.pk, status__in=(AgreementStatus.ACTIVE, AgreementStatus.ENDING)
        ).exists()
        if not live:
            raise ValidationError("This service is no longer taking feedback.")
        return ServiceUserFeedback.objects.create(
            agreement=agreement,
            rating=rating,
            themes=[theme for theme in FeedbackTheme.values if theme in chosen],
            went_well=_clean_comment(went_well),
            could_be_better=_clean_comment(could_be_better),
            age_band=_choice(age_band, AgeBand, "age_band"),
            gender=_choice(gender, Gender, "gender"),
            ethnicity=_choice(ethnicity, Ethnicity, "ethnicity"),
            disability=_choice(disability, Disability, "disability"),
        )
