"""Writes for bids, from the bidder's side: starting one after the eligibility questions, saving
answers and the full cost recovery budget, documents, consortium members' confirmations, and
submitting, confirming or withdrawing it. The server decides whether the deadline has passed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    User,
)
from accounts.services import audit_event_record
from accounts.uploads import (
    uploaded_document_fill,
    uploaded_document_store,
    uploaded_document_title,
)
from accounts.workflow import check_transition, delay_on_commit
from providers.models import Consortium, ConsortiumMember, ConsortiumStatus, Passport

from ..access import stage_deadline, third_sector_organisations_of
from ..models import (
    BID_TRANSITIONS,
    Bid,
    BidAnswer,
    BidDocument,
    BidEligibilityAnswer,
    BidMemberConfirmation,
    BidReceipt,
    BidStage,
    BidStatus,
    BudgetLine,
    BudgetLineKind,
    Criterion,
    EligibilityQuestion,
    Lot,
    Opportunity,
    OpportunityStatus,
)
from .assessments import evidence_document_check

# An opportunity takes bids in these statuses, until the stage's deadline.
TAKING_BIDS = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.EOI_CLOSED,
    OpportunityStatus.SHORTLISTING,
    OpportunityStatus.INVITED,
)
EDITABLE_STATUSES = (BidStatus.DRAFT, BidStatus.WITHDRAWN)

STALE_VERSION = (
    "This bid was saved somewhere else (another tab, or a colleague) after you opened this page, "
    "so your changes were not saved over it. Copy anything you need, reload the page and try again."
)


def london(moment: datetime, *, seconds: bool = False) -> str:
    """A time as people in England read it: “Friday 5 March 2027 at 12:00pm”."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local:%M}" + (f":{local:%S}" if seconds else "")
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local:%A} {local.day} {local:%B %Y} at {clock}{suffix}"


def word_count(text: str) -> int:
    return len(text.split())


def consortia_to_lead(organisation: Organisation) -> QuerySet[Consortium]:
    return Consortium.objects.filter(lead=organisation, status=ConsortiumStatus.ACTIVE).order_by(
        "name"
    )


def current_stage(opportunity: Opportunity, *, now: datetime | None = None) -> str:
    """Expressions of interest while a two-stage opportunity takes them; full bids otherwise."""
    now = now or timezone.now()
    if opportunity.is_two_stage and opportunity.eoi_deadline and now < opportunity.eoi_deadline:
        return BidStage.EOI
    return BidStage.FULL


def _deadline_passed_message(opportunity: Opportunity, stage: str) -> str:
    deadline = stage_deadline(opportunity, stage)
    what = "expressions of interest" if stage == BidStage.EOI else "bids"
    return (
        f"The deadline for {what} was {london(deadline)}. It has passed, so the portal cannot "
        "accept this. Your draft is kept."
    )


def is_past_deadline(opportunity: Opportunity, stage: str, *, now: datetime) -> bool:
    deadline = stage_deadline(opportunity, stage)
    return deadline is None or now >= deadline


def not_eligible_message(opportunity: Opportunity) -> str:
    return (
        "Your organisation cannot meet every condition for this opportunity yet. Please speak to "
        f"{opportunity.contact_name} ({opportunity.contact_email}) before you start: they can "
        "tell you whether you can still take part, perhaps as part of a consortium."
    )


def start_refusal(
    *, opportunity: Opportunity, organisation: Organisation, stage: str, now: datetime
) -> str | None:
    """Why this organisation cannot start a bid for this stage now, or None."""
    if opportunity.status not in TAKING_BIDS:
        return "This opportunity is not taking bids."
    if is_past_deadline(opportunity, stage, now=now):
        return _deadline_passed_message(opportunity, stage)
    if stage == BidStage.FULL and opportunity.is_two_stage:
        shortlisted = Bid.objects.filter(
            opportunity=opportunity,
            stage=BidStage.EOI,
            organisation=organisation,
            status=BidStatus.SHORTLISTED,
        ).exists()
        if not shortlisted:
            return (
                f"Only the organisations shortlisted from the expressions of interest can write a "
                f"full bid, and {organisation} was not shortlisted. If you think this is wrong, "
                f"speak to {opportunity.contact_name} ({opportunity.contact_email})."
            )
    return None


