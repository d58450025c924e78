"""Reads for clarifications and changes: the published answers (never who asked), the questions
waiting for an answer, the changes to an opportunity, and who hears of answers and changes."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Organisation, User

from ..models import (
    Bid,
    Clarification,
    Interest,
    Opportunity,
    OpportunityChange,
    OpportunityDocument,
    OpportunityStatus,
)

# Questions can be asked, and the timetable or documents changed, only while bidding is open: a
# published opportunity, or a two-stage one whose shortlisted bidders are invited to bid in full.
OPEN_STATUSES = (OpportunityStatus.PUBLISHED, OpportunityStatus.INVITED)


def london(moment: datetime | None) -> str:
    """“Friday 5 March 2027 at 12:00pm”, in Europe/London."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return f"{local:%A} {local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


def questions_open(opportunity: Opportunity, *, now: datetime | None = None) -> bool:
    """Questions are taken while the opportunity is open, until the clarifications close."""
    now = now or timezone.now()
    return opportunity.status in OPEN_STATUSES and now < opportunity.clarifications_close_at


def can_change(opportunity: Opportunity) -> bool:
    return opportunity.status in OPEN_STATUSES


def published_clarifications(opportunity: Opportunity) -> QuerySet[Clarification]:
    """The answered questions, for everyone. Only the question and the answer are read: who asked
    stays out of every page and email."""
    return (
        Clarification.objects.filter(opportunity=opportunity)
        .exclude(answered_at=None)
        .only("pk", "opportunity_id", "question", "answer", "answered_at", "asked_at")
        .order_by("answered_at", "pk")
    )


def unanswered_clarifications(opportunity: Opportunity) -> QuerySet[Clarification]:
    return (
        Clarification.objects.filter(opportunity=opportunity, answered_at=None)
        .only("pk", "opportunity_id", "question", "asked_at")
        .order_by("asked_at", "pk")
    )


def own_unanswered_clarifications(
    opportunity: Opportunity, organisations: QuerySet[Organisation]
) -> QuerySet[Clarification]:
    """A bidder's own questions still waiting for an answer: seen only by their organisation."""
    return unanswered_clarifications(opportunity).filter(asked_for__in=organisations)


def opportunity_changes(opportunity: Opportunity) -> QuerySet[OpportunityChange]:
    return OpportunityChange.objects.filter(opportunity=opportunity).order_by("-made_at", "-pk")


def current_documents(opportunity: Opportunity) -> QuerySet[OpportunityDocument]:
    return OpportunityDocument.objects.filter(opportunity=opportunity, replaced=False).order_by(
        "title", "-version"
    )


def interested_organisations(opportunity: Opportunity) -> QuerySet[Organisation]:
    """Organisations that registered interest in the opportunity or started a bid (any status)."""
    return Organisation.objects.filter(
        Q(pk__in=Interest.objects.filter(opportunity=opportunity).values("organisation"))
        | Q(pk__in=Bid.objects.filter(opportunity=opportunity).values("organisation"))
    )


def interested_users(opportunity: Opportunity) -> QuerySet[User]:
    """The active members of every interested or bidding organisation: who hears of answers and
    changes."""
    members = Membership.objects.filter(
        organisation__in=interested_organisations(opportunity)
    ).values("user")
    return User.objects.filter(pk__in=members, is_active=True).order_by("pk")


def interested_emails(opportunity: Opportunity) -> list[str]:
    return sorted(set(interested_users(opportunity).values_list("email", flat=True)))


def change_rows(changes) -> list[dict]:
    """Each change with its old and new values in words, for pages and emails."""
    rows = []
    for change in changes:
        items = []
        for name, values in (change.details or {}).get("fields", {}).items():
            items.append(
                {
                    "label": values.get("label", name),
                    "old": values.get("old_text", ""),
                    "new": values.get("new_text", ""),
                }
            )
        documents = (change.details or {}).get("documents", [])
        rows.append({"change": change, "fields": items, "documents": documents})
    return rows
