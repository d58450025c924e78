"""Pages where network admins import organisations from a CSV file and read what each import did."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import network_admin_required
from accounts.exports import csv_response
from accounts.forms import form_errors_from
from accounts.imports import import_encoding_warn, import_report_context

from .. import access
from ..forms.imports import OrganisationImportForm
from ..services import imports as import_services

PAGE_SIZE = 25
REPORT_PAGE_SIZE = 100


@network_admin_required
@require_GET
def import_list(request):
    imports = (
        access.imports_visible_to(request.user)
        .select_related("uploaded_by")
        .defer("report")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "providers/import_list.html", {"page": page})


@network_admin_required
def import_create(request):
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = OrganisationImportForm(*bound)
    if form.is_bound and form.is_valid():
        original_name, data = form.upload()
        try:
            job = import_services.organisation_import_create(
                actor=request.user, original_name=original_name, data=data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{job.original_name}” is uploaded: {job.total_rows} rows.")
            import_encoding_warn(request, data, check="accented names")
            return redirect("providers:import_detail", pk=job.pk)
    return render(
        request,
        "providers/import_create.html",
        {"form": form, "columns": import_services.IMPORT_COLUMNS},
    )


@network_admin_required
@require_GET
def import_detail(request, pk: int):
    job = access.get_import_for_user(request.user, pk)
    context = import_report_context(
        request, job, detail_view="providers:import_detail", page_size=REPORT_PAGE_SIZE
    )
    return render(request, "providers/import_detail.html", context)


@network_admin_required
@require_GET
def import_template(request):
    header, *rows = import_services.import_template_rows()
    return csv_response(header, rows, filename="organisations-template.csv")


@network_admin_required
@require_GET
def import_report(request, pk: int):
    job = access.get_import_for_user(request.user, pk)
    header = ["line", "outcome", "name", "organisation_id", "messages"]
    rows = (
        [
            entry["line"],
            entry["outcome"],
            entry["name"],
            entry["organisation_id"] or "",
            " ".join(entry["messages"]),
        ]
        for entry in job.report
    )
    return csv_response(header, rows, filename=f"import-{job.pk}-report.csv")
