"""The public provider directory (search, filters, CSV), the organisation and service pages, and
the provision map for network members."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.exports import csv_response

from .. import access, selectors
from ..filters import DirectoryFilter, ProvisionMapForm


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def network_member_required(view):
    """Anonymous people are sent to sign in; signed-in people outside the network get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.is_network_member(request.user):
            raise PermissionDenied("This page is for members of the Commissioners Network.")
        return view(request, *args, **kwargs)

    return wrapped


# The directory


def _directory_filter(request) -> DirectoryFilter:
    return DirectoryFilter(request.GET, queryset=access.directory_organisations(), request=request)


@require_GET
def directory(request):
    member = access.is_network_member(request.user)
    filterset = _directory_filter(request)
    page = selectors.directory_ids_page(
        filterset.qs, request.GET.get("page"), one_query=filterset.has_criteria
    )
    return render(
        request,
        "providers/directory.html",
        {
            "filter": filterset,
            "page": page,
            "rows": selectors.directory_rows(page.object_list, user=request.user, member=member),
            "member": member,
            "filter_query": _query_without_page(request),
        },
    )


@require_GET
def directory_csv(request):
    member = access.is_network_member(request.user)
    filterset = _directory_filter(request)
    rows = selectors.directory_export_rows(
        filterset.qs, user=request.user, member=member, base_url=settings.PORTAL_BASE_URL
    )
    header = selectors.directory_export_header(member=member)
    return csv_response(
        header,
        rows,
        filename="provider-directory-members.csv" if member else "provider-directory.csv",
    )


@require_GET
def organisation(request, pk: int):
    found = access.get_directory_organisation(request.user, pk)
    member = access.is_network_member(request.user)
    page = selectors.organisation_page(found, user=request.user, member=member)
    return render(
        request,
        "providers/organisation_public.html",
        {
            "page": page,
            "organisation": found,
            "profile": page.profile,
            "member": member,
            "panels": selectors.profile_panels(request, found),
        },
    )


@require_GET
def service(request, pk: int):
    found = selectors.service_page(access.get_service_for_user(request.user, pk))
    return render(request, "providers/service_detail.html", {"service": found})


# The provision map


def _provision_map(request) -> tuple[ProvisionMapForm, selectors.ProvisionMap]:
    data = request.GET.copy()
    if not data.get("area") and (default := selectors.default_map_area()) is not None:
        data["area"] = str(default.pk)  # the form shows the wards it is showing
    form = ProvisionMapForm(data)
    choice = form.cleaned_data if form.is_valid() else {}
    grid = selectors.provision_map(
        parent_area=choice.get("area"), parent_category=choice.get("category")
    )
    return form, grid


@network_member_required
@require_GET
def provision_map(request):
    form, grid = _provision_map(request)
    return render(
        request,
        "providers/provision_map.html",
        {"form": form, "map": grid, "filter_query": request.GET.urlencode()},
    )


@network_member_required
@require_GET
def provision_map_csv(request):
    _form, grid = _provision_map(request)
    header = ["Area"]
    for category in grid.categories:
        header += [f"{category.name}: active services", f"{category.name}: organisations"]
    rows = [
        [area.name, *(n for cell in cells for n in (cell.services, cell.organisations))]
        for area, cells in grid.grid
    ]
    return csv_response(header, rows, filename="provision-map.csv")
