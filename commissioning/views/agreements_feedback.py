"""Service users' feedback: the public form (no account needed) and its thanks page; an
agreement's feedback page, its QR code and its poster. The public form is found through
access.get_agreement_for_feedback (live agreements only); the rest through
access.get_agreement_for_user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import form_errors_from

from .. import access, ratelimit
from ..forms.agreements_feedback import FeedbackForm
from ..selectors import user_feedback as selectors
from ..services import user_feedback as services

ONCE = "feedback"


@require_http_methods(["GET", "POST"])
def feedback_form(request, token: str):
    agreement = access.get_agreement_for_feedback(token)
    form = FeedbackForm(request.POST or None)
    flooded = False
    thanks = redirect("commissioning:feedback_thanks", token=token)
    if form.is_spam():
        return thanks  # a robot filled in the hidden field: thank it and keep nothing
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["submission"]
        if key and not ratelimit.claim_once(ONCE, key):
            return thanks  # the same form sent again: it was stored the first time
        client = ratelimit.client_fingerprint(request)
        if not ratelimit.FEEDBACK_RATE.take(agreement.pk, client):
            flooded = True
        else:
            try:
                services.feedback_give(agreement=agreement, **form.answers())
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                return thanks
        if key:
            ratelimit.release(ONCE, key)
    response = render(
        request,
        "commissioning/feedback/form.html",
        {
            "agreement": agreement,
            "form": form,
            "flooded": flooded,
            "wait_minutes": ratelimit.FEEDBACK_RATE.minutes,
        },
        status=429 if flooded else 200,
    )
    if flooded:
        response["Retry-After"] = str(ratelimit.FEEDBACK_RATE.window)
    return response


@require_GET
def feedback_thanks(request, token: str):
    agreement = access.get_agreement_for_feedback(token)
    return render(request, "commissioning/feedback/thanks.html", {"agreement": agreement})


@login_required
@require_GET
def agreement_feedback(request, pk: int):
    agreement = access.get_agreement_for_user(request.user, pk)
    context = selectors.feedback_page(agreement, request.user, page_number=request.GET.get("page"))
    return render(request, "commissioning/feedback/agreement_feedback.html", context)


@login_required
@require_GET
def agreement_feedback_qr(request, pk: int, fmt: str):
    agreement = access.get_agreement_for_user(request.user, pk)
    if fmt not in selectors.QR_CONTENT_TYPES:
        raise Http404("QR codes come as svg or png.")
    if not agreement.is_live:
        raise Http404("This agreement has ended, so its feedback link is closed.")
    response = HttpResponse(
        selectors.feedback_qr(agreement, fmt), content_type=selectors.QR_CONTENT_TYPES[fmt]
    )
    filename = f"feedback-qr-{slugify(agreement.reference)}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def agreement_feedback_poster(request, pk: int):
    agreement = access.get_agreement_for_user(request.user, pk)
    return render(
        request,
        "commissioning/feedback/poster.html",
        {
            "agreement": agreement,
            "is_live": agreement.is_live,
            **selectors.feedback_links(agreement),
        },
    )
