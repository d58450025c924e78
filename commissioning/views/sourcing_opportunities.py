"""Opportunities: the public list and page, writing one (with its lots, eligibility questions,
criteria and documents), its status moves, registering interest, and the commissioners' page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.exports import csv_response
from accounts.forms import form_errors_from
from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed
from providers.views.passports import private_file_response

from .. import access
from ..filters_planning import select_options
from ..filters_sourcing import SELECTS, OpportunityFilter
from ..forms.sourcing_opportunities import (
    CancelForm,
    CriterionFormSet,
    EligibilityFormSet,
    LotFormSet,
    OpportunityDocumentForm,
    OpportunityForm,
    formset_rows,
    guidance_as_text,
)
from ..models import (
    OPPORTUNITY_TRANSITIONS,
    Interest,
    Opportunity,
    OpportunityDocument,
    OpportunityStatus,
)
from ..selectors import sourcing_opportunities as selectors
from ..services import sourcing_opportunities as services


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# The public list and page


@require_GET
def opportunity_list(request):
    filterset = OpportunityFilter(
        request.GET, queryset=access.opportunities_visible_to(request.user)
    )
    page = selectors.opportunities_page(filterset.qs, request.GET.get("page"))
    form = filterset.form
    return render(
        request,
        "commissioning/sourcing/opportunities/list.html",
        {
            "filter": filterset,
            "selects": {name: select_options(form[name]) for name in SELECTS},
            "page": page,
            "state_labels": selectors.STATE_LABELS,
            "filter_query": _query_without_page(request),
            "can_create": access.is_commissioner(request.user),
        },
    )


@require_GET
def opportunity_list_csv(request):
    """The filtered list as a spreadsheet: what the public pages show of each opportunity."""
    filterset = OpportunityFilter(
        request.GET, queryset=access.opportunities_visible_to(request.user)
    )
    header, rows = selectors.opportunity_export(filterset.qs, base_url=settings.PORTAL_BASE_URL)
    return csv_response(header, rows, filename="opportunities.csv")


@require_GET
def opportunity(request, pk: int):
    found = access.get_opportunity_for_user(request.user, pk)
    opportunity = selectors.opportunity_detail(found.pk)
    runs = access.runs_opportunity(request.user, opportunity)
    organisation = request.portal.organisation if request.user.is_authenticated else None
    is_provider = request.portal.is_provider if request.user.is_authenticated else False
    interested = (
        is_provider
        and Interest.objects.filter(opportunity=opportunity, organisation=organisation).exists()
    )
    return render(
        request,
        "commissioning/sourcing/opportunities/detail.html",
        {
            "opportunity": opportunity,
            "state_label": selectors.STATE_LABELS.get(opportunity.state, ""),
            "stages": selectors.criteria_by_stage(opportunity),
            "timetable": selectors.timetable(opportunity),
            "runs": runs,
            "is_provider": is_provider,
            "interested": interested,
            "can_register_interest": is_provider
            and not interested
            and opportunity.state in (selectors.STATE_OPEN, selectors.STATE_FORTHCOMING),
            "lot_total": sum(lot.annual_budget for lot in opportunity.lots.all()),
        },
    )


# Writing an opportunity


@access.commissioner_required
def opportunity_create(request):
    bodies = access.bodies_of(request.user)
    form = OpportunityForm(
        request.POST or None,
        user=request.user,
        bodies=bodies,
        initial={
            "body": access.default_body_id(bodies, request.portal.organisation),
            "contact_name": request.user.full_name,
            "contact_email": request.user.email,
            "term_months": 36,
            "consortium_bids": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        data, m2m = form.opportunity_data()
        try:
            opportunity = services.opportunity_create(
                actor=request.user, body=form.cleaned_data["body"], data=data, m2m=m2m
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"“{opportunity.title}” is saved as a draft, reference {opportunity.reference}. "
                "Add its lots, eligibility questions and criteria, then publish it.",
            )
            return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/opportunities/form.html",
        {"form": form, "opportunity": None},
    )


def _draft_only(request, opportunity: Opportunity):
    """After publishing, changes go through extensions and amendments."""
    if opportunity.status != OpportunityStatus.DRAFT:
        messages.info(
            request,
            "Only a draft can be changed here. Extend a deadline or amend the documents from "
            "the clarifications pages instead.",
        )
        return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    return None


@login_required
def opportunity_edit(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    if (refused := _draft_only(request, opportunity)) is not None:
        return refused
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.opportunity_data()
        try:
            services.opportunity_update(
                actor=request.user, opportunity=opportunity, data=data, m2m=m2m
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the changes to “{opportunity.title}”.")
            return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/opportunities/form.html",
        {"form": form, "opportunity": opportunity},
    )


def _rows_page(request, pk: int, *, formset_class, initial, save, template: str, saved: str):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    editable = opportunity.status == OpportunityStatus.DRAFT
    if request.method == "POST":
        if (refused := _draft_only(request, opportunity)) is not None:
            return refused
        formset = formset_class(request.POST)
        if formset.is_valid():
            try:
                save(actor=request.user, opportunity=opportunity, rows=formset_rows(formset))
            except ValidationError as error:
                for message in error.messages:
                    formset._non_form_errors = formset.error_class(
                        [*formset.non_form_errors(), message]
                    )
            else:
                messages.success(request, saved)
                return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    else:
        formset = formset_class(initial=initial(opportunity))
    return render(
        request,
        f"commissioning/sourcing/opportunities/{template}",
        {
            "opportunity": opportunity,
            "formset": formset,
            "editable": editable,
            # The rows saved already come first, so they keep their numbers after a refused save.
            "saved_rows": len(initial(opportunity)),
        },
    )


@login_required
def opportunity_lots(request, pk: int):
    return _rows_page(
        request,
        pk,
        formset_class=LotFormSet,
        initial=lambda o: list(
            o.lots.values("pk", "number", "title", "description", "annual_budget")
        ),
        save=lambda actor, opportunity, rows: services.opportunity_lots_save(
            actor=actor, opportunity=opportunity, lots=rows
        ),
        template="lots.html",
        saved="The lots are saved.",
    )


@login_required
def opportunity_eligibility(request, pk: int):
    return _rows_page(
        request,
        pk,
        formset_class=EligibilityFormSet,
        initial=lambda o: list(o.eligibility_questions.values("pk", "text")),
        save=lambda actor, opportunity, rows: services.opportunity_eligibility_save(
            actor=actor, opportunity=opportunity, questions=rows
        ),
        template="eligibility.html",
        saved="The eligibility questions are saved.",
    )


def _criteria_initial(opportunity: Opportunity) -> list[dict]:
    rows = []
    for criterion in opportunity.criteria.order_by("stage", "position", "pk"):
        rows.append(
            {
                "pk": criterion.pk,
                "stage": criterion.stage,
                "kind": criterion.kind,
                "title": criterion.title,
                "question": criterion.question,
                "weight": criterion.weight,
                "scale_max": criterion.scale_max,
                "scale_guidance": guidance_as_text(criterion.scale_guidance),
                "word_limit": criterion.word_limit,
            }
        )
    return rows


@login_required
def opportunity_criteria(request, pk: int):
    return _rows_page(
        request,
        pk,
        formset_class=CriterionFormSet,
        initial=_criteria_initial,
        save=lambda actor, opportunity, rows: services.opportunity_criteria_save(
            actor=actor, opportunity=opportunity, criteria=rows
        ),
        template="criteria.html",
        saved="The criteria are saved.",
    )


# Documents


@login_required
def opportunity_documents(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    editable = opportunity.status == OpportunityStatus.DRAFT
    form = OpportunityDocumentForm()
    if request.method == "POST":
        if (refused := _draft_only(request, opportunity)) is not None:
            return refused
        if "delete" in request.POST:
            document = get_object_or_404(
                OpportunityDocument, opportunity=opportunity, pk=request.POST.get("delete") or 0
            )
            services.opportunity_document_delete(actor=request.user, document=document)
            messages.success(request, f"“{document.title}” is removed.")
            return redirect("commissioning:opportunity_documents", pk=opportunity.pk)
        form = OpportunityDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.opportunity_document_add(
                    actor=request.user,
                    opportunity=opportunity,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, f"“{document.title}” is uploaded.")
                return redirect("commissioning:opportunity_documents", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/opportunities/documents.html",
        {
            "opportunity": opportunity,
            "documents": opportunity.documents.select_related("uploaded_by").order_by(
                "title", "-version"
            ),
            "form": form,
            "editable": editable,
        },
    )


@require_GET
def opportunity_document(request, pk: int):
    document = get_object_or_404(
        OpportunityDocument.objects.filter(
            opportunity__in=access.opportunities_visible_to(request.user)
        ),
        pk=pk,
    )
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


# Status


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@login_required
@require_POST
def opportunity_publish(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    try:
        services.opportunity_publish(actor=request.user, opportunity=opportunity)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, f"It cannot be published yet. {_refusal(error)}")
    else:
        messages.success(
            request,
            f"“{opportunity.title}” is published. Providers who subscribed to its categories or "
            "areas are being told by email.",
        )
    return redirect("commissioning:opportunity_manage", pk=opportunity.pk)


@login_required
@require_POST
def opportunity_status(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    action = services.STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Choose what to do.")
        return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    to_status, label = action
    try:
        services.opportunity_move(request.user, opportunity, to_status)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, f"{label}: not done. {_refusal(error)}")
    else:
        messages.success(request, f"{label}: done.")
    return redirect("commissioning:opportunity_manage", pk=opportunity.pk)


@login_required
def opportunity_cancel(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_cancel(
                actor=request.user, opportunity=opportunity, reason=form.cleaned_data["reason"]
            )
        except TransitionNotAllowed:
            messages.error(
                request,
                f"A {opportunity.get_status_display().lower()} opportunity cannot be cancelled.",
            )
            return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{opportunity.title}” is cancelled.")
            return redirect("commissioning:opportunity_manage", pk=opportunity.pk)
    return render(
        request,
        "commissioning/sourcing/opportunities/cancel.html",
        {
            "opportunity": opportunity,
            "form": form,
            "can_cancel": OpportunityStatus.CANCELLED
            in OPPORTUNITY_TRANSITIONS[opportunity.status],
        },
    )


@login_required
@require_POST
def opportunity_interest(request, pk: int):
    opportunity = access.get_opportunity_for_user(request.user, pk)
    organisation = request.portal.organisation
    if organisation is None or not request.portal.is_provider:
        raise PermissionDenied("Interest is registered by a provider organisation.")
    try:
        _interest, created = services.interest_register(
            actor=request.user, opportunity=opportunity, organisation=organisation
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        if created:
            messages.success(
                request,
                f"{organisation.name} is registered as interested. You will be emailed "
                "clarifications and changes.",
            )
        else:
            messages.info(request, f"{organisation.name} is already registered as interested.")
    return redirect("commissioning:opportunity", pk=opportunity.pk)


# The commissioners' page


@login_required
@require_GET
def opportunity_manage(request, pk: int):
    opportunity = access.get_opportunity_to_run(request.user, pk)
    opportunity = selectors.opportunity_detail(opportunity.pk)
    allowed = OPPORTUNITY_TRANSITIONS[opportunity.status]
    moves = [
        {"action": name, "label": label}
        for name, (to_status, label) in services.STATUS_ACTIONS.items()
        if to_status in allowed
        and not (
            name == "close"
            and opportunity.is_two_stage
            and opportunity.status == OpportunityStatus.PUBLISHED
        )
        and not (name == "close_eoi" and not opportunity.is_two_stage)
    ]
    history = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Opportunity),
            object_id=str(opportunity.pk),
        )
        .exclude(action=services.NOTICE_ACTION)
        .select_related("actor")[:30]
    )
    is_draft = opportunity.status == OpportunityStatus.DRAFT
    return render(
        request,
        "commissioning/sourcing/opportunities/manage.html",
        {
            "opportunity": opportunity,
            "state_label": selectors.STATE_LABELS.get(opportunity.state, ""),
            "timetable": selectors.timetable(opportunity),
            "counts": selectors.bid_counts(opportunity),
            "interest_count": opportunity.interests.count(),
            "moves": moves,
            "is_draft": is_draft,
            "publish_problems": services.publish_problems(opportunity) if is_draft else [],
            "can_cancel": OpportunityStatus.CANCELLED in allowed,
            "history": history,
        },
    )
