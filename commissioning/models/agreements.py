"""Agreements and monitoring: contracts, grants, SLAs and partnership agreements with their
parties, funding by financial year, payment schedule, risks and outcome measures; variations,
versions and notices; monitoring returns with ratings; visits; improvement plans; confidential
service-user feedback; and feedback to the provider when an agreement ends."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from providers.models import Area, Consortium, ServiceCategory, private_storage

from .evidence import Outcome
from .sourcing import AwardDecision, Lot, Opportunity

__all__ = [
    "AGREEMENT_TRANSITIONS",
    "IMPROVEMENT_PLAN_TRANSITIONS",
    "RETURN_TRANSITIONS",
    "Agreement",
    "AgreementFunder",
    "AgreementKind",
    "AgreementMember",
    "AgreementMemberRole",
    "AgreementStatus",
    "AgreementVersion",
    "AgreementYear",
    "FeedbackTheme",
    "ImprovementAction",
    "ImprovementPlan",
    "ImprovementPlanStatus",
    "Instalment",
    "MeasureValueKind",
    "MonitoringReturn",
    "MultiYearFunding",
    "Notice",
    "NoticeKind",
    "OutcomeMeasure",
    "PaymentTiming",
    "PerformanceRating",
    "ProcurementRoute",
    "ReportingFrequency",
    "ReturnEvidence",
    "ReturnStatus",
    "ReturnValue",
    "Risk",
    "RiskAllocation",
    "RiskKind",
    "ServiceUserFeedback",
    "Variation",
    "Visit",
    "VisitKind",
]


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    GRANT = "grant", "Grant"
    SLA = "sla", "Service level agreement"
    PARTNERSHIP = "partnership", "Partnership agreement"


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDING = "ending", "Ending"
    ENDED = "ended", "Ended"
    TERMINATED = "terminated", "Terminated"


_A = AgreementStatus
AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _A.ACTIVE: frozenset({_A.ENDING, _A.TERMINATED}),
    _A.ENDING: frozenset({_A.ENDED, _A.TERMINATED}),
    _A.ENDED: frozenset(),
    _A.TERMINATED: frozenset(),
}


class ProcurementRoute(models.TextChoices):
    """How the arrangement came about; the register picks out those never openly procured."""

    OPEN_COMPETITION = "open_competition", "Open competition"
    GRANT_ROUND = "grant_round", "Open grant round"
    DIRECT_AWARD = "direct_award", "Direct award or negotiated"
    ROLLING = "rolling", "Rolled over without competition"


NEVER_OPENLY_PROCURED = (ProcurementRoute.DIRECT_AWARD, ProcurementRoute.ROLLING)


class MultiYearFunding(models.TextChoices):
    """Whether funding the body holds for several years was passed on as a multi-year agreement
    (seeds/000 10.4.1(n))."""

    PASSED_ON = "passed_on", "Yes: multi-year funding passed on"
    NOT_PASSED_ON = "not_passed_on", "No: the body holds multi-year funding but this is shorter"
    NOT_APPLICABLE = "not_applicable", "Not applicable: the body's funding is for one year"


class PaymentTiming(models.TextChoices):
    ADVANCE = "advance", "In advance"
    ARREARS = "arrears", "In arrears"


class ReportingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    ANNUALLY = "annually", "Annually"


REPORTING_MONTHS = {
    ReportingFrequency.MONTHLY: 1,
    ReportingFrequency.QUARTERLY: 3,
    ReportingFrequency.HALF_YEARLY: 6,
    ReportingFrequency.ANNUALLY: 12,
}


# Letters and digits that cannot be mistaken for one another when typed from a poster.
LINK_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def feedback_token() -> str:
    """The unguessable part of an agreement's public feedback link: 14 characters, about 69 bits."""
    return "".join(secrets.choice(LINK_ALPHABET) for _ in range(14))


