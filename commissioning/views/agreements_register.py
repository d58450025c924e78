"""The network's register of agreements with its totals and CSV, a provider's agreements across
every body (the 360 view, with its returns and ratings side by side), and a provider's own list
of agreements."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.exports import csv_response

from .. import access
from ..filters_agreements import SELECTS, AgreementFilter
from ..filters_planning import select_options
from ..models.agreements import NEVER_OPENLY_PROCURED
from ..selectors import agreements_register as selectors


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _register_filter(request) -> AgreementFilter:
    return AgreementFilter(request.GET, queryset=access.agreements_visible_to(request.user))


@access.planner_required
@require_GET
def register(request):
    filterset = _register_filter(request)
    totals = selectors.totals(filterset.qs)
    page = selectors.register_page(filterset.qs, request.GET.get("page"), count=totals.count)
    form = filterset.form
    return render(
        request,
        "commissioning/agreements/register.html",
        {
            "filter": filterset,
            "selects": {name: select_options(form[name]) for name in SELECTS},
            "page": page,
            "sort_label": dict(selectors.SORT_CHOICES).get(form["sort"].value(), ""),
            "totals": totals,
            "filter_query": _query_without_page(request),
            "never_open_routes": [route.value for route in NEVER_OPENLY_PROCURED],
            "can_create": access.is_commissioner(request.user),
        },
    )


@access.planner_required
@require_GET
def register_csv(request):
    """The filtered register as a spreadsheet, in the register's order."""
    filterset = _register_filter(request)
    header, rows = selectors.register_export(filterset.qs, base_url=settings.PORTAL_BASE_URL)
    return csv_response(header, rows, filename="agreements.csv")


@login_required
@require_GET
def provider_agreements(request, pk: int):
    organisation = access.get_provider_for_user(request.user, pk)
    view = selectors.provider_view(organisation, request.GET.get("page"))
    return render(
        request,
        "commissioning/agreements/provider_agreements.html",
        {
            "view": view,
            "organisation": organisation,
            "page": view.page,
            "is_member": any(
                membership.organisation_id == organisation.pk
                for membership in request.portal.memberships
            ),
            "role_labels": selectors.ROLE_LABELS,
        },
    )


@login_required
@require_GET
def agreements_ours(request):
    organisations = access.provider_organisations_of(request.user)
    if not organisations:
        raise PermissionDenied("This page is for the people of third sector organisations.")
    page = selectors.ours_page(organisations, request.GET.get("page"))
    return render(
        request,
        "commissioning/agreements/ours.html",
        {"organisations": organisations, "page": page, "role_labels": selectors.ROLE_LABELS},
    )
