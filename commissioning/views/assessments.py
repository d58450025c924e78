"""Needs assessments and the evidence library: the public, filterable library and its CSV, an
assessment's page, writing and reviewing one, and its documents."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.exports import csv_response
from accounts.forms import form_errors_from
from providers.views.passports import private_file_response

from .. import access
from ..filters import AssessmentFilter
from ..forms.assessments import AssessmentDocumentForm, MarkReviewedForm, NeedsAssessmentForm
from ..selectors import assessments as selectors
from ..services import assessments as services


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _library_filter(request) -> AssessmentFilter:
    return AssessmentFilter(request.GET, queryset=access.assessments_visible_to(request.user))


# The evidence library


@require_GET
def evidence_library(request):
    filterset = _library_filter(request)
    page, rows = selectors.library_page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "commissioning/assessments/library.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "filter_query": _query_without_page(request),
            "can_create": access.is_commissioner(request.user),
            "review_due_days": selectors.REVIEW_DUE_DAYS,
        },
    )


@require_GET
def evidence_library_csv(request):
    filterset = _library_filter(request)
    return csv_response(
        selectors.LIBRARY_EXPORT_HEADER,
        selectors.library_export_rows(filterset.qs, base_url=settings.PORTAL_BASE_URL),
        filename="needs-assessments.csv",
    )


# An assessment


def _assessment_page(request, assessment, *, review_form=None, status: int = 200):
    can_edit = access.acts_for(request.user, assessment.body)
    return render(
        request,
        "commissioning/assessments/detail.html",
        {
            "page": selectors.assessment_page(assessment, user=request.user),
            "assessment": assessment,
            "can_edit": can_edit,
            "review_form": (review_form or MarkReviewedForm()) if can_edit else None,
        },
        status=status,
    )


@require_GET
def assessment(request, pk: int):
    return _assessment_page(request, access.get_assessment_for_user(request.user, pk))


@access.commissioner_required
def assessment_create(request):
    bodies = access.bodies_of(request.user)
    form = NeedsAssessmentForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.assessment_data()
        try:
            created = services.needs_assessment_create(
                actor=request.user, body=form.cleaned_data["body"], data=data, m2m=m2m
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{created.title}” is added to the evidence library.")
            return redirect("commissioning:assessment", pk=created.pk)
    return render(
        request, "commissioning/assessments/form.html", {"form": form, "assessment": None}
    )


@access.commissioner_required
def assessment_edit(request, pk: int):
    found = access.get_assessment_to_edit(request.user, pk)
    form = NeedsAssessmentForm(
        request.POST or None, instance=found, bodies=access.bodies_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data, m2m = form.assessment_data()
        try:
            saved = services.needs_assessment_update(
                actor=request.user,
                assessment=found,
                data=data,
                m2m=m2m,
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the changes to “{saved.title}”.")
            return redirect("commissioning:assessment", pk=saved.pk)
    return render(
        request, "commissioning/assessments/form.html", {"form": form, "assessment": found}
    )


@login_required
@require_POST
def assessment_reviewed(request, pk: int):
    found = access.get_assessment_to_edit(request.user, pk)
    form = MarkReviewedForm(request.POST)
    if form.is_valid():
        try:
            saved = services.needs_assessment_mark_reviewed(
                actor=request.user,
                assessment=found,
                next_review_on=form.cleaned_data["next_review_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"“{saved.title}” is marked as reviewed. Its next review is due by "
                f"{saved.next_review_on:%-d %B %Y}.",
            )
            return redirect("commissioning:assessment", pk=saved.pk)
    return _assessment_page(request, found, review_form=form, status=400)


# Documents


@login_required
def assessment_document_add(request, pk: int):
    found = access.get_assessment_to_edit(request.user, pk)
    form = AssessmentDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.needs_assessment_document_add(
                actor=request.user, assessment=found, **form.document_data()
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request, f"“{document.original_name}” is added to the evidence for this assessment."
            )
            return redirect("commissioning:assessment", pk=found.pk)
    return render(
        request,
        "commissioning/assessments/document_form.html",
        {"form": form, "assessment": found, "max_upload": services.evidence_max_text()},
    )


@require_GET
def assessment_document(request, pk: int):
    document = access.get_assessment_document_for_user(request.user, pk)
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@login_required
@require_POST
def assessment_document_delete(request, pk: int):
    document = access.get_assessment_document_to_edit(request.user, pk)
    assessment_pk = document.assessment_id
    services.needs_assessment_document_delete(actor=request.user, document=document)
    messages.success(request, f"“{document.title}” is removed from the evidence.")
    return redirect("commissioning:assessment", pk=assessment_pk)
