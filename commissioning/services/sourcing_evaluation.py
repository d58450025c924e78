"""Writes for evaluation: the panel, conflict declarations, each member's scores, moderation,
shortlisting, the award and the feedback letter every bidder gets."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated_email
from accounts.models import Membership, OrganisationKind, User, VerificationStatus
from accounts.services import audit_event_record
from accounts.workflow import check_transition, delay_on_commit

from .. import access
from ..models import (
    BID_TRANSITIONS,
    AwardDecision,
    Bid,
    BidStage,
    BidStatus,
    ConflictDeclaration,
    Criterion,
    FeedbackLetter,
    Lot,
    ModeratedScore,
    Opportunity,
    OpportunityStatus,
    PanelMember,
    PanelRole,
    PanelSubmission,
    Score,
)
from ..scoring import Weighting, ranking, weighted_total
from ..timetable import STANDSTILL_WORKING_DAYS, working_days_after
from .sourcing_opportunities import opportunity_move

CLOSED_TO_PANEL = (OpportunityStatus.AWARDED, OpportunityStatus.CANCELLED)


# Moving bids (the opportunities part moves the opportunity: opportunity_move)


def _bid_move(*, actor: User, bid: Bid, to_status: str, note: str = "") -> None:
    from_status = bid.status
    check_transition(BID_TRANSITIONS, from_status, to_status, label="bid")
    bid.status = to_status
    bid.save(update_fields=["status", "updated_at"])
    audit_event_record(
        actor=actor,
        action="bid.status_changed",
        obj=bid,
        organisation=bid.opportunity.body,
        from_state=from_status,
        to_state=to_status,
        note=note,
    )


def _lock_opportunity(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().select_related("body").get(pk=opportunity.pk)


def _check_runs(actor: User, opportunity: Opportunity) -> None:
    if not access.runs_opportunity(actor, opportunity):
        raise PermissionDenied("Only the opportunity's commissioners can do this.")


# The panel


def _is_third_sector_person(user: User) -> bool:
    return Membership.objects.filter(
        user=user,
        organisation__kind=OrganisationKind.THIRD_SECTOR,
        organisation__verification_status=VerificationStatus.VERIFIED,
    ).exists()


@transaction.atomic
def panel_member_add(
    *, actor: User, opportunity: Opportunity, user: User, role: str
) -> PanelMember:
    """Seat a commissioner, or invite a third sector representative for this opportunity only.
    Nobody from a bidding organisation sits on its panel."""
    opportunity = _lock_opportunity(opportunity)
    _check_runs(actor, opportunity)
    if opportunity.status in CLOSED_TO_PANEL:
        raise ValidationError(
            f"The panel cannot change: the opportunity is {opportunity.get_status_display()}."
        )
    if role == PanelRole.COMMISSIONER:
        if not access.is_commissioner(user):
            raise ValidationError(
                {"email": [f"{user} is not a member of a verified commissioning body."]}
            )
    elif role == PanelRole.THIRD_SECTOR:
        if not _is_third_sector_person(user):
            raise ValidationError(
                {"email": [f"{user} is not a member of a verified third sector organisation."]}
            )
    else:
        raise ValidationError({"role": ["Choose commissioner or third sector representative."]})
    if Bid.objects.filter(access._bidding_side(user), opportunity=opportunity).exists():
        raise ValidationError(
            {"email": [f"{user}'s organisation has bid for this opportunity, so cannot score it."]}
        )
    if PanelMember.objects.filter(opportunity=opportunity, user=user).exists():
        raise ValidationError({"email": [f"{user} is already on the panel."]})
    member = PanelMember.objects.create(
        opportunity=opportunity, user=user, role=role, added_by=actor
    )
    audit_event_record(
        actor=actor,
        action="panel_member.added",
        obj=member,
        organisation=opportunity.body,
        note=f"{user} as {member.get_role_display().lower()}",
    )
    from ..tasks.sourcing_evaluation import panel_invited_notify

    delay_on_commit(panel_invited_notify, member.pk)
    return member


@transaction.atomic
def panel_member_remove(*, actor: User, member: PanelMember) -> None:
    """Take someone off the panel, only before they have scored anything."""
    member = (
        PanelMember.objects.select_for_update()
        .select_related("opportunity__body")
        .get(pk=member.pk)
    )
    _check_runs(actor, member.opportunity)
    if member.scores.exists() or member.submissions.exists():
        raise ValidationError(f"{member.user} has started scoring, so stays on the panel.")
    audit_event_record(
        actor=actor,
        action="panel_member.removed",
        obj=member.opportunity,
        organisation=member.opportunity.body,
        note=f"{member.user} removed from the panel",
    )
    member.delete()


def panel_invited_send(*, member_id: int) -> int:
    member = (
        PanelMember.objects.select_related("user", "opportunity__body").filter(pk=member_id).first()
    )
    if member is None:
        return 0
    return send_templated_email(
        name="panel_invited",
        to=[member.user.email],
        context={
            "member": member,
            "opportunity": member.opportunity,
            "panel_url": reverse("commissioning:panel_bids", args=[member.opportunity_id]),
        },
    )


# Declarations


@transaction.atomic
def conflict_declare(
    *, actor: User, bid: Bid, has_conflict: bool, details: str = ""
) -> ConflictDeclaration:
    """A panel member's declaration on one bid, once, before they see it. A conflict removes
    them from scoring it."""
    bid, seat = access.get_bid_to_declare(actor, bid.pk)
    seat = PanelMember.objects.select_for_update().get(pk=seat.pk)
    details = (details or "").strip()
    if has_conflict and not details:
        raise ValidationError({"details": ["Say what the conflict of interest is."]})
    if ConflictDeclaration.objects.filter(panel_member=seat, bid=bid).exists():
        raise ValidationError("You have already declared on this bid; a declaration is final.")
    declaration = ConflictDeclaration.objects.create(
        panel_member=seat, bid=bid, has_conflict=has_conflict, details=details
    )
    audit_event_record(
        actor=actor,
        action="bid.conflict_declared" if has_conflict else "bid.no_conflict_declared",
        obj=bid,
        organisation=bid.opportunity.body,
        note=details,
    )
    return declaration


# Scores


def stage_criteria(opportunity: Opportunity, stage: str) -> list[Criterion]:
    return list(Criterion.objects.filter(opportunity=opportunity, stage=stage))


def _check_scale(criterion: Criterion, score, field: str) -> dict[str, list[str]]:
    if score is None:
        return {}
    if not (0 <= score <= criterion.scale_max):
        return {
            field: [
                f"“{criterion.title}” is scored from 0 to {criterion.scale_max}; "
                f"{score} is outside the scale."
            ]
        }
    return {}


@transaction.atomic
def scores_save(
    *, actor: User, bid: Bid, scores: dict[int, tuple[int | None, str]], submit: bool = False
) -> list[Score]:
    """Save a panel member's own scores on a bid, criterion by criterion; with submit, fix them.
    Each member's scores are their own rows, so two members saving at once never lose either."""
    bid, seat = access.get_bid_for_panel(actor, bid.pk)
    seat = PanelMember.objects.select_for_update().get(pk=seat.pk)
    if PanelSubmission.objects.filter(panel_member=seat, bid=bid).exists():
        raise ValidationError("You have submitted your scores for this bid, so they are fixed.")
    criteria = stage_criteria(bid.opportunity, bid.stage)
    errors: dict[str, list[str]] = {}
    for criterion in criteria:
        score, _comment = scores.get(criterion.pk, (None, ""))
        errors.update(_check_scale(criterion, score, f"score_{criterion.pk}"))
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion in criteria:
        score, comment = scores.get(criterion.pk, (None, ""))
        if score is None:
            continue
        row, _ = Score.objects.update_or_create(
            panel_member=seat,
            bid=bid,
            criterion=criterion,
            defaults={"score": score, "comment": (comment or "").strip()},
        )
        saved.append(row)
    if submit:
        scored = set(
            Score.objects.filter(panel_member=seat, bid=bid).values_list("criterion_id", flat=True)
        )
        missing = [c for c in criteria if c.pk not in scored]
        if missing:
            raise ValidationError(
                {f"score_{c.pk}": [f"Score “{c.title}” before you submit."] for c in missing}
            )
        PanelSubmission.objects.create(panel_member=seat, bid=bid)
    audit_event_record(
        actor=actor,
        action="bid.scores_submitted" if submit else "bid.scored",
        obj=bid,
        organisation=bid.opportunity.body,
        note=", ".join(f"criterion {row.criterion_id}: {row.score}" for row in saved),
    )
    return saved


