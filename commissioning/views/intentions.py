"""The forward plan: the planners' list of intentions, writing and publishing one, the public
forward plan with its CSV and calendar exports, and a provider's alerts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.exports import csv_response
from accounts.forms import form_errors_from
from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..filters_planning import ForwardPlanFilter, IntentionListFilter, select_lists
from ..forms.planning import IntentionForm, SubscriptionForm, WithdrawForm
from ..icalendar import calendar_stream
from ..models import (
    INTENTION_TRANSITIONS,
    CommissioningIntention,
    IntentionStatus,
    Subscription,
)
from ..selectors import planning as selectors
from ..services import intentions as services
from ..services import subscriptions as subscription_services

PREVIEW_SIZE = 5


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# The planners' list


@access.planner_required
@require_GET
def intention_list(request):
    filterset = IntentionListFilter(
        request.GET, queryset=access.intentions_visible_to(request.user)
    )
    page = selectors.intentions_page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "commissioning/planning/intention_list.html",
        {
            "filter": filterset,
            "selects": select_lists(filterset),
            "page": page,
            "rows": selectors.plan_rows(page.object_list),
            "filter_query": _query_without_page(request),
            "can_create": access.is_commissioner(request.user),
        },
    )


# Writing an intention


@access.commissioner_required
def intention_create(request):
    bodies = access.bodies_of(request.user)
    form = IntentionForm(
        request.POST or None,
        user=request.user,
        bodies=bodies,
        initial={
            "body": access.default_body_id(bodies, request.portal.organisation),
            "contact_name": request.user.full_name,
            "contact_email": request.user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        data, m2m = form.intention_data()
        try:
            intention = services.intention_create(
                actor=request.user, body=form.cleaned_data["body"], data=data, m2m=m2m
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"“{intention.title}” is saved as a draft. Only the network can see it until you "
                "publish it.",
            )
            return redirect("commissioning:intention", pk=intention.pk)
    return render(
        request, "commissioning/planning/intention_form.html", {"form": form, "intention": None}
    )


@login_required
def intention_edit(request, pk: int):
    intention = access.get_intention_to_edit(request.user, pk)
    if intention.status == IntentionStatus.WITHDRAWN:
        raise PermissionDenied("A withdrawn intention cannot be changed.")
    form = IntentionForm(request.POST or None, instance=intention, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.intention_data()
        try:
            services.intention_update(actor=request.user, intention=intention, data=data, m2m=m2m)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Saved the changes to “{intention.title}”.")
            return redirect("commissioning:intention", pk=intention.pk)
    return render(
        request,
        "commissioning/planning/intention_form.html",
        {"form": form, "intention": intention},
    )


# An intention's page, and its status


def _intention_page(request, intention: CommissioningIntention, *, withdraw_form=None):
    user = request.user
    intention = (
        selectors.with_details(CommissioningIntention.objects.filter(pk=intention.pk))
        .select_related("outcome__priority", "business_case", "needs_assessment")
        .get()
    )
    can_act = access.acts_for(user, intention.body)
    can_plan = access.can_plan(user)
    assessment_visible = (
        intention.needs_assessment_id is not None
        and access.assessments_visible_to(user).filter(pk=intention.needs_assessment_id).exists()
    )
    history = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(CommissioningIntention),
            object_id=str(intention.pk),
        ).select_related("actor")[:50]
        if can_plan
        else []
    )
    allowed = INTENTION_TRANSITIONS[intention.status]
    return render(
        request,
        "commissioning/planning/intention.html",
        {
            "intention": intention,
            "value_range": selectors.value_range(intention),
            "key_dates": selectors.key_dates(intention),
            "can_act": can_act,
            "can_plan": can_plan,
            "assessment_visible": assessment_visible,
            "history": history,
            "can_publish": can_act and IntentionStatus.PUBLISHED in allowed,
            "can_withdraw": can_act and IntentionStatus.WITHDRAWN in allowed,
            "can_edit": can_act and intention.status != IntentionStatus.WITHDRAWN,
            "withdraw_form": withdraw_form or WithdrawForm(),
        },
    )


@require_GET
def intention(request, pk: int):
    return _intention_page(request, access.get_intention_for_user(request.user, pk))


def _move_refused(intention: CommissioningIntention, to_status: str) -> str:
    if intention.status == to_status:
        return f"It is already {intention.get_status_display().lower()}."
    return f"A {intention.get_status_display().lower()} intention cannot be {to_status}."


@login_required
@require_POST
def intention_publish(request, pk: int):
    intention = access.get_intention_to_edit(request.user, pk)
    try:
        services.intention_publish(actor=request.user, intention=intention)
    except TransitionNotAllowed:
        messages.error(request, _move_refused(intention, IntentionStatus.PUBLISHED))
    else:
        messages.success(
            request,
            f"“{intention.title}” is on the forward plan. Providers who subscribed to its "
            "categories or areas are being told by email.",
        )
    return redirect("commissioning:intention", pk=intention.pk)


@login_required
@require_POST
def intention_withdraw(request, pk: int):
    intention = access.get_intention_to_edit(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.intention_withdraw(
                actor=request.user, intention=intention, reason=form.cleaned_data["reason"]
            )
        except TransitionNotAllowed:
            messages.error(request, _move_refused(intention, IntentionStatus.WITHDRAWN))
            return redirect("commissioning:intention", pk=intention.pk)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request, f"“{intention.title}” is withdrawn. It is no longer on the forward plan."
            )
            return redirect("commissioning:intention", pk=intention.pk)
    return _intention_page(request, intention, withdraw_form=form)


# The public forward plan and its exports


def _forward_plan_filter(request) -> ForwardPlanFilter:
    return ForwardPlanFilter(request.GET, queryset=selectors.forward_plan_intentions())


@require_GET
def forward_plan(request):
    filterset = _forward_plan_filter(request)
    page = selectors.intentions_page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "commissioning/planning/forward_plan.html",
        {
            "filter": filterset,
            "selects": select_lists(filterset),
            "page": page,
            "rows": selectors.plan_rows(page.object_list),
            "filter_query": _query_without_page(request),
        },
    )


@require_GET
def forward_plan_csv(request):
    filterset = _forward_plan_filter(request)
    rows = selectors.forward_plan_export_rows(filterset.qs, base_url=settings.PORTAL_BASE_URL)
    return csv_response(selectors.EXPORT_HEADER, rows, filename="forward-plan.csv")


@require_GET
def forward_plan_ics(request):
    filterset = _forward_plan_filter(request)
    events = selectors.forward_plan_events(filterset.qs, base_url=settings.PORTAL_BASE_URL)
    response = StreamingHttpResponse(
        calendar_stream(
            events,
            name=f"{settings.PORTAL_NAME}: forward plan",
            product=f"{settings.PORTAL_NAME}//Forward plan",
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="forward-plan.ics"'
    return response


# A provider's alerts


@access.subscriber_required
def subscription(request):
    user = request.user
    current = Subscription.objects.filter(user=user).prefetch_related("categories", "areas").first()
    chosen_categories = list(current.categories.all()) if current else []
    chosen_areas = list(current.areas.all()) if current else []
    if request.method == "POST" and "unsubscribe" in request.POST:
        if subscription_services.subscription_clear(user=user):
            messages.success(request, "You are unsubscribed. You will get no more alerts.")
        else:
            messages.success(request, "You had no alerts to unsubscribe from.")
        return redirect("commissioning:subscription")
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None,
        initial={"categories": chosen_categories, "areas": chosen_areas},
    )
    if request.method == "POST" and form.is_valid():
        saved = subscription_services.subscription_save(
            user=user,
            categories=form.cleaned_data["categories"],
            areas=form.cleaned_data["areas"],
        )
        if saved is None:
            messages.success(request, "You chose nothing, so you will get no alerts.")
        else:
            messages.success(
                request,
                "Your alerts are saved. We will email you when a matching intention is published.",
            )
        return redirect("commissioning:subscription")
    matching = selectors.intentions_matching(chosen_categories, chosen_areas)
    return render(
        request,
        "commissioning/planning/subscription.html",
        {
            "form": form,
            "subscribed": bool(chosen_categories or chosen_areas),
            "chosen_categories": chosen_categories,
            "chosen_areas": chosen_areas,
            "matching_count": matching.count(),
            "matching": selectors.plan_rows(
                selectors.with_details(
                    selectors.intention_order(matching, sort=selectors.SORT_START)
                )[:PREVIEW_SIZE]
            ),
            "verified": selectors.provider_users().filter(pk=user.pk).exists(),
        },
    )
