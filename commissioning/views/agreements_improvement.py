"""Visits and improvement plans: recording a visit or desk review and completing it; opening an
improvement plan by hand, its page, its edit page with the actions, and its status. The lead
body's commissioners change them; the provider and the network read them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..forms.agreements_improvement import (
    ImprovementActionFormSet,
    ImprovementPlanForm,
    ImprovementPlanNewForm,
    PlanMoveForm,
    VisitForm,
    VisitPlanForm,
)
from ..models import ImprovementPlanStatus, VisitKind
from ..selectors import improvement as selectors
from ..services import improvement as services


def _visits_url(agreement) -> str:
    return f"{agreement.get_absolute_url()}#visits"


@login_required
def visit_new(request, pk: int):
    agreement = access.get_agreement_to_manage(request.user, pk)
    form = VisitPlanForm(request.POST or None, initial={"kind": VisitKind.PHYSICAL})
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_plan(
                actor=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"The {visit.get_kind_display().lower()} on {visit.planned_on.day} "
                f"{visit.planned_on:%B %Y} is "
                "recorded as planned.",
            )
            return redirect(_visits_url(agreement))
    return render(
        request,
        "commissioning/improvement/visit_form.html",
        {"agreement": agreement, "form": form, "visit": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def visit_edit(request, pk: int):
    visit = access.get_visit_to_edit(request.user, pk)
    agreement = visit.agreement
    form = VisitForm(
        request.POST or None,
        initial={
            "kind": visit.kind,
            "planned_on": visit.planned_on,
            "visitors": visit.visitors,
            "completed_on": visit.completed_on,
            "findings": visit.findings,
            "follow_up_actions": visit.follow_up_actions,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.visit_update(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            done = "completed" if saved.completed_on else "saved"
            messages.success(request, f"The {saved.get_kind_display().lower()} is {done}.")
            return redirect(_visits_url(agreement))
    return render(
        request,
        "commissioning/improvement/visit_form.html",
        {"agreement": agreement, "form": form, "visit": visit},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def improvement_plan_new(request, pk: int):
    agreement = access.get_agreement_to_manage(request.user, pk)
    form = ImprovementPlanNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.improvement_plan_create(
                actor=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                "The improvement plan is open and the provider's admins are being told by email. "
                "Add the actions and, if not done yet, the support offered.",
            )
            return redirect("commissioning:improvement_plan", pk=plan.pk)
    return render(
        request,
        "commissioning/improvement/plan_new.html",
        {
            "agreement": agreement,
            "form": form,
            "infrastructure_bodies": selectors.infrastructure_bodies(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _plan_page(request, plan, *, move_form=None, status=200):
    context = selectors.improvement_plan_page(plan, request.user)
    context["move_form"] = move_form
    return render(request, "commissioning/improvement/plan.html", context, status=status)


@login_required
@require_GET
def improvement_plan(request, pk: int):
    plan = access.get_improvement_plan_for_user(request.user, pk)
    return _plan_page(request, plan)


def _action_rows(formset) -> list[tuple]:
    """Each row's errors, numbered as the page numbers the actions, for the error summary."""
    return [
        (number, form[name], error)
        for number, form in enumerate(formset.forms, start=1)
        for name in form.fields
        for error in form[name].errors
    ]


@login_required
def improvement_plan_edit(request, pk: int):
    plan = access.get_improvement_plan_to_manage(request.user, pk)
    if plan.status == ImprovementPlanStatus.CLOSED:
        messages.error(request, services.PLAN_CLOSED)
        return redirect("commissioning:improvement_plan", pk=plan.pk)
    current = selectors.improvement_plan_edit_context(plan)
    form = ImprovementPlanForm(
        request.POST or None,
        initial={
            "issues": plan.issues,
            "support_offered": plan.support_offered,
            "review_on": plan.review_on,
            "fingerprint": current["fingerprint"],
        },
    )
    formset = ImprovementActionFormSet(
        request.POST or None,
        prefix="actions",
        initial=[
            {
                "id": action.pk,
                "description": action.description,
                "owner": action.owner,
                "due_on": action.due_on,
                "done_on": action.done_on,
            }
            for action in current["actions"]
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.improvement_plan_save(
                actor=request.user,
                plan=plan,
                issues=form.cleaned_data["issues"],
                support_offered=form.cleaned_data["support_offered"],
                review_on=form.cleaned_data["review_on"],
                actions=formset.actions(),
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "The improvement plan is saved.")
            return redirect("commissioning:improvement_plan", pk=plan.pk)
    return render(
        request,
        "commissioning/improvement/plan_edit.html",
        {
            "plan": plan,
            "agreement": plan.agreement,
            "form": form,
            "formset": formset,
            "saved_rows": len(current["actions"]),
            "action_errors": _action_rows(formset),
            "infrastructure_bodies": selectors.infrastructure_bodies(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def improvement_plan_move(request, pk: int):
    plan = access.get_improvement_plan_to_manage(request.user, pk)
    form = PlanMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the plan.")
        return redirect("commissioning:improvement_plan", pk=plan.pk)
    to_status = form.cleaned_data["to_status"]
    try:
        moved = services.improvement_plan_move(
            actor=request.user, plan=plan, to_status=to_status, note=form.cleaned_data["note"]
        )
    except TransitionNotAllowed:
        plan.refresh_from_db(fields=["status"])
        if plan.status == to_status:
            messages.info(request, f"The plan is already {plan.get_status_display().lower()}.")
            return redirect("commissioning:improvement_plan", pk=plan.pk)
        messages.error(
            request,
            f"A plan that is “{plan.get_status_display().lower()}” cannot be moved to "
            f"“{ImprovementPlanStatus(to_status).label.lower()}”. Nothing was changed.",
        )
        return redirect("commissioning:improvement_plan", pk=plan.pk)
    except ValidationError as error:
        form_errors_from(error, form)
        return _plan_page(request, plan, move_form=form, status=400)
    if moved.status == ImprovementPlanStatus.ESCALATED:
        messages.warning(
            request,
            "The plan is escalated and the provider's admins are being told by email. You can "
            "now record a variation or give notice, below.",
        )
    else:
        messages.success(request, f"The plan is now {moved.get_status_display().lower()}.")
    return redirect("commissioning:improvement_plan", pk=plan.pk)
