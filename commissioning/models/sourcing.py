"""Sourcing: opportunities (tenders and grant rounds) with lots, eligibility questions, weighted
criteria, documents, clarifications and changes; sealed bids from organisations and consortia
with full cost recovery budgets; and evaluation by a panel, moderation, award and feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from providers.models import Area, Consortium, ServiceCategory, private_storage

from .evidence import NeedsAssessment, Outcome
from .planning import CommissioningIntention

__all__ = [
    "BID_TRANSITIONS",
    "OPPORTUNITY_TRANSITIONS",
    "AwardDecision",
    "Bid",
    "BidAnswer",
    "BidDocument",
    "BidEligibilityAnswer",
    "BidMemberConfirmation",
    "BidReceipt",
    "BidStage",
    "BidStatus",
    "BudgetLine",
    "BudgetLineKind",
    "Clarification",
    "ConflictDeclaration",
    "Criterion",
    "CriterionKind",
    "EligibilityQuestion",
    "FeedbackLetter",
    "Interest",
    "Lot",
    "ModeratedScore",
    "Opportunity",
    "OpportunityChange",
    "OpportunityChangeKind",
    "OpportunityDocument",
    "OpportunityKind",
    "OpportunityStatus",
    "PanelMember",
    "PanelRole",
    "PanelSubmission",
    "Procedure",
    "Score",
]

# The default term: three years unless a reason is recorded (seeds/001 principle 7).
DEFAULT_TERM_MONTHS = 36


class OpportunityKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    GRANT = "grant", "Grant"


class Procedure(models.TextChoices):
    OPEN = "open", "Open, single stage"
    TWO_STAGE = "two_stage", "Two stages: expression of interest, then invited full bids"
    GRANT_ROUND = "grant_round", "Grant round"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    EOI_CLOSED = "eoi_closed", "Expressions of interest closed"
    SHORTLISTING = "shortlisting", "Shortlisting"
    INVITED = "invited", "Shortlisted bidders invited"
    CLOSED = "closed", "Closed for bids"
    EVALUATING = "evaluating", "Evaluating"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


_S = OpportunityStatus
OPPORTUNITY_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.DRAFT: frozenset({_S.PUBLISHED, _S.CANCELLED}),
    # A single-stage opportunity closes; a two-stage one closes its expressions of interest.
    _S.PUBLISHED: frozenset({_S.EOI_CLOSED, _S.CLOSED, _S.CANCELLED}),
    _S.EOI_CLOSED: frozenset({_S.SHORTLISTING, _S.CANCELLED}),
    _S.SHORTLISTING: frozenset({_S.INVITED, _S.CANCELLED}),
    _S.INVITED: frozenset({_S.CLOSED, _S.CANCELLED}),
    _S.CLOSED: frozenset({_S.EVALUATING, _S.CANCELLED}),
    _S.EVALUATING: frozenset({_S.AWARDED, _S.CANCELLED}),
    _S.AWARDED: frozenset(),
    _S.CANCELLED: frozenset(),
}


class Opportunity(models.Model):
    reference = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=16, choices=OpportunityKind.choices)
    procedure = models.CharField(max_length=16, choices=Procedure.choices)
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="opportunities")
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_opportunities",
        help_text="Other bodies commissioning this with the owner, in a joint exercise.",
    )
    title = models.CharField(max_length=250)
    summary = models.TextField("summary in plain English")
    outcomes_sought = models.TextField(
        help_text="What must change for people: tight on outcomes, loose on method.",
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="opportunities")
    intention = models.ForeignKey(
        CommissioningIntention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    needs_assessments = models.ManyToManyField(
        NeedsAssessment, blank=True, related_name="opportunities"
    )
    categories = models.ManyToManyField(ServiceCategory, related_name="opportunities")
    areas = models.ManyToManyField(Area, related_name="opportunities")
    term_months = models.PositiveSmallIntegerField("term (months)", default=DEFAULT_TERM_MONTHS)
    short_term_reason = models.TextField(
        blank=True, help_text="Required for a term under three years (seeds/003 §5.6)."
    )
    consortium_bids = models.BooleanField("consortium bids accepted", default=True)
    contact_name = models.CharField("commissioning manager", max_length=150)
    contact_email = models.EmailField()
    # The timetable. Deadlines are absolute times; the pages show them in Europe/London.
    publish_at = models.DateTimeField("publish")
    clarifications_close_at = models.DateTimeField("clarification questions close")
    eoi_deadline = models.DateTimeField("expression of interest deadline", null=True, blank=True)
    shortlist_on = models.DateField("shortlist", null=True, blank=True)
    bid_deadline = models.DateTimeField("bid deadline")
    evaluation_on = models.DateField("evaluation")
    award_on = models.DateField("award")
    standstill_ends_on = models.DateField("standstill ends", null=True, blank=True)
    contract_start_on = models.DateField("contract start")
    status = models.CharField(
        max_length=16, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    cancelled_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(term_months__gte=1), name="opportunity_term_positive"
            ),
            models.CheckConstraint(
                condition=Q(clarifications_close_at__lte=F("bid_deadline")),
                name="opportunity_clarifications_before_deadline",
            ),
            models.CheckConstraint(
                condition=Q(eoi_deadline__isnull=True) | Q(eoi_deadline__lt=F("bid_deadline")),
                name="opportunity_eoi_before_bids",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "bid_deadline"], name="opportunity_open_by_deadline"),
            models.Index(fields=["body", "status"], name="opportunity_of_body"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commissioning:opportunity", args=[self.pk])

    @property
    def ocid(self) -> str:
        return f"{settings.OCDS_OCID_PREFIX}-{self.reference}"

    @property
    def is_two_stage(self) -> bool:
        return self.procedure == Procedure.TWO_STAGE


class Lot(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    annual_budget = models.DecimalField(
        "budget a year (£)",
        max_digits=12,
        decimal_places=2,
        help_text="The published financial envelope for this lot.",
    )

    class Meta:
        ordering = ["opportunity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="lot_number_once"),
            models.CheckConstraint(condition=Q(annual_budget__gte=0), name="lot_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class EligibilityQuestion(models.Model):
    """A yes-or-no question a bidder answers before starting. An organisation that answers no is
    told to speak to the commissioning manager first (seeds/002 §6)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="eligibility_questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)

    class Meta:
        ordering = ["opportunity", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class BidStage(models.TextChoices):
    EOI = "eoi", "Expression of interest"
    FULL = "full", "Full bid"


class CriterionKind(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"
    PRICE = "price", "Price"
    COST = "cost", "Cost"


class Criterion(models.Model):
    """What the panel scores, with its weight within its stage (a stage's weights sum to 100),
    its scale and what earns each score, all published with the opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="criteria")
    stage = models.CharField(max_length=8, choices=BidStage.choices, default=BidStage.FULL)
    kind = models.CharField(
        max_length=16, choices=CriterionKind.choices, default=CriterionKind.QUALITY
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    question = models.TextField()
    weight = models.DecimalField("weight (%)", max_digits=5, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(
        "highest score", default=5, help_text="Scores run from 0 to this."
    )
    scale_guidance = models.JSONField(
        default=dict, blank=True, help_text='What earns each score: {"0": "...", "5": "..."}.'
    )
    word_limit = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "stage", "position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_percentage"
            ),
            models.CheckConstraint(condition=Q(scale_max__gte=1), name="criterion_scale_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class OpportunityDocument(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(storage=private_storage, upload_to="opportunities/%Y/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    replaced = models.BooleanField(default=False, help_text="Superseded by an amended version.")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity", "title", "-version"]

    def __str__(self) -> str:
        return self.title


class Interest(models.Model):
    """An organisation that registered interest: it hears of clarifications and changes."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "organisation"], name="interest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.opportunity}"


class Clarification(models.Model):
    """A bidder's question and the commissioner's answer, published to all without naming who
    asked."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="clarifications"
    )
    question = models.TextField()
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "asked_at"]

    def __str__(self) -> str:
        return self.question[:60]


class OpportunityChangeKind(models.TextChoices):
    EXTENSION = "extension", "Deadline extended"
    AMENDMENT = "amendment", "Documents amended"


class OpportunityChange(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=OpportunityChangeKind.choices)
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity", "-made_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.opportunity}"


# Bids


class BidStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SHORTLISTED = "shortlisted", "Shortlisted"
    NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"
    SUCCESSFUL = "successful", "Successful"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"


_B = BidStatus
BID_TRANSITIONS: dict[str, frozenset[str]] = {
    _B.DRAFT: frozenset({_B.SUBMITTED}),
    # Until the deadline a bidder may withdraw and then submit again (the draft is kept).
    _B.SUBMITTED: frozenset(
        {_B.WITHDRAWN, _B.SHORTLISTED, _B.NOT_SHORTLISTED, _B.SUCCESSFUL, _B.UNSUCCESSFUL}
    ),
    _B.WITHDRAWN: frozenset({_B.SUBMITTED}),
    _B.SHORTLISTED: frozenset(),
    _B.NOT_SHORTLISTED: frozenset(),
    _B.SUCCESSFUL: frozenset(),
    _B.UNSUCCESSFUL: frozenset(),
}


class Bid(models.Model):
    """An organisation's bid at one stage: sealed until the stage's deadline (access.py)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="bids")
    stage = models.CharField(max_length=8, choices=BidStage.choices, default=BidStage.FULL)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bids",
        help_text="Set when the organisation bids as the lead of this consortium.",
    )
    lots = models.ManyToManyField(Lot, related_name="bids")
    status = models.CharField(max_length=16, choices=BidStatus.choices, default=BidStatus.DRAFT)
    reuses_passport = models.BooleanField(default=False)
    passport_expires_on = models.DateField(null=True, blank=True, editable=False)
    price = models.DecimalField(
        "price a year (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    needs_confirmation = models.BooleanField(
        default=False, help_text="The opportunity changed after submission: resubmit or confirm."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text="Raised by every save; autosave checks it."
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opportunity", "stage", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "stage", "organisation"], name="bid_once_per_stage"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-updated_at"], name="bid_of_organisation"),
            models.Index(fields=["opportunity", "stage", "status"], name="bid_of_opportunity"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} for {self.opportunity} ({self.get_stage_display()})"


