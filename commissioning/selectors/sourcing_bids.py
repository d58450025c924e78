"""Reads for bids: what a bid's page shows (answers and word counts, the budget's totals and
recovery rate, documents, consortium confirmations, receipts) and the bidder's list of bids.
Every bid read here was fetched through the sealing rule in access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from .. import access
from ..models import Bid, BidStage, BudgetLineKind
from ..services import sourcing_bids as services

LIST_PAGE_SIZE = 50


@dataclass
class BudgetSummary:
    lines: list
    staff: Decimal
    non_staff: Decimal
    overheads: Decimal
    full_cost: Decimal
    price: Decimal | None
    recovery_rate: Decimal | None

    @property
    def covers_full_cost(self) -> bool:
        return self.price is not None and self.price >= self.full_cost

    @property
    def shortfall(self) -> Decimal | None:
        if self.price is None or self.covers_full_cost:
            return None
        return self.full_cost - self.price


def budget_summary(lines: list, price: Decimal | None) -> BudgetSummary:
    """Totals by kind, the full cost, and the recovery rate: the price as a percentage of the
    full cost, to one decimal place."""
    totals = {kind: Decimal("0") for kind in BudgetLineKind.values}
    for line in lines:
        totals[line.kind] += line.amount
    full_cost = sum(totals.values(), Decimal("0"))
    rate = None
    if price is not None and full_cost > 0:
        rate = (price / full_cost * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return BudgetSummary(
        lines=lines,
        staff=totals[BudgetLineKind.STAFF],
        non_staff=totals[BudgetLineKind.NON_STAFF],
        overheads=totals[BudgetLineKind.OVERHEAD],
        full_cost=full_cost,
        price=price,
        recovery_rate=rate,
    )


@dataclass
class AnswerRow:
    criterion: object
    text: str
    words: int

    @property
    def over_limit(self) -> bool:
        return bool(self.criterion.word_limit and self.words > self.criterion.word_limit)


def answer_rows(bid: Bid) -> list[AnswerRow]:
    texts = dict(bid.answers.values_list("criterion_id", "text"))
    return [
        AnswerRow(
            criterion=c, text=texts.get(c.pk, ""), words=services.word_count(texts.get(c.pk, ""))
        )
        for c in services.stage_criteria(bid)
    ]


def bid_page(bid: Bid, *, user, now: datetime | None = None) -> dict:
    """Everything the bid's page shows, and what this person may do with it."""
    now = now or timezone.now()
    opportunity = bid.opportunity
    deadline = access.stage_deadline(opportunity, bid.stage)
    is_bidder = bid.organisation.memberships.filter(user=user).exists()
    edit_refusal = services.edit_refusal(bid, now=now)
    past_deadline = services.is_past_deadline(opportunity, bid.stage, now=now)
    given = dict(bid.eligibility_answers.values_list("question_id", "answer"))
    eligibility = [
        {"question": q, "answer": given.get(q.pk)} for q in opportunity.eligibility_questions.all()
    ]
    members = services.consortium_members(bid)
    confirmations = {c.organisation_id: c for c in bid.member_confirmations.all()}
    passport = services.current_passport(bid.organisation) if bid.stage == BidStage.FULL else None
    return {
        "bid": bid,
        "opportunity": opportunity,
        "deadline": deadline,
        "deadline_text": services.london(deadline) if deadline else "",
        "past_deadline": past_deadline,
        "is_bidder": is_bidder,
        "can_edit": is_bidder and edit_refusal is None,
        "edit_refusal": edit_refusal,
        "can_submit": is_bidder and not past_deadline,
        "can_withdraw": is_bidder
        and not past_deadline
        and bid.status == services.BidStatus.SUBMITTED,
        "answers": answer_rows(bid),
        "eligibility": eligibility,
        "lots": list(bid.lots.all()),
        "budget": budget_summary(list(bid.budget_lines.all()), bid.price),
        "documents": list(bid.documents.all()),
        "members": [
            {"member": m, "confirmation": confirmations.get(m.organisation_id)} for m in members
        ],
        "to_confirm": services.member_organisations_to_confirm(user, bid)
        if not past_deadline
        else [],
        "receipts": [
            {"receipt": r, "at": services.london(r.submitted_at, seconds=True)}
            for r in bid.receipts.select_related("submitted_by").order_by("-submitted_at", "-pk")
        ],
        "problems": services.submission_problems(bid) if is_bidder and not past_deadline else [],
        "passport": passport,
        "submitted_at_text": services.london(bid.submitted_at, seconds=True)
        if bid.submitted_at
        else "",
    }


# The bidder's list


@dataclass
class BidRow:
    bid: Bid
    deadline: datetime | None
    deadline_text: str
    submitted_text: str


def bid_list_page(user, page_number) -> tuple[Page, list[BidRow]]:
    """The person's organisations' bids, all stages, newest first. Two queries for any number
    of bids: the count and the page, with its opportunity and organisation joined."""
    bids: QuerySet[Bid] = (
        access.bids_of_bidding_side(user)
        .select_related("opportunity", "organisation", "consortium")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(bids, LIST_PAGE_SIZE).get_page(page_number)
    rows = []
    for bid in page.object_list:
        deadline = access.stage_deadline(bid.opportunity, bid.stage)
        rows.append(
            BidRow(
                bid=bid,
                deadline=deadline,
                deadline_text=services.london(deadline) if deadline else "",
                submitted_text=services.london(bid.submitted_at) if bid.submitted_at else "",
            )
        )
    return page, rows