def _check_bidder(actor: User, organisation: Organisation) -> None:
    if not third_sector_organisations_of(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(
            "Only members of a verified third sector organisation can bid for it."
        )


@transaction.atomic
def bid_start(
    *,
    actor: User,
    opportunity: Opportunity,
    organisation: Organisation,
    lots: list[Lot],
    eligibility: dict[int, bool],
    consortium: Consortium | None = None,
    now: datetime | None = None,
) -> Bid:
    """Start a draft bid for the current stage. Any “no” to an eligibility question stops it, and
    nothing is created. Starting twice gives back the bid already started."""
    _check_bidder(actor, organisation)
    now = now or timezone.now()
    # One start at a time per opportunity, so that the same organisation cannot start twice.
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    stage = current_stage(opportunity, now=now)
    existing = Bid.objects.filter(
        opportunity=opportunity, stage=stage, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    refusal = start_refusal(
        opportunity=opportunity, organisation=organisation, stage=stage, now=now
    )
    if refusal:
        raise ValidationError(refusal)
    questions = list(opportunity.eligibility_questions.all())
    unanswered = [q for q in questions if q.pk not in eligibility]
    if unanswered:
        raise ValidationError({"__all__": [f"Answer “{q.text}”, yes or no." for q in unanswered]})
    if any(not eligibility[q.pk] for q in questions):
        raise ValidationError(not_eligible_message(opportunity), code="not_eligible")
    lot_ids = {lot.pk for lot in lots}
    if not lot_ids:
        raise ValidationError({"lots": ["Choose at least one lot to bid for."]})
    if opportunity.lots.filter(pk__in=lot_ids).count() != len(lot_ids):
        raise ValidationError({"lots": ["Choose lots of this opportunity."]})
    if consortium is not None:
        if not opportunity.consortium_bids:
            raise ValidationError(
                {"bid_as": ["This opportunity does not accept bids from consortia."]}
            )
        if not consortia_to_lead(organisation).filter(pk=consortium.pk).exists():
            raise ValidationError(
                {"bid_as": [f"{organisation} can only bid for an active consortium it leads."]}
            )
    bid = Bid.objects.create(
        opportunity=opportunity,
        stage=stage,
        organisation=organisation,
        consortium=consortium,
        created_by=actor,
        created_at=now,
    )
    bid.lots.set(lot_ids)
    BidEligibilityAnswer.objects.bulk_create(
        BidEligibilityAnswer(bid=bid, question=q, answer=eligibility[q.pk]) for q in questions
    )
    audit_event_record(
        actor=actor,
        action="bid.started",
        obj=bid,
        organisation=organisation,
        to_state=bid.status,
        note=f"{bid.get_stage_display()}" + (f" for {consortium}" if consortium else ""),
    )
    return bid


# Editing a draft


def edit_refusal(bid: Bid, *, now: datetime) -> str | None:
    if is_past_deadline(bid.opportunity, bid.stage, now=now):
        return (
            f"The deadline for this stage was {london(stage_deadline(bid.opportunity, bid.stage))}."
            " It has passed, so the bid can no longer be changed."
        )
    if bid.status == BidStatus.SUBMITTED:
        return "This bid is submitted. Withdraw it first if you need to change it."
    if bid.status not in EDITABLE_STATUSES:
        return f"This bid is {bid.get_status_display().lower()} and can no longer be changed."
    return None


def _lock_for_edit(actor: User, bid: Bid, *, version: int | None, now: datetime) -> Bid:
    if not Membership.objects.filter(user=actor, organisation_id=bid.organisation_id).exists():
        raise PermissionDenied("Only the bidding organisation's members can change this bid.")
    locked = (
        Bid.objects.select_for_update(of=("self",))
        .select_related("opportunity", "organisation")
        .get(pk=bid.pk)
    )
    if version is not None and version != locked.version:
        raise ValidationError(STALE_VERSION, code="stale")
    refusal = edit_refusal(locked, now=now)
    if refusal:
        raise ValidationError(refusal, code="closed")
    return locked


def stage_criteria(bid: Bid) -> QuerySet[Criterion]:
    return Criterion.objects.filter(opportunity_id=bid.opportunity_id, stage=bid.stage).order_by(
        "position", "pk"
    )


def current_passport(organisation: Organisation) -> Passport | None:
    passport = Passport.objects.filter(organisation=organisation).first()
    return passport if passport is not None and passport.is_current else None


@transaction.atomic
def bid_save(
    *,
    actor: User,
    bid: Bid,
    answers: dict[int, str],
    eligibility: dict[int, bool] | None = None,
    reuses_passport: bool | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Bid:
    """Save a draft's answers as they are. An answer over its word limit is kept: it only stops
    the submission. A stale version (the bid was saved elsewhere since) is refused."""
    now = now or timezone.now()
    bid = _lock_for_edit(actor, bid, version=version, now=now)
    criteria = {c.pk: c for c in stage_criteria(bid)}
    existing = {a.criterion_id: a for a in bid.answers.all()}
    for criterion_id, text in answers.items():
        if criterion_id not in criteria:
            continue
        answer = existing.get(criterion_id)
        if answer is None:
            BidAnswer.objects.create(bid=bid, criterion_id=criterion_id, text=text)
        elif answer.text != text:
            answer.text = text
            answer.save(update_fields=["text"])
    if eligibility:
        questions = set(
            EligibilityQuestion.objects.filter(opportunity_id=bid.opportunity_id).values_list(
                "pk", flat=True
            )
        )
        for question_id, value in eligibility.items():
            if question_id in questions:
                BidEligibilityAnswer.objects.update_or_create(
                    bid=bid, question_id=question_id, defaults={"answer": value}
                )
    if reuses_passport is not None and bid.stage == BidStage.FULL:
        if reuses_passport:
            passport = current_passport(bid.organisation)
            if passport is None:
                raise ValidationError(
                    {
                        "reuses_passport": [
                            f"{bid.organisation}'s pre-qualification passport is not current, so "
                            "it cannot be reused. Upload the documents instead."
                        ]
                    }
                )
            bid.reuses_passport, bid.passport_expires_on = True, passport.expires_on
        else:
            bid.reuses_passport, bid.passport_expires_on = False, None
    bid.version += 1
    bid.save(update_fields=["reuses_passport", "passport_expires_on", "version", "updated_at"])
    return bid


def over_limit(bid: Bid) -> list[str]:
    """A sentence for each answer over its word limit."""
    texts = dict(bid.answers.values_list("criterion_id", "text"))
    problems = []
    for criterion in stage_criteria(bid):
        count = word_count(texts.get(criterion.pk, ""))
        if criterion.word_limit and count > criterion.word_limit:
            problems.append(
                f"Your answer to “{criterion.title}” is {count} words; the limit is "
                f"{criterion.word_limit}. Cut it to {criterion.word_limit} words or fewer "
                "before you submit."
            )
    return problems


# The full cost recovery budget

NEGATIVE_AMOUNT = "An amount cannot be negative. Enter 0 or more, in pounds."
NO_BASIS = "Say how this share of overheads was worked out, such as by staff time or floor area."


@transaction.atomic
def bid_budget_save(
    *,
    actor: User,
    bid: Bid,
    lines: list[dict],
    price: Decimal | None,
    version: int | None = None,
    now: datetime | None = None,
) -> Bid:
    """Replace the budget's lines and set the price a year. Lines are a year's costs."""
    now = now or timezone.now()
    bid = _lock_for_edit(actor, bid, version=version, now=now)
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line["amount"] < 0:
            errors.append(f"Line {number}: {NEGATIVE_AMOUNT}")
        if line["kind"] == BudgetLineKind.OVERHEAD and not line.get("basis", "").strip():
            errors.append(f"Line {number}: {NO_BASIS}")
        if line["kind"] not in BudgetLineKind.values:
            errors.append(f"Line {number}: choose the kind of cost.")
    if price is not None and price < 0:
        errors.append(f"Price a year: {NEGATIVE_AMOUNT}")
    if errors:
        raise ValidationError(errors)
    bid.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            bid=bid,
            kind=line["kind"],
            description=line["description"][:200],
            amount=line["amount"],
            basis=line.get("basis", "").strip()[:200],
            position=position,
        )
        for position, line in enumerate(lines)
    )
    bid.price = price
    bid.version += 1
    bid.save(update_fields=["price", "version", "updated_at"])
    return bid


# Supporting documents


@transaction.atomic
def bid_document_add(
    *, actor: User, bid: Bid, file: File, title: str = "", now: datetime | None = None
) -> BidDocument:
    now = now or timezone.now()
    bid = _lock_for_edit(actor, bid, version=None, now=now)
    document = BidDocument(bid=bid, uploaded_by=actor, uploaded_at=now)
    original_name = uploaded_document_fill(document, file, check=evidence_document_check)
    document.title = uploaded_document_title(title, original_name)
    uploaded_document_store(document, file)
    bid.version += 1
    bid.save(update_fields=["version", "updated_at"])
    audit_event_record(
        actor=actor,
        action="bid.document_added",
        obj=bid,
        organisation=bid.organisation,
        note=f"{document.title} ({original_name})",
    )
    return document


# Consortium members' confirmations


def consortium_members(bid: Bid) -> list[ConsortiumMember]:
    """The consortium's members other than the lead, who must each confirm their part."""
    if not bid.consortium_id:
        return []
    return list(
        ConsortiumMember.objects.filter(consortium_id=bid.consortium_id)
        .exclude(organisation_id=bid.organisation_id)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def unconfirmed_members(bid: Bid) -> list[Organisation]:
    confirmed = set(bid.member_confirmations.values_list("organisation_id", flat=True))
    return [m.organisation for m in consortium_members(bid) if m.organisation_id not in confirmed]


def member_organisations_to_confirm(actor: User, bid: Bid) -> list[Organisation]:
    """The consortium members this person is an admin of and that have not yet confirmed."""
    admin_of = set(
        Membership.objects.filter(user=actor, role=MembershipRole.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )
    return [org for org in unconfirmed_members(bid) if org.pk in admin_of]


@transaction.atomic
def bid_member_confirm(*, actor: User, bid: Bid, now: datetime | None = None) -> list[Organisation]:
    """A consortium member's admin confirms their organisation's part in the bid."""
    now = now or timezone.now()
    bid = Bid.objects.select_for_update(of=("self",)).select_related("opportunity").get(pk=bid.pk)
    members = {m.organisation_id for m in consortium_members(bid)}
    admin_of = set(
        Membership.objects.filter(
            user=actor, role=MembershipRole.ADMIN, organisation_id__in=members
        ).values_list("organisation_id", flat=True)
    )
    if not admin_of:
        raise PermissionDenied(
            "Only an admin of one of the consortium's member organisations can confirm its part."
        )
    if is_past_deadline(bid.opportunity, bid.stage, now=now):
        raise ValidationError(_deadline_passed_message(bid.opportunity, bid.stage))
    confirmed = []
    for organisation in member_organisations_to_confirm(actor, bid):
        BidMemberConfirmation.objects.create(
            bid=bid, organisation=organisation, confirmed_by=actor, confirmed_at=now
        )
        audit_event_record(
            actor=actor,
            action="bid.member_confirmed",
            obj=bid,
            organisation=organisation,
            note=f"{organisation} confirmed its part.",
        )
        confirmed.append(organisation)
    return confirmed


# Submission


def _document_digest(document: BidDocument) -> str:
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
    except (FileNotFoundError, ValueError):
        return "missing"
    return digest.hexdigest()


def bid_content(bid: Bid) -> dict:
    """Everything a bid says, in a canonical form: what the content hash is taken over."""
    return {
        "bid": bid.pk,
        "opportunity": bid.opportunity_id,
        "stage": bid.stage,
        "organisation": bid.organisation_id,
        "consortium": bid.consortium_id,
        "lots": sorted(bid.lots.values_list("pk", flat=True)),
        "eligibility": {
            str(question_id): answer
            for question_id, answer in bid.eligibility_answers.values_list("question_id", "answer")
        },
        "answers": {
            str(criterion_id): text
            for criterion_id, text in bid.answers.values_list("criterion_id", "text")
        },
        "budget": [
            [line.kind, line.description, str(line.amount), line.basis]
            for line in bid.budget_lines.order_by("kind", "position", "pk")
        ],
        "price": None if bid.price is None else str(bid.price),
        "documents": [
            {"id": d.pk, "name": d.original_name, "sha256": _document_digest(d)}
            for d in bid.documents.order_by("pk")
        ],
        "reuses_passport": bid.reuses_passport,
        "passport_expires_on": (
            bid.passport_expires_on.isoformat() if bid.passport_expires_on else None
        ),
    }


def bid_content_hash(bid: Bid) -> str:
    canonical = json.dumps(
        bid_content(bid), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submission_problems(bid: Bid) -> list[str]:
    """What stops a bid being submitted, each in a sentence that says what to do."""
    problems: list[str] = []
    if not bid.lots.exists():
        problems.append("Choose at least one lot.")
    answers = dict(bid.answers.values_list("criterion_id", "text"))
    for criterion in stage_criteria(bid):
        if not answers.get(criterion.pk, "").strip():
            problems.append(f"Answer “{criterion.title}”.")
    problems.extend(over_limit(bid))
    given = dict(bid.eligibility_answers.values_list("question_id", "answer"))
    for question in bid.opportunity.eligibility_questions.all():
        if question.pk not in given:
            problems.append(f"Answer the eligibility question “{question.text}”.")
        elif not given[question.pk]:
            problems.append(not_eligible_message(bid.opportunity))
    waiting = unconfirmed_members(bid)
    if waiting:
        names = ", ".join(str(org) for org in waiting)
        problems.append(
            f"Every consortium member must confirm its part before the bid can be submitted. "
            f"Still to confirm: {names}."
        )
    if bid.stage == BidStage.FULL:
        if bid.price is None or not bid.budget_lines.exists():
            problems.append(
                "Complete the full cost recovery budget: its costs and the price a year."
            )
        if bid.reuses_passport and (
            bid.passport_expires_on is None or bid.passport_expires_on < timezone.localdate()
        ):
            problems.append(
                "Your pre-qualification passport is no longer current. Untick “use our "
                "passport” and upload the documents instead."
            )
    return problems


@transaction.atomic
def bid_submit(*, actor: User, bid: Bid, now: datetime | None = None) -> tuple[BidReceipt, bool]:
    """Submit the bid, or confirm it after the opportunity changed. Returns the receipt, and
    whether it is new: a second submit of an unchanged submitted bid (a double click) makes
    nothing new and gives back the same receipt. After the deadline it is refused, whatever
    the form said, and the draft is kept."""
    now = now or timezone.now()
    if not Membership.objects.filter(user=actor, organisation_id=bid.organisation_id).exists():
        raise PermissionDenied("Only the bidding organisation's members can submit this bid.")
    bid = (
        Bid.objects.select_for_update(of=("self",))
        .select_related("opportunity", "organisation")
        .get(pk=bid.pk)
    )
    if is_past_deadline(bid.opportunity, bid.stage, now=now):
        raise ValidationError(_deadline_passed_message(bid.opportunity, bid.stage), code="late")
    content_hash = bid_content_hash(bid)
    from_status = bid.status
    if bid.status == BidStatus.SUBMITTED:
        if not bid.needs_confirmation and content_hash == bid.content_hash:
            receipt = bid.receipts.order_by("-submitted_at", "-pk").first()
            if receipt is not None:
                return receipt, False
        action = "confirmed" if content_hash == bid.content_hash else "resubmitted"
    else:
        check_transition(BID_TRANSITIONS, bid.status, BidStatus.SUBMITTED, label="bid's status")
        action = "submitted"
    problems = submission_problems(bid)
    if problems:
        raise ValidationError(problems, code="incomplete")
    bid.status = BidStatus.SUBMITTED
    bid.submitted_at = now
    bid.content_hash = content_hash
    bid.needs_confirmation = False
    bid.save(
        update_fields=["status", "submitted_at", "content_hash", "needs_confirmation", "updated_at"]
    )
    receipt = BidReceipt.objects.create(
        bid=bid, submitted_at=now, submitted_by=actor, content_hash=content_hash, action=action
    )
    audit_event_record(
        actor=actor,
        action=f"bid.{action}",
        obj=bid,
        organisation=bid.organisation,
        from_state=from_status,
        to_state=bid.status,
        note=f"Content hash {content_hash}",
    )
    from ..tasks.sourcing_bids import bid_receipt_send

    delay_on_commit(bid_receipt_send, receipt.pk)
    return receipt, True


@transaction.atomic
def bid_withdraw(*, actor: User, bid: Bid, now: datetime | None = None) -> Bid:
    """Withdraw a submitted bid before the deadline. Its content is kept as a draft, to change
    and submit again."""
    now = now or timezone.now()
    if not Membership.objects.filter(user=actor, organisation_id=bid.organisation_id).exists():
        raise PermissionDenied("Only the bidding organisation's members can withdraw this bid.")
    bid = Bid.objects.select_for_update(of=("self",)).select_related("opportunity").get(pk=bid.pk)
    if is_past_deadline(bid.opportunity, bid.stage, now=now):
        raise ValidationError(
            "The deadline has passed, so the bid can no longer be withdrawn. "
            f"Speak to {bid.opportunity.contact_name} ({bid.opportunity.contact_email})."
        )
    if bid.status != BidStatus.SUBMITTED:
        raise ValidationError("Only a submitted bid can be withdrawn.")
    check_transition(BID_TRANSITIONS, bid.status, BidStatus.WITHDRAWN, label="bid's status")
    bid.status = BidStatus.WITHDRAWN
    bid.needs_confirmation = False
    bid.version += 1
    bid.save(update_fields=["status", "needs_confirmation", "version", "updated_at"])
    audit_event_record(
        actor=actor,
        action="bid.withdrawn",
        obj=bid,
        organisation=bid.organisation,
        from_state=BidStatus.SUBMITTED,
        to_state=bid.status,
    )
    return bid
