"""The shared evidence base: the outcomes framework, indicator data and needs assessments."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import ImportJob, ImportStatus, Organisation, User
from providers.models import Area, ClientGroup, ServiceCategory, private_storage

__all__ = [
    "ComparatorValue",
    "ImportStatus",
    "Indicator",
    "IndicatorImport",
    "IndicatorUnit",
    "IndicatorValue",
    "NeedsAssessment",
    "NeedsAssessmentDocument",
    "Outcome",
    "Polarity",
    "StrategyPriority",
    "Visibility",
]


# The outcomes framework: strategy priority -> outcome -> indicator (seeds/000 9.2.2(b))


class StrategyPriority(models.Model):
    """A priority of the Sustainable Community Strategy, the top tier of the framework."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "strategy priorities"

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    priority = models.ForeignKey(
        StrategyPriority, on_delete=models.PROTECT, related_name="outcomes"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # The kinds of service that work towards the outcome: how the gap analysis finds provision.
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="outcomes")

    class Meta:
        ordering = ["priority__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "name"], name="outcome_name_per_priority"),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    RATE_PER_1000 = "per_1000", "Rate per 1,000"
    RATE_PER_100000 = "per_100000", "Rate per 100,000"
    COUNT = "count", "Count"
    YEARS = "years", "Years"
    SCORE = "score", "Score"
    POUNDS = "pounds", "Pounds"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_better", "Higher is better"
    LOWER_IS_BETTER = "lower_better", "Lower is better"
    NO_JUDGEMENT = "no_judgement", "Neither higher nor lower is better"


class Indicator(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="The id the data is imported by, such as a public health profile indicator id.",
    )
    name = models.CharField(max_length=250)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=16, choices=IndicatorUnit.choices)
    polarity = models.CharField(max_length=16, choices=Polarity.choices)
    comparator_name = models.CharField(
        max_length=120, blank=True, help_text='What areas are compared with, such as "England".'
    )
    comparator_code = models.CharField(
        max_length=9,
        blank=True,
        help_text="The comparator's area code in imported files, such as E92000001 for England.",
    )
    source = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commissioning:indicator", args=[self.pk])


class _Measurement(models.Model):
    """A value for a period, with its 95% confidence limits where they are known. The period is
    kept as written in the source ("2021/22", "2019 - 21") with the day it starts, for ordering."""

    period = models.CharField(max_length=20)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    lower_ci = models.DecimalField(
        "lower confidence limit", max_digits=14, decimal_places=4, null=True, blank=True
    )
    upper_ci = models.DecimalField(
        "upper confidence limit", max_digits=14, decimal_places=4, null=True, blank=True
    )

    class Meta:
        abstract = True


class IndicatorValue(_Measurement):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="indicator_values")
    count = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=250, blank=True)
    entered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicator_value_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(lower_ci__isnull=True)
                | Q(upper_ci__isnull=True)
                | Q(lower_ci__lte=F("upper_ci")),
                name="indicator_value_limits_in_order",
            ),
        ]
        indexes = [
            # An indicator's areas in one period, and an area's trend, both read by index.
            models.Index(
                fields=["indicator", "period_start", "area"], name="indicator_value_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} in {self.area}, {self.period}"


class ComparatorValue(_Measurement):
    """The comparator's value for a period, such as England's."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="comparator_values"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="comparator_value_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.indicator.comparator_name}, {self.period}"


class IndicatorImport(ImportJob):
    """A CSV of indicator values in the column layout of public health profile downloads."""

    file = models.FileField(storage=private_storage, upload_to="indicator-imports/%Y/%m/")

    def __str__(self) -> str:
        return f"Indicator import of {self.original_name}"


# Needs assessments


class Visibility(models.TextChoices):
    NETWORK = "network", "Network members only"
    PUBLIC = "public", "Everyone, including the public"


class NeedsAssessment(models.Model):
    title = models.CharField(max_length=250)
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="needs_assessments"
    )
    themes = models.ManyToManyField(ServiceCategory, related_name="needs_assessments")
    areas = models.ManyToManyField(Area, related_name="needs_assessments")
    population_groups = models.ManyToManyField(
        ClientGroup, blank=True, related_name="needs_assessments"
    )
    summary = models.TextField("summary of findings")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="needs_assessments")
    data_sources = models.TextField(blank=True)
    method = models.TextField()
    involvement = models.TextField(
        "how the third sector and service users were involved",
        help_text="seeds/000 7.3.1(c): who took part, and how their views shaped the findings.",
    )
    assessed_on = models.DateField("date of the assessment")
    next_review_on = models.DateField("next review date")
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    # The review date the owner was last reminded of, so a reminder goes once per review date.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assessed_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__gt=F("assessed_on")),
                name="needs_assessment_review_after_assessment",
            ),
        ]
        indexes = [models.Index(fields=["next_review_on"], name="needs_assessment_review")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:assessment", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.next_review_on < timezone.localdate()


class NeedsAssessmentDocument(models.Model):
    assessment = models.ForeignKey(
        NeedsAssessment, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(storage=private_storage, upload_to="needs/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
