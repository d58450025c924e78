"""The public directory as an Open Referral HSDS 3.0 API: JSON for anyone, from any website.

Paths, parameters and paged responses follow the HSDS 3.0 openapi.json. Unknown or unpublished
ids answer 404 in JSON; a malformed parameter answers 400.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from .. import opendata

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
CACHE_CONTROL = "public, max-age=300"


class _BadRequest(Exception):
    pass


def _json(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = CACHE_CONTROL if status == 200 else "no-cache"
    return response


def _not_found(what: str) -> JsonResponse:
    return _json({"error": f"No published {what} has this id."}, status=404)


def _flag(request, name: str) -> bool:
    return request.GET.get(name, "").lower() in ("true", "1", "yes")


def _uuid_param(request, name: str) -> uuid.UUID | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _BadRequest(f"{name} must be a UUID.") from None


def _int_param(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise _BadRequest(f"{name} must be a whole number from 1.")
    return int(value)


def _page(request, items: QuerySet | Sequence, serialise: Callable[[Any], dict]) -> dict[str, Any]:
    """One page in the HSDS shape. per_page is capped at MAX_PER_PAGE; a page after the last is
    empty rather than an error."""
    page = _int_param(request, "page", 1)
    per_page = min(_int_param(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    total_pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    contents = [serialise(item) for item in items[start : start + per_page]]
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _api(view):
    """Turn a malformed parameter into a 400 in JSON."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _BadRequest as error:
            return _json({"error": str(error)}, status=400)

    return require_GET(wrapped)


@_api
def hsds_index(request):
    """The API root, as HSDS asks, with the portal's endpoints listed for people exploring it."""
    endpoints = {
        name: request.build_absolute_uri(reverse(f"providers:hsds_{name}"))
        for name in ("organizations", "services", "taxonomies", "taxonomy_terms")
    }
    return _json(
        {
            "version": opendata.HSDS_VERSION,
            "profile": opendata.HSDS_PROFILE_URL,
            "openapi_url": opendata.HSDS_OPENAPI_URL,
            "endpoints": endpoints,
            "pagination": {
                "parameters": ["page", "per_page"],
                "default_per_page": DEFAULT_PER_PAGE,
                "max_per_page": MAX_PER_PAGE,
            },
        }
    )


@_api
def hsds_organizations(request):
    organisations = opendata.hsds_organisations()
    if search := request.GET.get("search", "").strip():
        organisations = organisations.filter(name__icontains=search)
    full = _flag(request, "full")
    full_services = _flag(request, "full_service")
    if full:
        organisations = opendata.with_organisation_services(organisations, full=full_services)
    return _json(
        _page(
            request,
            organisations,
            lambda o: opendata.organisation_to_hsds(o, nested=full, full_services=full_services),
        )
    )


@_api
def hsds_organization(request, id: uuid.UUID):
    full_services = _flag(request, "full_service")
    organisation = (
        opendata.with_organisation_services(opendata.hsds_organisations(), full=full_services)
        .filter(profile__uuid=id)
        .first()
    )
    if organisation is None:
        return _not_found("organization")
    return _json(
        opendata.organisation_to_hsds(organisation, nested=True, full_services=full_services)
    )


@_api
def hsds_services(request):
    services = opendata.hsds_services()
    if organisation_id := _uuid_param(request, "organization_id"):
        services = services.filter(organisation__profile__uuid=organisation_id)
    if term_id := _uuid_param(request, "taxonomy_term_id"):
        services = services.filter(categories__uuid=term_id)
    if (taxonomy_id := _uuid_param(request, "taxonomy_id")) is not None:
        services = (
            services.filter(categories__isnull=False).distinct()
            if taxonomy_id == opendata.CATEGORY_TAXONOMY_ID
            else services.none()
        )
    if search := request.GET.get("search", "").strip():
        services = services.filter(name__icontains=search)
    if modified_after := request.GET.get("modified_after", ""):
        moment = parse_datetime(modified_after)
        if moment is None:
            raise _BadRequest("modified_after must be a date and time, like 2025-04-01T00:00:00Z.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        services = services.filter(updated_at__gte=moment)
    full = _flag(request, "full")
    if full:
        services = opendata.with_service_details(services)
    return _json(
        _page(
            request,
            services,
            lambda s: opendata.service_to_hsds(s, nested=full, with_organisation=True),
        )
    )


@_api
def hsds_service(request, id: uuid.UUID):
    service = opendata.with_service_details(opendata.hsds_services()).filter(uuid=id).first()
    if service is None:
        return _not_found("service")
    return _json(opendata.service_to_hsds(service, nested=True, with_organisation=True))


@_api
def hsds_taxonomies(request):
    taxonomies = [opendata.taxonomy_to_hsds()]
    if search := request.GET.get("search", "").strip().lower():
        taxonomies = [t for t in taxonomies if search in t["name"].lower()]
    return _json(_page(request, taxonomies, dict))


@_api
def hsds_taxonomy(request, id: uuid.UUID):
    if id != opendata.CATEGORY_TAXONOMY_ID:
        return _not_found("taxonomy")
    return _json(opendata.taxonomy_to_hsds())


@_api
def hsds_taxonomy_terms(request):
    terms = opendata.hsds_taxonomy_terms()
    if (taxonomy_id := _uuid_param(request, "taxonomy_id")) is not None and (
        taxonomy_id != opendata.CATEGORY_TAXONOMY_ID
    ):
        terms = terms.none()
    if parent_id := _uuid_param(request, "parent_id"):
        terms = terms.filter(parent__uuid=parent_id)
    if _flag(request, "top_only"):
        terms = terms.filter(parent__isnull=True)
    if search := request.GET.get("search", "").strip():
        terms = terms.filter(name__icontains=search)
    return _json(_page(request, terms, opendata.taxonomy_term_to_hsds))


@_api
def hsds_taxonomy_term(request, id: uuid.UUID):
    term = opendata.hsds_taxonomy_terms().filter(uuid=id).first()
    if term is None:
        return _not_found("taxonomy term")
    return _json(opendata.taxonomy_term_to_hsds(term))
