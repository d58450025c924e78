"""The official open data schemas as validators, for the agreements' open data tests: OCDS 1.1.5
(draft 4) and 360Giving 1.4.3 (draft 2020-12). Each package schema refers to its item schema by
an absolute URL; a referencing registry resolves it to the file beside it in tests/schemas, and
anything else is refused, so nothing is fetched."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from pathlib import Path

from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
OCDS_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
GIVING_BASE = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/"
GIVING_PACKAGE = GIVING_BASE + "1.4.3/schema/360-giving-package-schema.json"
# The package refers to the 1.4.2 grant schema; the file is 1.4.3 and names itself so.
GIVING_GRANT = (
    GIVING_BASE + "1.4.2/schema/360-giving-schema.json",
    GIVING_BASE + "1.4.3/schema/360-giving-schema.json",
)


def _refuse(uri: str):
    raise LookupError(f"{uri} is not stored locally, and the tests never fetch schemas")


@functools.cache
def ocds_validator() -> Draft4Validator:
    documents = {
        OCDS_BASE + name: json.loads((SCHEMAS / "ocds-1.1" / name).read_text())
        for name in ("release-package-schema.json", "release-schema.json")
    }
    registry = Registry(retrieve=_refuse).with_resources(
        (uri, DRAFT4.create_resource(document)) for uri, document in documents.items()
    )
    return Draft4Validator(
        documents[OCDS_BASE + "release-package-schema.json"],
        registry=registry,
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )


@functools.cache
def giving_validator() -> Draft202012Validator:
    folder = SCHEMAS / "360giving"
    package = json.loads((folder / "360-giving-package-schema.json").read_text())
    grant = json.loads((folder / "360-giving-schema.json").read_text())
    assert package["$id"] == GIVING_PACKAGE and grant["$id"] == GIVING_GRANT[1]
    registry = Registry(retrieve=_refuse).with_resources(
        [(GIVING_PACKAGE, DRAFT202012.create_resource(package))]
        + [(url, DRAFT202012.create_resource(grant)) for url in GIVING_GRANT]
    )
    # The format checker matters: dates are oneOf a date-time format or a YYYY-MM-DD pattern,
    # and without it a plain date would pass both branches and fail the oneOf.
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _errors(validator, package: dict) -> list[str]:
    errors = sorted(validator.iter_errors(package), key=lambda error: list(error.path))
    return [f"{list(error.path)}: {error.message}" for error in errors]


def valid_grants(package: dict) -> dict:
    errors = _errors(giving_validator(), package)
    assert not errors, errors
    return package


def valid_releases(package: dict) -> dict:
    """The package validates, its release ids are unique within each ocid, and its dates
    parse (format checks need rfc3339-validator)."""
    errors = _errors(ocds_validator(), package)
    assert not errors, errors
    ids = [(release["ocid"], release["id"]) for release in package["releases"]]
    assert len(ids) == len(set(ids))
    for release in package["releases"]:
        datetime.fromisoformat(release["date"])
        for contract in release.get("contracts", []):
            datetime.fromisoformat(contract["period"]["startDate"])
            datetime.fromisoformat(contract["period"]["endDate"])
            for milestone in contract.get("milestones", []):
                datetime.fromisoformat(milestone["dueDate"])
            for transaction in contract.get("implementation", {}).get("transactions", []):
                datetime.fromisoformat(transaction["date"])
    return package
