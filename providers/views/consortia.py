"""Pages for consortia (forming one, its members, their confirmations and its status) and for the
groups an anchor organisation subcontracts to or supports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import is_organisation_admin
from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..forms.consortia import (
    ConsortiumForm,
    ConsortiumMemberEditForm,
    ConsortiumMemberForm,
    ConsortiumStatusForm,
    OrganisationSearchForm,
    SupportLinkForm,
)
from ..models import Consortium, ConsortiumStatus
from ..services import consortia as consortium_services
from .passports import private_file_response

PAGE_SIZE = 25


def _search(request, *, exclude_ids: set[int]):
    """The organisation search on the add-member and support-link pages, and what it found."""
    search = OrganisationSearchForm(request.GET or request.POST or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = consortium_services.directory_organisation_search(query, exclude_ids=exclude_ids)
    return search, query, found


# Consortia


@require_GET
def consortium_list(request):
    visible = access.consortia_visible_to(request.user).values("pk")
    consortia = (
        Consortium.objects.filter(pk__in=visible)
        .select_related("lead")
        .annotate(member_count=Count("members"))
        .order_by("name", "pk")
    )
    page = Paginator(consortia, PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = consortium_services.organisations_user_can_lead(request.user).exists()
    return render(
        request, "providers/consortium_list.html", {"page": page, "can_create": can_create}
    )


@login_required
def consortium_create(request):
    leads = consortium_services.organisations_user_can_lead(request.user)
    if not leads.exists():
        raise PermissionDenied(
            "Only the admins of a verified third sector organisation can form a consortium."
        )
    current = request.portal.organisation
    form = ConsortiumForm(
        request.POST or None,
        request.FILES or None,
        leads=leads,
        initial={"lead": current.pk if current else None, "lead_share": "0"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            consortium = consortium_services.consortium_create(
                actor=request.user,
                lead=form.cleaned_data["lead"],
                agreement_document=form.cleaned_data["agreement_document"],
                **form.consortium_data(),
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request, f"“{consortium.name}” is formed. Now add its members and their shares."
            )
            return redirect("providers:consortium", pk=consortium.pk)
    return render(request, "providers/consortium_form.html", {"form": form, "consortium": None})


@require_GET
def consortium(request, pk: int):
    consortium = access.get_consortium_for_user(request.user, pk)
    summary = consortium_services.consortium_summary(consortium)
    can_manage = access.can_manage_consortium(request.user, consortium)
    admin_of = consortium_services.admin_organisation_ids(request.user)
    return render(
        request,
        "providers/consortium.html",
        {
            "consortium": consortium,
            "summary": summary,
            "can_manage": can_manage,
            "can_see_papers": access.can_see_consortium_papers(request.user, consortium),
            "confirmable": {m.pk for m in summary.unconfirmed if m.organisation_id in admin_of},
            "is_forming": consortium.status == ConsortiumStatus.FORMING,
            "next_statuses": [
                (status, ConsortiumStatus(status).label)
                for status in ConsortiumStatus.values
                if status in consortium_services.CONSORTIUM_TRANSITIONS[consortium.status]
            ],
        },
    )


@login_required
def consortium_edit(request, pk: int):
    consortium = access.get_consortium_to_manage(request.user, pk)
    form = ConsortiumForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": consortium.name,
            "description": consortium.description,
            "lead_share": consortium.lead_share,
            "has_written_agreement": consortium.has_written_agreement,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            consortium_services.consortium_update(
                actor=request.user,
                consortium=consortium,
                data=form.consortium_data(),
                agreement_document=form.cleaned_data["agreement_document"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the changes to “{consortium.name}”.")
            return redirect("providers:consortium", pk=consortium.pk)
    return render(
        request, "providers/consortium_form.html", {"form": form, "consortium": consortium}
    )


@login_required
def consortium_member_add(request, pk: int):
    consortium = access.get_consortium_to_manage(request.user, pk)
    taken = {consortium.lead_id, *consortium.members.values_list("organisation_id", flat=True)}
    search, query, found = _search(request, exclude_ids=taken)
    form = ConsortiumMemberForm(
        request.POST if request.method == "POST" else None,
        candidates=access.directory_organisations().exclude(pk__in=taken),
        shown=found,
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = consortium_services.consortium_member_add(
                actor=request.user, consortium=consortium, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"{member.organisation} is added. Its admins must now confirm, in the portal, "
                "that it belongs.",
            )
            return redirect("providers:consortium", pk=consortium.pk)
    return render(
        request,
        "providers/consortium_member_add.html",
        {
            "consortium": consortium,
            "search": search,
            "query": query,
            "found": found,
            "form": form,
        },
    )


@login_required
def consortium_member_edit(request, pk: int, member_pk: int):
    consortium = access.get_consortium_to_manage(request.user, pk)
    member = get_object_or_404(
        consortium.members.select_related("organisation", "consortium"), pk=member_pk
    )
    form = ConsortiumMemberEditForm(
        request.POST or None,
        initial={"role": member.role, "indicative_share": member.indicative_share},
    )
    if request.method == "POST" and "remove" in request.POST:
        try:
            consortium_services.consortium_member_remove(actor=request.user, member=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{member.organisation} is no longer a member.")
        return redirect("providers:consortium", pk=consortium.pk)
    if request.method == "POST" and form.is_valid():
        try:
            consortium_services.consortium_member_update(
                actor=request.user, member=member, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"Saved the changes for {member.organisation}. If anything changed, its admins "
                "must confirm again.",
            )
            return redirect("providers:consortium", pk=consortium.pk)
    return render(
        request,
        "providers/consortium_member_edit.html",
        {"consortium": consortium, "member": member, "form": form},
    )


@login_required
@require_POST
def consortium_member_confirm(request, pk: int, member_pk: int):
    consortium = access.get_consortium_for_user(request.user, pk)
    member = get_object_or_404(
        consortium.members.select_related("organisation", "consortium"), pk=member_pk
    )
    try:
        consortium_services.consortium_member_confirm(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Thank you. {member.organisation} is confirmed as a member of {consortium}."
        )
    return redirect("providers:consortium", pk=consortium.pk)


@login_required
@require_POST
def consortium_status(request, pk: int):
    consortium = access.get_consortium_to_manage(request.user, pk)
    form = ConsortiumStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what should happen to the consortium.")
        return redirect("providers:consortium", pk=consortium.pk)
    to_status = form.cleaned_data["status"]
    try:
        consortium_services.consortium_status_change(
            actor=request.user, consortium=consortium, to_status=to_status
        )
    except TransitionNotAllowed:
        messages.error(
            request,
            f"“{consortium}” is {consortium.get_status_display().lower()}; it cannot become "
            f"{ConsortiumStatus(to_status).label.lower()}.",
        )
    except ValidationError as error:
        messages.error(request, "It cannot become active yet. " + " ".join(error.messages))
    else:
        messages.success(
            request, f"“{consortium}” is now {ConsortiumStatus(to_status).label.lower()}."
        )
    return redirect("providers:consortium", pk=consortium.pk)


@login_required
@require_GET
def consortium_document(request, pk: int):
    """The written agreement: for the lead's and members' people and network admins only."""
    consortium = access.get_consortium_document_for_user(request.user, pk)
    return private_file_response(
        consortium.agreement_document,
        filename=consortium.agreement_original_name,
        content_type=consortium.agreement_content_type,
    )


# Support links


@login_required
def support_links(request, pk: int):
    """The anchor's people see the groups it works with; its admins add to them."""
    anchor = access.get_own_organisation(request.user, pk, network_admins=True)
    can_edit = is_organisation_admin(request.user, anchor)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only the organisation's admins can change the groups it supports.")
    links = list(consortium_services.support_links_of(anchor))
    search = query = form = None
    found = []
    if can_edit:
        search, query, found = _search(request, exclude_ids={anchor.pk})
        form = SupportLinkForm(
            request.POST if request.method == "POST" else None,
            candidates=access.directory_organisations().exclude(pk=anchor.pk),
            shown=found,
        )
        if request.method == "POST" and form.is_valid():
            try:
                link = consortium_services.support_link_add(
                    actor=request.user, anchor=anchor, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, f"{link.partner} is added to the groups you work with.")
                return redirect("providers:support_links", pk=anchor.pk)
    return render(
        request,
        "providers/support_links.html",
        {
            "organisation": anchor,
            "links": links,
            "can_edit": can_edit,
            "search": search,
            "query": query,
            "found": found,
            "form": form,
        },
    )


@login_required
@require_POST
def support_link_delete(request, pk: int, link_pk: int):
    anchor = access.get_own_organisation(request.user, pk, network_admins=True)
    link = get_object_or_404(anchor.supports.select_related("anchor", "partner"), pk=link_pk)
    consortium_services.support_link_remove(actor=request.user, link=link)
    messages.success(request, f"{link.partner} is no longer listed.")
    return redirect("providers:support_links", pk=anchor.pk)