def panel_complete_for(bid: Bid) -> bool:
    """Every member not conflicted on the bid has submitted, and at least one has."""
    members = set(
        PanelMember.objects.filter(opportunity_id=bid.opportunity_id).values_list("pk", flat=True)
    )
    conflicted = set(
        ConflictDeclaration.objects.filter(bid=bid, has_conflict=True).values_list(
            "panel_member_id", flat=True
        )
    )
    submitted = set(
        PanelSubmission.objects.filter(bid=bid).values_list("panel_member_id", flat=True)
    )
    expected = members - conflicted
    return bool(submitted) and expected <= submitted


# Moderation


@transaction.atomic
def moderated_scores_save(
    *, actor: User, bid: Bid, agreed: dict[int, tuple[int | None, str]]
) -> list[ModeratedScore]:
    """Record the panel's agreed score and reason per criterion, once every member has
    submitted their scores on the bid."""
    bid = Bid.objects.select_for_update().select_related("opportunity__body").get(pk=bid.pk)
    _check_runs(actor, bid.opportunity)
    if access.declared_conflict(actor, bid):
        raise PermissionDenied("You declared a conflict of interest, so you cannot moderate it.")
    if bid.opportunity.status in CLOSED_TO_PANEL:
        raise ValidationError(
            f"The opportunity is {bid.opportunity.get_status_display().lower()}: the agreed "
            "scores are final."
        )
    if bid.status not in access.OPENED_BID_STATUSES or access.is_sealed(bid):
        raise ValidationError("This bid is not open for evaluation.")
    if not panel_complete_for(bid):
        raise ValidationError(
            "Not every panel member has submitted scores for this bid yet, so it cannot be "
            "moderated."
        )
    criteria = stage_criteria(bid.opportunity, bid.stage)
    errors: dict[str, list[str]] = {}
    for criterion in criteria:
        score, reason = agreed.get(criterion.pk, (None, ""))
        errors.update(_check_scale(criterion, score, f"score_{criterion.pk}"))
        if score is not None and not (reason or "").strip():
            errors[f"reason_{criterion.pk}"] = [
                f"Give the reason for the agreed score on “{criterion.title}”."
            ]
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion in criteria:
        score, reason = agreed.get(criterion.pk, (None, ""))
        if score is None:
            continue
        row, _ = ModeratedScore.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            defaults={
                "score": score,
                "reason": reason.strip(),
                "moderated_by": actor,
                "moderated_at": timezone.now(),
            },
        )
        saved.append(row)
    audit_event_record(
        actor=actor,
        action="bid.moderated",
        obj=bid,
        organisation=bid.opportunity.body,
        note="; ".join(
            f"criterion {row.criterion_id}: {row.score} ({row.reason})" for row in saved
        ),
    )
    return saved


