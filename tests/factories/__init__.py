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

from .providers import (
    ClientGroupFactory,
    LanguageFactory,
    ProviderProfileFactory,
    QualityMarkFactory,
    ServiceCategoryFactory,
    ServiceFactory,
)

__all__ += [
    "ClientGroupFactory",
    "LanguageFactory",
    "ProviderProfileFactory",
    "QualityMarkFactory",
    "ServiceCategoryFactory",
    "ServiceFactory",
]

from .providers import (  # noqa: E402
    ConsortiumFactory,
    ConsortiumMemberFactory,
    PassportDocumentFactory,
    SupportLinkFactory,
)

__all__ += [
    "ConsortiumFactory",
    "ConsortiumMemberFactory",
    "PassportDocumentFactory",
    "SupportLinkFactory",
]

from .providers import OrganisationImportFactory  # noqa: E402

__all__ += ["OrganisationImportFactory"]
