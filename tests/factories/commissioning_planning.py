"""Factories for the forward plan: intentions (drafts; publish them through the service) and
subscriptions, with the minimal outcomes framework they need."""

from __future__ import annotations

from datetime import date

import factory

from accounts.models import MembershipRole
from commissioning.models import (
    CommissioningIntention,
    CommissioningRoute,
    Outcome,
    StrategyPriority,
    Subscription,
)

from .accounts import CommissioningBodyFactory, MembershipFactory, UserFactory


class PlanningPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyPriority
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Planning priority {n}")


class PlanningOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(PlanningPriorityFactory)
    name = factory.Sequence(lambda n: f"Planning outcome {n}")


def _set_many(instance, name: str, values) -> None:
    if values:
        getattr(instance, name).set(values)


class IntentionFactory(factory.django.DjangoModelFactory):
    """A draft intention. Pass categories=[...], areas=[...] and client_groups=[...]."""

    class Meta:
        model = CommissioningIntention
        skip_postgeneration_save = True

    body = factory.SubFactory(CommissioningBodyFactory)
    title = factory.Sequence(lambda n: f"Planned service {n}")
    summary = "A service the body plans to commission."
    outcome = factory.SubFactory(PlanningOutcomeFactory)
    value_low = 50_000
    value_high = 80_000
    route = CommissioningRoute.CONTRACT
    consultation_on = date(2027, 1, 11)
    tender_on = date(2027, 3, 1)
    start_on = date(2027, 7, 1)
    end_on = date(2030, 6, 30)
    contact_name = "Sam Planner"
    contact_email = "sam.planner@example.org"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "categories", extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted)

    @factory.post_generation
    def client_groups(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "client_groups", extracted)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """Pass categories=[...] and areas=[...]."""

    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "categories", extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted)


def body_member(body):
    """A commissioner of the body, to act for it in the services."""
    user = UserFactory()
    MembershipFactory(user=user, organisation=body, role=MembershipRole.ADMIN)
    return user


def published_intention(**kwargs) -> CommissioningIntention:
    """An intention published through the service, by a member of its body."""
    from commissioning.services.intentions import intention_publish

    intention = IntentionFactory(**kwargs)
    actor = intention.created_by
    if not actor.memberships.filter(organisation=intention.body).exists():
        actor = body_member(intention.body)
    return intention_publish(actor=actor, intention=intention)
