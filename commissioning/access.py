"""Who may see and change what in commissioning. Views fetch through these helpers only.

Commissioners are the members of a verified commissioning body. They act for their own bodies and
read one another's planning, because the point of the network is to plan together. Network admins
see everything here. Providers and the public see what is published: public needs assessments,
the forward plan, and (signed in) their own subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import is_network_admin
from accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from providers.access import is_network_member
from providers.models import ConsortiumMember

from .models import (
    Agreement,
    AgreementMember,
    AgreementStatus,
    Bid,
    BidStage,
    BidStatus,
    BusinessCase,
    CommissioningIntention,
    ConflictDeclaration,
    ContractThreshold,
    ImprovementPlan,
    Indicator,
    IndicatorImport,
    IntentionStatus,
    JointExercise,
    MonitoringReturn,
    NeedsAssessment,
    NeedsAssessmentDocument,
    Opportunity,
    OpportunityStatus,
    OverlapPair,
    PanelMember,
    ReturnEvidence,
    Visibility,
    Visit,
)

# Who is who


def _verified_organisations_of(user, kind: str) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=kind, verification_status=VerificationStatus.VERIFIED, memberships__user=user
    ).order_by("name")


def bodies_of(user) -> QuerySet[Organisation]:
    """The verified commissioning bodies the person is a member of."""
    return _verified_organisations_of(user, OrganisationKind.COMMISSIONING_BODY)


def third_sector_organisations_of(user) -> QuerySet[Organisation]:
    """The verified third sector organisations the person is a member of: those they may bid
    for, and ask clarification questions for."""
    return _verified_organisations_of(user, OrganisationKind.THIRD_SECTOR)


def default_body_id(bodies: Iterable[Organisation], current: Organisation | None) -> int | None:
    """The body a new record starts as being for: the one the person is acting for, if it is
    one of theirs, or else their first."""
    ids = [body.pk for body in bodies]
    if current is not None and current.pk in ids:
        return current.pk
    return ids[0] if ids else None


def is_commissioner(user) -> bool:
    return bodies_of(user).exists()


def can_plan(user) -> bool:
    """May read the network's planning records: commissioners and network admins."""
    return is_network_admin(user) or is_commissioner(user)


def acts_for(user, body: Organisation) -> bool:
    """A member of this commissioning body, so may write its records."""
    return bodies_of(user).filter(pk=body.pk).exists()


def is_body_admin(user, body: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(
            user=user,
            organisation=body,
            organisation__kind=OrganisationKind.COMMISSIONING_BODY,
            role=MembershipRole.ADMIN,
        ).exists()
    )


def planner_required(view):
    """Anonymous people are sent to sign in; signed-in people who are neither commissioners nor
    network admins get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_plan(request.user):
            raise PermissionDenied("This page is for commissioners and network admins.")
        return view(request, *args, **kwargs)

    return wrapped


def commissioner_required(view):
    """For pages that write a body's records: members of a commissioning body only."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_commissioner(request.user):
            raise PermissionDenied("This page is for commissioners.")
        return view(request, *args, **kwargs)

    return wrapped


def check_acts_for(user, body: Organisation) -> None:
    if not acts_for(user, body):
        raise PermissionDenied(f"Only members of {body} can change this.")


# Needs assessments


def assessments_visible_to(user) -> QuerySet[NeedsAssessment]:
    """Public assessments for everyone; the rest for network members."""
    assessments = NeedsAssessment.objects.all()
    if is_network_member(user):
        return assessments
    return assessments.filter(visibility=Visibility.PUBLIC)


def get_assessment_for_user(user, pk: int) -> NeedsAssessment:
    return get_object_or_404(assessments_visible_to(user).select_related("body"), pk=pk)


def get_assessment_to_edit(user, pk: int) -> NeedsAssessment:
    assessment = get_assessment_for_user(user, pk)
    check_acts_for(user, assessment.body)
    return assessment


def get_assessment_document_for_user(user, pk: int) -> NeedsAssessmentDocument:
    """A document of an assessment the person may see; hidden with its assessment otherwise."""
    return get_object_or_404(
        NeedsAssessmentDocument.objects.filter(
            assessment__in=assessments_visible_to(user)
        ).select_related("assessment__body"),
        pk=pk,
    )