class BidEligibilityAnswer(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="eligibility_answers")
    question = models.ForeignKey(EligibilityQuestion, on_delete=models.CASCADE, related_name="+")
    answer = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "question"], name="eligibility_answer_once"),
        ]

    def __str__(self) -> str:
        return f"Eligibility answer {self.pk} of bid {self.bid_id}"


class BidAnswer(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="bid_answer_once"),
        ]

    def __str__(self) -> str:
        return f"Answer to criterion {self.criterion_id} of bid {self.bid_id}"


class BudgetLineKind(models.TextChoices):
    STAFF = "staff", "Direct staff costs"
    NON_STAFF = "non_staff", "Direct non-staff costs"
    OVERHEAD = "overhead", "Share of overheads"


class BudgetLine(models.Model):
    """One line of a full cost recovery budget, a year."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(max_length=16, choices=BudgetLineKind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    basis = models.CharField(
        "apportionment basis",
        max_length=200,
        blank=True,
        help_text="For overheads: how the share was worked out, such as staff time or floor area.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bid", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Budget line {self.pk} of bid {self.bid_id}"


class BidDocument(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(storage=private_storage, upload_to="bids/%Y/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bid", "title"]

    def __str__(self) -> str:
        return f"Document {self.pk} of bid {self.bid_id}"


class BidMemberConfirmation(models.Model):
    """A consortium member's confirmation of its part in this bid."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="member_confirmations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "organisation"], name="bid_member_confirms_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} confirmed bid {self.bid_id}"


