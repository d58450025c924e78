"""Agreements: entering one directly or making one from an award, its page, its terms, measures
and payment schedule, payments made, variations and their history, notices, status moves and the
feedback at the end. Every agreement is fetched through access.get_agreement_for_user (to read)
or access.get_agreement_to_manage (to change: members of the lead body)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..forms.agreements import (
    AgreementForm,
    EndFeedbackForm,
    FunderFormSet,
    InstalmentFormSet,
    InstalmentPaidForm,
    MeasureFormSet,
    MemberFormSet,
    MoveForm,
    NewMeasureFormSet,
    NoticeForm,
    RiskFormSet,
    VariationForm,
    funders_initial,
    instalments_initial,
    measures_initial,
    members_initial,
    risks_initial,
)
from ..models import Agreement, AgreementStatus, PaymentTiming, ReportingFrequency
from ..selectors import agreements as selectors
from ..selectors.improvement import plans_section, visits_section
from ..selectors.monitoring import returns_section
from ..selectors.user_feedback import feedback_section
from ..services import agreements as services

REFRESH = "refresh_years"


def _messages_from(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


def _quiet(*forms) -> None:
    """Show a posted form again without its errors: the person asked only to see the rows for
    new dates, not to save."""
    for form in forms:
        if isinstance(form, BaseFormSet):
            form.errors  # noqa: B018 - cleans the rows, so that their errors can be cleared
            form._non_form_errors = form.error_class()
            for row in form.forms:
                row.errors.clear()
        else:
            form.errors.clear()


def _all_valid(*forms) -> bool:
    """Validate every form and formset, so that the page shows all their errors at once."""
    results = [form.is_valid() for form in forms]
    return all(results)


def _non_form_error(formset, error: ValidationError) -> None:
    formset._non_form_errors = formset.error_class([*formset.non_form_errors(), *error.messages])


def _party_formsets(data=None, agreement: Agreement | None = None) -> dict:
    return {
        "members": MemberFormSet(
            data, prefix="members", initial=members_initial(agreement) if agreement else None
        ),
        "funders": FunderFormSet(
            data, prefix="funders", initial=funders_initial(agreement) if agreement else None
        ),
        "risks": RiskFormSet(
            data, prefix="risks", initial=risks_initial(agreement) if agreement else None
        ),
    }


def _row_errors(formset, noun: str) -> list[tuple[str, str, str]]:
    """Each error on a row, for the page's error summary: (row, label, field id, message)."""
    return [
        (f"{noun} {number}", row[name].label, row[name].auto_id, error)
        for number, row in enumerate(formset.forms, start=1)
        for name in row.fields
        for error in row[name].errors
    ]


def _refuse_unless_live(request, agreement: Agreement, what: str):
    if not agreement.is_live:
        messages.info(
            request,
            f"This agreement is {agreement.get_status_display().lower()}, so {what}.",
        )
        return redirect("commissioning:agreement", pk=agreement.pk)
    return None


# Making an agreement


@access.commissioner_required
def agreement_new(request):
    bodies = access.bodies_of(request.user)
    data = request.POST or None
    form = AgreementForm(
        data,
        bodies=bodies,
        initial={
            "body": access.default_body_id(bodies, request.portal.organisation),
            "reporting_frequency": ReportingFrequency.QUARTERLY,
            "payment_timing": PaymentTiming.ADVANCE,
        },
    )
    formsets = _party_formsets(data)
    invalid = False
    if request.method == "POST" and REFRESH in request.POST:
        _quiet(form, *formsets.values())
    elif request.method == "POST":
        if _all_valid(form, *formsets.values()):
            data, m2m = form.agreement_data()
            try:
                agreement = services.agreement_create(
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    provider=form.cleaned_data["provider"],
                    consortium=form.cleaned_data.get("consortium"),
                    data=data,
                    m2m=m2m,
                    years=form.years(),
                    members=formsets["members"].rows(),
                    funders=formsets["funders"].rows(),
                    risks=formsets["risks"].rows(),
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    f"The agreement is made, reference {agreement.reference}. Add its outcome "
                    "measures and payment schedule.",
                )
                return redirect("commissioning:agreement", pk=agreement.pk)
        invalid = True
    return render(
        request,
        "commissioning/agreements/form.html",
        _form_context(form, formsets, agreement=None),
        status=400 if invalid else 200,
    )


def _form_context(form, formsets: dict, *, agreement: Agreement | None) -> dict:
    return {
        "form": form,
        "agreement": agreement,
        "members_formset": formsets["members"],
        "funders_formset": formsets["funders"],
        "risks_formset": formsets["risks"],
        "row_errors": [
            *_row_errors(formsets["members"], "Member"),
            *_row_errors(formsets["funders"], "Co-funder"),
            *_row_errors(formsets["risks"], "Risk"),
        ],
        "refresh": REFRESH,
    }


