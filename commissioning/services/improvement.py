"""Writes for visits and improvement plans."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import audit_event_record

from ..models import ImprovementPlan, MonitoringReturn


@transaction.atomic
def improvement_plan_open(*, actor: User, monitoring_return: MonitoringReturn) -> ImprovementPlan:
    """Open the improvement plan a poorly rated return calls for: once for the return, whatever
    calls it. The plan starts with the return's rating comment as its issues; the commissioner
    then records the support offered first, the actions and a review date."""
    plan, created = ImprovementPlan.objects.get_or_create(
        opened_by_return=monitoring_return,
        defaults={
            "agreement_id": monitoring_return.agreement_id,
            "issues": monitoring_return.rating_comment,
        },
    )
    if created:
        audit_event_record(
            actor=actor,
            action="improvement_plan.opened",
            obj=plan,
            organisation=monitoring_return.agreement.provider,
            to_state=plan.status,
            note=f"Return rated {monitoring_return.get_rating_display().lower()}",
        )
    return plan
