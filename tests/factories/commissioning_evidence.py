"""Factories for the outcomes framework and indicator data (the evidence part of commissioning)."""

from datetime import date
from decimal import Decimal

import factory

from commissioning.models import (
    ComparatorValue,
    Indicator,
    IndicatorImport,
    IndicatorUnit,
    IndicatorValue,
    Outcome,
    Polarity,
    StrategyPriority,
)
from commissioning.models.evidence import ImportStatus

from .accounts import UserFactory
from .providers import AreaFactory


class StrategyPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyPriority
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Priority {n}")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(StrategyPriorityFactory)
    name = factory.Sequence(lambda n: f"Outcome {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A percentage where higher is better, compared with England."""

    class Meta:
        model = Indicator
        django_get_or_create = ["code"]

    outcome = factory.SubFactory(OutcomeFactory)
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = IndicatorUnit.PERCENT
    polarity = Polarity.HIGHER_IS_BETTER
    comparator_name = "England"
    comparator_code = "E92000001"
    source = "OHID Fingertips"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    area = factory.SubFactory(AreaFactory)
    period = "2023/24"
    period_start = date(2023, 4, 1)
    value = Decimal("50.0")
    lower_ci = Decimal("45.0")
    upper_ci = Decimal("55.0")


class ComparatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    period = "2023/24"
    period_start = date(2023, 4, 1)
    value = Decimal("50.0")
    lower_ci = Decimal("49.8")
    upper_ci = Decimal("50.2")


INDICATOR_CSV_BYTES = b"Indicator ID,Area Code,Time period,Value\n90366,E09000012,2023/24,78.4\n"


class IndicatorImportFactory(factory.django.DjangoModelFactory):
    """A finished import of a one-row file whose row was refused."""

    class Meta:
        model = IndicatorImport

    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(data=INDICATOR_CSV_BYTES, filename="indicators.csv")
    original_name = "indicators.csv"
    status = ImportStatus.DONE
    total_rows = 1
    processed_rows = 1
    refused_count = 1
    report = factory.LazyFunction(
        lambda: [
            {
                "line": 2,
                "outcome": "refused",
                "indicator": "90366",
                "area": "E09000012",
                "period": "2023/24",
                "messages": ["Indicator ID: No indicator has the code “90366”."],
            }
        ]
    )
