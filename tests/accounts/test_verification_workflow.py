"""Every (from, to) pair of the verification workflow is either allowed, or refused with no change."""

import itertools

import pytest

from accounts import services
from accounts.models import VERIFICATION_TRANSITIONS, AuditEvent, VerificationStatus
from accounts.workflow import TransitionNotAllowed
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

MOVES = {
    VerificationStatus.VERIFIED: lambda org, admin, member: services.organisation_verify(
        organisation=org, actor=admin
    ),
    VerificationStatus.REJECTED: lambda org, admin, member: services.organisation_reject(
        organisation=org, actor=admin, reason="Numbers do not match the register."
    ),
    VerificationStatus.PENDING: lambda org, admin, member: services.organisation_resubmit(
        organisation=org, actor=member, details={}
    ),
}


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(VerificationStatus, VerificationStatus))
)
def test_every_pair(from_status, to_status, network_admin):
    organisation = OrganisationFactory(verification_status=from_status)
    member = MembershipFactory(organisation=organisation, role="admin").user
    before = AuditEvent.objects.count()
    allowed = to_status in VERIFICATION_TRANSITIONS[from_status]
    if allowed:
        MOVES[to_status](organisation, network_admin, member)
        organisation.refresh_from_db()
        assert organisation.verification_status == to_status
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.from_state, event.to_state) == (from_status, to_status)
    else:
        with pytest.raises(TransitionNotAllowed):
            MOVES[to_status](organisation, network_admin, member)
        organisation.refresh_from_db()
        assert organisation.verification_status == from_status
        assert AuditEvent.objects.count() == before


def test_only_network_admins_verify(provider, pending_org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.organisation_verify(organisation=pending_org, actor=provider)
    pending_org.refresh_from_db()
    assert pending_org.verification_status == VerificationStatus.PENDING
