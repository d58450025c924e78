"""Factories for needs assessments, and the few rows of the outcomes framework they link to."""

from datetime import timedelta

import factory
from django.utils import timezone

from commissioning.models import (
    Indicator,
    IndicatorUnit,
    NeedsAssessment,
    Outcome,
    Polarity,
    StrategyPriority,
    Visibility,
)

from .accounts import CommissioningBodyFactory, UserFactory
from .providers import AreaFactory, ServiceCategoryFactory


class AssessmentPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyPriority
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Assessment priority {n}")


class AssessmentOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(AssessmentPriorityFactory)
    name = factory.Sequence(lambda n: f"Assessment outcome {n}")


class AssessmentIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    outcome = factory.SubFactory(AssessmentOutcomeFactory)
    code = factory.Sequence(lambda n: f"assessment-{n}")
    name = factory.Sequence(lambda n: f"Assessment indicator {n}")
    unit = IndicatorUnit.PERCENT
    polarity = Polarity.HIGHER_IS_BETTER


def _set_many(instance, name: str, values) -> None:
    getattr(instance, name).set(values)


class NeedsAssessmentFactory(factory.django.DjangoModelFactory):
    """A network-only assessment, current for a year. Pass themes=[...], areas=[...],
    population_groups=[...] and indicators=[...]; a theme and an area are made if none are given.
    Workflow (reviews, reminders) goes through commissioning.services.assessments in the tests."""

    class Meta:
        model = NeedsAssessment
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Needs assessment {n}")
    body = factory.SubFactory(CommissioningBodyFactory)
    summary = "Demand for advice has risen, above all among older people."
    data_sources = "Local advice agencies' case records, 2025."
    method = "Analysis of case records and a survey of residents."
    involvement = "Two workshops with advice agencies and a panel of service users."
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    next_review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    visibility = Visibility.NETWORK
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            _set_many(
                self, "themes", extracted if extracted is not None else [ServiceCategoryFactory()]
            )

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted if extracted is not None else [AreaFactory()])

    @factory.post_generation
    def population_groups(self, create, extracted, **kwargs):
        if create and extracted:
            _set_many(self, "population_groups", extracted)

    @factory.post_generation
    def indicators(self, create, extracted, **kwargs):
        if create and extracted:
            _set_many(self, "indicators", extracted)