def bid_totals(bids: list[Bid], criteria: list[Criterion]) -> dict[int, Decimal | None]:
    """Each bid's weighted total from its agreed scores (None until every criterion has one)."""
    weightings = [Weighting(c.pk, c.weight, c.scale_max) for c in criteria]
    agreed: dict[int, dict[int, int]] = {bid.pk: {} for bid in bids}
    for row in ModeratedScore.objects.filter(bid__in=bids).values(
        "bid_id", "criterion_id", "score"
    ):
        agreed[row["bid_id"]][row["criterion_id"]] = row["score"]
    return {bid.pk: weighted_total(agreed[bid.pk], weightings) for bid in bids}


def unmoderated_bids(bids: list[Bid], criteria: list[Criterion]) -> list[Bid]:
    totals = bid_totals(bids, criteria)
    return [bid for bid in bids if totals[bid.pk] is None]


# Shortlisting (two stages)


@transaction.atomic
def shortlist_record(
    *, actor: User, opportunity: Opportunity, decisions: dict[int, tuple[bool, str]]
) -> list[Bid]:
    """Mark each submitted expression of interest shortlisted or not, with the reason, then
    invite the shortlisted organisations to write a full bid."""
    opportunity = _lock_opportunity(opportunity)
    _check_runs(actor, opportunity)
    if not opportunity.is_two_stage:
        raise ValidationError("Only a two-stage opportunity has a shortlist.")
    if opportunity.status not in (OpportunityStatus.EOI_CLOSED, OpportunityStatus.SHORTLISTING):
        raise ValidationError(
            "Shortlisting starts once expressions of interest are closed; the opportunity is "
            f"{opportunity.get_status_display().lower()}."
        )
    bids = list(
        Bid.objects.select_for_update()
        .filter(opportunity=opportunity, stage=BidStage.EOI, status=BidStatus.SUBMITTED)
        .select_related("opportunity")
    )
    criteria = stage_criteria(opportunity, BidStage.EOI)
    waiting = unmoderated_bids(bids, criteria)
    if waiting:
        raise ValidationError(
            "Moderate every expression of interest before shortlisting. Still to moderate: "
            + ", ".join(sorted(str(bid.organisation) for bid in waiting))
            + "."
        )
    errors: dict[str, list[str]] = {}
    for bid in bids:
        decision = decisions.get(bid.pk)
        if decision is None:
            errors[f"decision_{bid.pk}"] = [f"Say whether {bid.organisation} is shortlisted."]
        elif not (decision[1] or "").strip():
            errors[f"reason_{bid.pk}"] = [
                f"Give the reason for the decision on {bid.organisation}."
            ]
    if errors:
        raise ValidationError(errors)
    if opportunity.status == OpportunityStatus.EOI_CLOSED:
        opportunity = opportunity_move(actor, opportunity, OpportunityStatus.SHORTLISTING)
    shortlisted = []
    for bid in bids:
        chosen, reason = decisions[bid.pk]
        to_status = BidStatus.SHORTLISTED if chosen else BidStatus.NOT_SHORTLISTED
        _bid_move(actor=actor, bid=bid, to_status=to_status, note=reason.strip())
        if chosen:
            shortlisted.append(bid)
    opportunity_move(
        actor,
        opportunity,
        OpportunityStatus.INVITED,
        note=f"{len(shortlisted)} of {len(bids)} shortlisted",
    )
    from ..tasks.sourcing_evaluation import shortlisted_notify

    for bid in shortlisted:
        delay_on_commit(shortlisted_notify, bid.pk)
    return shortlisted


