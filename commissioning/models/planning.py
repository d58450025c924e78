"""Planning: business cases, the forward plan of commissioning intentions and its subscribers,
and the chances to commission together that the network finds and acts on."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from providers.models import Area, ClientGroup, ServiceCategory

from .evidence import Indicator, NeedsAssessment, Outcome

__all__ = [
    "BUSINESS_CASE_TRANSITIONS",
    "INTENTION_TRANSITIONS",
    "JOINT_EXERCISE_TRANSITIONS",
    "BusinessCase",
    "BusinessCaseOption",
    "BusinessCaseStatus",
    "CommissioningIntention",
    "CommissioningRoute",
    "ContractThreshold",
    "IntentionNotice",
    "IntentionStatus",
    "JointContribution",
    "JointExercise",
    "JointExerciseStatus",
    "JointModel",
    "JointPartner",
    "OverlapPair",
    "Subscription",
]


class CommissioningRoute(models.TextChoices):
    GRANT = "grant", "Grant"
    CONTRACT = "contract", "Contract"
    PARTNERSHIP = "partnership", "Partnership agreement"
    JOINT = "joint", "Joint commissioning"


# Social value (Public Services (Social Value) Act 2012)


class ContractThreshold(models.Model):
    """A public contract threshold for services. The Social Value Act applies to a services
    contract whose estimated value reaches the threshold for the kind of body letting it. Network
    admins keep these current; the defaults are set by a data migration."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150, help_text="Who it applies to, in plain words.")
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Pounds, VAT included.")
    effective_from = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} (£{self.amount:,.0f})"


# Business cases, on one common template (seeds/000 7.3.2(g))


class BusinessCaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


BUSINESS_CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    BusinessCaseStatus.DRAFT: frozenset({BusinessCaseStatus.APPROVED}),
    BusinessCaseStatus.APPROVED: frozenset({BusinessCaseStatus.DRAFT}),  # reopened to revise
}


class BusinessCase(models.Model):
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="business_cases")
    title = models.CharField(max_length=250)
    need = models.TextField("the need", help_text="What the need is, and who has it.")
    evidence = models.TextField("the evidence behind it", blank=True)
    needs_assessments = models.ManyToManyField(
        NeedsAssessment, blank=True, related_name="business_cases"
    )
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="business_cases")
    outcomes = models.ManyToManyField(Outcome, related_name="business_cases")
    estimated_annual_value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Pounds a year."
    )
    term_months = models.PositiveSmallIntegerField("term (months)", default=36)
    route = models.CharField("proposed route", max_length=16, choices=CommissioningRoute.choices)
    nationally_driven = models.BooleanField("driven by national funding or priority", default=False)
    local_assessment = models.TextField(
        "local assessment of need",
        blank=True,
        help_text="seeds/000 7.3.3(h): how local evidence shapes nationally driven commissioning.",
    )
    # The social value check, as recorded when the case was last saved.
    threshold = models.ForeignKey(
        ContractThreshold,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The threshold for the kind of body letting the contract.",
    )
    social_value_applies = models.BooleanField(null=True, editable=False)
    social_value_checked_at = models.DateTimeField(null=True, editable=False)
    social_value_considered = models.TextField(
        "what was considered for social value",
        blank=True,
        help_text="The economic, social and environmental well-being the service could improve, "
        "and how the procurement will secure it.",
    )
    status = models.CharField(
        max_length=16, choices=BusinessCaseStatus.choices, default=BusinessCaseStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_annual_value__gte=0), name="business_case_value_positive"
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="business_case_term"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:business_case", args=[self.pk])

    @property
    def estimated_total_value(self):
        return self.estimated_annual_value * self.term_months / 12


class BusinessCaseOption(models.Model):
    """One way of meeting the need, with its full cost (seeds/001 principle 6: make or buy)."""

    business_case = models.ForeignKey(
        BusinessCase, on_delete=models.CASCADE, related_name="options"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    in_house = models.BooleanField("delivered in-house", default=False)
    direct_costs = models.DecimalField(
        "direct costs a year", max_digits=12, decimal_places=2, default=0
    )
    overhead_costs = models.DecimalField(
        "overheads a year",
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="Management, premises, finance, HR and other support costs: full cost recovery.",
    )
    benefits = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    preferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["-preferred", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direct_costs__gte=0) & Q(overhead_costs__gte=0),
                name="business_case_option_costs_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def full_cost(self):
        return self.direct_costs + self.overhead_costs


# The forward plan (seeds/000 8.2.2(f); seeds/004, Islington)


class IntentionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


INTENTION_TRANSITIONS: dict[str, frozenset[str]] = {
    IntentionStatus.DRAFT: frozenset({IntentionStatus.PUBLISHED, IntentionStatus.WITHDRAWN}),
    IntentionStatus.PUBLISHED: frozenset({IntentionStatus.WITHDRAWN}),
    IntentionStatus.WITHDRAWN: frozenset(),
}


class CommissioningIntention(models.Model):
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="intentions")
    title = models.CharField(max_length=250)
    summary = models.TextField()
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="intentions")
    categories = models.ManyToManyField(ServiceCategory, related_name="intentions")
    areas = models.ManyToManyField(Area, related_name="intentions")
    client_groups = models.ManyToManyField(ClientGroup, blank=True, related_name="intentions")
    business_case = models.ForeignKey(
        BusinessCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="intentions"
    )
    needs_assessment = models.ForeignKey(
        NeedsAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intentions",
    )
    value_low = models.DecimalField(
        "indicative value from (£ a year)", max_digits=12, decimal_places=2
    )
    value_high = models.DecimalField(
        "indicative value to (£ a year)", max_digits=12, decimal_places=2
    )
    route = models.CharField("expected route", max_length=16, choices=CommissioningRoute.choices)
    consultation_on = models.DateField("expected consultation", null=True, blank=True)
    tender_on = models.DateField("expected tender or grant round", null=True, blank=True)
    start_on = models.DateField("expected start")
    end_on = models.DateField("expected end", null=True, blank=True)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    status = models.CharField(
        max_length=16, choices=IntentionStatus.choices, default=IntentionStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_low__gte=0) & Q(value_high__gte=F("value_low")),
                name="intention_value_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gt=F("start_on")),
                name="intention_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_on"], name="intention_forward_plan"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:intention", args=[self.pk])


