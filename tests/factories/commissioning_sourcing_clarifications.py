"""Factories for clarifications and changes: registered interest and questions. They set rows
directly, for tests of reads; answers and changes go through the services."""

from __future__ import annotations

import factory

from commissioning.models import Clarification, Interest

from .accounts import OrganisationFactory, UserFactory
from .commissioning_sourcing import OpportunityFactory


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    opportunity = factory.SubFactory(OpportunityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    registered_by = factory.SubFactory(UserFactory)


class ClarificationFactory(factory.django.DjangoModelFactory):
    """An unanswered question."""

    class Meta:
        model = Clarification

    opportunity = factory.SubFactory(OpportunityFactory)
    question = factory.Sequence(lambda n: f"Can the service run on Saturdays? ({n})")
    asked_by = factory.SubFactory(UserFactory)
    asked_for = factory.SubFactory(OrganisationFactory)
