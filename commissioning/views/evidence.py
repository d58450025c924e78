"""Pages of the outcomes framework and indicator data: the framework, its edit pages for network
admins, an indicator's page with its trend and area comparison, its CSV, and entering a value.
Importing files is in views/indicator_imports.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from accounts.access import network_admin_required
from accounts.exports import csv_response
from accounts.forms import form_errors_from

from .. import access
from ..forms.evidence import (
    IndicatorForm,
    IndicatorValueForm,
    IndicatorViewForm,
    OutcomeForm,
    PriorityForm,
)
from ..models import Indicator, Outcome, StrategyPriority
from ..selectors import evidence as selectors
from ..services import indicators as indicator_services
from ..services import outcomes as outcome_services

# The outcomes framework


@access.planner_required
@require_GET
def outcomes(request):
    return render(
        request,
        "commissioning/evidence/outcomes.html",
        {"priorities": selectors.outcomes_framework()},
    )


def _framework_form_page(request, *, form, kind: str, item):
    return render(
        request,
        "commissioning/evidence/framework_form.html",
        {"form": form, "kind": kind, "item": item},
    )


@network_admin_required
def priority_edit(request, pk: int | None = None):
    priority = get_object_or_404(StrategyPriority, pk=pk) if pk is not None else None
    form = PriorityForm(request.POST or None, instance=priority)
    if request.method == "POST" and form.is_valid():
        try:
            saved = outcome_services.priority_save(
                actor=request.user, priority=form.save(commit=False)
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the priority “{saved}”.")
            return redirect(f"{reverse('commissioning:outcomes')}#priority-{saved.pk}")
    return _framework_form_page(request, form=form, kind="priority", item=priority)


@network_admin_required
def outcome_edit(request, pk: int | None = None):
    outcome = get_object_or_404(Outcome, pk=pk) if pk is not None else None
    initial = {}
    if outcome is None and request.GET.get("priority", "").isdigit():
        initial["priority"] = request.GET["priority"]
    form = OutcomeForm(request.POST or None, instance=outcome, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = outcome_services.outcome_save(
                actor=request.user,
                outcome=form.save(commit=False),
                categories=form.cleaned_data["categories"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the outcome “{saved}”.")
            return redirect(f"{reverse('commissioning:outcomes')}#outcome-{saved.pk}")
    return _framework_form_page(request, form=form, kind="outcome", item=outcome)


@network_admin_required
def indicator_edit(request, pk: int | None = None):
    indicator = get_object_or_404(Indicator, pk=pk) if pk is not None else None
    initial = {}
    if indicator is None and request.GET.get("outcome", "").isdigit():
        initial["outcome"] = request.GET["outcome"]
    form = IndicatorForm(request.POST or None, instance=indicator, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = outcome_services.indicator_save(
                actor=request.user, indicator=form.save(commit=False)
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the indicator “{saved}”.")
            return redirect("commissioning:indicator", pk=saved.pk)
    return _framework_form_page(request, form=form, kind="indicator", item=indicator)


# An indicator's page


@access.planner_required
@require_GET
def indicator(request, pk: int):
    item = access.get_indicator_for_user(request.user, pk)
    periods = selectors.indicator_periods(item)
    area_index = selectors.AreaIndex.load()
    form = IndicatorViewForm(request.GET or None, periods=periods, area_index=area_index)
    chosen = form.chosen()
    page = selectors.indicator_page(
        item,
        periods=periods,
        area_index=area_index,
        comparators=selectors.comparator_values(item) if periods else {},
        page_number=request.GET.get("page"),
        **chosen,
    )
    chosen["period"] = page.period
    query = request.GET.copy()
    query.pop("page", None)
    trend_query = query.copy()
    trend_query.pop("trend_area", None)
    return render(
        request,
        "commissioning/evidence/indicator.html",
        {
            "indicator": item,
            "page": page,
            "comparison": page.comparison,
            "form": form,
            "display_form": form.for_display(chosen),
            "filter_query": query.urlencode(),
            "trend_query": trend_query.urlencode(),
        },
    )


@access.planner_required
@require_GET
def indicator_csv(request, pk: int):
    item = access.get_indicator_for_user(request.user, pk)
    periods = selectors.indicator_periods(item)
    wanted = request.GET.get("period", "")
    period = next((p for p in periods if p.label == wanted), periods[0] if periods else None)
    if period is None:
        return csv_response(selectors.EXPORT_HEADER, [], filename=f"indicator-{item.pk}.csv")
    header, rows = selectors.indicator_period_export(
        item, period, selectors.previous_period(periods, period)
    )
    name = slugify(f"{item.code}-{period.label}") or str(item.pk)
    return csv_response(header, rows, filename=f"indicator-{name}.csv")


# Entering a value


@access.planner_required
def indicator_value_add(request, pk: int):
    item = access.get_indicator_for_user(request.user, pk)
    area_index = selectors.AreaIndex.load()
    areas = sorted(area_index.areas.values(), key=lambda a: a.name.casefold())
    initial = {}
    if request.GET.get("area", "").isdigit():
        initial["area"] = request.GET["area"]
    form = IndicatorValueForm(request.POST or None, indicator=item, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        area, period = form.cleaned_data["area"], form.cleaned_data["period"]
        try:
            _row, created = indicator_services.indicator_value_record(
                actor=request.user,
                indicator=item,
                area=area,
                period=period.label,
                period_start=period.start,
                measurement=form.measurement(),
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            where = area.name if area else item.comparator_name
            messages.success(
                request,
                f"{'Added' if created else 'Updated'} the value for {where}, {period.label}.",
            )
            return redirect(
                f"{reverse('commissioning:indicator', args=[item.pk])}?"
                + urlencode({"period": period.label})
            )
    return render(
        request,
        "commissioning/evidence/value_form.html",
        {"indicator": item, "form": form},
    )
