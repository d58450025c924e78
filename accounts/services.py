"""Every write in accounts: registration, verification, invitations, memberships and the audit trail."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from .access import can_manage_members, is_organisation_admin
from .models import (
    VERIFICATION_TRANSITIONS,
    AuditEvent,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
    hash_token,
)
from .signals import organisation_verification_decided
from .workflow import check_transition, delay_on_commit


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> AuditEvent:
    """The one way to write to the audit trail."""
    if organisation is None and isinstance(obj, Organisation):
        organisation = obj
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


# Registration and verification


@transaction.atomic
def organisation_register(
    *,
    user: User,
    name: str,
    legal_form: str,
    charity_number: str = "",
    company_number: str = "",
    address: str = "",
    postcode: str = "",
) -> Organisation:
    """A third sector organisation joins: it waits as pending, and its first user is its admin."""
    organisation = Organisation(
        name=name.strip(),
        kind=OrganisationKind.THIRD_SECTOR,
        legal_form=legal_form,
        charity_number=charity_number,
        company_number=company_number,
        address=address.strip(),
        postcode=postcode,
        verification_status=VerificationStatus.PENDING,
        submitted_at=timezone.now(),
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.ADMIN)
    audit_event_record(
        actor=user,
        action="organisation.registered",
        obj=organisation,
        to_state=VerificationStatus.PENDING,
    )
    from .tasks import organisation_registered_notify

    delay_on_commit(organisation_registered_notify, organisation.pk)
    return organisation


def _organisation_move(
    *, organisation_id: int, actor: User, to_status: str, reason: str, action: str
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    from_status = organisation.verification_status
    check_transition(VERIFICATION_TRANSITIONS, from_status, to_status, label="verification status")
    organisation.verification_status = to_status
    organisation.verification_reason = reason.strip()
    if to_status == VerificationStatus.VERIFIED:
        organisation.verified_at = timezone.now()
    if to_status == VerificationStatus.PENDING:
        organisation.submitted_at = timezone.now()
    organisation.save(
        update_fields=[
            "verification_status",
            "verification_reason",
            "verified_at",
            "submitted_at",
            "updated_at",
        ]
    )
    audit_event_record(
        actor=actor,
        action=action,
        obj=organisation,
        from_state=from_status,
        to_state=to_status,
        note=reason.strip(),
    )
    return organisation


def _organisation_decide(
    *, organisation: Organisation, actor: User, to_status: str, reason: str
) -> Organisation:
    """A network admin's verification decision; the organisation's users are told either way."""
    if not actor.is_network_admin:
        raise PermissionDenied("Only network admins decide on verification.")
    organisation = _organisation_move(
        organisation_id=organisation.pk,
        actor=actor,
        to_status=to_status,
        reason=reason,
        action=f"organisation.{to_status}",
    )
    from .tasks import organisation_verification_notify

    delay_on_commit(organisation_verification_notify, organisation.pk)
    organisation_verification_decided.send(
        sender=Organisation, organisation=organisation, status=to_status
    )
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation, actor: User, note: str = "") -> Organisation:
    return _organisation_decide(
        organisation=organisation, actor=actor, to_status=VerificationStatus.VERIFIED, reason=note
    )


@transaction.atomic
def organisation_reject(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    if not reason.strip():
        raise ValidationError(
            {"reason": "Give the organisation a reason, so that it can put things right."}
        )
    return _organisation_decide(
        organisation=organisation, actor=actor, to_status=VerificationStatus.REJECTED, reason=reason
    )


@transaction.atomic
def organisation_resubmit(
    *, organisation: Organisation, actor: User, details: dict[str, str]
) -> Organisation:
    """A rejected organisation corrects its details and asks to be verified again."""
    if not is_organisation_admin(actor, organisation):
        raise PermissionDenied("Only the organisation's admins can resubmit it.")
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_transition(
        VERIFICATION_TRANSITIONS,
        locked.verification_status,
        VerificationStatus.PENDING,
        label="verification status",
    )
    for field in ("name", "legal_form", "charity_number", "company_number", "address", "postcode"):
        if field in details:
            setattr(locked, field, details[field])
    locked.full_clean()
    locked.save()
    organisation = _organisation_move(
        organisation_id=locked.pk,
        actor=actor,
        to_status=VerificationStatus.PENDING,
        reason="",
        action="organisation.resubmitted",
    )
    from .tasks import organisation_registered_notify

    delay_on_commit(organisation_registered_notify, organisation.pk)
    return organisation


@transaction.atomic
def commissioning_body_create(
    *,
    actor: User,
    name: str,
    kind: str = OrganisationKind.COMMISSIONING_BODY,
    address: str = "",
    postcode: str = "",
) -> Organisation:
    if not actor.is_network_admin:
        raise PermissionDenied("Only network admins add commissioning bodies.")
    if kind == OrganisationKind.THIRD_SECTOR:
        raise ValidationError({"kind": "Third sector organisations register themselves."})
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        address=address.strip(),
        postcode=postcode,
        verification_status=VerificationStatus.VERIFIED,
        verified_at=timezone.now(),
    )
    organisation.full_clean()
    organisation.save()
    audit_event_record(actor=actor, action="organisation.created", obj=organisation, to_state=kind)
    return organisation


# Invitations


class InvitationError(Exception):
    """An invitation link that cannot be used, with a message for the person holding it."""


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str = MembershipRole.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the one-time token for its link."""
    if not can_manage_members(actor, organisation):
        raise PermissionDenied("Only the organisation's admins can invite people.")
    email = User.objects.normalize_email(email).strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organisation}."})
    now = timezone.now()
    # A new invitation replaces any still-open one to the same address.
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.PORTAL_INVITATION_DAYS),
    )
    audit_event_record(
        actor=actor,
        action="invitation.created",
        obj=invitation,
        organisation=organisation,
        to_state=role,
        note=email,
    )
    from .tasks import invitation_send

    delay_on_commit(invitation_send, invitation.pk, token)
    return invitation, token


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, or InvitationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check that you copied all of it.")
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has already been used. If it was you, sign in to carry on."
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            f"This invitation was withdrawn. Ask {invitation.invited_by} for a new one if you need it."
        )
    if invitation.is_expired:
        raise InvitationError(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            f"Ask {invitation.invited_by} to send you a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    # Check again under the lock: two tabs may accept at once.
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if invitation.email.lower() != user.email.lower():
        raise InvitationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out and open the link again."
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_event_record(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        organisation=invitation.organisation,
        to_state=membership.role,
    )
    if created:
        audit_event_record(
            actor=user,
            action="membership.created",
            obj=membership,
            organisation=invitation.organisation,
            to_state=membership.role,
        )
    return membership


@transaction.atomic
def invitation_accept_as_new_user(*, token: str, full_name: str, password: str) -> Membership:
    """Someone without an account accepts: the link proves the email address is theirs."""
    from allauth.account.models import EmailAddress

    invitation = invitation_for_token(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError("You already have an account. Sign in to accept this invitation.")
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name.strip()
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return invitation_accept(token=token, user=user)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not can_manage_members(actor, invitation.organisation):
        raise PermissionDenied("Only the organisation's admins can withdraw invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation has already been used or withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_event_record(
        actor=actor,
        action="invitation.revoked",
        obj=invitation,
        organisation=invitation.organisation,
        note=invitation.email,
    )
    return invitation


# Memberships


def _check_keeps_an_admin(membership: Membership, new_role: str | None) -> None:
    if membership.role != MembershipRole.ADMIN or new_role == MembershipRole.ADMIN:
        return
    other_admins = (
        Membership.objects.filter(
            organisation_id=membership.organisation_id, role=MembershipRole.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not other_admins:
        raise ValidationError(
            "An organisation needs at least one admin. Make someone else an admin first."
        )


@transaction.atomic
def membership_update(
    *, actor: User, membership: Membership, role: str, is_compact_champion: bool
) -> Membership:
    """Change a member's role or Compact champion flag; each change is audited."""
    if not can_manage_members(actor, membership.organisation):
        raise PermissionDenied("Only the organisation's admins can change roles.")
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership.pk)
    )
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose a role from the list."})
    _check_keeps_an_admin(membership, role)
    if membership.role != role:
        audit_event_record(
            actor=actor,
            action="membership.role_changed",
            obj=membership,
            organisation=membership.organisation,
            from_state=membership.role,
            to_state=role,
        )
        membership.role = role
    if membership.is_compact_champion != is_compact_champion:
        audit_event_record(
            actor=actor,
            action="membership.champion_changed",
            obj=membership,
            organisation=membership.organisation,
            from_state=str(membership.is_compact_champion).lower(),
            to_state=str(is_compact_champion).lower(),
        )
        membership.is_compact_champion = is_compact_champion
    membership.save(update_fields=["role", "is_compact_champion"])
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    if not can_manage_members(actor, membership.organisation):
        raise PermissionDenied("Only the organisation's admins can remove members.")
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership.pk)
    )
    _check_keeps_an_admin(membership, None)
    audit_event_record(
        actor=actor,
        action="membership.removed",
        obj=membership,
        organisation=membership.organisation,
        from_state=membership.role,
        note=membership.user.email,
    )
    membership.delete()
