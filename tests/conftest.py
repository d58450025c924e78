"""Users for each role, and the organisations they act for."""

import pytest
from django.core import mail

from accounts.models import MembershipRole, VerificationStatus
from tests.factories import (
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.factories.accounts import PASSWORD


@pytest.fixture(autouse=True)
def _clear_outbox():
    mail.outbox = []


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def network_admin(db):
    return UserFactory(email="network.admin@example.org", is_network_admin=True)


@pytest.fixture
def commissioning_body(db):
    return CommissioningBodyFactory(name="Adult Social Care")


@pytest.fixture
def commissioner(commissioning_body):
    user = UserFactory(email="commissioner@example.org")
    MembershipFactory(user=user, organisation=commissioning_body, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def provider_org(db):
    return OrganisationFactory(name="Riverside Advice", charity_number="1123456")


@pytest.fixture
def provider(provider_org):
    """The admin of a verified charity."""
    user = UserFactory(email="provider@example.org")
    MembershipFactory(user=user, organisation=provider_org, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def provider_member(provider_org):
    user = UserFactory(email="provider.member@example.org")
    MembershipFactory(user=user, organisation=provider_org, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def outsider_org(db):
    return OrganisationFactory(name="Hillside Youth Club", charity_number="1198765")


@pytest.fixture
def outsider(outsider_org):
    """The admin of another organisation, who must see nothing of the provider's."""
    user = UserFactory(email="outsider@example.org")
    MembershipFactory(user=user, organisation=outsider_org, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def pending_org(db):
    return OrganisationFactory(
        name="New Start Community Group",
        charity_number="1187654",
        verification_status=VerificationStatus.PENDING,
        verified_at=None,
    )


@pytest.fixture
def pending_provider(pending_org):
    user = UserFactory(email="pending@example.org")
    MembershipFactory(user=user, organisation=pending_org, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def role_users(network_admin, commissioner, provider, outsider):
    return {
        "network_admin": network_admin,
        "commissioner": commissioner,
        "provider": provider,
        "outsider": outsider,
    }
