"""Who may see and change what in accounts. Views fetch through these helpers and nothing else."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEvent, Invitation, Membership, MembershipRole, Organisation


def is_network_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_network_admin)


def is_organisation_admin(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=MembershipRole.ADMIN
    ).exists()


def can_manage_members(user, organisation: Organisation) -> bool:
    """Organisation admins manage their own members; network admins may manage any organisation."""
    return is_network_admin(user) or is_organisation_admin(user, organisation)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Organisations whose private page the user may open."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if is_network_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user)


def get_organisation_for_user(user, pk: int) -> Organisation:
    return get_object_or_404(organisations_visible_to(user), pk=pk)


def get_organisation_to_manage(user, pk: int) -> Organisation:
    """404 if the user cannot see it, 403 if they can see it but not manage its members."""
    organisation = get_organisation_for_user(user, pk)
    if not can_manage_members(user, organisation):
        raise PermissionDenied("Only the organisation's admins can do that.")
    return organisation


def get_membership_to_manage(user, organisation: Organisation, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation").filter(organisation=organisation),
        pk=pk,
    )


def get_invitation_to_manage(user, organisation: Organisation, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.filter(organisation=organisation), pk=pk)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    if is_network_admin(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.none()


def network_admin_required(view):
    """Anonymous people are sent to sign in; signed-in people who are not network admins get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_network_admin(request.user):
            raise PermissionDenied("This page is for network admins.")
        return view(request, *args, **kwargs)

    return wrapped
