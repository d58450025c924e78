"""Pages where commissioners and network admins import indicator values from CSV and read what
each import did. A commissioner sees the imports they uploaded; a network admin sees them all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.exports import csv_response
from accounts.forms import form_errors_from
from accounts.imports import import_encoding_warn, import_report_context
from accounts.models import ImportStatus

from .. import access
from ..forms.evidence import IndicatorImportForm
from ..services import indicator_imports as import_services

PAGE_SIZE = 20
REPORT_PAGE_SIZE = 100


@access.planner_required
def indicator_import(request):
    """The upload form, and the person's recent imports below it."""
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = IndicatorImportForm(*bound)
    if form.is_bound and form.is_valid():
        original_name, data = form.upload()
        try:
            job = import_services.indicator_import_create(
                actor=request.user, original_name=original_name, data=data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if job.status == ImportStatus.DONE:
                messages.success(
                    request,
                    f"“{job.original_name}” is imported: {job.created_count} created, "
                    f"{job.updated_count} updated, {job.unchanged_count} unchanged, "
                    f"{job.refused_count} refused.",
                )
            else:
                messages.success(
                    request,
                    f"“{job.original_name}” is uploaded: {job.total_rows} rows. This page shows "
                    "the import's progress.",
                )
            import_encoding_warn(request, data, check="area names")
            return redirect("commissioning:indicator_import_detail", pk=job.pk)
    imports = (
        access.indicator_imports_visible_to(request.user)
        .select_related("uploaded_by")
        .defer("report")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "commissioning/evidence/import.html",
        {
            "form": form,
            "columns": import_services.IMPORT_COLUMNS,
            "page": page,
            "max_rows_inline": f"{import_services.INLINE_ROWS:,}",
        },
    )


@access.planner_required
@require_GET
def indicator_import_detail(request, pk: int):
    job = access.get_indicator_import_for_user(request.user, pk)
    context = import_report_context(
        request,
        job,
        detail_view="commissioning:indicator_import_detail",
        page_size=REPORT_PAGE_SIZE,
    )
    return render(request, "commissioning/evidence/import_detail.html", context)


@access.planner_required
@require_GET
def indicator_import_template(request):
    header, *rows = import_services.import_template_rows()
    return csv_response(header, rows, filename="indicator-values-template.csv")