@login_required
def agreement_from_award(request, pk: int):
    award = access.get_award_to_contract(request.user, pk)
    existing = Agreement.objects.filter(award=award).only("pk", "reference").first()
    if existing is not None:
        messages.info(
            request,
            f"An agreement was already made from this award: {existing.reference}. There is one "
            "agreement for each award.",
        )
        return redirect("commissioning:agreement", pk=existing.pk)
    refusal = services.award_refusal(award)
    if request.method == "POST" and refusal is None:
        try:
            agreement = services.agreement_from_award(actor=request.user, award=award)
        except ValidationError as error:
            _messages_from(request, error)
            return redirect("commissioning:agreement_from_award", pk=award.pk)
        messages.success(
            request,
            f"The agreement is made, reference {agreement.reference}. Check its terms, then add "
            "its outcome measures and payment schedule.",
        )
        return redirect("commissioning:agreement", pk=agreement.pk)
    return render(
        request,
        "commissioning/agreements/from_award.html",
        {
            "award": award,
            "opportunity": award.opportunity,
            "refusal": refusal,
            "terms": services.award_terms(award) if refusal is None else None,
        },
    )


# The agreement's page and history


@login_required
@require_GET
def agreement(request, pk: int):
    found = access.get_agreement_for_user(request.user, pk)
    context = selectors.agreement_page(found, request.user)
    page = context["agreement"]
    context.update(
        returns_section=returns_section(page, request.user),
        visits_section=visits_section(page, request.user),
        plans_section=plans_section(page, request.user),
        feedback_section=feedback_section(page, request.user),
    )
    return render(request, "commissioning/agreements/agreement.html", context)


@login_required
@require_GET
def agreement_history(request, pk: int):
    found = access.get_agreement_for_user(request.user, pk)
    return render(
        request,
        "commissioning/agreements/history.html",
        {"agreement": found, "rows": selectors.history_rows(found)},
    )


# Changing the terms


