"""Bids, from the bidder's side: starting one, its page, answers, budget and documents, consortium
members' confirmations, submission with its receipt, withdrawal, and the bidder's list. Every bid
is fetched through access.get_bid_for_user or get_bid_to_edit, so a bid stays sealed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import form_errors_from
from providers.views.passports import private_file_response

from .. import access
from ..forms.sourcing_bids import (
    BidAnswersForm,
    BidDocumentForm,
    BidStartForm,
    BudgetForm,
    BudgetLineFormSet,
)
from ..models import Bid, BidStage
from ..selectors import sourcing_bids as selectors
from ..services import assessments as assessment_services
from ..services import sourcing_bids as services


def _bidding_organisation(request):
    """The organisation the person bids for: the one they act for, if it may bid."""
    organisations = access.third_sector_organisations_of(request.user)
    current = request.portal.organisation
    if current is not None and organisations.filter(pk=current.pk).exists():
        return current
    first = organisations.first()
    if first is None:
        raise PermissionDenied(
            "Only members of a verified third sector organisation can bid. Switch to your "
            "organisation, or register it first."
        )
    return first


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def bid_start(request, pk: int):
    opportunity = access.get_opportunity_for_user(request.user, pk)
    organisation = _bidding_organisation(request)
    stage = services.current_stage(opportunity)
    existing = Bid.objects.filter(
        opportunity=opportunity, stage=stage, organisation=organisation
    ).first()
    if existing is not None:
        messages.info(request, f"{organisation} has already started this bid. Here it is.")
        return redirect("commissioning:bid", pk=existing.pk)
    refusal = services.start_refusal(
        opportunity=opportunity,
        organisation=organisation,
        stage=stage,
        now=services.timezone.now(),
    )
    context = {
        "opportunity": opportunity,
        "organisation": organisation,
        "stage_label": BidStage(stage).label,
        "refusal": refusal,
        "not_eligible": None,
        "deadline_text": services.london(access.stage_deadline(opportunity, stage))
        if access.stage_deadline(opportunity, stage)
        else "",
    }
    form = None
    if refusal is None:
        form = BidStartForm(
            request.POST or None,
            opportunity=opportunity,
            organisation=organisation,
            consortia=services.consortia_to_lead(organisation),
        )
        if request.method == "POST" and form.is_valid():
            try:
                bid = services.bid_start(
                    actor=request.user,
                    opportunity=opportunity,
                    organisation=organisation,
                    lots=list(form.cleaned_data["lots"]),
                    eligibility=form.eligibility(),
                    consortium=form.consortium(),
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "not_eligible":
                    context["not_eligible"] = error.messages[0]
                else:
                    form_errors_from(error, form)
            else:
                messages.success(
                    request, f"Your {bid.get_stage_display().lower()} is started as a draft."
                )
                return redirect("commissioning:bid", pk=bid.pk)
    context["form"] = form
    return render(request, "commissioning/sourcing/bids/start.html", context)


@require_GET
def bid(request, pk: int):
    found = access.get_bid_for_user(request.user, pk)
    return render(
        request,
        "commissioning/sourcing/bids/detail.html",
        selectors.bid_page(found, user=request.user),
    )


def _refuse_closed(request, bid: Bid):
    """A bidder who opens an edit page they can no longer use is told why, on the bid's page."""
    refusal = services.edit_refusal(bid, now=services.timezone.now())
    if refusal:
        messages.error(request, refusal)
        return redirect("commissioning:bid", pk=bid.pk)
    return None


def _is_autosave(request) -> bool:
    return request.headers.get("X-Autosave") == "1"