class Agreement(models.Model):
    """A funding arrangement between a commissioning body and a provider: made from an award, or
    entered directly for an arrangement that already exists."""

    reference = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=16, choices=AgreementKind.choices)
    title = models.CharField(max_length=250)
    description = models.TextField("what it pays for", blank=True)
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements",
        help_text="The lead commissioning body, which manages the agreement.",
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_held",
        help_text="The provider, or the lead of a consortium.",
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    award = models.OneToOneField(
        AwardDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement",
    )
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="agreements")
    categories = models.ManyToManyField(ServiceCategory, related_name="agreements")
    areas = models.ManyToManyField(Area, related_name="agreements")
    procurement_route = models.CharField(
        "how it was awarded", max_length=20, choices=ProcurementRoute.choices
    )
    start_on = models.DateField("start date")
    end_on = models.DateField("end date")
    renewal_options = models.CharField(
        max_length=40,
        blank=True,
        help_text='Such as "3+2": three years, then up to two more.',
    )
    # The sum of the values per financial year, kept by the services for the register.
    total_value = models.DecimalField(
        "total value (£)", max_digits=14, decimal_places=2, default=0, editable=False
    )
    multi_year_funding = models.CharField(
        "multi-year funding", max_length=16, choices=MultiYearFunding.choices
    )
    multi_year_reason = models.TextField(
        "why multi-year funding was not passed on",
        blank=True,
        help_text="Required when the body holds multi-year funding but this agreement is shorter.",
    )
    payment_timing = models.CharField(
        "payments", max_length=8, choices=PaymentTiming.choices, default=PaymentTiming.ADVANCE
    )
    full_cost_recovery = models.BooleanField(
        "full cost recovery met",
        null=True,
        blank=True,
        help_text="Whether the price covers the provider's direct costs and a fair share of "
        "overheads.",
    )
    full_cost_recovery_from_bid = models.BooleanField(default=False, editable=False)
    full_cost_recovery_note = models.TextField(blank=True)
    clawback_conditions = models.TextField(blank=True)
    reporting_frequency = models.CharField(
        max_length=12, choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY
    )
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    terminated_reason = models.TextField("why it was terminated", blank=True)
    feedback_token = models.CharField(
        max_length=32, unique=True, default=feedback_token, editable=False
    )
    # At the end: the commissioner's feedback to the provider (seeds/000 11.2.3(h)) and how long
    # the outcomes go on being tracked (11.2.3(g)).
    end_feedback = models.TextField("feedback to the provider", blank=True)
    end_feedback_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_feedback_at = models.DateTimeField(null=True, blank=True)
    tracking_until = models.DateField(
        "track outcomes until", null=True, blank=True, help_text="After the agreement ends."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["end_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(total_value__gte=0), name="agreement_value_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["body", "status", "end_on"], name="agreement_of_body"),
            models.Index(fields=["provider", "status"], name="agreement_of_provider"),
            models.Index(fields=["status", "end_on"], name="agreement_by_end"),
            models.Index(fields=["kind", "end_on"], name="agreement_kind_by_end"),
            # The register's default order.
            models.Index(fields=["end_on", "reference"], name="agreement_register_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commissioning:agreement", args=[self.pk])

    @property
    def ocid(self) -> str:
        """An agreement made from an award shares its opportunity's ocid; one entered directly
        gets its own."""
        if self.opportunity_id:
            return self.opportunity.ocid
        return f"{settings.OCDS_OCID_PREFIX}-{self.reference}"

    @property
    def is_live(self) -> bool:
        return self.status in (AgreementStatus.ACTIVE, AgreementStatus.ENDING)


class AgreementMemberRole(models.TextChoices):
    MEMBER = "member", "Consortium member"
    SUBCONTRACTOR = "subcontractor", "Subcontractor"


class AgreementMember(models.Model):
    """An organisation delivering part of the agreement under the lead provider."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_parts"
    )
    role = models.CharField(max_length=16, choices=AgreementMemberRole.choices)
    share = models.DecimalField(
        "share of the work (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["agreement", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="agreement_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.agreement}"


class AgreementFunder(models.Model):
    """A co-funding body and its contribution; the lead body pays the rest."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="funders")
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cofunding")
    contribution = models.DecimalField("contribution (£)", max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["agreement", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "body"], name="agreement_funder_once"),
            models.CheckConstraint(
                condition=Q(contribution__gte=0), name="agreement_contribution_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} funds {self.agreement}"


class AgreementYear(models.Model):
    """The value of the agreement in one financial year (April to March)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="years")
    start_year = models.PositiveSmallIntegerField(help_text="2026 is April 2026 to March 2027.")
    amount = models.DecimalField("value (£)", max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["agreement", "start_year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "start_year"], name="agreement_year_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_year_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d} of {self.agreement}"

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


class Instalment(models.Model):
    """One payment in the schedule. Late when paid after its due date, or unpaid past it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField("amount (£)", max_digits=14, decimal_places=2)
    paid_on = models.DateField(null=True, blank=True)
    paid_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    measure_linked = models.BooleanField(
        "depends on outcome measures",
        default=False,
        help_text="Paid only once the return for the period shows the measures met.",
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="instalment_number_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["paid_on", "due_on"], name="instalment_unpaid_by_due"),
        ]

    def __str__(self) -> str:
        return f"Instalment {self.number} of {self.agreement}"

    def is_late(self, today=None) -> bool:
        if self.paid_on is not None:
            return self.paid_on > self.due_on
        return self.due_on < (today or timezone.localdate())


class RiskKind(models.TextChoices):
    DEMAND = "demand", "Demand"
    INFLATION = "inflation", "Inflation"
    STAFF_TRANSFER = "staff_transfer", "Staff transfer (TUPE)"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    OTHER = "other", "Other"


class RiskAllocation(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider"
    SHARED = "shared", "Shared"


class Risk(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(max_length=16, choices=RiskKind.choices)
    allocation = models.CharField("held by", max_length=16, choices=RiskAllocation.choices)
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agreement", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} risk of {self.agreement}"


class MeasureValueKind(models.TextChoices):
    COUNT = "count", "Whole number"
    NUMBER = "number", "Number"
    PERCENTAGE = "percentage", "Percentage"
    MONEY = "money", "Amount in pounds"


class OutcomeMeasure(models.Model):
    """What the provider reports each period, how it is evidenced, and whether payment depends
    on it: all defined when the agreement is made (seeds/000 10.4.2(q))."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    unit = models.CharField(max_length=60, help_text="Such as people, sessions or %.")
    value_kind = models.CharField(
        "kind of value", max_length=12, choices=MeasureValueKind.choices, default="count"
    )
    target = models.DecimalField("target a period", max_digits=14, decimal_places=2)
    higher_is_better = models.BooleanField(default=True)
    evidence_required = models.TextField(help_text="How the provider shows the figure.")
    payment_linked = models.BooleanField("payment depends on it", default=False)
    tracked_after_end = models.BooleanField("keep collecting after the end", default=False)
    retired_on = models.DateField(
        null=True, blank=True, help_text="Set when a variation removes the measure."
    )

    class Meta:
        ordering = ["agreement", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class AgreementVersion(models.Model):
    """The agreement's terms as they stood from one version to the next: the first at creation,
    then one for each variation."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_once"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.agreement}"


class Variation(models.Model):
    """A change to the terms: what changed, why, from when, and who agreed it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveIntegerField()
    changes = models.JSONField(help_text="Each change: field, before and after, in words.")
    reason = models.TextField()
    effective_on = models.DateField()
    agreed_by = models.CharField(max_length=300, help_text="Who agreed the change, on each side.")
    version = models.OneToOneField(
        AgreementVersion, on_delete=models.PROTECT, related_name="variation"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="variation_number_once"),
        ]

    def __str__(self) -> str:
        return f"Variation {self.number} of {self.agreement}"


class NoticeKind(models.TextChoices):
    REDUCTION = "reduction", "Reduction in funding"
    END = "end", "End of funding"
    CHANGE_OF_TERMS = "change_of_terms", "Change of terms"


class Notice(models.Model):
    """Notice given to the provider. The Compact sets the minimum time between the two dates."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    given_on = models.DateField("date given")
    takes_effect_on = models.DateField("date it takes effect")
    details = models.TextField()
    new_annual_value = models.DecimalField(
        "value a year after the reduction (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(takes_effect_on__gte=F("given_on")), name="notice_effect_after_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notice on {self.agreement}"

    @property
    def days_given(self) -> int:
        return (self.takes_effect_on - self.given_on).days


# Monitoring


class ReturnStatus(models.TextChoices):
    DUE = "due", "Due"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for more information"


_R = ReturnStatus
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    _R.DUE: frozenset({_R.SUBMITTED}),
    _R.SUBMITTED: frozenset({_R.ACCEPTED, _R.RETURNED}),
    _R.RETURNED: frozenset({_R.SUBMITTED}),
    _R.ACCEPTED: frozenset(),
}


class PerformanceRating(models.TextChoices):
    """The scale of contract performance notices under the Procurement Act 2023."""

    GOOD = "good", "Good"
    APPROACHING = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


POOR_RATINGS = (PerformanceRating.REQUIRES_IMPROVEMENT, PerformanceRating.INADEQUATE)


class MonitoringReturn(models.Model):
    """What the provider reports for one period, and the commissioner's review of it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="returns")
    # The agreement's lead body, which never changes: kept here so that a body's returns to review
    # and its overdue returns are read from one index, however many agreements it leads.
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False
    )
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    after_end = models.BooleanField(
        default=False, help_text="Outcome tracking after the agreement ended."
    )
    status = models.CharField(max_length=12, choices=ReturnStatus.choices, default=_R.DUE)
    narrative = models.TextField(blank=True)
    feedback_summary = models.TextField("what service users told us", blank=True)
    concerns = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rating = models.CharField(
        max_length=24, choices=PerformanceRating.choices, blank=True, default=""
    )
    rating_comment = models.TextField(blank=True)
    returned_reason = models.TextField("what more is needed", blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_for_cofunders = models.BooleanField(
        "accepted on behalf of the co-funders", default=False
    )
    # Reminders of an overdue return: each sent once, whatever the scheduler does.
    first_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    second_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["agreement", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_start"], name="return_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="return_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="return_by_status_due"),
            models.Index(fields=["agreement", "status"], name="return_of_agreement"),
            models.Index(fields=["body", "status", "due_on"], name="return_of_body_by_due"),
            models.Index(
                fields=["body", "status", "submitted_at"], name="return_of_body_by_submission"
            ),
        ]

    def __str__(self) -> str:
        return f"Return for {self.period_start:%b %Y} to {self.period_end:%b %Y}"

    def save(self, *args, **kwargs):
        if self.body_id is None and self.agreement_id is not None:
            self.body_id = self.agreement.body_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("commissioning:return", args=[self.pk])

    def days_overdue(self, today=None) -> int:
        if self.status not in (ReturnStatus.DUE, ReturnStatus.RETURNED):
            return 0
        return max(0, ((today or timezone.localdate()) - self.due_on).days)


class ReturnValue(models.Model):
    """The provider's figure for one measure in one return, and the commissioner's view of it."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="values"
    )
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    rating = models.CharField(
        max_length=24, choices=PerformanceRating.choices, blank=True, default=""
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["monitoring_return", "measure__position", "measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "measure"], name="return_value_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} in return {self.monitoring_return_id}"


class ReturnEvidence(models.Model):
    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="evidence"
    )
    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(storage=private_storage, upload_to="returns/%Y/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["monitoring_return", "title"]

    def __str__(self) -> str:
        return f"Evidence {self.pk} for return {self.monitoring_return_id}"


class VisitKind(models.TextChoices):
    PHYSICAL = "physical", "Physical visit"
    DESK = "desk", "Desk review"


class Visit(models.Model):
    """A visit or desk review, planned then completed (seeds/000 11.2.3(f))."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=12, choices=VisitKind.choices)
    planned_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    visitors = models.CharField("who", max_length=300)
    findings = models.TextField(blank=True)
    follow_up_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-planned_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.agreement} on {self.planned_on}"


class ImprovementPlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_TRACK = "on_track", "On track"
    CLOSED = "closed", "Closed"
    ESCALATED = "escalated", "Escalated"


_P = ImprovementPlanStatus
IMPROVEMENT_PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    _P.OPEN: frozenset({_P.ON_TRACK, _P.CLOSED, _P.ESCALATED}),
    _P.ON_TRACK: frozenset({_P.OPEN, _P.CLOSED, _P.ESCALATED}),
    _P.ESCALATED: frozenset({_P.CLOSED}),
    _P.CLOSED: frozenset(),
}


class ImprovementPlan(models.Model):
    """Opened by a return rated requires improvement or inadequate. Support comes first
    (seeds/000 10.3.2(e))."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="improvement_plans"
    )
    opened_by_return = models.OneToOneField(
        MonitoringReturn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_plan",
    )
    status = models.CharField(max_length=12, choices=ImprovementPlanStatus.choices, default=_P.OPEN)
    issues = models.TextField(blank=True)
    support_offered = models.TextField(
        blank=True,
        help_text="Offered first: such as mentoring, or an infrastructure body's help.",
    )
    review_on = models.DateField("review date", null=True, blank=True)
    escalation_note = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-opened_at"]
        indexes = [
            models.Index(fields=["status", "review_on"], name="improvement_plan_by_status"),
        ]

    def __str__(self) -> str:
        return f"Improvement plan for {self.agreement}"

    def get_absolute_url(self) -> str:
        return reverse("commissioning:improvement_plan", args=[self.pk])


class ImprovementAction(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"Action {self.position} of plan {self.plan_id}"


class FeedbackTheme(models.TextChoices):
    STAFF = "staff", "The staff"
    WAITING = "waiting", "Waiting times"
    ACCESS = "access", "Getting there, or getting in touch"
    INFORMATION = "information", "Information and advice"
    SAFETY = "safety", "Feeling safe"
    DIFFERENCE = "difference", "The difference it made"
    OTHER = "other", "Something else"


class ServiceUserFeedback(models.Model):
    """Feedback from a member of the public, with no account. Confidential: stored with no IP
    address or account, and only on the day it was given; the provider sees totals and themes,
    never comments (seeds/000 11.2.3(d)(e))."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="user_feedback")
    given_on = models.DateField(default=timezone.localdate)
    rating = models.PositiveSmallIntegerField(help_text="1 (very poor) to 5 (very good).")
    themes = models.JSONField(default=list, blank=True)
    went_well = models.TextField(blank=True)
    could_be_better = models.TextField(blank=True)
    age_band = models.CharField(max_length=16, blank=True)
    gender = models.CharField(max_length=32, blank=True)
    ethnicity = models.CharField(max_length=32, blank=True)
    disability = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["agreement", "-given_on", "-pk"]
        verbose_name_plural = "service-user feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="user_feedback_rating_range"
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "given_on"], name="user_feedback_by_day"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk} on agreement {self.agreement_id}"