class IntentionNotice(models.Model):
    """One subscriber told about one published intention: kept so that the notice goes once,
    however often the sending task runs."""

    intention = models.ForeignKey(
        CommissioningIntention, on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="intention_notices")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intention", "user"], name="intention_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.intention} sent to {self.user}"


class Subscription(models.Model):
    """What a provider user wants to hear about: new intentions (and, later, opportunities) in
    these categories or areas. A parent category or area includes everything inside it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="subscription")
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="+")
    areas = models.ManyToManyField(Area, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Subscription of {self.user}"


# Chances to commission together (seeds/000 3(c), 7.3.2(f), 12.2.1(d); seeds/003)


class OverlapPair(models.Model):
    """Two records of different bodies that overlap: found by the overlap finder, scored and
    explained, and then dismissed or turned into a joint exercise. A record is named by its kind
    ("intention", "assessment", later "agreement") and id; `key` names the pair whichever way round
    it was found, so a recount keeps what people decided about it."""

    key = models.CharField(max_length=80, unique=True)
    first_kind = models.CharField(max_length=20)
    first_id = models.PositiveIntegerField()
    second_kind = models.CharField(max_length=20)
    second_id = models.PositiveIntegerField()
    first_body = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    second_body = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    found_at = models.DateTimeField()
    current = models.BooleanField(
        default=True, help_text="Still found by the last recount. Pairs that are not are kept."
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dismissal_reason = models.TextField(blank=True)
    exercise = models.ForeignKey(
        "JointExercise", on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )

    class Meta:
        ordering = ["-score", "key"]
        indexes = [
            models.Index(
                fields=["current", "dismissed_at", "-score", "key"], name="overlap_pair_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Overlap {self.key} ({self.score})"


class JointModel(models.TextChoices):
    ALIGNED = "aligned", "Aligned budgets with a lead commissioner"
    PARTNERSHIP = "partnership", "Stand-alone partnership"


class JointExerciseStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed by the partners"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    ABANDONED = "abandoned", "Abandoned"


JOINT_EXERCISE_TRANSITIONS: dict[str, frozenset[str]] = {
    JointExerciseStatus.PROPOSED: frozenset(
        {JointExerciseStatus.AGREED, JointExerciseStatus.ABANDONED}
    ),
    JointExerciseStatus.AGREED: frozenset(
        {JointExerciseStatus.ACTIVE, JointExerciseStatus.ABANDONED}
    ),
    JointExerciseStatus.ACTIVE: frozenset({JointExerciseStatus.CLOSED}),
    JointExerciseStatus.CLOSED: frozenset(),
    JointExerciseStatus.ABANDONED: frozenset(),
}


class JointExercise(models.Model):
    """Bodies commissioning together (seeds/003 §4)."""

    title = models.CharField(max_length=250)
    purpose = models.TextField()
    lead = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="joint_exercises_led"
    )
    model = models.CharField(max_length=16, choices=JointModel.choices)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="+")
    areas = models.ManyToManyField(Area, blank=True, related_name="+")
    status = models.CharField(
        max_length=16, choices=JointExerciseStatus.choices, default=JointExerciseStatus.PROPOSED
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:joint_exercise", args=[self.pk])


class JointPartner(models.Model):
    exercise = models.ForeignKey(JointExercise, on_delete=models.CASCADE, related_name="partners")
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["body__name"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "body"], name="joint_partner_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body} in {self.exercise}"


class JointContribution(models.Model):
    """What a partner (the lead included) puts in, for one financial year."""

    exercise = models.ForeignKey(
        JointExercise, on_delete=models.CASCADE, related_name="contributions"
    )
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year it starts: 2027 is April 2027 to March 2028."
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["financial_year", "body__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "body", "financial_year"], name="joint_contribution_once"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="joint_contribution_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: £{self.amount:,.0f} in {self.financial_year}"
