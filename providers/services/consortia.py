"""Consortia and subcontracting: organisations bidding together under a lead, and anchor
organisations recording the small groups they subcontract to or support (seeds/004).

A consortium is formed by its lead's admins, who add the members with their roles and indicative
shares. Each member's admins confirm in the portal that they belong. It becomes active only when
every member has confirmed and the shares (the lead's and the members') add up to 100%. Members
and shares change only while it is forming, and adding or changing one sends it back for that
member's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import is_organisation_admin
from accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
)
from accounts.services import audit_event_record
from accounts.uploads import uploaded_document_accept
from accounts.workflow import check_transition, delay_on_commit

from .. import access
from ..models import Consortium, ConsortiumMember, ConsortiumStatus, SupportLink
from .uploads import uploaded_document_check

CONSORTIUM_TRANSITIONS: dict[str, frozenset[str]] = {
    ConsortiumStatus.FORMING: frozenset({ConsortiumStatus.ACTIVE, ConsortiumStatus.DISSOLVED}),
    ConsortiumStatus.ACTIVE: frozenset({ConsortiumStatus.DISSOLVED}),
    ConsortiumStatus.DISSOLVED: frozenset(),
}
HUNDRED = Decimal(100)


# Who may do what


def admin_organisation_ids(user) -> set[int]:
    """The organisations the user is an admin of: the members they may confirm for."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=MembershipRole.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )


def organisations_user_can_lead(user) -> QuerySet[Organisation]:
    """Verified third sector organisations the user is an admin of."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.THIRD_SECTOR,
        verification_status=VerificationStatus.VERIFIED,
        memberships__user=user,
        memberships__role=MembershipRole.ADMIN,
    ).order_by("name")


# Reads


@dataclass(frozen=True)
class ConsortiumSummary:
    consortium: Consortium
    members: list[ConsortiumMember]

    @property
    def share_total(self) -> Decimal:
        return self.consortium.lead_share + sum(
            (m.indicative_share for m in self.members), Decimal(0)
        )

    @property
    def unconfirmed(self) -> list[ConsortiumMember]:
        return [m for m in self.members if m.confirmed_at is None]

    @property
    def activation_problems(self) -> list[str]:
        """What stops it becoming active; empty when it can."""
        problems = []
        if not self.members:
            problems.append("Add at least one member besides the lead.")
        if self.unconfirmed:
            names = ", ".join(m.organisation.name for m in self.unconfirmed)
            problems.append(f"Waiting for these members to confirm that they belong: {names}.")
        if self.share_total != HUNDRED:
            problems.append(
                f"The shares add up to {self.share_total.normalize():f}%. "
                "They must add up to exactly 100%."
            )
        return problems


def consortium_members(consortium: Consortium) -> QuerySet[ConsortiumMember]:
    return consortium.members.select_related("organisation", "confirmed_by").order_by(
        "organisation__name"
    )


def consortium_summary(consortium: Consortium) -> ConsortiumSummary:
    return ConsortiumSummary(consortium=consortium, members=list(consortium_members(consortium)))


def consortia_of_organisation(user, organisation: Organisation) -> QuerySet[Consortium]:
    """The consortia an organisation leads or belongs to, as far as this user may see them:
    for the directory's organisation page."""
    visible = access.consortia_visible_to(user).values("pk")
    return (
        Consortium.objects.filter(pk__in=visible)
        .filter(Q(lead=organisation) | Q(members__organisation=organisation))
        .select_related("lead")
        .distinct()
        .order_by("name")
    )


def support_links_of(anchor: Organisation) -> QuerySet[SupportLink]:
    """The groups an anchor organisation subcontracts to or supports."""
    return anchor.supports.select_related("partner").order_by("partner__name", "kind")


def supported_by(partner: Organisation) -> QuerySet[SupportLink]:
    """The anchor organisations that subcontract to or support this group."""
    return partner.supported_by.select_related("anchor").order_by("anchor__name", "kind")


def directory_organisation_search(
    query: str, *, exclude_ids: set[int] | None = None, limit: int = 20
) -> list[Organisation]:
    """Verified third sector organisations matching a name or a charity or company number: the
    choices when adding a member or a supported group."""
    query = query.strip()
    if len(query) < 2:
        return []
    matches = access.directory_organisations().filter(
        Q(name__icontains=query) | Q(charity_number__iexact=query) | Q(company_number__iexact=query)
    )
    if exclude_ids:
        matches = matches.exclude(pk__in=exclude_ids)
    return list(matches.order_by("name")[:limit])


# Consortium writes


def _check_partner(organisation: Organisation, field: str) -> None:
    if not (
        organisation.kind == OrganisationKind.THIRD_SECTOR
        and organisation.verification_status == VerificationStatus.VERIFIED
    ):
        raise ValidationError(
            {field: f"{organisation} is not a verified third sector organisation."}
        )


