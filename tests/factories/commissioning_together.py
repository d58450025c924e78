"""Factories for the together part's tests: the smallest outcomes, indicators, intentions and
needs assessments that the overlap finder and the gap analysis read. Names start with Together,
so they never clash with the main commissioning factories."""

from datetime import date
from decimal import Decimal

import factory

from commissioning.models import (
    CommissioningIntention,
    CommissioningRoute,
    ComparatorValue,
    Indicator,
    IndicatorUnit,
    IndicatorValue,
    IntentionStatus,
    NeedsAssessment,
    Outcome,
    Polarity,
    StrategyPriority,
)

from .accounts import CommissioningBodyFactory, UserFactory


def _set_many(instance, name: str, values) -> None:
    if values:
        getattr(instance, name).set(values)


class TogetherPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyPriority
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Together priority {n}")


class TogetherOutcomeFactory(factory.django.DjangoModelFactory):
    """Pass categories=[...] for the service categories that work towards it."""

    class Meta:
        model = Outcome
        skip_postgeneration_save = True

    priority = factory.SubFactory(TogetherPriorityFactory)
    name = factory.Sequence(lambda n: f"Together outcome {n}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "categories", extracted)


class TogetherIndicatorFactory(factory.django.DjangoModelFactory):
    """A percentage where lower is better, compared with England."""

    class Meta:
        model = Indicator

    outcome = factory.SubFactory(TogetherOutcomeFactory)
    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Together indicator {n}")
    unit = IndicatorUnit.PERCENT
    polarity = Polarity.LOWER_IS_BETTER
    comparator_name = "England"
    comparator_code = "E92000001"


def together_value(indicator, area, *, period="2024/25", start=date(2024, 4, 1), value, ci=1):
    """An area's value with limits ci either side."""
    value = Decimal(value)
    return IndicatorValue.objects.create(
        indicator=indicator,
        area=area,
        period=period,
        period_start=start,
        value=value,
        lower_ci=value - ci,
        upper_ci=value + ci,
    )


def together_comparator(indicator, *, period="2024/25", start=date(2024, 4, 1), value):
    value = Decimal(value)
    return ComparatorValue.objects.create(
        indicator=indicator,
        period=period,
        period_start=start,
        value=value,
        lower_ci=value - 1,
        upper_ci=value + 1,
    )


class TogetherIntentionFactory(factory.django.DjangoModelFactory):
    """A published intention from April 2027 for three years. Pass categories=[...] and
    areas=[...]."""

    class Meta:
        model = CommissioningIntention
        skip_postgeneration_save = True

    body = factory.SubFactory(CommissioningBodyFactory)
    title = factory.Sequence(lambda n: f"Together intention {n}")
    summary = "What the body plans to commission."
    outcome = factory.SubFactory(TogetherOutcomeFactory)
    value_low = Decimal(50000)
    value_high = Decimal(80000)
    route = CommissioningRoute.CONTRACT
    start_on = date(2027, 4, 1)
    end_on = date(2030, 3, 31)
    contact_name = "Pat Planner"
    contact_email = "pat.planner@example.org"
    status = IntentionStatus.PUBLISHED
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "categories", extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted)


class TogetherAssessmentFactory(factory.django.DjangoModelFactory):
    """A needs assessment from January 2026 to be reviewed in January 2028. Pass themes=[...]
    and areas=[...]."""

    class Meta:
        model = NeedsAssessment
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Together needs assessment {n}")
    body = factory.SubFactory(CommissioningBodyFactory)
    summary = "Findings."
    method = "A survey and a review of the data."
    involvement = "Workshops with local groups and service users."
    assessed_on = date(2026, 1, 15)
    next_review_on = date(2028, 1, 15)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "themes", extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted)
