"""Who may see and change what in provider mapping. Views fetch through these helpers only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import is_network_admin, is_organisation_admin
from accounts.models import Membership, Organisation, OrganisationKind, VerificationStatus

from .models import (
    Consortium,
    OrganisationImport,
    PassportDocument,
    PassportDocumentStatus,
    Service,
    ServiceStatus,
)


def is_network_member(user) -> bool:
    """Signed in and acting for a verified organisation, or a network admin. Network members see
    contacts and passport status in the directory; the public does not."""
    if not user.is_authenticated:
        return False
    if is_network_admin(user):
        return True
    return Membership.objects.filter(
        user=user, organisation__verification_status=VerificationStatus.VERIFIED
    ).exists()


def is_member_of(user, organisation: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation).exists()
    )


# The directory


def directory_organisations() -> QuerySet[Organisation]:
    """The organisations anyone may find: verified third sector organisations."""
    return Organisation.objects.filter(
        kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.VERIFIED
    )


def get_directory_organisation(user, pk: int) -> Organisation:
    """A verified organisation for anyone; an unverified one only for its members and network admins."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("profile"), pk=pk, kind=OrganisationKind.THIRD_SECTOR
    )
    if organisation.verification_status == VerificationStatus.VERIFIED:
        return organisation
    if is_network_admin(user) or is_member_of(user, organisation):
        return organisation
    raise Http404("No such organisation.")


def services_visible_to(user) -> QuerySet[Service]:
    """Active services of verified organisations for everyone, and every service of one's own
    organisations (or all, for network admins)."""
    public = Q(
        organisation__kind=OrganisationKind.THIRD_SECTOR,
        organisation__verification_status=VerificationStatus.VERIFIED,
    ) & ~Q(status=ServiceStatus.INACTIVE)
    if not user.is_authenticated:
        return Service.objects.filter(public)
    if is_network_admin(user):
        return Service.objects.all()
    return Service.objects.filter(public | Q(organisation__memberships__user=user)).distinct()


def get_service_for_user(user, pk: int) -> Service:
    return get_object_or_404(services_visible_to(user).select_related("organisation"), pk=pk)


# Changing an organisation's own records


def get_organisation_to_edit(user, pk: int) -> Organisation:
    """The organisation's profile and services: 404 unless one belongs to it, 403 unless one is its admin."""
    organisation = get_object_or_404(
        Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR, memberships__user=user),
        pk=pk,
    )
    if not is_organisation_admin(user, organisation):
        raise PermissionDenied("Only the organisation's admins can change its profile.")
    return organisation


def get_own_organisation(user, pk: int, *, network_admins: bool = False) -> Organisation:
    """A third sector organisation the user belongs to (or, if allowed, any, for network admins)."""
    organisations = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR)
    if not (network_admins and is_network_admin(user)):
        organisations = organisations.filter(memberships__user=user)
    return get_object_or_404(organisations, pk=pk)


def get_service_to_edit(user, pk: int) -> Service:
    """Any member of the organisation may keep its services current."""
    return get_object_or_404(
        Service.objects.select_related("organisation").filter(organisation__memberships__user=user),
        pk=pk,
    )


# Passports


def passport_documents_visible_to(user) -> QuerySet[PassportDocument]:
    """The documents themselves: the organisation's own members, and network admins who review them."""
    if not user.is_authenticated:
        return PassportDocument.objects.none()
    if is_network_admin(user):
        return PassportDocument.objects.all()
    return PassportDocument.objects.filter(organisation__memberships__user=user)


def get_passport_document_for_user(user, pk: int) -> PassportDocument:
    return get_object_or_404(
        passport_documents_visible_to(user).select_related("organisation"), pk=pk
    )


def passport_review_queue() -> QuerySet[PassportDocument]:
    return PassportDocument.objects.filter(status=PassportDocumentStatus.SUBMITTED)


# Consortia


def consortia_visible_to(user) -> QuerySet[Consortium]:
    """Active consortia are public; forming ones are seen by their lead, members and network admins."""
    if is_network_admin(user):
        return Consortium.objects.all()
    visible = Q(status="active", lead__verification_status=VerificationStatus.VERIFIED)
    if user.is_authenticated:
        visible |= Q(lead__memberships__user=user) | Q(
            members__organisation__memberships__user=user
        )
    return Consortium.objects.filter(visible).distinct()


def get_consortium_for_user(user, pk: int) -> Consortium:
    return get_object_or_404(consortia_visible_to(user).select_related("lead"), pk=pk)


def can_manage_consortium(user, consortium: Consortium) -> bool:
    """The lead's admins run the consortium; network admins may step in."""
    return is_network_admin(user) or is_organisation_admin(user, consortium.lead)


def can_see_consortium_papers(user, consortium: Consortium) -> bool:
    """The agreement document: the lead's and the members' people, and network admins."""
    if not user.is_authenticated:
        return False
    if is_network_admin(user):
        return True
    return Membership.objects.filter(
        Q(organisation_id=consortium.lead_id)
        | Q(organisation__consortium_memberships__consortium=consortium),
        user=user,
    ).exists()


def get_consortium_to_manage(user, pk: int) -> Consortium:
    consortium = get_consortium_for_user(user, pk)
    if not can_manage_consortium(user, consortium):
        raise PermissionDenied("Only the lead organisation's admins can change the consortium.")
    return consortium


def get_consortium_document_for_user(user, pk: int) -> Consortium:
    """The consortium, if the user may read its agreement document; 404 otherwise."""
    consortium = get_consortium_for_user(user, pk)
    if not can_see_consortium_papers(user, consortium) or not consortium.agreement_document:
        raise Http404("No such document.")
    return consortium


# Imports


def imports_visible_to(user) -> QuerySet[OrganisationImport]:
    if is_network_admin(user):
        return OrganisationImport.objects.all()
    return OrganisationImport.objects.none()


def get_import_for_user(user, pk: int) -> OrganisationImport:
    return get_object_or_404(imports_visible_to(user), pk=pk)
