"""Pages for business cases on the common template (list, write, read, approve, reopen, PDF) and
for the contract thresholds that the social value check uses."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from accounts.access import network_admin_required
from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..filters_business_cases import BusinessCaseFilter
from ..forms.business_cases import (
    STARTING_OPTIONS,
    BusinessCaseForm,
    ContractThresholdForm,
    ReopenForm,
    option_formset,
)
from ..models import BusinessCase, BusinessCaseStatus
from ..selectors import business_cases as selectors
from ..services import business_cases as services


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@access.planner_required
@require_GET
def business_case_list(request):
    filterset = BusinessCaseFilter(
        request.GET, queryset=access.business_cases_visible_to(request.user)
    )
    page = selectors.business_case_page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "commissioning/business_cases/list.html",
        {
            "filter": filterset,
            "page": page,
            "filter_query": _query_without_page(request),
            "can_write": access.is_commissioner(request.user),
        },
    )


def _case_form(request, *, case: BusinessCase | None, bodies=None, extra: int, initial=None):
    """The template's form and its options formset, bound on POST."""
    data = request.POST if request.method == "POST" else None
    form = BusinessCaseForm(
        data,
        # A copy, so that a refused change never shows on the page as if it were saved.
        instance=copy.copy(case) if case is not None else None,
        bodies=bodies,
        assessments=access.assessments_visible_to(request.user),
        initial=initial,
    )
    formset = option_formset(extra=extra)(
        data,
        instance=case if case is not None else BusinessCase(),
        prefix="options",
        initial=STARTING_OPTIONS if case is None else None,
    )
    return form, formset


def _save(request, form, formset, save):
    """Run the service when the form and options are valid. The case, or None with the errors
    put on the form."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        return save(
            data=form.case_data(),
            options=formset.options(),
            **form.relations(),
        )
    except ValidationError as error:
        form_errors_from(error, form)
        return None


def _after_save(request, case: BusinessCase, created: bool):
    verb = "saved as a draft" if created else "saved"
    messages.success(request, f"“{case.title}” is {verb}.")
    if request.POST.get("then") == "add_option":
        return redirect("commissioning:business_case_edit", pk=case.pk)
    return redirect("commissioning:business_case", pk=case.pk)


@access.commissioner_required
def business_case_create(request):
    bodies = access.bodies_of(request.user)
    current = request.portal.organisation
    initial = {"term_months": 36}
    if current is not None and any(body.pk == current.pk for body in bodies):
        initial["body"] = current.pk
    form, formset = _case_form(
        request, case=None, bodies=bodies, extra=len(STARTING_OPTIONS) + 1, initial=initial
    )
    if request.method == "POST":
        case = _save(
            request,
            form,
            formset,
            lambda **kwargs: services.business_case_create(
                actor=request.user, body=form.cleaned_data["body"], **kwargs
            ),
        )
        if case is not None:
            return _after_save(request, case, created=True)
    return render(
        request,
        "commissioning/business_cases/form.html",
        {"form": form, "formset": formset, "case": None},
    )


@access.planner_required
def business_case_edit(request, pk: int):
    case = access.get_business_case_to_edit(request.user, pk)
    if case.status != BusinessCaseStatus.DRAFT:
        messages.error(
            request,
            "This business case is approved, so it cannot be changed. An admin of "
            f"{case.body} can reopen it as a draft first.",
        )
        return redirect("commissioning:business_case", pk=case.pk)
    check_message = services.business_case_social_value(case).message
    form, formset = _case_form(request, case=case, extra=1)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            formset,
            lambda **kwargs: services.business_case_update(actor=request.user, case=case, **kwargs),
        )
        if saved is not None:
            return _after_save(request, saved, created=False)
    return render(
        request,
        "commissioning/business_cases/form.html",
        {"form": form, "formset": formset, "case": case, "check_message": check_message},
    )


def _case_context(request, case: BusinessCase) -> dict:
    detail = selectors.business_case_detail(case)
    return {
        "detail": detail,
        "case": detail.case,
        "approval": selectors.business_case_approval_state(request.user, detail.case),
        "can_edit": access.acts_for(request.user, case.body)
        and case.status == BusinessCaseStatus.DRAFT,
    }


@access.planner_required
@require_GET
def business_case(request, pk: int):
    case = access.get_business_case_for_user(request.user, pk)
    context = _case_context(request, case)
    context["reopen_form"] = ReopenForm() if context["approval"].can_reopen else None
    return render(request, "commissioning/business_cases/detail.html", context)


@login_required
@require_POST
def business_case_approve(request, pk: int):
    case = access.get_business_case_for_user(request.user, pk)
    try:
        services.business_case_approve(actor=request.user, case=case)
    except TransitionNotAllowed:
        messages.error(request, "This business case is already approved.")
    except ValidationError as error:
        messages.error(
            request, "The business case cannot be approved yet: " + " ".join(error.messages)
        )
    else:
        messages.success(request, f"“{case.title}” is approved. Its history records who and when.")
    return redirect("commissioning:business_case", pk=case.pk)


@login_required
@require_POST
def business_case_reopen(request, pk: int):
    case = access.get_business_case_for_user(request.user, pk)
    if not access.is_body_admin(request.user, case.body):
        raise PermissionDenied(f"Only the admins of {case.body} can reopen its business cases.")
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.business_case_reopen(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except TransitionNotAllowed:
            messages.error(request, "This business case is already a draft.")
        else:
            messages.success(
                request, f"“{case.title}” is reopened as a draft. It must be approved again."
            )
        return redirect("commissioning:business_case", pk=case.pk)
    if case.status != BusinessCaseStatus.APPROVED:
        messages.error(request, "This business case is already a draft.")
        return redirect("commissioning:business_case", pk=case.pk)
    context = _case_context(request, case)
    context["reopen_form"] = form
    return render(request, "commissioning/business_cases/detail.html", context, status=400)


@access.planner_required
@require_GET
def business_case_pdf(request, pk: int):
    case = access.get_business_case_for_user(request.user, pk)
    detail = selectors.business_case_detail(case)
    pdf = services.business_case_pdf(context={"detail": detail, "case": detail.case})
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"business-case-{case.pk}-{slugify(case.title)[:60] or 'untitled'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Contract thresholds


@network_admin_required
@require_GET
def thresholds(request):
    return render(
        request,
        "commissioning/business_cases/thresholds.html",
        {"thresholds": selectors.thresholds()},
    )


@network_admin_required
def threshold_edit(request, pk: int):
    threshold = access.get_threshold_to_edit(request.user, pk)
    form = ContractThresholdForm(
        request.POST or None,
        initial={"amount": threshold.amount, "effective_from": threshold.effective_from},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_threshold_update(
                actor=request.user,
                threshold=threshold,
                amount=form.cleaned_data["amount"],
                effective_from=form.cleaned_data["effective_from"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"The threshold “{threshold.name}” is saved.")
            return redirect("commissioning:thresholds")
    return render(
        request,
        "commissioning/business_cases/threshold_form.html",
        {"form": form, "threshold": threshold},
    )
