"""Reads shared by the accounts pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from .models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)


def verification_queue() -> QuerySet[Organisation]:
    """Organisations waiting for a decision, the longest-waiting first."""
    return Organisation.objects.filter(
        kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.PENDING
    ).order_by("submitted_at", "pk")


@dataclass(frozen=True)
class OrganisationCounts:
    rows: list[dict]
    by_kind: dict[str, int]
    by_status: dict[str, int]
    total: int


def organisation_counts() -> OrganisationCounts:
    """Counts of organisations by kind and verification status, in one query."""
    raw = {
        (row["kind"], row["verification_status"]): row["n"]
        for row in Organisation.objects.values("kind", "verification_status")
        .order_by()
        .annotate(n=Count("pk"))
    }
    rows = []
    by_kind: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for kind in OrganisationKind:
        statuses = (
            list(VerificationStatus)
            if kind == OrganisationKind.THIRD_SECTOR
            else [VerificationStatus.VERIFIED]
        )
        for status in statuses:
            n = raw.get((kind.value, status.value), 0)
            rows.append(
                {
                    "kind": kind.label,
                    "status": status.label,
                    "count": n,
                    "kind_value": kind.value,
                    "status_value": status.value,
                }
            )
            by_kind[kind.value] = by_kind.get(kind.value, 0) + n
            by_status[status.value] = by_status.get(status.value, 0) + n
    return OrganisationCounts(
        rows=rows, by_kind=by_kind, by_status=by_status, total=sum(raw.values())
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by(
        "-role", "user__full_name", "user__email"
    )


def organisation_history(organisation: Organisation, *, limit: int = 20) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def open_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    from django.utils import timezone

    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str = ""
    url: str = ""
    action: str = ""


# Apps to the right of accounts add their own steps here from their AppConfig.ready(), so that
# accounts never imports them: each is called with (organisation, is_admin) and returns Steps.
NEXT_STEP_HOOKS: list = []
# Panels that later apps add to the signed-in home page: (template, context function). The
# function takes the request and returns the panel's context, or None to leave it out.
HOME_PANELS: list[tuple[str, object]] = []


def register_home_panel(template: str, context) -> None:
    if (template, context) not in HOME_PANELS:
        HOME_PANELS.append((template, context))


def home_panels(request) -> list[tuple[str, dict]]:
    """The panels this person's home page shows, in the order the apps registered them."""
    shown = []
    for template, context in HOME_PANELS:
        panel = context(request)
        if panel is not None:
            shown.append((template, panel))
    return shown


def register_next_steps(hook) -> None:
    if hook not in NEXT_STEP_HOOKS:
        NEXT_STEP_HOOKS.append(hook)


def provider_next_steps(
    *, organisation: Organisation, members: list[Membership], has_mfa: bool, is_admin: bool
) -> list[Step]:
    """What a third sector organisation still needs to do, worked out from its records."""
    from django.urls import reverse
    from django.utils import timezone

    steps = [Step("Verify your email address", True)]
    status = organisation.verification_status
    if status == VerificationStatus.VERIFIED:
        steps.append(
            Step(
                "Get verified by the network",
                True,
                f"Verified on {timezone.localtime(organisation.verified_at):%-d %B %Y}."
                if organisation.verified_at
                else "Verified.",
            )
        )
    elif status == VerificationStatus.PENDING:
        steps.append(
            Step(
                "Get verified by the network",
                False,
                f"Submitted on {timezone.localtime(organisation.submitted_at):%-d %B %Y}. "
                "A network admin checks your registered numbers; we will email you with the outcome.",
            )
        )
    else:
        steps.append(
            Step(
                "Correct your details and resubmit",
                False,
                f"The network could not verify your organisation: {organisation.verification_reason}",
                reverse("accounts:organisation_resubmit", args=[organisation.pk])
                if is_admin
                else "",
                "Correct and resubmit",
            )
        )
    steps.append(
        Step(
            "Invite a colleague",
            len(members) > 1,
            "Two or more people keep your organisation from being locked out."
            if len(members) <= 1
            else f"{len(members)} people belong to your organisation.",
            reverse("accounts:invitation_create", args=[organisation.pk]) if is_admin else "",
            "Invite a colleague",
        )
    )
    has_champion = any(m.is_compact_champion for m in members)
    steps.append(
        Step(
            "Name a Compact champion",
            has_champion,
            "A champion promotes the local Compact and is the first contact for concerns."
            if not has_champion
            else "Your Compact champion is named.",
            reverse("accounts:organisation_detail", args=[organisation.pk]) if is_admin else "",
            "Choose a champion",
        )
    )
    steps.append(
        Step(
            "Turn on two-factor authentication",
            has_mfa,
            "Recommended: it protects your bids and monitoring returns."
            if not has_mfa
            else "Your account uses an authenticator app.",
            reverse("mfa_index"),
            "Set up two-factor authentication",
        )
    )
    for hook in NEXT_STEP_HOOKS:
        steps[-1:-1] = hook(organisation=organisation, is_admin=is_admin)
    return steps