def get_assessment_document_to_edit(user, pk: int) -> NeedsAssessmentDocument:
    document = get_assessment_document_for_user(user, pk)
    check_acts_for(user, document.assessment.body)
    return document


# Business cases: planning records, for commissioners and network admins


def business_cases_visible_to(user) -> QuerySet[BusinessCase]:
    if can_plan(user):
        return BusinessCase.objects.all()
    return BusinessCase.objects.none()


def get_business_case_for_user(user, pk: int) -> BusinessCase:
    return get_object_or_404(business_cases_visible_to(user).select_related("body"), pk=pk)


def get_business_case_to_edit(user, pk: int) -> BusinessCase:
    case = get_business_case_for_user(user, pk)
    check_acts_for(user, case.body)
    return case


def get_threshold_to_edit(user, pk: int) -> ContractThreshold:
    """The contract thresholds are the network's reference data: network admins change them."""
    if not is_network_admin(user):
        raise PermissionDenied("Only network admins change the contract thresholds.")
    return get_object_or_404(ContractThreshold, pk=pk)


# Commissioning intentions: published ones are public; drafts are for planners


def intentions_visible_to(user) -> QuerySet[CommissioningIntention]:
    if can_plan(user):
        return CommissioningIntention.objects.all()
    return CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED)


def get_intention_for_user(user, pk: int) -> CommissioningIntention:
    return get_object_or_404(intentions_visible_to(user).select_related("body"), pk=pk)


def get_intention_to_edit(user, pk: int) -> CommissioningIntention:
    intention = get_intention_for_user(user, pk)
    check_acts_for(user, intention.body)
    return intention


# Subscriptions to the forward plan: for people of third sector organisations


def can_subscribe(user) -> bool:
    """A member of a third sector organisation that has not been turned down. Alerts go only once
    one of their organisations is verified (selectors.planning.provider_users)."""
    return bool(
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation__kind=OrganisationKind.THIRD_SECTOR)
        .exclude(organisation__verification_status=VerificationStatus.REJECTED)
        .exists()
    )


