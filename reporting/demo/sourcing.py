"""The demo network's sourcing: an open grant round with a provider's draft bid, a two-stage
tender taking expressions of interest, and an awarded contract with its panel's scores, the
moderated result and a feedback letter for every bidder. Idempotent: it adds only what is
missing, keyed by each opportunity's reference."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User, VerificationStatus
from commissioning.models import (
    Bid,
    BidAnswer,
    BidReceipt,
    BidStage,
    BidStatus,
    BudgetLine,
    BudgetLineKind,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    EligibilityQuestion,
    Lot,
    ModeratedScore,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    PanelMember,
    PanelRole,
    PanelSubmission,
    Procedure,
    Score,
)
from commissioning.services.sourcing_bids import bid_content_hash
from commissioning.services.sourcing_evaluation import award_record
from commissioning.timetable import standstill_end
from providers.models import Area, ServiceCategory

# (title, kind, weight, word limit) for a full bid
FULL_CRITERIA = [
    ("How you will reach people who do not use services now", CriterionKind.QUALITY, 40, 750),
    ("Outcomes and how you will evidence them", CriterionKind.QUALITY, 20, 500),
    ("Social value: local people, volunteers and suppliers", CriterionKind.SOCIAL_VALUE, 20, 500),
    ("Price and full cost", CriterionKind.PRICE, 20, 300),
]
EOI_CRITERIA = [
    ("Your experience of similar work", CriterionKind.QUALITY, 60, 300),
    ("Who you would work with", CriterionKind.QUALITY, 40, 200),
]


def _opportunity(
    *, reference: str, body: Organisation, author: User, status: str, opens, closes, **fields
) -> tuple[Opportunity, bool]:
    existing = Opportunity.objects.filter(reference=reference).first()
    if existing is not None:
        return existing, False
    eoi = fields.pop("eoi_deadline", None)
    opportunity = Opportunity.objects.create(
        reference=reference,
        body=body,
        status=status,
        publish_at=opens,
        published_at=opens,
        clarifications_close_at=(eoi or closes) - timedelta(days=5),
        eoi_deadline=eoi,
        bid_deadline=closes,
        evaluation_on=(closes + timedelta(days=10)).date(),
        award_on=(closes + timedelta(days=21)).date(),
        standstill_ends_on=standstill_end((closes + timedelta(days=21)).date()),
        contract_start_on=(closes + timedelta(days=90)).date(),
        contact_name=author.get_full_name() or "Commissioning team",
        contact_email=author.email,
        created_by=author,
        **fields,
    )
    return opportunity, True


def _criteria(opportunity: Opportunity, stage: str, rows) -> None:
    Criterion.objects.bulk_create(
        [
            Criterion(
                opportunity=opportunity,
                stage=stage,
                kind=kind,
                position=n,
                title=title,
                question=f"{title}. Give examples from your work in Lindenford.",
                weight=Decimal(weight),
                scale_max=5,
                scale_guidance={
                    "0": "No answer, or it does not meet the need",
                    "3": "A sound answer with some evidence",
                    "5": "An excellent answer, well evidenced",
                },
                word_limit=limit,
            )
            for n, (title, kind, weight, limit) in enumerate(rows)
        ]
    )


def _place(opportunity: Opportunity, categories: list[str], wards: list[Area]) -> None:
    opportunity.categories.set(ServiceCategory.objects.filter(code__in=categories))
    opportunity.areas.set(wards)


def _submitted_bid(
    opportunity: Opportunity, organisation: Organisation, author: User, *, quality: int
) -> Bid:
    lot = opportunity.lots.get()
    bid = Bid.objects.create(
        opportunity=opportunity,
        organisation=organisation,
        status=BidStatus.SUBMITTED,
        price=Decimal(180000 + quality * 4000),
        submitted_at=opportunity.bid_deadline - timedelta(days=1),
        created_by=author,
    )
    bid.lots.set([lot])
    BidAnswer.objects.bulk_create(
        [
            BidAnswer(bid=bid, criterion=c, text=f"{organisation.name} on {c.title.lower()}.")
            for c in opportunity.criteria.filter(stage=BidStage.FULL)
        ]
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(bid=bid, kind=BudgetLineKind.STAFF, description="Two coordinators",
                       amount=Decimal(120000)),
            BudgetLine(bid=bid, kind=BudgetLineKind.NON_STAFF, description="Venues and travel",
                       amount=Decimal(30000)),
            BudgetLine(bid=bid, kind=BudgetLineKind.OVERHEAD, description="Share of central costs",
                       amount=Decimal(26000), basis="Staff time: 2 of 14 posts"),
        ]
    )  # fmt: skip
    bid.content_hash = bid_content_hash(bid)
    bid.save(update_fields=["content_hash"])
    BidReceipt.objects.create(
        bid=bid,
        submitted_at=bid.submitted_at,
        submitted_by=author,
        content_hash=bid.content_hash,
        emailed_at=bid.submitted_at,
    )
    return bid


def _evaluated(opportunity: Opportunity, bids: list[Bid], *, panel: list[User], lead: User):
    """The panel declares, scores and submits; the commissioner moderates."""
    criteria = list(opportunity.criteria.filter(stage=BidStage.FULL))
    for user in panel:
        seat = PanelMember.objects.create(
            opportunity=opportunity, user=user, role=PanelRole.COMMISSIONER, added_by=lead
        )
        for rank, bid in enumerate(bids):
            ConflictDeclaration.objects.create(panel_member=seat, bid=bid, has_conflict=False)
            Score.objects.bulk_create(
                [
                    Score(
                        panel_member=seat,
                        bid=bid,
                        criterion=c,
                        score=max(1, 5 - rank - (n % 2)),
                        comment="Clear, with local examples." if rank == 0 else "Less evidence.",
                    )
                    for n, c in enumerate(criteria)
                ]
            )
            PanelSubmission.objects.create(panel_member=seat, bid=bid)
    for rank, bid in enumerate(bids):
        ModeratedScore.objects.bulk_create(
            [
                ModeratedScore(
                    bid=bid,
                    criterion=c,
                    score=max(1, 5 - rank - (n % 2)),
                    reason="The panel agreed the members' score." if rank else "Strongest plan.",
                    moderated_by=lead,
                )
                for n, c in enumerate(criteria)
            ]
        )


def seed_sourcing(
    *, bodies: dict[str, Organisation], commissioner: User, panel: User, provider: User,
    borough: Area,
) -> dict[str, int]:  # fmt: skip
    now = timezone.now()
    wards = list(Area.objects.filter(parent=borough).order_by("name"))
    provider_org = Organisation.objects.get(
        memberships__user=provider, kind=OrganisationKind.THIRD_SECTOR
    )
    others = list(
        Organisation.objects.filter(
            kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.VERIFIED
        )
        .exclude(pk=provider_org.pk)
        .order_by("name")[:2]
    )
    made = 0

    befriending, created = _opportunity(
        reference="LC-ASC-2027-0001", body=bodies["adult_social_care"], author=commissioner,
        status=OpportunityStatus.PUBLISHED, opens=now - timedelta(days=14),
        closes=now + timedelta(days=21), kind=OpportunityKind.GRANT,
        procedure=Procedure.GRANT_ROUND, title="Community befriending grants 2027 to 2030",
        summary="Three-year grants for local groups that visit, phone and befriend older people.",
        outcomes_sought="Fewer older people feel lonely often or always.",
    )  # fmt: skip
    if created:
        made += 1
        _place(befriending, ["befriending"], wards)
        Lot.objects.create(opportunity=befriending, number=1, title="Whole borough",
                           annual_budget=Decimal(240000))  # fmt: skip
        _criteria(befriending, BidStage.FULL, FULL_CRITERIA)
        EligibilityQuestion.objects.create(
            opportunity=befriending,
            text="Does your organisation have a safeguarding policy reviewed in the last year?",
        )
        draft = Bid.objects.create(
            opportunity=befriending, organisation=provider_org, created_by=provider
        )
        draft.lots.set(befriending.lots.all())

    debt, created = _opportunity(
        reference="LC-PH-2027-0001", body=bodies["public_health"], author=commissioner,
        status=OpportunityStatus.PUBLISHED, opens=now - timedelta(days=7),
        eoi_deadline=now + timedelta(days=10), closes=now + timedelta(days=45),
        kind=OpportunityKind.CONTRACT, procedure=Procedure.TWO_STAGE,
        title="Money and debt advice hub", consortium_bids=True,
        summary="An advice hub with outreach in the eastern wards. Consortium bids are welcome.",
        outcomes_sought="Households manage money and debt; fewer reach crisis.",
    )  # fmt: skip
    if created:
        made += 1
        _place(debt, ["debt-advice", "welfare-benefits"], wards[3:9])
        Lot.objects.create(opportunity=debt, number=1, title="Advice hub",
                           annual_budget=Decimal(310000))  # fmt: skip
        _criteria(debt, BidStage.EOI, EOI_CRITERIA)
        _criteria(debt, BidStage.FULL, FULL_CRITERIA)

    mentoring, created = _opportunity(
        reference="LC-ASC-2026-0007", body=bodies["adult_social_care"], author=commissioner,
        status=OpportunityStatus.EVALUATING, opens=now - timedelta(days=90),
        closes=now - timedelta(days=40), kind=OpportunityKind.CONTRACT,
        procedure=Procedure.OPEN, title="Carers' support and breaks service",
        summary="Information, peer support and short breaks for unpaid carers.",
        outcomes_sought="Carers are supported and able to look after their own health.",
    )  # fmt: skip
    if created:
        made += 1
        _place(mentoring, ["carers-support"], wards)
        Lot.objects.create(opportunity=mentoring, number=1, title="Whole borough",
                           annual_budget=Decimal(200000))  # fmt: skip
        _criteria(mentoring, BidStage.FULL, FULL_CRITERIA)
        bids = [
            _submitted_bid(mentoring, organisation, provider, quality=rank)
            for rank, organisation in enumerate([provider_org, *others])
        ]
        _evaluated(mentoring, bids, panel=[panel], lead=commissioner)
        lot = mentoring.lots.get()
        award_record(
            actor=commissioner,
            opportunity=mentoring,
            winners={lot.pk: [bids[0].pk]},
            reasons={
                lot.pk: "Highest moderated score, with the clearest plan for reaching carers."
            },
        )
    return {"opportunities": made}
