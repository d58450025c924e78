"""Clarifications and changes to an opportunity, and its OCDS open data.

Anyone who may see an opportunity reads its published answers and its changes; verified third
sector organisations ask questions while they are open; its commissioners answer them, extend
deadlines and amend documents. /open-data/ocds/ publishes every published opportunity as OCDS 1.1.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import form_errors_from

from .. import access, ocds
from ..forms.sourcing_clarifications import (
    AmendForm,
    ClarificationAnswerForm,
    ClarificationAskForm,
    ExtendForm,
)
from ..selectors import sourcing_clarifications as selectors
from ..services import sourcing_clarifications as services

CACHE_CONTROL = "public, max-age=300"


def _asking_form(request, organisations):
    initial = {}
    current = getattr(getattr(request, "portal", None), "organisation", None)
    if current is not None and organisations.filter(pk=current.pk).exists():
        initial["organisation"] = current.pk
    return ClarificationAskForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def clarifications(request, pk: int):
    """The published questions and answers and the changes, for anyone who may see the
    opportunity; the form to ask, while questions are open; and, for its commissioners, the
    questions waiting for an answer."""
    opportunity = access.get_opportunity_for_user(request.user, pk)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisations = access.third_sector_organisations_of(request.user)
    runs = request.user.is_authenticated and access.runs_opportunity(request.user, opportunity)
    is_open = selectors.questions_open(opportunity)
    form = _asking_form(request, organisations) if organisations.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(
                "Questions are asked by the members of verified third sector organisations."
            )
        if form.is_valid():
            try:
                services.clarification_ask(
                    actor=request.user,
                    opportunity=opportunity,
                    organisation=form.cleaned_data["organisation"],
                    question=form.cleaned_data["question"],
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    "Your question is sent. The answer will be published here for everyone, "
                    "without naming your organisation, and emailed to you.",
                )
                return redirect("commissioning:clarifications", pk=opportunity.pk)
    own_pending = (
        list(selectors.own_unanswered_clarifications(opportunity, organisations))
        if form is not None
        else []
    )
    return render(
        request,
        "commissioning/sourcing/clarifications/clarifications.html",
        {
            "opportunity": opportunity,
            "answered": list(selectors.published_clarifications(opportunity)),
            "unanswered": list(selectors.unanswered_clarifications(opportunity)) if runs else [],
            "own_pending": own_pending,
            "changes": selectors.change_rows(selectors.opportunity_changes(opportunity)),
            "form": form if is_open or (form is not None and form.errors) else None,
            "is_open": is_open,
            "closes_at": opportunity.clarifications_close_at,
            "runs": runs,
            "can_change": runs and selectors.can_change(opportunity),
        },
    )


@login_required
def clarification_answer(request, pk: int):
    clarification = access.get_clarification_to_answer(request.user, pk)
    opportunity = clarification.opportunity
    if clarification.answered_at is not None:
        messages.info(request, "This question has already been answered.")
        return redirect("commissioning:clarifications", pk=opportunity.pk)
    form = ClarificationAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.clarification_answer(
                actor=request.user, clarification=clarification, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                "The answer is published. Every organisation that registered interest or "
                "started a bid is being emailed.",
            )
            return redirect("commissioning:clarifications", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/clarifications/answer.html",
        {"opportunity": opportunity, "clarification": clarification, "form": form},
    )


def _refuse_unless_changeable(opportunity) -> None:
    if not selectors.can_change(opportunity):
        raise PermissionDenied(
            "Deadlines and documents change only while the opportunity is open for bids."
        )


@login_required
def opportunity_extend(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    _refuse_unless_changeable(opportunity)
    form = ExtendForm(request.POST or None, opportunity=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.opportunity_extend(
                actor=request.user,
                opportunity=opportunity,
                deadlines=form.deadlines(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            fields = ", ".join(item["label"] for item in change.details["fields"].values())
            messages.success(
                request,
                f"Extended: {fields}. Interested organisations are being emailed, and any "
                "submitted bids are marked to be resubmitted or confirmed.",
            )
            return redirect("commissioning:clarifications", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/clarifications/extend.html",
        {"opportunity": opportunity, "form": form},
    )


@login_required
def opportunity_amend(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    _refuse_unless_changeable(opportunity)
    form = AmendForm(
        request.POST or None,
        request.FILES if request.method == "POST" else None,
        opportunity=opportunity,
    )
    if request.method == "POST" and form.is_valid():
        upload = services.DocumentUpload(
            file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            replaces=form.cleaned_data["replaces"],
        )
        try:
            services.opportunity_amend(
                actor=request.user,
                opportunity=opportunity,
                uploads=[upload],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                "The document is published. Interested organisations are being emailed, and any "
                "submitted bids are marked to be resubmitted or confirmed.",
            )
            return redirect("commissioning:clarifications", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/clarifications/amend.html",
        {
            "opportunity": opportunity,
            "form": form,
            "documents": list(selectors.current_documents(opportunity)),
        },
    )


# OCDS open data


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = CACHE_CONTROL if status == 200 else "no-cache"
    return response


@require_GET
def ocds_releases(request):
    """A release package of every published opportunity, a page of them at a time; links.next
    points at the following page."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return _json({"error": "page must be a whole number from 1."}, status=400)
    page = int(raw)
    opportunities, more = ocds.package_page(page)
    path = reverse("commissioning:ocds_releases")
    links = {}
    if more:
        links["next"] = ocds.absolute(f"{path}?page={page + 1}")
    if page > 1:
        links["prev"] = ocds.absolute(f"{path}?page={page - 1}")
    uri = ocds.absolute(path if page == 1 else f"{path}?page={page}")
    return _json(ocds.release_package(opportunities, uri=uri, links=links))


@require_GET
def ocds_release(request, pk: int):
    """One published opportunity's releases, as a package."""
    opportunity = ocds.ocds_opportunities().filter(pk=pk).first()
    if opportunity is None:
        return _json({"error": "No published opportunity has this id."}, status=404)
    uri = ocds.absolute(reverse("commissioning:ocds_release", args=[pk]))
    return _json(ocds.release_package([opportunity], uri=uri))