def subscriber_required(view):
    """Anonymous people are sent to sign in; people outside the third sector get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_subscribe(request.user):
            raise PermissionDenied("Alerts are for the people of third sector organisations.")
        return view(request, *args, **kwargs)

    return wrapped


# Joint commissioning exercises: for planners; the lead and the partners change them


def joint_exercises_visible_to(user) -> QuerySet[JointExercise]:
    if can_plan(user):
        return JointExercise.objects.all()
    return JointExercise.objects.none()


def get_joint_exercise_for_user(user, pk: int) -> JointExercise:
    return get_object_or_404(joint_exercises_visible_to(user).select_related("lead"), pk=pk)


def is_exercise_party(user, exercise: JointExercise) -> bool:
    bodies = bodies_of(user)
    return (
        bodies.filter(pk=exercise.lead_id).exists()
        or exercise.partners.filter(body__in=bodies).exists()
    )


def get_joint_exercise_to_edit(user, pk: int) -> JointExercise:
    exercise = get_joint_exercise_for_user(user, pk)
    if not is_exercise_party(user, exercise):
        raise PermissionDenied("Only the lead and partner bodies can change this exercise.")
    return exercise


# Chances to commission together: for planners; members of either body act on a pair


def overlap_pairs_visible_to(user) -> QuerySet[OverlapPair]:
    if can_plan(user):
        return OverlapPair.objects.all()
    return OverlapPair.objects.none()


def get_overlap_pair_for_user(user, pk: int) -> OverlapPair:
    return get_object_or_404(
        overlap_pairs_visible_to(user).select_related(
            "first_body", "second_body", "dismissed_by", "exercise"
        ),
        pk=pk,
    )


def is_overlap_party(user, pair: OverlapPair) -> bool:
    return bodies_of(user).filter(pk__in=[pair.first_body_id, pair.second_body_id]).exists()


def get_overlap_pair_to_act_on(user, pk: int) -> OverlapPair:
    pair = get_overlap_pair_for_user(user, pk)
    if not is_overlap_party(user, pair):
        raise PermissionDenied("Only members of the two bodies can act on this overlap.")
    return pair


# Indicators: the network's shared evidence, read by every planner (views check the person with
# planner_required first, so this adds no query of its own)


def get_indicator_for_user(user, pk: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("outcome__priority"), pk=pk)


# Indicator imports: a commissioner sees the imports they uploaded; network admins see them all


def indicator_imports_visible_to(user) -> QuerySet[IndicatorImport]:
    if is_network_admin(user):
        return IndicatorImport.objects.all()
    if is_commissioner(user):
        return IndicatorImport.objects.filter(uploaded_by=user)
    return IndicatorImport.objects.none()


def get_indicator_import_for_user(user, pk: int) -> IndicatorImport:
    return get_object_or_404(
        indicator_imports_visible_to(user).select_related("uploaded_by"), pk=pk
    )


# Sourcing: opportunities and sealed bids


def opportunities_visible_to(user) -> QuerySet[Opportunity]:
    """Anyone sees a published opportunity, from its publication to its award or cancellation.
    A draft is seen by the members of its owning and partner bodies, and by network admins."""
    opportunities = Opportunity.objects.all()
    if is_network_admin(user):
        return opportunities
    public = ~Q(status=OpportunityStatus.DRAFT)
    if not user.is_authenticated:
        return opportunities.filter(public)
    bodies = bodies_of(user).values("pk")
    return opportunities.filter(
        public
        | Q(body__in=bodies)
        | Q(
            Exists(
                Opportunity.partners.through.objects.filter(
                    opportunity_id=OuterRef("pk"), organisation__in=bodies
                )
            )
        )
    )


def get_opportunity_for_user(user, pk: int) -> Opportunity:
    return get_object_or_404(opportunities_visible_to(user).select_related("body"), pk=pk)


def runs_opportunity(user, opportunity: Opportunity) -> bool:
    """A member of the owning body or of a partner body: one of the opportunity's commissioners."""
    bodies = bodies_of(user)
    return (
        bodies.filter(pk=opportunity.body_id).exists()
        or opportunity.partners.filter(pk__in=bodies.values("pk")).exists()
    )


def get_opportunity_to_run(user, pk: int) -> Opportunity:
    opportunity = get_opportunity_for_user(user, pk)
    if not runs_opportunity(user, opportunity):
        raise PermissionDenied("Only the opportunity's commissioners can do this.")
    return opportunity


def stage_deadline(opportunity: Opportunity, stage: str):
    """The deadline that seals a stage's bids: expressions of interest, or full bids."""
    return opportunity.eoi_deadline if stage == BidStage.EOI else opportunity.bid_deadline


def is_sealed(bid: Bid, *, now=None) -> bool:
    """A bid is sealed until its stage's deadline has passed."""
    deadline = stage_deadline(bid.opportunity, bid.stage)
    return deadline is None or (now or timezone.now()) < deadline


# A bid's content, once unsealed, is read only in these statuses: what was submitted.
OPENED_BID_STATUSES = (
    BidStatus.SUBMITTED,
    BidStatus.SHORTLISTED,
    BidStatus.NOT_SHORTLISTED,
    BidStatus.SUCCESSFUL,
    BidStatus.UNSUCCESSFUL,
)


def _bidding_side(user) -> Q:
    """Bids of an organisation the person belongs to, or of a consortium their organisation is a
    member of: the bidding side, who may always read their own bid. The few ids are read first,
    so that the bids are found through their indexes rather than by testing every bid."""
    organisations = list(
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    )
    consortia = list(
        ConsortiumMember.objects.filter(organisation_id__in=organisations)
        .values_list("consortium_id", flat=True)
        .distinct()
    )
    return Q(organisation_id__in=organisations) | Q(consortium_id__in=consortia)


def _unsealed(now) -> Q:
    return Q(stage=BidStage.EOI, opportunity__eoi_deadline__lte=now) | Q(
        stage=BidStage.FULL, opportunity__bid_deadline__lte=now
    )


