"""The HSDS 3.0 open data API: every endpoint's output validates against the official schemas,
lists page as the HSDS API says, and nothing unverified or inactive is published."""

from __future__ import annotations

import functools
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from accounts.models import LegalForm, VerificationStatus
from providers.models import Service, ServiceCategory, ServiceStatus
from providers.opendata import CATEGORY_TAXONOMY_ID
from tests.factories import (
    LanguageFactory,
    OrganisationFactory,
    ProviderProfileFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "hsds-3.0"
SPEC = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI = SPEC + "openapi.json"


@functools.cache
def registry() -> Registry:
    """The schemas under the URLs openapi.json refers to them by; nothing is fetched."""
    documents = {OPENAPI: json.loads((SCHEMAS / "openapi.json").read_text())}
    for name in ("organization", "organization_list", "service", "service_list"):
        documents[f"{SPEC}compiled/{name}.json"] = json.loads(
            (SCHEMAS / f"{name}.json").read_text()
        )
    # No taxonomy files are published in compiled/; service.json defines both objects inside.
    attribute = documents[f"{SPEC}compiled/service.json"]["properties"]["attributes"]["items"]
    term = attribute["properties"]["taxonomy_term"]
    documents[SPEC + "taxonomy_term.json"] = term
    documents[SPEC + "taxonomy.json"] = term["properties"]["taxonomy_detail"]

    def refuse(uri: str):
        raise LookupError(f"{uri} is not stored locally, and the tests never fetch schemas")

    return Registry(retrieve=refuse).with_resources(
        (uri, DRAFT202012.create_resource(document)) for uri, document in documents.items()
    )


def validator_for(path: str) -> Draft202012Validator:
    """The schema openapi.json gives for a 200 response to GET on this path."""
    pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1")
    pointer += "/get/responses/200/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": f"{OPENAPI}#{pointer}"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def ids_in(value, key: str = ""):
    """Every id, or *_id, anywhere in a document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ids_in(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item, key)
    elif key == "id" or key.endswith("_id"):
        yield value


def assert_valid(path: str, document: dict) -> None:
    errors = sorted(validator_for(path).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    if path in LIST_PATHS:
        assert set(document) == PAGE_KEYS
    for value in ids_in(document):
        assert str(uuid.UUID(value)) == value
    for url_field in ("website", "uri", "url"):
        for found in _values(document, url_field):
            assert found.startswith(("http://", "https://")), found
    for moment in _values(document, "last_modified"):
        assert datetime.fromisoformat(moment).tzinfo is not None


def _values(value, wanted: str):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == wanted and isinstance(v, str):
                yield v
            else:
                yield from _values(v, wanted)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item, wanted)


LIST_PATHS = {"/organizations", "/services", "/taxonomies", "/taxonomy_terms"}


def get_json(client, name: str, *, status: int = 200, params=None, **kwargs) -> dict:
    response = client.get(reverse(f"providers:{name}", kwargs=kwargs or None), params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


@pytest.fixture
def directory(db):
    """A verified charitable company with three services, and what must never be published."""
    advice = ServiceCategoryFactory(name="Advice", code="advice", description="Help to know")
    debt = ServiceCategoryFactory(name="Debt advice", code="debt-advice", parent=advice)
    ward = WardFactory(name="Clissold", ons_code="E05009367")
    welsh = LanguageFactory(name="Welsh", code="cy")
    organisation = OrganisationFactory(
        name="Riverside Advice",
        legal_form=LegalForm.CLG,
        charity_number="1123456",
        company_number="01234567",
    )
    profile = ProviderProfileFactory(
        organisation=organisation,
        description="Free, confidential advice.",
        website="https://riverside.example.org/",
        contact_name="Pat Private",
        contact_email="pat@riverside.example.org",
        contact_phone="020 7946 0001",
    )
    clinic = ServiceFactory(
        organisation=organisation,
        name="Debt clinic",
        categories=[debt],
        areas=[ward],
        languages=[welsh],
        minimum_age=18,
        eligibility="Adults living in the borough.",
        cost_to_users="Free",
    )
    closed = ServiceFactory(
        organisation=organisation,
        name="Benefits check",
        categories=[advice],
        status=ServiceStatus.TEMPORARILY_CLOSED,
    )
    inactive = ServiceFactory(
        organisation=organisation,
        name="Old scheme",
        categories=[advice],
        status=ServiceStatus.INACTIVE,
    )
    hidden = {}
    for status in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
        other = OrganisationFactory(
            name=f"{status} org", verification_status=status, verified_at=None
        )
        hidden[status] = (
            ProviderProfileFactory(organisation=other),
            ServiceFactory(organisation=other, categories=[advice]),
        )
    without_profile = OrganisationFactory(name="No profile yet")
    return {
        "advice": advice,
        "debt": debt,
        "organisation": organisation,
        "profile": profile,
        "clinic": clinic,
        "closed": closed,
        "inactive": inactive,
        "hidden": hidden,
        "without_profile": without_profile,
    }


# The schemas themselves


def test_the_schemas_refuse_what_hsds_forbids():
    """So that a pass below means something: bad ids and missing fields fail validation."""
    validator = validator_for("/organizations/{id}")
    assert (
        list(validator.iter_errors({"id": str(uuid.uuid4()), "name": "x", "description": ""})) == []
    )
    bad = {"id": "not-a-uuid", "name": "x"}
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    assert "is not a 'uuid'" in messages
    assert "'description' is a required property" in messages
    page = validator_for("/services")
    assert list(page.iter_errors({"contents": [{"id": str(uuid.uuid4()), "name": "x"}]}))


# The root


def test_the_root_describes_the_api(client):
    document = get_json(client, "hsds_index")
    assert document["version"] == "3.0"
    assert document["openapi_url"].endswith("/openapi.json")
    assert (
        document["endpoints"]["organizations"] == "http://testserver/open-data/hsds/organizations"
    )
    response = client.get(reverse("providers:hsds_index"))
    assert response["Cache-Control"] == "public, max-age=300"


# Organizations


def test_the_organization_list_validates_and_holds_only_verified_organisations(client, directory):
    document = get_json(client, "hsds_organizations")
    assert_valid("/organizations", document)
    assert document["total_items"] == 1
    [organisation] = document["contents"]
    assert organisation == {
        "id": str(directory["profile"].uuid),
        "name": "Riverside Advice",
        "description": "Free, confidential advice.",
        "website": "https://riverside.example.org/",
        "legal_status": "Company limited by guarantee",
    }


def test_the_full_organization_list_validates_with_nested_services(client, directory):
    document = get_json(client, "hsds_organizations", params={"full": "true", "full_service": "1"})
    assert_valid("/organizations", document)
    [organisation] = document["contents"]
    assert {s["name"] for s in organisation["services"]} == {"Debt clinic", "Benefits check"}
    # The list's items are checked against the full organization schema too.
    assert_valid("/organizations/{id}", organisation)


def test_an_organization_validates_with_identifiers_and_services_and_no_contacts(client, directory):
    profile = directory["profile"]
    document = get_json(client, "hsds_organization", id=profile.uuid)
    assert_valid("/organizations/{id}", document)
    assert document["id"] == str(profile.uuid)
    identifiers = {
        (i["identifier_scheme"], i["identifier"], i["organization_id"])
        for i in document["organization_identifiers"]
    }
    assert identifiers == {
        ("GB-CHC", "1123456", str(profile.uuid)),
        ("GB-COH", "01234567", str(profile.uuid)),
    }
    services = {s["id"]: s for s in document["services"]}
    assert set(services) == {str(directory["clinic"].uuid), str(directory["closed"].uuid)}
    assert services[str(directory["closed"].uuid)]["status"] == "temporarily closed"
    assert "attributes" not in services[str(directory["clinic"].uuid)]
    text = json.dumps(document)
    for private in ("Pat Private", "pat@riverside", "7946", "Old scheme"):
        assert private not in text
    assert not {"email", "contacts", "phones"} & set(document)


def test_an_organization_with_full_services_validates(client, directory):
    document = get_json(
        client, "hsds_organization", id=directory["profile"].uuid, params={"full_service": "true"}
    )
    assert_valid("/organizations/{id}", document)
    clinic = next(s for s in document["services"] if s["name"] == "Debt clinic")
    assert [a["taxonomy_term"]["code"] for a in clinic["attributes"]] == ["debt-advice"]


def test_unknown_and_unpublished_organizations_answer_404(client, directory):
    pending_profile, _ = directory["hidden"][VerificationStatus.PENDING]
    rejected_profile, _ = directory["hidden"][VerificationStatus.REJECTED]
    for id in (uuid.uuid4(), pending_profile.uuid, rejected_profile.uuid):
        document = get_json(client, "hsds_organization", status=404, id=id)
        assert "error" in document


# Services


def test_the_service_list_validates_and_leaves_out_inactive_and_unverified(client, directory):
    document = get_json(client, "hsds_services")
    assert_valid("/services", document)
    assert {s["id"] for s in document["contents"]} == {
        str(directory["clinic"].uuid),
        str(directory["closed"].uuid),
    }
    clinic = next(s for s in document["contents"] if s["name"] == "Debt clinic")
    assert clinic["organization_id"] == str(directory["profile"].uuid)
    assert clinic["organization"]["name"] == "Riverside Advice"
    assert clinic["minimum_age"] == 18
    assert clinic["fees_description"] == "Free"


def test_the_full_service_list_validates(client, directory):
    document = get_json(client, "hsds_services", params={"full": "true"})
    assert_valid("/services", document)
    for service in document["contents"]:
        assert_valid("/services/{id}", service)
    assert all("attributes" in s for s in document["contents"])


def test_a_service_validates_with_its_taxonomy_terms_areas_and_languages(client, directory):
    clinic, debt, advice = directory["clinic"], directory["debt"], directory["advice"]
    document = get_json(client, "hsds_service", id=clinic.uuid)
    assert_valid("/services/{id}", document)
    assert document["status"] == "active"
    assert document["organization"]["id"] == str(directory["profile"].uuid)
    [attribute] = document["attributes"]
    assert attribute["link_id"] == str(clinic.uuid)
    assert attribute["taxonomy_term_id"] == str(debt.uuid)
    term = attribute["taxonomy_term"]
    assert term["parent_id"] == str(advice.uuid)
    assert term["taxonomy_id"] == str(CATEGORY_TAXONOMY_ID)
    [area] = document["service_areas"]
    assert area["name"] == "Clissold"
    assert area["uri"].endswith("/E05009367")
    assert document["languages"][0]["code"] == "cy"
    # Ids made for link rows stay the same from one request to the next.
    assert get_json(client, "hsds_service", id=clinic.uuid) == document


def test_unknown_inactive_and_unverified_services_answer_404(client, directory):
    _, pending_service = directory["hidden"][VerificationStatus.PENDING]
    for id in (uuid.uuid4(), directory["inactive"].uuid, pending_service.uuid):
        get_json(client, "hsds_service", status=404, id=id)


def test_services_filter_by_organization_taxonomy_term_and_modified_after(client, directory):
    def names(**params):
        return {s["name"] for s in get_json(client, "hsds_services", params=params)["contents"]}

    assert names(organization_id=str(directory["profile"].uuid)) == {
        "Debt clinic",
        "Benefits check",
    }
    assert names(organization_id=str(uuid.uuid4())) == set()
    assert names(taxonomy_term_id=str(directory["debt"].uuid)) == {"Debt clinic"}
    assert names(taxonomy_id=str(CATEGORY_TAXONOMY_ID)) == {"Debt clinic", "Benefits check"}
    assert names(taxonomy_id=str(uuid.uuid4())) == set()
    Service.objects.filter(pk=directory["closed"].pk).update(
        updated_at=timezone.now() - timedelta(days=30)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert names(modified_after=since) == {"Debt clinic"}
    assert names(search="clinic") == {"Debt clinic"}
    for bad in ({"organization_id": "nope"}, {"modified_after": "yesterday"}):
        assert "error" in get_json(client, "hsds_services", status=400, params=bad)


# Taxonomies and taxonomy terms


def test_the_taxonomy_list_and_the_taxonomy_validate(client, directory):
    document = get_json(client, "hsds_taxonomies")
    assert_valid("/taxonomies", document)
    assert [t["id"] for t in document["contents"]] == [str(CATEGORY_TAXONOMY_ID)]
    taxonomy = get_json(client, "hsds_taxonomy", id=CATEGORY_TAXONOMY_ID)
    assert_valid("/taxonomies/{id}", taxonomy)
    assert taxonomy == document["contents"][0]
    get_json(client, "hsds_taxonomy", status=404, id=uuid.uuid4())


def test_the_taxonomy_terms_and_a_term_validate(client, directory):
    document = get_json(client, "hsds_taxonomy_terms")
    assert_valid("/taxonomy_terms", document)
    assert {t["code"] for t in document["contents"]} == {"advice", "debt-advice"}
    term = get_json(client, "hsds_taxonomy_term", id=directory["debt"].uuid)
    assert_valid("/taxonomy_terms/{id}", term)
    assert term["name"] == "Debt advice"
    assert term["parent_id"] == str(directory["advice"].uuid)
    get_json(client, "hsds_taxonomy_term", status=404, id=uuid.uuid4())


def test_taxonomy_terms_filter_by_parent_and_top_level(client, directory):
    def codes(**params):
        return {
            t["code"] for t in get_json(client, "hsds_taxonomy_terms", params=params)["contents"]
        }

    assert codes(parent_id=str(directory["advice"].uuid)) == {"debt-advice"}
    assert codes(top_only="true") == {"advice"}
    assert codes(taxonomy_id=str(uuid.uuid4())) == set()


# Pages


def test_lists_page_as_the_hsds_api_says(client, db):
    for i in range(5):
        ProviderProfileFactory(organisation=OrganisationFactory(name=f"Org {i}"))

    first = get_json(client, "hsds_organizations", params={"per_page": 2})
    assert_valid("/organizations", first)
    assert {k: first[k] for k in PAGE_KEYS - {"contents"}} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    middle = get_json(client, "hsds_organizations", params={"per_page": 2, "page": 2})
    assert (middle["first_page"], middle["last_page"], middle["size"]) == (False, False, 2)
    last = get_json(client, "hsds_organizations", params={"per_page": 2, "page": 3})
    assert (last["last_page"], last["size"], last["page_number"]) == (True, 1, 3)
    names = [o["name"] for page in (first, middle, last) for o in page["contents"]]
    assert names == [f"Org {i}" for i in range(5)]

    beyond = get_json(client, "hsds_organizations", params={"per_page": 2, "page": 4})
    assert_valid("/organizations", beyond)
    assert (beyond["empty"], beyond["size"], beyond["contents"]) == (True, 0, [])

    for bad in ({"page": "0"}, {"page": "two"}, {"per_page": "-1"}):
        assert "error" in get_json(client, "hsds_organizations", status=400, params=bad)


def test_an_empty_list_is_one_empty_page(client, db):
    document = get_json(client, "hsds_services")
    assert_valid("/services", document)
    assert (document["total_items"], document["total_pages"], document["empty"]) == (0, 0, True)


def test_per_page_is_capped(client, db):
    ServiceCategory.objects.bulk_create(
        ServiceCategory(name=f"Category {i:03d}", code=f"c-{i}") for i in range(205)
    )
    document = get_json(client, "hsds_taxonomy_terms", params={"per_page": 1000})
    assert (document["size"], document["total_pages"], document["total_items"]) == (200, 2, 205)


def test_the_api_answers_get_only(client, directory):
    assert client.post(reverse("providers:hsds_organizations")).status_code == 405


# Queries


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(n: int, categories: list) -> None:
    for _ in range(n):
        organisation = OrganisationFactory()
        ProviderProfileFactory(organisation=organisation)
        ServiceFactory(
            organisation=organisation,
            categories=categories,
            areas=[WardFactory()],
            languages=[LanguageFactory()],
        )


PINNED = {
    "hsds_organizations": 2,
    "hsds_organizations_full": 6,
    "hsds_organization": 5,
    "hsds_services": 2,
    "hsds_services_full": 5,
    "hsds_service": 4,
    "hsds_taxonomy_terms": 2,
}


def test_each_endpoint_issues_a_fixed_number_of_queries(client, directory):
    categories = [directory["advice"], directory["debt"]]
    profile, clinic = directory["profile"], directory["clinic"]
    urls = {
        "hsds_organizations": reverse("providers:hsds_organizations"),
        "hsds_organizations_full": reverse("providers:hsds_organizations")
        + "?full=true&full_service=true",
        "hsds_organization": reverse("providers:hsds_organization", args=[profile.uuid])
        + "?full_service=true",
        "hsds_services": reverse("providers:hsds_services"),
        "hsds_services_full": reverse("providers:hsds_services") + "?full=true",
        "hsds_service": reverse("providers:hsds_service", args=[clinic.uuid]),
        "hsds_taxonomy_terms": reverse("providers:hsds_taxonomy_terms"),
    }
    _grow(2, categories)
    small = {name: _queries(client, url) for name, url in urls.items()}
    _grow(8, categories)
    for _ in range(5):
        ServiceFactory(
            organisation=directory["organisation"], categories=categories, areas=[WardFactory()]
        )
    clinic.areas.add(WardFactory(), WardFactory())
    large = {name: _queries(client, url) for name, url in urls.items()}
    assert small == large == PINNED
