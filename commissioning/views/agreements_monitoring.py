"""Monitoring returns: the return page; the provider's form to fill in, attach evidence to and
submit a return; the lead body's review; and the lists of returns to review and returns due.
Every return is fetched through access.get_return_for_user, get_return_to_submit or
get_return_to_review, and every change goes through services.agreements_monitoring."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed
from providers.views.passports import private_file_response

from .. import access
from ..forms.agreements_monitoring import ReturnForm, ReturnReviewForm
from ..models import MonitoringReturn, ReturnStatus, ReturnValue
from ..selectors import monitoring as selectors
from ..services import agreements_monitoring as services
from ..services.assessments import evidence_max_text


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_GET
def monitoring_return(request, pk: int):
    found = access.get_return_for_user(request.user, pk)
    return render(
        request, "commissioning/returns/detail.html", selectors.return_page(found, request.user)
    )


# The provider's return


def _return_form(monitoring_return: MonitoringReturn, data=None, files=None) -> ReturnForm:
    values = {
        v.measure_id: v for v in ReturnValue.objects.filter(monitoring_return=monitoring_return)
    }
    return ReturnForm(
        data,
        files,
        measures=selectors.return_measures(monitoring_return),
        values=values,
        initial={
            "narrative": monitoring_return.narrative,
            "feedback_summary": monitoring_return.feedback_summary,
            "concerns": monitoring_return.concerns,
            "version": monitoring_return.version,
        },
    )


def _render_return_form(request, monitoring_return: MonitoringReturn, form: ReturnForm, status):
    return render(
        request,
        "commissioning/returns/submit.html",
        {
            "monitoring_return": monitoring_return,
            "agreement": monitoring_return.agreement,
            "form": form,
            "evidence": selectors.evidence_of(monitoring_return),
            "max_upload": evidence_max_text(),
            "days_overdue": monitoring_return.days_overdue(),
        },
        status=status,
    )


def _posts_the_form(request) -> bool:
    """Whether a post carries the whole return form (its upload and delete buttons post it all),
    rather than only a file."""
    return "narrative" in request.POST


def _closed(request, monitoring_return: MonitoringReturn):
    """A return that cannot be changed any more: say why, on its page."""
    if monitoring_return.status in selectors.EDITABLE_STATUSES:
        return None
    if monitoring_return.status == ReturnStatus.SUBMITTED:
        messages.info(request, services.already_submitted_message(monitoring_return))
    else:
        messages.info(
            request,
            f"This return is {monitoring_return.get_status_display().lower()}, so it can no longer "
            "be changed.",
        )
    return redirect("commissioning:return", pk=monitoring_return.pk)


@login_required
def return_submit(request, pk: int):
    found = access.get_return_to_submit(request.user, pk)
    if request.method != "POST":
        if closed := _closed(request, found):
            return closed
        return _render_return_form(request, found, _return_form(found), 200)
    form = _return_form(found, request.POST, request.FILES)
    submitting = request.POST.get("action") == "submit"
    if form.is_valid():
        try:
            if submitting:
                saved, changed = services.return_submit(
                    actor=request.user,
                    monitoring_return=found,
                    draft=form.draft(),
                    upload=form.upload(),
                )
            else:
                saved = services.return_draft_save(
                    actor=request.user,
                    monitoring_return=found,
                    draft=form.draft(),
                    upload=form.upload(),
                )
        except ValidationError as error:
            if getattr(error, "code", None) == "closed":
                found.refresh_from_db()
                return _closed(request, found) or _render_return_form(request, found, form, 400)
            form_errors_from(error, form)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect("commissioning:return", pk=found.pk)
        else:
            if not submitting:
                upload = form.upload()
                attached = f", with “{upload.file.name}” attached" if upload else ""
                messages.success(
                    request, f"Your draft is saved{attached}. It is not submitted yet."
                )
                return redirect("commissioning:return_submit", pk=saved.pk)
            if changed:
                messages.success(
                    request,
                    "Your return is submitted. The commissioner will review it and tell you "
                    "when it is accepted, or if they need anything more.",
                )
            else:
                messages.info(request, services.already_submitted_message(saved))
            return redirect("commissioning:return", pk=saved.pk)
    return _render_return_form(request, found, form, 400)


@login_required
@require_POST
def return_evidence(request, pk: int):
    """Attach a file. Posted with the whole form (the upload button), what was typed is saved
    with it, or, if the file is refused, shown again with the reason."""
    found = access.get_return_to_submit(request.user, pk)
    if closed := _closed(request, found):
        return closed
    whole = _posts_the_form(request)
    data = request.POST if whole else _upload_only(request, found)
    form = _return_form(found, data, request.FILES)
    if form.is_valid():
        upload = form.upload()
        if upload is None:
            form.add_error("file", "Choose a file to upload.")
        else:
            try:
                document = services.return_evidence_add(
                    actor=request.user,
                    monitoring_return=found,
                    upload=upload,
                    draft=form.draft() if whole else None,
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                saved = " Your draft is saved too." if whole else ""
                messages.success(
                    request, f"“{document.original_name}” is attached to the return.{saved}"
                )
                return redirect("commissioning:return_submit", pk=found.pk)
    return _render_return_form(request, found, form, 400)


def _upload_only(request, monitoring_return: MonitoringReturn) -> dict:
    """A post of a file alone, filled out with the return as stored, so that only the upload's
    own fields can be wrong and the page shows the draft as it is if the file is refused."""
    stored = _return_form(monitoring_return)
    data = {name: stored[name].value() for name in stored.fields if name != "file"}
    for name in ("evidence_title", "evidence_measure"):
        data[name] = request.POST.get(name, "")
    return {name: "" if value is None else value for name, value in data.items()}


@login_required
@require_GET
def return_evidence_file(request, pk: int):
    evidence = access.get_return_evidence_for_user(request.user, pk)
    return private_file_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def return_evidence_delete(request, pk: int):
    evidence = access.get_return_evidence_for_user(request.user, pk)
    found = evidence.monitoring_return
    if not access.is_agreement_provider(request.user, found.agreement):
        raise PermissionDenied("Only the lead provider's members change its returns.")
    if closed := _closed(request, found):
        return closed
    whole = _posts_the_form(request)
    form = _return_form(found, request.POST) if whole else None
    if form is not None and not form.is_valid():
        messages.error(request, "The file was not removed: put right the problems below first.")
        return _render_return_form(request, found, form, 400)
    try:
        services.return_evidence_delete(
            actor=request.user, evidence=evidence, draft=form.draft() if form else None
        )
    except ValidationError as error:
        if form is None:
            _messages_from(request, error)
            return redirect("commissioning:return", pk=found.pk)
        form_errors_from(error, form)
        return _render_return_form(request, found, form, 400)
    saved = " Your draft is saved too." if whole else ""
    messages.success(request, f"“{evidence.original_name}” is removed from the return.{saved}")
    return redirect("commissioning:return_submit", pk=found.pk)


# The lead body's review


@login_required
def return_review(request, pk: int):
    found = access.get_return_to_review(request.user, pk)
    if found.status != ReturnStatus.SUBMITTED:
        if found.status in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED):
            messages.info(request, services.already_reviewed_message(found))
        else:
            messages.info(
                request, "This return has not been submitted yet, so it cannot be reviewed."
            )
        return redirect("commissioning:return", pk=found.pk)
    page = selectors.return_page(found, request.user)
    values = [row.value for row in page["rows"] if row.value is not None]
    cofunders = list(
        found.agreement.funders.order_by("body__name").values_list("body__name", flat=True)
    )
    form = ReturnReviewForm(
        request.POST or None,
        values=values,
        cofunders=cofunders,
        initial={
            "rating": found.rating,
            "rating_comment": found.rating_comment,
            "version": found.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviewed, plan = services.return_review(
                actor=request.user, monitoring_return=found, **form.review()
            )
        except ValidationError as error:
            if getattr(error, "code", None) in ("already", "not_submitted"):
                _messages_from(request, error)
                return redirect("commissioning:return", pk=found.pk)
            form_errors_from(error, form)
        else:
            if reviewed.status == ReturnStatus.ACCEPTED:
                done = "The return is accepted"
            else:
                done = "The return is sent back to the provider for more information"
            messages.success(request, f"{done}. We have emailed the provider.")
            if plan is not None and reviewed.status == ReturnStatus.ACCEPTED:
                messages.warning(
                    request,
                    "Its rating opens an improvement plan. Record the support offered first, "
                    "then the actions and a review date.",
                )
            return redirect("commissioning:return", pk=reviewed.pk)
    page.update(
        {
            "form": form,
            "cofunders": cofunders,
            "value_fields": form.value_fields(),
        }
    )
    return render(
        request,
        "commissioning/returns/review.html",
        page,
        status=400 if request.method == "POST" else 200,
    )


# Lists


@access.commissioner_required
@require_GET
def returns_to_review(request):
    context = selectors.returns_to_review_page(
        request.user, request.GET.get("page"), request.GET.get("overdue_page")
    )
    return render(request, "commissioning/returns/to_review.html", context)


def _provider_required(view):
    """For a provider's pages: members of a verified third sector organisation. Anonymous people
    are sent to sign in; others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        organisation_ids = selectors.provider_organisation_ids(request.user)
        if not organisation_ids:
            raise PermissionDenied("This page is for the people of third sector organisations.")
        return view(request, *args, organisation_ids=organisation_ids, **kwargs)

    return wrapped


@_provider_required
@require_GET
def returns_due(request, *, organisation_ids: list[int]):
    context = selectors.returns_due_page(
        request.user, request.GET.get("page"), organisation_ids=organisation_ids
    )
    return render(request, "commissioning/returns/due.html", context)
