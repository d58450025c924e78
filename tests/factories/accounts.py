"""Factories for people, organisations, memberships, invitations and audit events."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import (
    AuditEvent,
    Invitation,
    LegalForm,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
    hash_token,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """allauth needs a verified address before it lets someone sign in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A verified registered charity. Use verification_status=... for others."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Project {n}")
    kind = OrganisationKind.THIRD_SECTOR
    legal_form = LegalForm.CHARITY
    charity_number = factory.Sequence(lambda n: str(1100000 + n))
    company_number = ""
    address = "1 High Street\nLindenford"
    postcode = "E8 1DY"
    verification_status = VerificationStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class CommissioningBodyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Commissioning Body {n}")
    kind = OrganisationKind.COMMISSIONING_BODY
    legal_form = ""
    charity_number = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    """Pass token="..." to know the link; the model keeps only its hash."""

    class Meta:
        model = Invitation
        exclude = ["token"]

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = MembershipRole.MEMBER
    token = factory.Sequence(lambda n: f"invitation-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    invited_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=14))


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "test.event"
    object_repr = "something"
