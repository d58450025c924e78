"""Commissioning's panels on the signed-in home page: what is waiting in planning for commissioners
and network admins, the forward plan a provider asked to hear about, and the evaluation panels a
person sits on."""

from __future__ import annotations

from . import access
from .models import OpportunityStatus, PanelMember, Subscription
from .selectors import planning_summary
from .selectors.planning import intentions_matching

SHOWN_INTENTIONS = 5


def home_panel(request) -> dict | None:
    user = request.user
    if access.can_plan(user):
        return {"kind": "planner", "summary": planning_summary(user)}
    portal = getattr(request, "portal", None)
    if portal is None or not portal.is_provider:
        return None
    subscription = (
        Subscription.objects.filter(user=user).prefetch_related("categories", "areas").first()
    )
    if subscription is None:
        return {"kind": "provider", "subscription": None, "intentions": []}
    intentions = intentions_matching(
        list(subscription.categories.all()), list(subscription.areas.all())
    ).select_related("body")[:SHOWN_INTENTIONS]
    return {"kind": "provider", "subscription": subscription, "intentions": list(intentions)}


def panel_seats_panel(request) -> dict | None:
    """The opportunities whose evaluation panel the person sits on, until each is decided."""
    seats = list(
        PanelMember.objects.filter(user=request.user)
        .exclude(opportunity__status__in=[OpportunityStatus.AWARDED, OpportunityStatus.CANCELLED])
        .select_related("opportunity")
        .order_by("opportunity__bid_deadline")
    )
    return {"seats": seats} if seats else None
