"""Registered numbers are checked against the real formats of the registers."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1123456", "1123456"),
        (" 1 123 456 ", "1123456"),
        ("1123456-1", "1123456"),  # a linked charity's suffix belongs to the subsidiary
        ("220949", "220949"),  # six-digit numbers from before 1996
        ("", ""),
    ],
)
def test_valid_charity_numbers(raw, expected):
    assert normalise_charity_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("SC012345", "charity_number_format"),  # Scottish register, not England and Wales
        ("12345", "charity_number_range"),
        ("2123456", "charity_number_range"),
        ("123456", "charity_number_range"),
        ("11234567", "charity_number_range"),
        ("abc", "charity_number_format"),
    ],
)
def test_invalid_charity_numbers(raw, code):
    with pytest.raises(ValidationError) as caught:
        normalise_charity_number(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01234567", "01234567"),
        ("1234567", "01234567"),  # quoted without its leading zero
        ("sc123456", "SC123456"),
        ("NI 123456", "NI123456"),
        ("OC301234", "OC301234"),
        ("CE001234", "CE001234"),
        ("IP12345R", "IP12345R"),
        ("R0012345", "R0012345"),
        ("", ""),
    ],
)
def test_valid_company_numbers(raw, expected):
    assert normalise_company_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("123456789", "company_number_length"),
        ("XX123456", "company_number_prefix"),
        ("SC12345", "company_number_format"),
        ("S1234567", "company_number_prefix"),
        ("SC1234567", "company_number_format"),
    ],
)
def test_invalid_company_numbers(raw, code):
    with pytest.raises(ValidationError) as caught:
        normalise_company_number(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("e81dy", "E8 1DY"), ("SW1A 2AA", "SW1A 2AA"), ("n16 7ab", "N16 7AB"), ("", "")],
)
def test_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["E8", "12345", "EEE 1AA"])
def test_bad_postcodes(raw):
    with pytest.raises(ValidationError):
        normalise_postcode(raw)
