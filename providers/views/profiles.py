"""Pages where an organisation keeps its profile and services, and network admins keep the
reference data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.access import network_admin_required
from accounts.forms import form_errors_from

from .. import access
from ..forms.profiles import (
    REFERENCE_KINDS,
    ProfileForm,
    QualityMarksForm,
    ServiceForm,
    reference_form_class,
)
from ..models import ProfileVersion, ServiceCategory
from ..services import profiles as profile_services
from ..services.reference import reference_item_save


@login_required
def profile_edit(request, pk: int):
    organisation = access.get_organisation_to_edit(request.user, pk)
    profile = profile_services.profile_ensure(organisation)
    current = {m.quality_mark_id: m.expires_on for m in profile.quality_marks.all()}
    form = ProfileForm(request.POST or None, instance=profile)
    marks = QualityMarksForm(request.POST or None, current=current, prefix="marks")
    if request.method == "POST" and form.is_valid() and marks.is_valid():
        try:
            profile_services.profile_update(
                actor=request.user,
                organisation=organisation,
                data=form.cleaned_data,
                quality_marks=marks.held(),
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "Your profile is saved. The change is kept in its history.")
            return redirect("providers:profile_edit", pk=organisation.pk)
    return render(
        request,
        "providers/profile_edit.html",
        {"organisation": organisation, "form": form, "marks": marks},
    )


@login_required
@require_GET
def profile_history(request, pk: int):
    organisation = access.get_own_organisation(request.user, pk, network_admins=True)
    versions = ProfileVersion.objects.filter(profile__organisation=organisation).select_related(
        "actor"
    )
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    return render(
        request, "providers/profile_history.html", {"organisation": organisation, "page": page}
    )


@login_required
@require_GET
def service_list(request, pk: int):
    organisation = access.get_own_organisation(request.user, pk, network_admins=True)
    services = organisation.services.prefetch_related("categories").order_by("status", "name")
    return render(
        request,
        "providers/service_list.html",
        {
            "organisation": organisation,
            "services": services,
            "can_edit": access.is_member_of(request.user, organisation),
        },
    )


@login_required
def service_create(request, pk: int):
    organisation = access.get_own_organisation(request.user, pk, network_admins=True)
    if not access.is_member_of(request.user, organisation):
        raise PermissionDenied("Only the organisation's members can add its services.")
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        try:
            service = profile_services.service_create(
                actor=request.user, organisation=organisation, data=data, m2m=m2m
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{service.name}” is added to your services.")
            return redirect("providers:service_list", pk=organisation.pk)
    return render(
        request,
        "providers/service_form.html",
        {"organisation": organisation, "form": form, "service": None},
    )


@login_required
def service_edit(request, pk: int):
    service = access.get_service_to_edit(request.user, pk)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        try:
            profile_services.service_update(actor=request.user, service=service, data=data, m2m=m2m)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the changes to “{service.name}”.")
            return redirect("providers:service_list", pk=service.organisation_id)
    return render(
        request,
        "providers/service_form.html",
        {"organisation": service.organisation, "form": form, "service": service},
    )


# Reference data


def _reference_kind(kind: str):
    if kind not in REFERENCE_KINDS:
        raise Http404("No such reference data.")
    return REFERENCE_KINDS[kind]


@network_admin_required
@require_GET
def reference_index(request):
    kinds = [
        (kind, title, model.objects.count()) for kind, (model, _f, title) in REFERENCE_KINDS.items()
    ]
    return render(request, "providers/reference_index.html", {"kinds": kinds})


@network_admin_required
@require_GET
def reference_list(request, kind: str):
    model, fields, title = _reference_kind(kind)
    items = model.objects.order_by(*(model._meta.ordering or ["pk"]))
    if "parent" in fields:
        items = items.select_related("parent")
    if model is ServiceCategory:
        items = items.annotate(service_count=Count("services"))
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/reference_list.html",
        {"kind": kind, "title": title, "fields": fields, "page": page, "model": model},
    )


@network_admin_required
def reference_edit(request, kind: str, pk: int | None = None):
    model, _fields, title = _reference_kind(kind)
    item = get_object_or_404(model, pk=pk) if pk is not None else None
    form = reference_form_class(kind)(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        saved = reference_item_save(actor=request.user, item=form.save(commit=False))
        messages.success(request, f"Saved “{saved}”.")
        return redirect("providers:reference_list", kind=kind)
    return render(
        request,
        "providers/reference_form.html",
        {"kind": kind, "title": title, "form": form, "item": item},
    )