def _evaluators(user) -> Q:
    """Bids the person evaluates: as a panel member who has declared no conflict on the bid, or
    as one of the opportunity's commissioners who is not on its panel. A panel member declares
    before seeing anything of a bid (and never sees it after declaring a conflict), whatever
    else they are."""
    bodies = bodies_of(user).values("pk")
    cleared = Exists(
        ConflictDeclaration.objects.filter(
            bid=OuterRef("pk"), panel_member__user=user, has_conflict=False
        )
    )
    on_panel = Exists(PanelMember.objects.filter(opportunity=OuterRef("opportunity"), user=user))
    partner = Exists(
        Opportunity.partners.through.objects.filter(
            opportunity_id=OuterRef("opportunity_id"), organisation__in=bodies
        )
    )
    commissioner = Q(opportunity__body__in=bodies) | Q(partner)
    return Q(cleared) | (commissioner & ~Q(on_panel))


def bids_visible_to(user, *, now=None) -> QuerySet[Bid]:
    """The bids whose content the person may read. Their own side's bids, always; and, once a
    stage's deadline has passed, its submitted bids for the opportunity's panel members and
    commissioners. Nobody else, network admins included: a bid is sealed until its deadline."""
    if not user.is_authenticated:
        return Bid.objects.none()
    now = now or timezone.now()
    opened = _unsealed(now) & Q(status__in=OPENED_BID_STATUSES) & _evaluators(user)
    return Bid.objects.filter(_bidding_side(user) | opened)


def get_bid_for_user(user, pk: int) -> Bid:
    return get_object_or_404(
        bids_visible_to(user).select_related("opportunity", "organisation", "consortium"), pk=pk
    )


def is_bidding_side(user, bid: Bid) -> bool:
    return Bid.objects.filter(_bidding_side(user), pk=bid.pk).exists()


def get_bid_to_edit(user, pk: int) -> Bid:
    """A bid its own side may change: members of the bidding organisation (the consortium lead)."""
    bid = get_bid_for_user(user, pk)
    if not Membership.objects.filter(user=user, organisation_id=bid.organisation_id).exists():
        raise PermissionDenied("Only the bidding organisation's members can change this bid.")
    return bid


# Sourcing: evaluation


def panel_seat(user, opportunity: Opportunity) -> PanelMember | None:
    """The person's seat on the opportunity's panel, if they have one."""
    if not user.is_authenticated:
        return None
    return PanelMember.objects.filter(opportunity=opportunity, user=user).first()


def get_bid_to_declare(user, pk: int) -> tuple[Bid, PanelMember]:
    """An opened bid of an opportunity whose panel the person sits on. Only the bidder's name is
    shown before the declaration, never the bid's content."""
    opened = Bid.objects.filter(_unsealed(timezone.now()), status__in=OPENED_BID_STATUSES)
    bid = opened.select_related("opportunity", "organisation").filter(pk=pk).first()
    seat = panel_seat(user, bid.opportunity) if bid is not None else None
    if seat is None:
        if bids_visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied("Only the opportunity's panel members declare on its bids.")
        raise Http404("No such bid.")
    return bid, seat


def get_bid_for_panel(user, pk: int) -> tuple[Bid, PanelMember]:
    """A bid's content for a panel member: it must be open to them (bids_visible_to), and they
    must have declared no conflict on it. A member who declared a conflict never reads it."""
    bid, seat = get_bid_to_declare(user, pk)
    declared = seat.declarations.filter(bid=bid).values_list("has_conflict", flat=True).first()
    if declared is None:
        raise PermissionDenied("Declare any conflict of interest before you read this bid.")
    if declared:
        raise PermissionDenied("You declared a conflict of interest, so you cannot see this bid.")
    return bid, seat


# Sourcing: clarifications and changes


def get_clarification_to_answer(user, pk: int):
    """A question on an opportunity the person runs; hidden with its opportunity otherwise."""
    from .models import Clarification

    clarification = get_object_or_404(
        Clarification.objects.filter(opportunity__in=opportunities_visible_to(user)).select_related(
            "opportunity__body"
        ),
        pk=pk,
    )
    if not runs_opportunity(user, clarification.opportunity):
        raise PermissionDenied("Only the opportunity's commissioners answer its questions.")
    return clarification


