"""Grants as 360Giving open data: /open-data/360giving/ publishes every grant, a page at a time,
for anyone, with no account."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import ocds, threesixtygiving

CACHE_CONTROL = "public, max-age=300"


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = CACHE_CONTROL if status == 200 else "no-cache"
    return response


@require_GET
def open_data_360giving(request):
    """A 360Giving grant package of every grant; links.next points at the following page."""
    page = ocds.page_number(request.GET.get("page", "1"))
    if page is None:
        return _json({"error": "page must be a whole number from 1."}, status=400)
    grants, more = threesixtygiving.grants_page(page)
    path = reverse("commissioning:open_data_360giving")
    uri = ocds.absolute(path if page == 1 else f"{path}?page={page}")
    return _json(
        threesixtygiving.grant_package(grants, uri=uri, links=ocds.page_links(path, page, more))
    )
