"""Pages for evaluation: the panel, a member's bids, declarations and scores, moderation, the
shortlist, the award, and each bidder's feedback letter (and its PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..forms.sourcing_evaluation import (
    AwardForm,
    DeclarationForm,
    ModerationForm,
    PanelMemberForm,
    ScoresForm,
    ShortlistForm,
)
from ..models import (
    Bid,
    BidStage,
    BidStatus,
    FeedbackLetter,
    Lot,
    ModeratedScore,
    OpportunityStatus,
    PanelMember,
    PanelSubmission,
)
from ..selectors import sourcing_evaluation as selectors
from ..services import sourcing_evaluation as services

# The panel


# How a page names a stage's bids together.
STAGE_PLURALS = {BidStage.EOI: "Expressions of interest", BidStage.FULL: "Full bids"}


@login_required
def panel(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    form = PanelMemberForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            member = get_object_or_404(
                PanelMember, opportunity=opportunity, pk=request.POST.get("member")
            )
            try:
                services.panel_member_remove(actor=request.user, member=member)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{member.user} is no longer on the panel.")
            return redirect("commissioning:panel", pk=opportunity.pk)
        if form.is_valid():
            try:
                member = services.panel_member_add(
                    actor=request.user,
                    opportunity=opportunity,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, f"{member.user} is on the panel and has been emailed.")
                return redirect("commissioning:panel", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/evaluation/panel.html",
        {
            "opportunity": opportunity,
            "members": selectors.panel_members(opportunity),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _seat_or_403(user, opportunity) -> PanelMember:
    seat = access.panel_seat(user, opportunity)
    if seat is None:
        raise PermissionDenied("This page is for the opportunity's panel members.")
    return seat


@login_required
@require_GET
def panel_bids(request, pk: int):
    opportunity = access.get_opportunity_for_user(request.user, pk)
    seat = _seat_or_403(request.user, opportunity)
    stage = selectors.evaluation_stage(opportunity, request.GET.get("stage"))
    return render(
        request,
        "commissioning/sourcing/evaluation/panel_bids.html",
        {
            "opportunity": opportunity,
            "seat": seat,
            "listing": selectors.panel_bids(request.user, seat, stage),
            "stage_label": BidStage(stage).label,
            "stage_plural": STAGE_PLURALS[stage],
        },
    )


# Declaring and scoring


@login_required
def bid_declare(request, pk: int):
    bid, seat = access.get_bid_to_declare(request.user, pk)
    declaration = seat.declarations.filter(bid=bid).first()
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and declaration is None and form.is_valid():
        try:
            declaration = services.conflict_declare(
                actor=request.user,
                bid=bid,
                has_conflict=form.cleaned_data["has_conflict"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if declaration.has_conflict:
                messages.success(
                    request,
                    f"Your conflict of interest on {bid.organisation}'s bid is recorded. You "
                    "will not see or score it.",
                )
                return redirect("commissioning:panel_bids", pk=bid.opportunity_id)
            messages.success(
                request, "Your declaration is recorded. You can now read and score it."
            )
            return redirect("commissioning:bid_score", pk=bid.pk)
    return render(
        request,
        "commissioning/sourcing/evaluation/declare.html",
        {"bid": bid, "opportunity": bid.opportunity, "form": form, "declaration": declaration},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def bid_score(request, pk: int):
    bid, seat = access.get_bid_to_declare(request.user, pk)
    if not seat.declarations.filter(bid=bid).exists():
        messages.info(request, "Declare any conflict of interest before you read this bid.")
        return redirect("commissioning:bid_declare", pk=bid.pk)
    bid, seat = access.get_bid_for_panel(request.user, pk)
    submitted = PanelSubmission.objects.filter(panel_member=seat, bid=bid).exists()
    reveal = services.panel_complete_for(bid)
    lines = selectors.score_lines(bid, seat, reveal=reveal)
    form = ScoresForm(
        request.POST if request.method == "POST" and not submitted else None,
        criteria=[line.criterion for line in lines],
        initial_scores={line.criterion.pk: line.mine for line in lines},
    )
    if request.method == "POST":
        if submitted:
            messages.error(
                request, "You have submitted your scores for this bid, so they are fixed."
            )
            return redirect("commissioning:bid_score", pk=bid.pk)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.scores_save(
                    actor=request.user, bid=bid, scores=form.scores(), submit=submit
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    "Your scores are submitted and fixed."
                    if submit
                    else "Your scores are saved. Submit them when you have finished.",
                )
                return redirect("commissioning:bid_score", pk=bid.pk)
    rows = [
        (line, form[f"score_{line.criterion.pk}"], form[f"comment_{line.criterion.pk}"])
        for line in lines
    ]
    return render(
        request,
        "commissioning/sourcing/evaluation/score.html",
        {
            "bid": bid,
            "opportunity": bid.opportunity,
            "form": form,
            "rows": rows,
            "submitted": submitted,
            "reveal": reveal,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# Moderation


@login_required
@require_GET
def moderation(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    stage = selectors.evaluation_stage(opportunity, request.GET.get("stage"))
    table = selectors.moderation(
        request.user, opportunity, lot_pk=request.GET.get("lot"), stage=stage
    )
    return render(
        request,
        "commissioning/sourcing/evaluation/moderation.html",
        {
            "opportunity": opportunity,
            "table": table,
            "stage_label": BidStage(stage).label,
            "stage_plural": STAGE_PLURALS[stage],
            "stages": BidStage.choices if opportunity.is_two_stage else [],
        },
    )


@login_required
def moderate_bid(request, pk: int):
    bid = access.get_bid_for_user(request.user, pk)
    if not access.runs_opportunity(request.user, bid.opportunity):
        raise PermissionDenied("Only the opportunity's commissioners moderate its bids.")
    if access.declared_conflict(request.user, bid):
        raise PermissionDenied("You declared a conflict of interest, so you cannot see this bid.")
    criteria = services.stage_criteria(bid.opportunity, bid.stage)
    agreed = {row.criterion_id: row for row in ModeratedScore.objects.filter(bid=bid)}
    form = ModerationForm(request.POST or None, criteria=criteria, agreed=agreed)
    complete = services.panel_complete_for(bid)
    back = f"{_moderation_url(bid)}"
    if request.method == "POST" and form.is_valid():
        try:
            services.moderated_scores_save(actor=request.user, bid=bid, agreed=form.agreed())
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"The agreed scores for {bid.organisation} are saved.")
            return redirect(back)
    lines = selectors.score_lines(bid, PanelMember(pk=0), reveal=complete) if complete else []
    rows = [
        (criterion, form[f"score_{criterion.pk}"], form[f"reason_{criterion.pk}"], line)
        for criterion, line in zip(criteria, lines or [None] * len(criteria), strict=True)
    ]
    return render(
        request,
        "commissioning/sourcing/evaluation/moderate_bid.html",
        {
            "bid": bid,
            "opportunity": bid.opportunity,
            "form": form,
            "rows": rows,
            "complete": complete,
            "back": back,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _moderation_url(bid: Bid) -> str:
    from django.urls import reverse

    url = reverse("commissioning:moderation", args=[bid.opportunity_id])
    lot = bid.lots.order_by("number").first()
    query = f"?stage={bid.stage}"
    if lot is not None and bid.stage == BidStage.FULL:
        query += f"&lot={lot.pk}"
    return url + query


# Shortlist and award


@login_required
def shortlist(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    bids = list(
        access.bids_visible_to(request.user)
        .filter(opportunity=opportunity, stage=BidStage.EOI, status=BidStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    form = ShortlistForm(request.POST or None, bids=bids)
    if request.method == "POST" and form.is_valid():
        try:
            shortlisted = services.shortlist_record(
                actor=request.user, opportunity=opportunity, decisions=form.decisions()
            )
        except (ValidationError, TransitionNotAllowed) as error:
            if isinstance(error, ValidationError):
                form_errors_from(error, form)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"The shortlist is recorded: {len(shortlisted)} organisations are invited to "
                "write a full bid, and have been emailed.",
            )
            return redirect("commissioning:moderation", pk=opportunity.pk)
    totals = {}
    if bids:
        table = selectors.moderation(request.user, opportunity, stage=BidStage.EOI)
        totals = {row.bid.pk: row for row in table.rows}
    rows = [
        (bid, totals.get(bid.pk), form[f"decision_{bid.pk}"], form[f"reason_{bid.pk}"])
        for bid in bids
    ]
    return render(
        request,
        "commissioning/sourcing/evaluation/shortlist.html",
        {
            "opportunity": opportunity,
            "form": form,
            "rows": rows,
            "can_shortlist": opportunity.is_two_stage
            and opportunity.status
            in (OpportunityStatus.EOI_CLOSED, OpportunityStatus.SHORTLISTING),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def award(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    lots = list(Lot.objects.filter(opportunity=opportunity))
    bids_by_lot = selectors.bids_for_award(opportunity)
    form = AwardForm(request.POST or None, lots=lots, bids_by_lot=bids_by_lot)
    problems = (
        []
        if opportunity.status == OpportunityStatus.AWARDED
        else services.award_readiness(opportunity)
    )
    if request.method == "POST":
        if problems:
            for problem in problems:
                messages.error(request, problem)
            return redirect("commissioning:award", pk=opportunity.pk)
        if form.is_valid():
            try:
                services.award_record(
                    actor=request.user,
                    opportunity=opportunity,
                    winners=form.winners(),
                    reasons=form.reasons(),
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    "The award is recorded and the standstill period has started. Every bidder "
                    "has been sent a feedback letter.",
                )
                return redirect("commissioning:award", pk=opportunity.pk)
    lot_rows = []
    for lot in lots:
        table = selectors.moderation(request.user, opportunity, lot_pk=lot.pk, stage=BidStage.FULL)
        lot_rows.append((lot, table.rows, form[f"winners_{lot.pk}"], form[f"reason_{lot.pk}"]))
    return render(
        request,
        "commissioning/sourcing/evaluation/award.html",
        {
            "opportunity": opportunity,
            "form": form,
            "lot_rows": lot_rows,
            "problems": problems,
            "decisions": opportunity.award_decisions.select_related(
                "lot", "bid__organisation", "agreement"
            ),
            "can_award": opportunity.status
            in (OpportunityStatus.CLOSED, OpportunityStatus.EVALUATING),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# Feedback


def _letter_for_bidder(user, pk: int) -> FeedbackLetter:
    bid = access.get_bid_for_user(user, pk)
    if not access.is_bidding_side(user, bid):
        raise PermissionDenied("Feedback letters are for the bidding organisation only.")
    letter = FeedbackLetter.objects.filter(bid=bid).select_related("bid__opportunity").first()
    if letter is None:
        raise Http404("There is no feedback letter for this bid yet.")
    return letter


@login_required
@require_GET
def feedback(request, pk: int):
    letter = _letter_for_bidder(request.user, pk)
    return render(
        request,
        "commissioning/sourcing/evaluation/feedback.html",
        {"letter": letter, "bid": letter.bid, "content": letter.content},
    )


@login_required
@require_GET
def feedback_pdf(request, pk: int):
    letter = _letter_for_bidder(request.user, pk)
    pdf = services.feedback_pdf(
        context={"letter": letter, "bid": letter.bid, "content": letter.content}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="feedback-bid-{letter.bid_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
