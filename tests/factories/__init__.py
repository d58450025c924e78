"""factory-boy factories for every model. Workflow state is set through services in the tests."""

from .accounts import (
    AuditEventFactory,
    CommissioningBodyFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from .providers import AreaFactory, WardFactory

__all__ = [
    "AreaFactory",
    "AuditEventFactory",
    "CommissioningBodyFactory",
    "InvitationFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "UserFactory",
    "WardFactory",
]