@login_required
def agreement_edit(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    if refused := _refuse_unless_live(request, found, "its terms can no longer be changed"):
        return refused
    data = request.POST or None
    form = AgreementForm(data, instance=found)
    formsets = _party_formsets(data, found)
    invalid = False
    if request.method == "POST":
        if _all_valid(form, *formsets.values()):
            terms, m2m = form.agreement_data()
            try:
                services.agreement_update(
                    actor=request.user,
                    agreement=found,
                    data=terms,
                    m2m=m2m,
                    members=formsets["members"].rows(),
                    funders=formsets["funders"].rows(),
                    risks=formsets["risks"].rows(),
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, f"Saved the changes to {found.reference}.")
                return redirect("commissioning:agreement", pk=found.pk)
        invalid = True
    return render(
        request,
        "commissioning/agreements/form.html",
        _form_context(form, formsets, agreement=found),
        status=400 if invalid else 200,
    )


@login_required
def agreement_measures(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    locked = services.measures_locked(found)
    invalid = False
    if request.method == "POST" and locked:
        messages.error(
            request,
            "The provider has submitted a return, so the measures now change only through a "
            "variation.",
        )
        return redirect("commissioning:agreement_measures", pk=found.pk)
    if request.method == "POST":
        formset = MeasureFormSet(request.POST, prefix="measures")
        if formset.is_valid():
            try:
                count = services.agreement_measures_save(
                    actor=request.user, agreement=found, measures=formset.rows()
                )
            except ValidationError as error:
                _non_form_error(formset, error)
            else:
                messages.success(
                    request, f"The measures are saved: {count} measure{'s' if count != 1 else ''}."
                )
                return redirect("commissioning:agreement", pk=found.pk)
        invalid = True
    else:
        formset = MeasureFormSet(prefix="measures", initial=measures_initial(found))
    return render(
        request,
        "commissioning/agreements/measures.html",
        {
            "agreement": found,
            "formset": formset,
            "locked": locked,
            "measures": list(found.measures.select_related("outcome")),
            "row_errors": _row_errors(formset, "Measure"),
        },
        status=400 if invalid else 200,
    )


@login_required
def agreement_payments(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    invalid = False
    if request.method == "POST":
        formset = InstalmentFormSet(request.POST, prefix="instalments")
        if formset.is_valid():
            try:
                services.agreement_instalments_save(
                    actor=request.user, agreement=found, instalments=formset.rows()
                )
            except ValidationError as error:
                _non_form_error(formset, error)
            else:
                messages.success(request, "The payment schedule is saved.")
                return redirect("commissioning:agreement_payments", pk=found.pk)
        invalid = True
    else:
        formset = InstalmentFormSet(prefix="instalments", initial=instalments_initial(found))
    context = selectors.payments_page(found)
    context.update(
        agreement=found,
        formset=formset,
        paid_form=InstalmentPaidForm(),
        row_errors=_row_errors(formset, "Instalment"),
    )
    return render(
        request,
        "commissioning/agreements/payments.html",
        context,
        status=400 if invalid else 200,
    )


@login_required
@require_POST
def instalment_paid(request, pk: int):
    instalment = access.get_instalment_to_manage(request.user, pk)
    form = InstalmentPaidForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Instalment {instalment.number}: {error}")
        return redirect("commissioning:agreement_payments", pk=instalment.agreement_id)
    try:
        saved, created = services.instalment_mark_paid(
            actor=request.user, instalment=instalment, paid_on=form.cleaned_data["paid_on"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Instalment {instalment.number}: {message}")
    else:
        if created:
            late = " It was paid late." if saved.is_late() else ""
            messages.success(
                request,
                f"Instalment {saved.number} is recorded as paid on "
                f"{services.day(saved.paid_on)}.{late}",
            )
        else:
            messages.info(
                request,
                f"Instalment {saved.number} was already recorded as paid on "
                f"{services.day(saved.paid_on)}.",
            )
    return redirect("commissioning:agreement_payments", pk=instalment.agreement_id)


# Variations and notices


@login_required
def agreement_variation_new(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    if refused := _refuse_unless_live(request, found, "it can no longer be varied"):
        return refused
    measures = list(found.measures.filter(retired_on__isnull=True))
    data = request.POST or None
    form = VariationForm(data, agreement=found, measures=measures)
    new_measures = NewMeasureFormSet(data, prefix="new")
    invalid = False
    if request.method == "POST" and REFRESH in request.POST:
        _quiet(form, new_measures)
    elif request.method == "POST":
        if _all_valid(form, new_measures):
            try:
                variation, created = services.agreement_vary(
                    actor=request.user,
                    agreement=found,
                    start_on=form.cleaned_data["start_on"],
                    end_on=form.cleaned_data["end_on"],
                    years=form.years(),
                    targets=form.targets(),
                    retire=form.retired(),
                    new_measures=new_measures.rows(),
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_on"],
                    agreed_by=form.cleaned_data["agreed_by"],
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                if created:
                    messages.success(
                        request,
                        f"Variation {variation.number} is recorded: the agreement is now at "
                        f"version {variation.version.number}.",
                    )
                return redirect("commissioning:agreement_history", pk=found.pk)
        invalid = True
    return render(
        request,
        "commissioning/agreements/variation_form.html",
        {
            "agreement": found,
            "form": form,
            "new_measures": new_measures,
            "row_errors": _row_errors(new_measures, "New measure"),
            "refresh": REFRESH,
        },
        status=400 if invalid else 200,
    )


@login_required
def agreement_notice_new(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    if refused := _refuse_unless_live(request, found, "no more notice can be given on it"):
        return refused
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice, created = services.agreement_give_notice(
                actor=request.user, agreement=found, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if created:
                messages.success(
                    request, f"The {notice.get_kind_display().lower()} notice is recorded."
                )
                shortfall = services.notice_shortfall(
                    notice.kind, notice.given_on, notice.takes_effect_on
                )
                if shortfall:
                    messages.warning(request, shortfall)
            return redirect("commissioning:agreement", pk=found.pk)
    return render(
        request,
        "commissioning/agreements/notice_form.html",
        {"agreement": found, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# Status and the end


@login_required
@require_POST
def agreement_move(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do.")
        return redirect("commissioning:agreement", pk=found.pk)
    to_status = form.cleaned_data["to_status"]
    label = services.STATUS_ACTIONS[to_status]
    if found.status == to_status:
        messages.info(request, f"It is already {found.get_status_display().lower()}.")
        return redirect("commissioning:agreement", pk=found.pk)
    try:
        moved = services.agreement_move(
            actor=request.user,
            agreement=found,
            to_status=to_status,
            reason=form.cleaned_data["reason"],
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, f"{label}: not done. " + _refusal(error))
    else:
        messages.success(request, f"{label}: done. It is now {moved.get_status_display().lower()}.")
    return redirect("commissioning:agreement", pk=found.pk)


def _refusal(error: Exception) -> str:
    if isinstance(error, TransitionNotAllowed):
        return (
            f"An agreement that is {AgreementStatus(error.from_status).label.lower()} cannot "
            f"become {AgreementStatus(error.to_status).label.lower()}."
        )
    return " ".join(error.messages)


@login_required
def agreement_end_feedback(request, pk: int):
    found = access.get_agreement_to_manage(request.user, pk)
    open_for_feedback = found.status in services.END_STATUSES
    form = EndFeedbackForm(
        request.POST or None,
        agreement=found,
        initial={
            "end_feedback": found.end_feedback,
            "tracking_until": found.tracking_until,
            "tracked_measures": list(
                found.measures.filter(tracked_after_end=True).values_list("pk", flat=True)
            ),
        },
    )
    if request.method == "POST" and not open_for_feedback:
        messages.error(
            request,
            "Feedback to the provider is written once the agreement is ending or has ended.",
        )
        return redirect("commissioning:agreement", pk=found.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_end_feedback_save(
                actor=request.user,
                agreement=found,
                feedback=form.cleaned_data["end_feedback"],
                tracking_until=form.cleaned_data["tracking_until"],
                tracked_measure_ids=[m.pk for m in form.cleaned_data["tracked_measures"]],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request, "The feedback is saved. The provider reads it on the agreement's page."
            )
            return redirect("commissioning:agreement", pk=found.pk)
    return render(
        request,
        "commissioning/agreements/end_feedback.html",
        {"agreement": found, "form": form, "open_for_feedback": open_for_feedback},
        status=400 if form.is_bound and form.errors else 200,
    )