# Sourcing, bids part: the bidding side's own list and documents


def bids_of_bidding_side(user) -> QuerySet[Bid]:
    """The bids of the person's organisations and of the consortia they are in: their list."""
    if not user.is_authenticated:
        return Bid.objects.none()
    return Bid.objects.filter(_bidding_side(user))


def get_bid_document_for_user(user, pk: int):
    """A supporting document, fetched through the sealing rule of its bid."""
    from .models import BidDocument

    return get_object_or_404(
        BidDocument.objects.filter(bid__in=bids_visible_to(user).values("pk")), pk=pk
    )


def declared_conflict(user, bid: Bid) -> bool:
    """Whether the person declared a conflict on this bid as a panel member: they then take no
    part in it, whatever else they are."""
    return bid.declarations.filter(panel_member__user=user, has_conflict=True).exists()


# Agreements and monitoring. The register is the network's: commissioners and network admins
# read every agreement, its returns, visits and plans (seeds/000 9.3.1(c)). A provider reads the
# agreements it is a party to, as lead or as a consortium member or subcontractor, and so sees
# exactly what the network holds about it (9.3.2(e)). The lead body manages an agreement;
# co-funding bodies read its service users' comments with it.


def _organisations_of(user) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def _provider_side(organisation_ids: list[int]) -> Q:
    return Q(provider_id__in=organisation_ids) | Q(
        Exists(
            AgreementMember.objects.filter(
                agreement_id=OuterRef("pk"), organisation_id__in=organisation_ids
            )
        )
    )


def agreements_visible_to(user) -> QuerySet[Agreement]:
    if not user.is_authenticated:
        return Agreement.objects.none()
    if can_plan(user):
        return Agreement.objects.all()
    return Agreement.objects.filter(_provider_side(_organisations_of(user)))


def get_agreement_for_user(user, pk: int) -> Agreement:
    return get_object_or_404(
        agreements_visible_to(user).select_related("body", "provider", "consortium"), pk=pk
    )


def manages_agreement(user, agreement: Agreement) -> bool:
    """A member of the lead body: writes the agreement, reviews its returns and records visits."""
    return acts_for(user, agreement.body)


def funds_agreement(user, agreement: Agreement) -> bool:
    """A member of the lead body or of a co-funding body."""
    bodies = bodies_of(user)
    return (
        bodies.filter(pk=agreement.body_id).exists()
        or agreement.funders.filter(body__in=bodies.values("pk")).exists()
    )


def is_agreement_provider(user, agreement: Agreement) -> bool:
    """A member of the lead provider: submits the returns and reads the feedback summary."""
    return Membership.objects.filter(user=user, organisation_id=agreement.provider_id).exists()


def is_provider_side(user, agreement: Agreement) -> bool:
    """A member of the lead provider, or of a consortium member or subcontractor."""
    return (
        user.is_authenticated
        and Agreement.objects.filter(
            _provider_side(_organisations_of(user)), pk=agreement.pk
        ).exists()
    )


def get_agreement_to_manage(user, pk: int) -> Agreement:
    agreement = get_agreement_for_user(user, pk)
    if not manages_agreement(user, agreement):
        raise PermissionDenied(f"Only members of {agreement.body} can change this agreement.")
    return agreement


def can_read_feedback_comments(user, agreement: Agreement) -> bool:
    """Service users' comments are read by the funding bodies' commissioners only. Everyone else
    who sees the agreement, the provider included, sees counts, ratings and themes
    (seeds/000 11.2.3(e))."""
    return user.is_authenticated and funds_agreement(user, agreement)


def get_agreement_for_feedback(token: str) -> Agreement:
    """The public feedback form of a live agreement, found by its unguessable token."""
    return get_object_or_404(
        Agreement.objects.filter(
            status__in=(AgreementStatus.ACTIVE, AgreementStatus.ENDING)
        ).select_related("provider"),
        feedback_token=token,
    )


