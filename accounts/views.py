"""Pages for people and organisations: home, registration, invitations, members and verification."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import access, selectors, services
from .context import select_organisation
from .filters import AuditEventFilter, OrganisationFilter
from .forms import (
    CommissioningBodyForm,
    InvitationAcceptNewUserForm,
    InvitationForm,
    MembershipForm,
    OrganisationDetailsForm,
    VerificationDecisionForm,
    form_errors_from,
)
from .models import Organisation, User, VerificationStatus
from .workflow import TransitionNotAllowed

PAGE_SIZE = 25


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Home


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "home/public.html")
    portal = request.portal
    context: dict = {}
    if portal.is_network_admin:
        context["counts"] = selectors.organisation_counts()
        context["queue"] = list(selectors.verification_queue()[:10])
    organisation = portal.organisation
    if organisation is not None:
        members = list(selectors.organisation_members(organisation))
        context["organisation"] = organisation
        context["members"] = members
        if portal.is_org_admin:
            context["invitations"] = list(selectors.open_invitations(organisation))
        if portal.is_provider:
            context["steps"] = selectors.provider_next_steps(
                organisation=organisation,
                members=members,
                has_mfa=selectors.user_has_totp(request.user),
                is_admin=portal.is_org_admin,
            )
    context["panels"] = selectors.home_panels(request)
    return render(request, "home/dashboard.html", context)


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html")


@never_cache
@require_GET
def health(request):
    """The database, and the broker where one is configured. 503 when either is down."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        healthy = False
    if settings.REDIS_URL:
        try:
            from config.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "unavailable"
            healthy = False
    else:
        checks["broker"] = "not configured: tasks run in the web process"
    checks["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(checks, status=200 if healthy else 503)


# The organisation a person acts for


@login_required
@require_POST
def organisation_switch(request):
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    if not select_organisation(request, organisation_id):
        messages.error(request, "You are not a member of that organisation.")
    else:
        messages.success(request, f"You are now acting for {request.portal.organisation}.")
    next_url = request.POST.get("next") or reverse("home")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("home")
    return redirect(next_url)


@login_required
def organisation_register(request):
    """A signed-in person registers a further third sector organisation."""
    form = OrganisationDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_register(
                user=request.user, **form.organisation_details()
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            select_organisation(request, organisation.pk)
            messages.success(
                request,
                f"{organisation} is registered. A network admin will verify it; "
                "we will email you with the outcome.",
            )
            return redirect("home")
    return render(request, "accounts/organisation_register.html", {"form": form})


@login_required
@require_GET
def organisation_detail(request, pk: int):
    organisation = access.get_organisation_for_user(request.user, pk)
    can_manage = access.can_manage_members(request.user, organisation)
    members = list(selectors.organisation_members(organisation))
    context = {
        "organisation": organisation,
        "members": members,
        "can_manage": can_manage,
        "invitations": list(selectors.open_invitations(organisation)) if can_manage else [],
        "member_forms": [
            (
                m,
                MembershipForm(
                    initial={"role": m.role, "is_compact_champion": m.is_compact_champion},
                    prefix=f"m{m.pk}",
                ),
            )
            for m in members
        ]
        if can_manage
        else [],
    }
    return render(request, "accounts/organisation_detail.html", context)


@login_required
def organisation_resubmit(request, pk: int):
    organisation = access.get_organisation_for_user(request.user, pk)
    if not access.is_organisation_admin(request.user, organisation):
        raise PermissionDenied("Only the organisation's admins can resubmit it.")
    if organisation.verification_status != VerificationStatus.REJECTED:
        messages.info(request, "Only a rejected organisation needs to resubmit its details.")
        return redirect(organisation)
    form = OrganisationDetailsForm(
        request.POST or None,
        initial=OrganisationDetailsForm.initial_for(organisation),
        exclude_organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_resubmit(
                organisation=organisation, actor=request.user, details=form.organisation_details()
            )
        except ValidationError as error:
            form_errors_from(error, form)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(organisation)
        else:
            messages.success(
                request, "Thank you. Your details have gone back to the network admins."
            )
            return redirect("home")
    return render(
        request, "accounts/organisation_resubmit.html", {"form": form, "organisation": organisation}
    )


# Invitations and members


@login_required
def invitation_create(request, pk: int):
    organisation = access.get_organisation_to_manage(request.user, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"We have emailed an invitation to {invitation.email}. "
                f"The link works once, until {invitation.expires_at:%-d %B %Y}.",
            )
            return redirect(organisation)
    return render(
        request, "accounts/invitation_create.html", {"form": form, "organisation": organisation}
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_pk: int):
    organisation = access.get_organisation_to_manage(request.user, pk)
    invitation = access.get_invitation_to_manage(request.user, organisation, invitation_pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect(organisation)


@login_required
@require_POST
def membership_update(request, pk: int, membership_pk: int):
    organisation = access.get_organisation_to_manage(request.user, pk)
    membership = access.get_membership_to_manage(request.user, organisation, membership_pk)
    if "remove" in request.POST:
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{membership.user} is no longer a member.")
        return redirect(organisation)
    form = MembershipForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect(organisation)
    try:
        services.membership_update(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            is_compact_champion=form.cleaned_data["is_compact_champion"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Saved the changes for {membership.user}.")
    return redirect(organisation)


def invitation_accept(request, token: str):
    """Open to anyone holding the link: the token is the credential, and it works once."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"message": str(error)}, status=410
        )

    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    context = {"invitation": invitation, "has_account": has_account}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except services.InvitationError as error:
                messages.error(request, str(error))
                return render(request, "accounts/invitation_accept.html", context)
            select_organisation(request, membership.organisation_id)
            messages.success(request, f"Welcome to {membership.organisation}.")
            return redirect("home")
        return render(request, "accounts/invitation_accept.html", context)

    if has_account:
        return render(request, "accounts/invitation_accept.html", context)
    form = InvitationAcceptNewUserForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_as_new_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            return render(
                request, "accounts/invitation_invalid.html", {"message": str(error)}, status=410
            )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        select_organisation(request, membership.organisation_id)
        messages.success(request, f"Your account is ready. Welcome to {membership.organisation}.")
        return redirect("home")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


# Network admin pages


@access.network_admin_required
@require_GET
def verification_queue(request):
    page = Paginator(selectors.verification_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/verification_queue.html", {"page": page})


@access.network_admin_required
def organisation_review(request, pk: int):
    organisation = access.get_organisation_for_user(request.user, pk)
    form = VerificationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == VerificationStatus.VERIFIED:
                services.organisation_verify(
                    organisation=organisation, actor=request.user, note=form.cleaned_data["reason"]
                )
                messages.success(
                    request, f"{organisation} is verified. Its users have been emailed."
                )
            else:
                services.organisation_reject(
                    organisation=organisation,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(
                    request, f"{organisation} is rejected. Its users have been emailed the reason."
                )
        except TransitionNotAllowed:
            messages.error(
                request,
                f"{organisation} is already {organisation.get_verification_status_display().lower()}; "
                "someone may have decided it a moment ago.",
            )
        except ValidationError as error:
            form_errors_from(error, form)
            return render(
                request, "accounts/organisation_review.html", _review_context(organisation, form)
            )
        return redirect("accounts:verification_queue")
    return render(request, "accounts/organisation_review.html", _review_context(organisation, form))


def _review_context(organisation: Organisation, form) -> dict:
    return {
        "organisation": organisation,
        "form": form,
        "members": list(selectors.organisation_members(organisation)),
        "history": selectors.organisation_history(organisation),
        "same_name": list(
            Organisation.objects.exclude(pk=organisation.pk).filter(name__iexact=organisation.name)[
                :5
            ]
        ),
    }


@access.network_admin_required
@require_GET
def organisation_list(request):
    filterset = OrganisationFilter(
        request.GET or None, queryset=Organisation.objects.order_by("name")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organisation_list.html",
        {"filter": filterset, "page": page, "filter_query": _query_without_page(request)},
    )


@access.network_admin_required
def commissioning_body_create(request):
    form = CommissioningBodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.commissioning_body_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"{organisation} is added. Now invite its commissioners.")
            return redirect("accounts:invitation_create", pk=organisation.pk)
    return render(request, "accounts/commissioning_body_create.html", {"form": form})


@access.network_admin_required
@require_GET
def audit_log(request):
    events = access.audit_events_visible_to(request.user).select_related(
        "actor", "organisation", "content_type"
    )
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"filter": filterset, "page": page, "filter_query": _query_without_page(request)},
    )


def csrf_failure(request, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
