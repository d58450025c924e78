"""Checks for UK registered numbers, in the formats the registers themselves use."""

import re

from django.core.exceptions import ValidationError

# England and Wales charity numbers: six digits for charities registered before 1996 (from 200000),
# seven digits beginning with 1 since then. A linked charity adds a suffix such as "-1",
# which belongs to the subsidiary, not the organisation.
_CHARITY_NUMBER = re.compile(r"^(?:[2-9]\d{5}|1\d{6})$")

# Companies House numbers are eight characters: eight digits for England and Wales, or a
# two-letter register prefix and six digits. Older numbers are quoted without leading zeros.
COMPANY_PREFIXES = frozenset(
    {
        "AC", "CE", "CS", "ES", "FC", "GE", "GN", "GS", "IC", "IP", "LP", "NA", "NC", "NF",
        "NI", "NL", "NO", "NP", "NR", "NV", "NZ", "OC", "OE", "PC", "R0", "RC", "RS", "SA",
        "SC", "SE", "SF", "SG", "SI", "SL", "SO", "SP", "SR", "SZ", "ZC",
    }
)  # fmt: skip
_COMPANY_WITH_PREFIX = re.compile(r"^([A-Z][A-Z0-9])(\d{6})$")
# Industrial and provident societies registered in Scotland or England carry a trailing letter.
_COMPANY_SOCIETY = re.compile(r"^(IP|SP|NP)(\d{5})R$")


def _squash(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def normalise_charity_number(value: str) -> str:
    """Return the registered number alone, or raise ValidationError with a message for the form."""
    raw = (value or "").strip()
    main = raw.split("-", 1)[0].strip() if "-" in raw else raw
    main = re.sub(r"\s", "", main)
    if not main:
        return ""
    if not main.isdigit():
        raise ValidationError(
            "Enter a charity number using digits only, like 1234567. "
            "Charities in England and Wales have a 6 or 7 digit number.",
            code="charity_number_format",
        )
    if not _CHARITY_NUMBER.match(main):
        raise ValidationError(
            "That is not a registered charity number for England and Wales. "
            "It should be 7 digits starting with 1 (like 1234567), or 6 digits for older charities.",
            code="charity_number_range",
        )
    return main


def normalise_company_number(value: str) -> str:
    """Return the eight-character Companies House number, or raise ValidationError."""
    squashed = _squash(value)
    if not squashed:
        return ""
    if squashed.isdigit():
        if len(squashed) > 8:
            raise ValidationError(
                "A company number has 8 characters, like 01234567 or SC123456.",
                code="company_number_length",
            )
        return squashed.zfill(8)
    if _COMPANY_SOCIETY.match(squashed):
        return squashed
    match = _COMPANY_WITH_PREFIX.match(squashed)
    if not match:
        raise ValidationError(
            "Enter a Companies House number: 8 digits (like 01234567), or a two-letter "
            "prefix and 6 digits (like SC123456 or NI123456).",
            code="company_number_format",
        )
    if match.group(1) not in COMPANY_PREFIXES:
        raise ValidationError(
            f"“{match.group(1)}” is not a Companies House register prefix. "
            "Check the number on the Companies House register.",
            code="company_number_prefix",
        )
    return squashed


_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """Return a UK postcode in its standard form ("E8 1DY"), or raise ValidationError."""
    squashed = re.sub(r"\s", "", value or "").upper()
    if not squashed:
        return ""
    match = _POSTCODE.match(squashed)
    if not match:
        raise ValidationError("Enter a real UK postcode, like E8 1DY.", code="postcode")
    return f"{match.group(1)} {match.group(2)}"
