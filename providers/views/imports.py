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

from .. import access
from ..forms.imports import ImportReportFilterForm, OrganisationImportForm
from ..models import ImportStatus
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
            if import_services.import_file_encoding(data) != "utf-8":
                messages.warning(
                    request,
                    "The file was not saved as UTF-8, so it was read as Windows-1252 (what Excel "
                    "calls “CSV (Comma delimited)”). Check that accented names look right below.",
                )
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
    filter_form = ImportReportFilterForm(request.GET or None)
    outcome = filter_form.cleaned_data["outcome"] if filter_form.is_valid() else ""
    rows = [r for r in job.report if r["outcome"] == outcome] if outcome else job.report
    page = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/import_detail.html",
        {
            "job": job,
            "filter_form": filter_form,
            "outcome": outcome,
            "outcome_labels": import_services.Outcome.LABELS,
            "page": page,
            "filter_query": f"outcome={outcome}" if outcome else "",
            "in_progress": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        },
    )


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