class BidReceipt(models.Model):
    """Proof of a submission (or a confirmation after a change): when, by whom, and the hash of
    exactly what was submitted."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="receipts")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    action = models.CharField(max_length=16, default="submitted")
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["bid", "-submitted_at"]

    # Evaluation

    def __str__(self) -> str:
        return f"Receipt for bid {self.bid_id} at {self.submitted_at:%Y-%m-%d %H:%M:%S}"


class PanelRole(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    THIRD_SECTOR = "third_sector", "Third sector representative"


class PanelMember(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="panel_members"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="panel_seats")
    role = models.CharField(max_length=16, choices=PanelRole.choices)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="panel_seat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.opportunity}"


class ConflictDeclaration(models.Model):
    """A panel member's declaration, bid by bid, made before they see the bid."""

    panel_member = models.ForeignKey(
        PanelMember, on_delete=models.CASCADE, related_name="declarations"
    )
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="declarations")
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel_member", "bid"], name="declaration_once"),
        ]

    def __str__(self) -> str:
        return f"Declaration by {self.panel_member} on bid {self.bid_id}"


class Score(models.Model):
    panel_member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel_member", "bid", "criterion"], name="score_once"),
        ]

    def __str__(self) -> str:
        return f"Score by panel member {self.panel_member_id} on bid {self.bid_id}"


class PanelSubmission(models.Model):
    """A panel member has finished scoring a bid; their scores are then fixed."""

    panel_member = models.ForeignKey(
        PanelMember, on_delete=models.CASCADE, related_name="submissions"
    )
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="panel_submissions")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel_member", "bid"], name="panel_submission_once"),
        ]

    def __str__(self) -> str:
        return f"Scores of panel member {self.panel_member_id} on bid {self.bid_id}"


class ModeratedScore(models.Model):
    """The score the panel agreed for a criterion of a bid, with the reason."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    moderated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="moderated_score_once"),
        ]

    def __str__(self) -> str:
        return f"Agreed score on criterion {self.criterion_id} of bid {self.bid_id}"


class AwardDecision(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="award_decisions"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="award_decisions")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="award_decisions")
    reason = models.TextField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "bid"], name="award_once_per_lot_bid"),
        ]

    def __str__(self) -> str:
        return f"Award of lot {self.lot_id} to bid {self.bid_id}"


class FeedbackLetter(models.Model):
    """What a bidder is told after the award: their scores per criterion, the winning score and
    the panel's comments, as it was when the letter was written."""

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="feedback")
    content = models.JSONField()
    written_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Feedback on bid {self.bid_id}"