def _organisation_emails(bid: Bid) -> list[str]:
    return list(
        Membership.objects.filter(organisation_id=bid.organisation_id).values_list(
            "user__email", flat=True
        )
    )


def shortlisted_send(*, bid_id: int) -> int:
    bid = Bid.objects.select_related("opportunity", "organisation").filter(pk=bid_id).first()
    if bid is None or bid.status != BidStatus.SHORTLISTED:
        return 0
    return send_templated_email(
        name="bid_shortlisted",
        to=_organisation_emails(bid),
        context={
            "bid": bid,
            "opportunity": bid.opportunity,
            "opportunity_url": reverse("commissioning:opportunity", args=[bid.opportunity_id]),
        },
    )


# The award


def _submitted_full_bids(opportunity: Opportunity) -> list[Bid]:
    return list(
        Bid.objects.select_for_update()
        .filter(opportunity=opportunity, stage=BidStage.FULL, status=BidStatus.SUBMITTED)
        .select_related("organisation", "opportunity")
        .order_by("pk")
    )


def award_readiness(opportunity: Opportunity) -> list[str]:
    """Why an award cannot be made yet: bids without agreed scores on every criterion."""
    bids = list(
        Bid.objects.filter(
            opportunity=opportunity, stage=BidStage.FULL, status=BidStatus.SUBMITTED
        ).select_related("organisation")
    )
    if not bids:
        return ["No full bids were submitted, so there is nothing to award."]
    criteria = stage_criteria(opportunity, BidStage.FULL)
    waiting = unmoderated_bids(bids, criteria)
    if waiting:
        return [
            "An award can only be made once every bid has agreed scores for every criterion. "
            "Still to moderate: "
            + ", ".join(sorted(str(bid.organisation) for bid in waiting))
            + "."
        ]
    return []