def _check_share(share: Decimal, field: str) -> None:
    if not Decimal(0) <= share <= HUNDRED:
        raise ValidationError({field: "Enter a share between 0 and 100%."})


def _attach_agreement(consortium: Consortium, document: File | None) -> None:
    if document is None:
        return
    name, content_type = uploaded_document_accept(
        document, check=uploaded_document_check, field="agreement_document"
    )
    if not consortium.has_written_agreement:
        raise ValidationError(
            {
                "has_written_agreement": "Tick this box if you upload the agreement: "
                "the document is the written agreement."
            }
        )
    consortium.agreement_document.save(name, document, save=False)
    consortium.agreement_original_name = name
    consortium.agreement_content_type = content_type


@transaction.atomic
def consortium_create(
    *,
    actor: User,
    lead: Organisation,
    name: str,
    lead_share: Decimal,
    description: str = "",
    has_written_agreement: bool = False,
    agreement_document: File | None = None,
) -> Consortium:
    """The lead's admin forms a consortium. It starts as forming, with no members yet."""
    _check_partner(lead, "lead")
    if not is_organisation_admin(actor, lead):
        raise PermissionDenied("Only the lead organisation's admins can form a consortium.")
    _check_share(lead_share, "lead_share")
    consortium = Consortium(
        name=name.strip(),
        lead=lead,
        description=description.strip(),
        lead_share=lead_share,
        has_written_agreement=has_written_agreement,
        created_by=actor,
        created_at=timezone.now(),
    )
    consortium.full_clean(exclude=["agreement_document"])
    _attach_agreement(consortium, agreement_document)
    consortium.save()
    audit_event_record(
        actor=actor,
        action="consortium.created",
        obj=consortium,
        organisation=lead,
        to_state=consortium.status,
    )
    return consortium


def _lock(consortium: Consortium, *, forming_only: bool = False) -> Consortium:
    """Lock the consortium row, so that members and shares cannot change under a status change."""
    locked = Consortium.objects.select_for_update().get(pk=consortium.pk)
    if locked.status == ConsortiumStatus.DISSOLVED:
        raise ValidationError("This consortium is dissolved; it can no longer change.")
    if forming_only and locked.status != ConsortiumStatus.FORMING:
        raise ValidationError("Members and shares can change only while the consortium is forming.")
    return locked


@transaction.atomic
def consortium_update(
    *,
    actor: User,
    consortium: Consortium,
    data: dict,
    agreement_document: File | None = None,
) -> Consortium:
    """Change the name, description, lead's share and governance. The lead's share is fixed once
    the consortium is active, as the members confirmed against it."""
    if not access.can_manage_consortium(actor, consortium):
        raise PermissionDenied("Only the lead organisation's admins can change the consortium.")
    locked = _lock(consortium)
    changed = []
    for field in ("name", "description", "lead_share", "has_written_agreement"):
        if field not in data:
            continue
        value = data[field].strip() if isinstance(data[field], str) else data[field]
        if getattr(locked, field) != value:
            changed.append(field)
            setattr(locked, field, value)
    if "lead_share" in changed:
        _check_share(locked.lead_share, "lead_share")
        if locked.status != ConsortiumStatus.FORMING:
            raise ValidationError(
                {"lead_share": "Shares can change only while the consortium is forming."}
            )
    locked.full_clean(exclude=["agreement_document"])
    if agreement_document is not None:
        _attach_agreement(locked, agreement_document)
        changed.append("agreement_document")
    if not changed:
        return locked
    locked.save()
    audit_event_record(
        actor=actor,
        action="consortium.updated",
        obj=locked,
        organisation=locked.lead,
        note="Changed: " + ", ".join(changed),
    )
    return locked


@transaction.atomic
def consortium_member_add(
    *,
    actor: User,
    consortium: Consortium,
    organisation: Organisation,
    role: str,
    indicative_share: Decimal,
) -> ConsortiumMember:
    """Name a member, its role and share. It then confirms that it belongs."""
    if not access.can_manage_consortium(actor, consortium):
        raise PermissionDenied("Only the lead organisation's admins can add members.")
    locked = _lock(consortium, forming_only=True)
    _check_partner(organisation, "organisation")
    if organisation.pk == locked.lead_id:
        raise ValidationError({"organisation": "The lead is already in the consortium."})
    _check_share(indicative_share, "indicative_share")
    if not role.strip():
        raise ValidationError({"role": "Say what this member will deliver."})
    if locked.members.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already a member."})
    try:
        with transaction.atomic():
            member = ConsortiumMember.objects.create(
                consortium=locked,
                organisation=organisation,
                role=role.strip(),
                indicative_share=indicative_share,
            )
    except IntegrityError as error:
        raise ValidationError({"organisation": f"{organisation} is already a member."}) from error
    audit_event_record(
        actor=actor,
        action="consortium.member_added",
        obj=locked,
        organisation=locked.lead,
        note=f"{organisation}: {member.role}, {indicative_share}%",
    )
    from ..tasks import consortium_member_added_notify

    delay_on_commit(consortium_member_added_notify, member.pk)
    return member