@login_required
def bid_edit(request, pk: int):
    found = access.get_bid_to_edit(request.user, pk)
    autosave = request.method == "POST" and _is_autosave(request)
    if not autosave and (closed := _refuse_closed(request, found)):
        return closed
    criteria = list(services.stage_criteria(found))
    passport = (
        services.current_passport(found.organisation) if found.stage == BidStage.FULL else None
    )
    form = BidAnswersForm(
        request.POST or None,
        initial={"version": found.version, "reuses_passport": found.reuses_passport},
        criteria=criteria,
        answers=dict(found.answers.values_list("criterion_id", "text")),
        questions=found.opportunity.eligibility_questions.all(),
        given=dict(found.eligibility_answers.values_list("question_id", "answer")),
        passport_field=found.stage == BidStage.FULL and (passport or found.reuses_passport),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.bid_save(
                    actor=request.user,
                    bid=found,
                    answers=form.answers(),
                    eligibility=form.eligibility(),
                    reuses_passport=form.reuses_passport(),
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                if autosave:
                    return JsonResponse(
                        {"saved": False, "message": " ".join(error.messages)},
                        status=409 if getattr(error, "code", None) == "stale" else 400,
                    )
                form_errors_from(error, form)
            else:
                warnings = form.over_limit()
                if autosave:
                    return JsonResponse(
                        {
                            "saved": True,
                            "version": saved.version,
                            "message": "Draft saved at "
                            + services.timezone.localtime().strftime("%H:%M")
                            + (". " + " ".join(warnings) if warnings else "."),
                        }
                    )
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, "Your draft is saved.")
                return redirect("commissioning:bid", pk=saved.pk)
        elif autosave:
            return JsonResponse(
                {"saved": False, "message": "The draft could not be saved automatically."},
                status=400,
            )
    rows = {c.pk: c for c in criteria}
    return render(
        request,
        "commissioning/sourcing/bids/edit.html",
        {
            "bid": found,
            "opportunity": found.opportunity,
            "form": form,
            "answer_fields": [
                (rows[int(name.removeprefix("answer_"))], form[name])
                for name in form.fields
                if name.startswith("answer_")
            ],
            "eligibility_fields": [form[n] for n in form.fields if n.startswith("eligibility_")],
            "passport": passport,
            "is_full": found.stage == BidStage.FULL,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def bid_budget(request, pk: int):
    found = access.get_bid_to_edit(request.user, pk)
    if closed := _refuse_closed(request, found):
        return closed
    lines = list(found.budget_lines.all())
    initial_lines = [
        {
            "kind": line.kind,
            "description": line.description,
            "amount": f"{line.amount}",
            "basis": line.basis,
        }
        for line in lines
    ]
    form = BudgetForm(
        request.POST or None,
        initial={
            "price": "" if found.price is None else f"{found.price}",
            "version": found.version,
        },
    )
    formset = BudgetLineFormSet(request.POST or None, initial=initial_lines, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.bid_budget_save(
                actor=request.user,
                bid=found,
                lines=formset.lines(),
                price=form.cleaned_data["price"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            summary = selectors.budget_summary(list(saved.budget_lines.all()), saved.price)
            if summary.price is not None and not summary.covers_full_cost:
                messages.warning(
                    request,
                    f"The price, £{summary.price:,.2f}, does not cover the full cost of "
                    f"£{summary.full_cost:,.2f}: it recovers {summary.recovery_rate}%.",
                )
            messages.success(request, "The budget is saved.")
            return redirect("commissioning:bid_budget", pk=saved.pk)
    summary = selectors.budget_summary(lines, found.price)
    line_errors = [
        (number, form_line[name].label, error)
        for number, form_line in enumerate(formset.forms, start=1)
        for name in form_line.fields
        for error in form_line[name].errors
    ]
    return render(
        request,
        "commissioning/sourcing/bids/budget.html",
        {
            "bid": found,
            "opportunity": found.opportunity,
            "form": form,
            "formset": formset,
            "summary": summary,
            "line_errors": line_errors,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def bid_documents(request, pk: int):
    found = access.get_bid_to_edit(request.user, pk)
    if closed := _refuse_closed(request, found):
        return closed
    form = BidDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.bid_document_add(
                actor=request.user,
                bid=found,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{document.original_name}” is added to the bid.")
            return redirect("commissioning:bid_documents", pk=found.pk)
    return render(
        request,
        "commissioning/sourcing/bids/documents.html",
        {
            "bid": found,
            "opportunity": found.opportunity,
            "form": form,
            "documents": list(found.documents.all()),
            "max_upload": assessment_services.evidence_max_text(),
            "passport": services.current_passport(found.organisation)
            if found.stage == BidStage.FULL
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def bid_document(request, pk: int):
    document = access.get_bid_document_for_user(request.user, pk)
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@require_GET
def bid_receipt(request, pk: int):
    found = access.get_bid_for_user(request.user, pk)
    receipts = list(found.receipts.select_related("submitted_by").order_by("-submitted_at", "-pk"))
    if not receipts:
        raise Http404("This bid has not been submitted.")
    return render(
        request,
        "commissioning/sourcing/bids/receipt.html",
        {
            "bid": found,
            "opportunity": found.opportunity,
            "receipt": receipts[0],
            "receipt_at": services.london(receipts[0].submitted_at, seconds=True),
            "earlier": [
                {"receipt": r, "at": services.london(r.submitted_at, seconds=True)}
                for r in receipts[1:]
            ],
        },
    )


@login_required
@require_POST
def bid_submit(request, pk: int):
    found = access.get_bid_to_edit(request.user, pk)
    try:
        receipt, created = services.bid_submit(actor=request.user, bid=found)
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("commissioning:bid", pk=found.pk)
    if created:
        done = {"confirmed": "confirmed", "resubmitted": "submitted again"}.get(
            receipt.action, "submitted"
        )
        messages.success(request, f"Your bid is {done}. We have emailed you this receipt.")
    return redirect("commissioning:bid_receipt", pk=found.pk)


@login_required
@require_POST
def bid_withdraw(request, pk: int):
    found = access.get_bid_to_edit(request.user, pk)
    try:
        services.bid_withdraw(actor=request.user, bid=found)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(
            request,
            "Your bid is withdrawn. Its content is kept as a draft: you can change it and submit "
            "it again before the deadline.",
        )
    return redirect("commissioning:bid", pk=found.pk)


@login_required
@require_POST
def bid_confirm_member(request, pk: int):
    found = access.get_bid_for_user(request.user, pk)
    try:
        confirmed = services.bid_member_confirm(actor=request.user, bid=found)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        if confirmed:
            names = ", ".join(str(org) for org in confirmed)
            messages.success(request, f"Thank you. {names} confirmed its part in this bid.")
        else:
            messages.info(request, "Your organisation has already confirmed its part.")
    return redirect("commissioning:bid", pk=found.pk)


@login_required
@require_GET
def bid_list(request):
    page, rows = selectors.bid_list_page(request.user, request.GET.get("page"))
    return render(request, "commissioning/sourcing/bids/list.html", {"page": page, "rows": rows})