@transaction.atomic
def award_record(
    *, actor: User, opportunity: Opportunity, winners: dict[int, list[int]], reasons: dict[int, str]
) -> list[AwardDecision]:
    """Name the successful bid or bids for each lot, with the reason. Every other submitted full
    bid is unsuccessful; the standstill starts; every bidder gets a feedback letter."""
    opportunity = _lock_opportunity(opportunity)
    _check_runs(actor, opportunity)
    if opportunity.status not in (OpportunityStatus.CLOSED, OpportunityStatus.EVALUATING):
        raise ValidationError(
            "An award is made once the opportunity is closed for bids and being evaluated; it is "
            f"{opportunity.get_status_display().lower()}."
        )
    bids = _submitted_full_bids(opportunity)
    problems = award_readiness(opportunity)
    if problems:
        raise ValidationError(problems)
    lots = list(Lot.objects.filter(opportunity=opportunity))
    in_lot: dict[int, set[int]] = {lot.pk: set() for lot in lots}
    for lot_id, bid_id in Bid.lots.through.objects.filter(bid__in=bids).values_list(
        "lot_id", "bid_id"
    ):
        in_lot.setdefault(lot_id, set()).add(bid_id)
    errors: dict[str, list[str]] = {}
    for lot in lots:
        chosen = set(winners.get(lot.pk, []))
        if in_lot[lot.pk] and not chosen:
            errors[f"winners_{lot.pk}"] = [f"Name the successful bid or bids for {lot}."]
        elif chosen - in_lot[lot.pk]:
            errors[f"winners_{lot.pk}"] = [f"Choose only bids made for {lot}."]
        if chosen and not (reasons.get(lot.pk) or "").strip():
            errors[f"reason_{lot.pk}"] = [f"Give the reason for the decision on {lot}."]
    if errors:
        raise ValidationError(errors)
    if opportunity.status == OpportunityStatus.CLOSED:
        opportunity = opportunity_move(actor, opportunity, OpportunityStatus.EVALUATING)
    decisions = []
    successful: set[int] = set()
    for lot in lots:
        for bid_id in sorted(set(winners.get(lot.pk, []))):
            decisions.append(
                AwardDecision.objects.create(
                    opportunity=opportunity,
                    lot=lot,
                    bid_id=bid_id,
                    reason=reasons[lot.pk].strip(),
                    decided_by=actor,
                )
            )
            successful.add(bid_id)
    for bid in bids:
        won = bid.pk in successful
        _bid_move(
            actor=actor,
            bid=bid,
            to_status=BidStatus.SUCCESSFUL if won else BidStatus.UNSUCCESSFUL,
        )
    if opportunity.standstill_ends_on is None:
        opportunity.standstill_ends_on = working_days_after(
            timezone.localdate(), STANDSTILL_WORKING_DAYS
        )
        opportunity.save(update_fields=["standstill_ends_on", "updated_at"])
    # The move sets awarded_at and records the award, with its decisions and standstill.
    opportunity = opportunity_move(
        actor,
        opportunity,
        OpportunityStatus.AWARDED,
        note="; ".join(f"lot {d.lot.number}: bid {d.bid_id} ({d.reason})" for d in decisions)
        + f"; standstill ends {opportunity.standstill_ends_on:%Y-%m-%d}",
    )
    feedback_letters_write(opportunity=opportunity, bids=bids)
    return decisions


