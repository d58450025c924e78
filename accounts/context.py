"""The organisation a person is acting for on this request, and the roles that follow from it."""

from __future__ import annotations

from functools import cached_property

from .models import Membership, MembershipRole, OrganisationKind

SESSION_KEY = "portal_organisation_id"


class PortalContext:
    """Loaded on first use, once per request: one query for the person's memberships."""

    def __init__(self, request) -> None:
        self._request = request

    @cached_property
    def memberships(self) -> list[Membership]:
        user = self._request.user
        if not user.is_authenticated:
            return []
        return list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    @cached_property
    def membership(self) -> Membership | None:
        if not self.memberships:
            return None
        chosen = self._request.session.get(SESSION_KEY)
        for membership in self.memberships:
            if membership.organisation_id == chosen:
                return membership
        return self.memberships[0]

    @property
    def organisation(self):
        return self.membership.organisation if self.membership else None

    @property
    def is_network_admin(self) -> bool:
        user = self._request.user
        return bool(user.is_authenticated and user.is_network_admin)

    @property
    def is_commissioner(self) -> bool:
        org = self.organisation
        return bool(org and org.kind == OrganisationKind.COMMISSIONING_BODY)

    @property
    def is_provider(self) -> bool:
        org = self.organisation
        return bool(org and org.kind == OrganisationKind.THIRD_SECTOR)

    @property
    def is_org_admin(self) -> bool:
        return bool(self.membership and self.membership.role == MembershipRole.ADMIN)

    @property
    def needs_mfa(self) -> bool:
        """Commissioners and network admins hold other people's data: they may be made to use MFA."""
        return self.is_network_admin or any(
            m.organisation.kind == OrganisationKind.COMMISSIONING_BODY for m in self.memberships
        )


def select_organisation(request, organisation_id: int) -> bool:
    """Act for another of the person's organisations. False if they do not belong to it."""
    if not any(m.organisation_id == organisation_id for m in request.portal.memberships):
        return False
    request.session[SESSION_KEY] = organisation_id
    request.portal.__dict__.pop("membership", None)
    return True
