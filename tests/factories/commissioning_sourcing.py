"""Factories for sourcing: opportunities with a lot and criteria, bids, and panel seats. They set
rows directly, for tests of reads and access; workflow moves go through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from commissioning.models import (
    Bid,
    BidStage,
    BidStatus,
    Criterion,
    CriterionKind,
    EligibilityQuestion,
    Lot,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    PanelMember,
    PanelRole,
    Procedure,
)

from .accounts import CommissioningBodyFactory, OrganisationFactory, UserFactory


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A published, open single-stage contract whose bids are due in a week. Pass
    procedure=Procedure.TWO_STAGE for one with expressions of interest (due in three days)."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"LIN-2027-{n:04d}")
    kind = OpportunityKind.CONTRACT
    procedure = Procedure.OPEN
    body = factory.SubFactory(CommissioningBodyFactory)
    title = factory.Sequence(lambda n: f"Community support service {n}")
    summary = "Support for people who need it, close to home."
    outcomes_sought = "Fewer people reach crisis; more people stay independent."
    contact_name = "Sam Okafor"
    contact_email = "sam.okafor@lindenford-council.example.org"
    status = OpportunityStatus.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    published_at = factory.LazyAttribute(lambda o: o.publish_at)
    clarifications_close_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    eoi_deadline = factory.LazyAttribute(
        lambda o: timezone.now() + timedelta(days=3) if o.procedure == Procedure.TWO_STAGE else None
    )
    bid_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    evaluation_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    award_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=28))
    contract_start_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_lot(self, create, extracted, **kwargs):
        """One lot and a criterion per stage, unless with_lot=False."""
        if create and extracted is not False:
            LotFactory(opportunity=self)
            CriterionFactory(opportunity=self, stage=BidStage.FULL, weight=Decimal("100"))
            if self.procedure == Procedure.TWO_STAGE:
                CriterionFactory(opportunity=self, stage=BidStage.EOI, weight=Decimal("100"))


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    opportunity = factory.SubFactory(OpportunityFactory, with_lot=False)
    number = factory.Sequence(lambda n: n + 1)
    title = "Whole borough"
    annual_budget = Decimal("250000")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    opportunity = factory.SubFactory(OpportunityFactory, with_lot=False)
    stage = BidStage.FULL
    kind = CriterionKind.QUALITY
    title = factory.Sequence(lambda n: f"Criterion {n}")
    question = "How will you reach people who do not usually use services?"
    weight = Decimal("100")
    scale_max = 5
    word_limit = 500


class EligibilityQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityQuestion

    opportunity = factory.SubFactory(OpportunityFactory, with_lot=False)
    text = "Do you hold public liability insurance of at least £5 million?"


class BidFactory(factory.django.DjangoModelFactory):
    """A draft full bid by a new organisation. Set status=BidStatus.SUBMITTED for a submitted one."""

    class Meta:
        model = Bid

    opportunity = factory.SubFactory(OpportunityFactory)
    stage = BidStage.FULL
    organisation = factory.SubFactory(OrganisationFactory)
    status = BidStatus.DRAFT
    created_by = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != BidStatus.DRAFT else None
    )


class PanelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanelMember

    opportunity = factory.SubFactory(OpportunityFactory)
    user = factory.SubFactory(UserFactory)
    role = PanelRole.COMMISSIONER
    added_by = factory.SubFactory(UserFactory)