# Feedback to every bidder


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def feedback_letters_write(*, opportunity: Opportunity, bids: list[Bid]) -> list[FeedbackLetter]:
    """A letter for every submitted full bid, successful or not: its agreed scores per criterion
    with the reasons and the members' comments (unnamed), its total, and the winning total per
    lot. Written once; emailed after commit."""
    criteria = stage_criteria(opportunity, BidStage.FULL)
    totals = bid_totals(bids, criteria)
    agreed = {
        (row.bid_id, row.criterion_id): row for row in ModeratedScore.objects.filter(bid__in=bids)
    }
    comments: dict[tuple[int, int], list[str]] = {}
    for row in Score.objects.filter(bid__in=bids).exclude(comment="").order_by("panel_member_id"):
        comments.setdefault((row.bid_id, row.criterion_id), []).append(row.comment)
    lots = list(Lot.objects.filter(opportunity=opportunity))
    lot_bids: dict[int, list[int]] = {lot.pk: [] for lot in lots}
    for lot_id, bid_id in Bid.lots.through.objects.filter(bid__in=bids).values_list(
        "lot_id", "bid_id"
    ):
        lot_bids.setdefault(lot_id, []).append(bid_id)
    won = {
        (row.lot_id, row.bid_id) for row in AwardDecision.objects.filter(opportunity=opportunity)
    }
    letters = []
    from ..tasks.sourcing_evaluation import feedback_letter_email

    for bid in bids:
        if FeedbackLetter.objects.filter(bid=bid).exists():
            continue
        lot_parts = []
        for lot in lots:
            if bid.pk not in lot_bids[lot.pk]:
                continue
            ranks = ranking({pk: totals[pk] for pk in lot_bids[lot.pk]})
            winning = sorted(
                (totals[pk] for pk in lot_bids[lot.pk] if (lot.pk, pk) in won),
                reverse=True,
            )
            lot_parts.append(
                {
                    "lot": str(lot),
                    "successful": (lot.pk, bid.pk) in won,
                    "rank": ranks[bid.pk],
                    "bids": len(lot_bids[lot.pk]),
                    "winning_totals": [_money(total) for total in winning],
                }
            )
        content = {
            "opportunity": {"reference": opportunity.reference, "title": opportunity.title},
            "organisation": bid.organisation.name,
            "outcome": bid.status,
            "total": _money(totals[bid.pk]),
            "criteria": [
                {
                    "title": criterion.title,
                    "kind": criterion.get_kind_display(),
                    "weight": str(criterion.weight),
                    "scale_max": criterion.scale_max,
                    "score": agreed[(bid.pk, criterion.pk)].score,
                    "reason": agreed[(bid.pk, criterion.pk)].reason,
                    "comments": comments.get((bid.pk, criterion.pk), []),
                }
                for criterion in criteria
            ],
            "lots": lot_parts,
        }
        letter = FeedbackLetter.objects.create(bid=bid, content=content)
        letters.append(letter)
        delay_on_commit(feedback_letter_email, letter.pk)
    return letters


@transaction.atomic
def feedback_letter_send(*, letter_id: int) -> int:
    """Email a letter to the bidding organisation's people, once: a second run sends nothing."""
    letter = (
        FeedbackLetter.objects.select_for_update()
        .select_related("bid__opportunity", "bid__organisation")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None or letter.emailed_at is not None:
        return 0
    sent = send_templated_email(
        name="feedback_letter",
        to=_organisation_emails(letter.bid),
        context={
            "letter": letter,
            "bid": letter.bid,
            "opportunity": letter.bid.opportunity,
            "content": letter.content,
            "feedback_url": reverse("commissioning:feedback", args=[letter.bid_id]),
        },
    )
    letter.emailed_at = timezone.now()
    letter.save(update_fields=["emailed_at"])
    return sent


def feedback_pdf(*, context: dict) -> bytes:
    """The letter as a PDF, with its stylesheet embedded; WeasyPrint fetches nothing."""
    import weasyprint

    css_path = finders.find("css/business-case-pdf.css")
    with open(css_path, encoding="utf-8") as handle:
        css = handle.read()
    html = render_to_string(
        "commissioning/sourcing/evaluation/feedback_pdf.html", {**context, "css": css}
    )
    fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
    return weasyprint.HTML(string=html, base_url=str(css_path), url_fetcher=fetcher).write_pdf()