def returns_visible_to(user) -> QuerySet[MonitoringReturn]:
    if not user.is_authenticated:
        return MonitoringReturn.objects.none()
    if can_plan(user):
        return MonitoringReturn.objects.all()
    return MonitoringReturn.objects.filter(
        agreement__in=Agreement.objects.filter(_provider_side(_organisations_of(user))).values("pk")
    )


def get_return_for_user(user, pk: int) -> MonitoringReturn:
    return get_object_or_404(
        returns_visible_to(user).select_related(
            "agreement__body", "agreement__provider", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )


def get_return_to_submit(user, pk: int) -> MonitoringReturn:
    monitoring_return = get_return_for_user(user, pk)
    if not is_agreement_provider(user, monitoring_return.agreement):
        raise PermissionDenied("Only the lead provider's members submit its returns.")
    return monitoring_return


def get_return_to_review(user, pk: int) -> MonitoringReturn:
    monitoring_return = get_return_for_user(user, pk)
    if not manages_agreement(user, monitoring_return.agreement):
        raise PermissionDenied("Only the lead body's commissioners review this return.")
    return monitoring_return


def get_return_evidence_for_user(user, pk: int) -> ReturnEvidence:
    return get_object_or_404(
        ReturnEvidence.objects.filter(
            monitoring_return__in=returns_visible_to(user).values("pk")
        ).select_related("monitoring_return__agreement"),
        pk=pk,
    )


def get_visit_to_edit(user, pk: int) -> Visit:
    visit = get_object_or_404(
        Visit.objects.filter(agreement__in=agreements_visible_to(user).values("pk")).select_related(
            "agreement__body"
        ),
        pk=pk,
    )
    if not manages_agreement(user, visit.agreement):
        raise PermissionDenied("Only the lead body's commissioners record visits.")
    return visit


def get_improvement_plan_for_user(user, pk: int) -> ImprovementPlan:
    return get_object_or_404(
        ImprovementPlan.objects.filter(
            agreement__in=agreements_visible_to(user).values("pk")
        ).select_related("agreement__body", "agreement__provider", "opened_by_return"),
        pk=pk,
    )


def get_improvement_plan_to_manage(user, pk: int) -> ImprovementPlan:
    plan = get_improvement_plan_for_user(user, pk)
    if not manages_agreement(user, plan.agreement):
        raise PermissionDenied("Only the lead body's commissioners change this plan.")
    return plan


def get_instalment_to_manage(user, pk: int):
    """An instalment of an agreement the person may see (404 otherwise), which they may mark
    paid only as a member of the lead body (403 otherwise)."""
    from .models import Instalment

    instalment = get_object_or_404(
        Instalment.objects.filter(
            agreement__in=agreements_visible_to(user).values("pk")
        ).select_related("agreement__body"),
        pk=pk,
    )
    if not manages_agreement(user, instalment.agreement):
        raise PermissionDenied(f"Only members of {instalment.agreement.body} record its payments.")
    return instalment


def get_award_to_contract(user, pk: int):
    """An award decision of an opportunity the person may see (404 otherwise), from which only
    the opportunity's commissioners make an agreement (403 otherwise)."""
    from .models import AwardDecision

    award = get_object_or_404(
        AwardDecision.objects.filter(
            opportunity__in=opportunities_visible_to(user).values("pk")
        ).select_related(
            "opportunity__body", "lot", "bid__organisation", "bid__consortium", "decided_by"
        ),
        pk=pk,
    )
    if not runs_opportunity(user, award.opportunity):
        raise PermissionDenied("Only the opportunity's commissioners make its agreements.")
    return award


def get_provider_for_user(user, pk: int) -> Organisation:
    """A provider whose agreements across the network the person may read: any provider for
    commissioners and network admins; a provider's own for its members, who so see exactly what
    the network holds about it; 404 otherwise."""
    organisation = get_object_or_404(
        Organisation.objects.exclude(kind=OrganisationKind.COMMISSIONING_BODY), pk=pk
    )
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        return organisation
    if can_plan(user):
        return organisation
    raise Http404("No such provider.")


def provider_organisations_of(user) -> list[Organisation]:
    """The third sector organisations the person belongs to, verified or not: whose agreements
    they read as theirs."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.THIRD_SECTOR, memberships__user=user
        ).order_by("name")
    )
