"""The gap analysis: need, provision and what is commissioned, area by area, for one outcome or
one service category, with the areas where need is worse and provision thin marked as gaps."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.exports import csv_response
from providers.selectors import default_map_area

from .. import access
from ..forms.together import DEFAULT_THIN_BELOW, GapAnalysisForm
from ..selectors import gaps as selectors


def _chosen(request) -> tuple[GapAnalysisForm, dict]:
    data = request.GET.copy()
    if not data.get("area") and (default := default_map_area()) is not None:
        data["area"] = str(default.pk)  # the form shows the areas it is showing
    if not data.get("thin"):
        data["thin"] = str(DEFAULT_THIN_BELOW)
    form = GapAnalysisForm(data)
    return form, (form.cleaned_data if form.is_valid() else {})


def _analysis(request, choice: dict, *, paginate: bool):
    if not (choice.get("outcome") or choice.get("category")):
        return None
    return selectors.gap_analysis(
        user=request.user,
        outcome=choice.get("outcome"),
        category=choice.get("category"),
        parent_area=choice.get("area"),
        thin_below=choice.get("thin") or DEFAULT_THIN_BELOW,
        page_number=request.GET.get("page"),
        paginate=paginate,
    )


@access.planner_required
@require_GET
def gap_analysis(request):
    form, choice = _chosen(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commissioning/together/gap_analysis.html",
        {
            "form": form,
            "analysis": _analysis(request, choice, paginate=True),
            "query": query.urlencode(),
            "indicator_cap": selectors.INDICATOR_CAP,
            "category_cap": selectors.CATEGORY_CAP,
        },
    )


@access.planner_required
@require_GET
def gap_analysis_csv(request):
    _form, choice = _chosen(request)
    analysis = _analysis(request, choice, paginate=False)
    header = ["Area", "ONS code"]
    rows = []
    if analysis is not None:
        for indicator in analysis.indicators:
            period = f" ({indicator.latest_period})" if indicator.latest_period else ""
            header += [f"{indicator.name}{period}", f"{indicator.name}: compared"]
        header.append("Needs assessments covering the area")
        for category in analysis.categories:
            header += [f"{category.name}: active services", f"{category.name}: organisations"]
        header += analysis.commissioned_labels
        header += ["Gap: need worse and provision thin", "Why"]
        for row in analysis.rows:
            line = [row.area.name, row.area.ons_code]
            for cell in row.needs:
                line += ["" if cell.value is None else cell.value, cell.words]
            line.append(row.assessments)
            for cell in row.provision:
                line += [cell.services, cell.organisations]
            line += row.commissioned
            line += ["Yes" if row.is_gap else "No", row.gap_reason]
            rows.append(line)
    return csv_response(header, rows, filename="gap-analysis.csv")