@transaction.atomic
def consortium_member_update(
    *, actor: User, member: ConsortiumMember, role: str, indicative_share: Decimal
) -> ConsortiumMember:
    """Change a member's role or share. The member must confirm again what it agreed to."""
    consortium = member.consortium
    if not access.can_manage_consortium(actor, consortium):
        raise PermissionDenied("Only the lead organisation's admins can change members.")
    _lock(consortium, forming_only=True)
    member = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    _check_share(indicative_share, "indicative_share")
    if not role.strip():
        raise ValidationError({"role": "Say what this member will deliver."})
    if member.role == role.strip() and member.indicative_share == indicative_share:
        return member
    member.role = role.strip()
    member.indicative_share = indicative_share
    member.confirmed_at = None
    member.confirmed_by = None
    member.save(update_fields=["role", "indicative_share", "confirmed_at", "confirmed_by"])
    audit_event_record(
        actor=actor,
        action="consortium.member_changed",
        obj=consortium,
        organisation=consortium.lead,
        note=f"{member.organisation}: {member.role}, {indicative_share}%; to be confirmed again",
    )
    return member


@transaction.atomic
def consortium_member_remove(*, actor: User, member: ConsortiumMember) -> None:
    consortium = member.consortium
    if not access.can_manage_consortium(actor, consortium):
        raise PermissionDenied("Only the lead organisation's admins can remove members.")
    _lock(consortium, forming_only=True)
    audit_event_record(
        actor=actor,
        action="consortium.member_removed",
        obj=consortium,
        organisation=consortium.lead,
        note=str(member.organisation),
    )
    member.delete()


@transaction.atomic
def consortium_member_confirm(*, actor: User, member: ConsortiumMember) -> ConsortiumMember:
    """A member organisation's admin confirms that it belongs, in this role, with this share."""
    if not is_organisation_admin(actor, member.organisation):
        raise PermissionDenied(f"Only the admins of {member.organisation} can confirm for it.")
    consortium = _lock(member.consortium, forming_only=True)
    member = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    if member.confirmed_at is not None:
        raise ValidationError(f"{member.organisation} has already confirmed.")
    member.confirmed_at = timezone.now()
    member.confirmed_by = actor
    member.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_event_record(
        actor=actor,
        action="consortium.member_confirmed",
        obj=consortium,
        organisation=member.organisation,
        note=f"{member.organisation}: {member.role}, {member.indicative_share}%",
    )
    return member


@transaction.atomic
def consortium_status_change(
    *, actor: User, consortium: Consortium, to_status: str, note: str = ""
) -> Consortium:
    """Make a consortium active, or dissolve it. Active needs every member confirmed and the
    shares adding up to 100%."""
    if not access.can_manage_consortium(actor, consortium):
        raise PermissionDenied("Only the lead organisation's admins can change its status.")
    locked = Consortium.objects.select_for_update().get(pk=consortium.pk)
    from_status = locked.status
    check_transition(CONSORTIUM_TRANSITIONS, from_status, to_status, label="consortium's status")
    if to_status == ConsortiumStatus.ACTIVE:
        problems = consortium_summary(locked).activation_problems
        if problems:
            raise ValidationError(problems)
    locked.status = to_status
    locked.save(update_fields=["status"])
    audit_event_record(
        actor=actor,
        action=f"consortium.{to_status}",
        obj=locked,
        organisation=locked.lead,
        from_state=from_status,
        to_state=to_status,
        note=note.strip(),
    )
    return locked


# Support links


@transaction.atomic
def support_link_add(
    *, actor: User, anchor: Organisation, partner: Organisation, kind: str, note: str = ""
) -> SupportLink:
    """An anchor organisation records a group it subcontracts to or supports."""
    if not is_organisation_admin(actor, anchor):
        raise PermissionDenied("Only the organisation's admins can change the groups it supports.")
    _check_partner(partner, "partner")
    if partner.pk == anchor.pk:
        raise ValidationError({"partner": "Choose another organisation than your own."})
    link = SupportLink(anchor=anchor, partner=partner, kind=kind, note=note.strip())
    link.full_clean(validate_unique=False, validate_constraints=False)
    if SupportLink.objects.filter(anchor=anchor, partner=partner, kind=kind).exists():
        raise ValidationError({"partner": f"{partner} is already listed like that."})
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as error:
        raise ValidationError({"partner": f"{partner} is already listed like that."}) from error
    audit_event_record(
        actor=actor,
        action="support_link.added",
        obj=link,
        organisation=anchor,
        note=link.note,
    )
    return link


@transaction.atomic
def support_link_remove(*, actor: User, link: SupportLink) -> None:
    if not is_organisation_admin(actor, link.anchor):
        raise PermissionDenied("Only the organisation's admins can change the groups it supports.")
    audit_event_record(
        actor=actor, action="support_link.removed", obj=link, organisation=link.anchor
    )
    link.delete()
