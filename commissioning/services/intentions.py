"""Writes for the forward plan: drafting and changing a commissioning intention, publishing it
(which tells the providers who subscribed to its categories or areas) and withdrawing it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import audit_event_record
from accounts.workflow import check_transition, delay_on_commit

from .. import access
from ..models import INTENTION_TRANSITIONS, CommissioningIntention, IntentionStatus
from .overlaps import overlap_pairs_refresh_soon

# What a form gives the services: plain fields, and the many-to-many choices apart.
INTENTION_FIELDS = (
    "title",
    "summary",
    "outcome",
    "business_case",
    "needs_assessment",
    "value_low",
    "value_high",
    "route",
    "consultation_on",
    "tender_on",
    "start_on",
    "end_on",
    "contact_name",
    "contact_email",
)
INTENTION_M2M = ("categories", "areas", "client_groups")

FIELD_NAMES = {
    "consultation_on": "expected consultation",
    "tender_on": "expected tender or grant round",
    "start_on": "expected start",
    "end_on": "expected end",
}


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _date_problems(data: dict) -> dict[str, str]:
    """Consultation, then tender, then start, then end: each where given, none before the last.
    Each problem is put on the later date, naming the earlier one."""
    problems: dict[str, str] = {}
    order = ["consultation_on", "tender_on", "start_on"]
    for later_index, later in enumerate(order):
        later_day = data.get(later)
        if later_day is None:
            continue
        for earlier in reversed(order[:later_index]):
            earlier_day = data.get(earlier)
            if earlier_day is None:
                continue
            if earlier_day > later_day:
                problems[later] = (
                    f"The {FIELD_NAMES[later]} must be on or after the {FIELD_NAMES[earlier]} "
                    f"({_day(earlier_day)})."
                )
            break  # the nearest earlier date given is the one to compare with
    start, end = data.get("start_on"), data.get("end_on")
    if start is not None and end is not None and end <= start:
        problems["end_on"] = f"The expected end must be after the expected start ({_day(start)})."
    return problems


def _check_intention(*, actor: User, data: dict, m2m: dict) -> None:
    """The rules every intention keeps, with a message beside the field for each broken one."""
    problems: dict[str, str] = {}
    low, high = data.get("value_low"), data.get("value_high")
    if low is not None and low < 0:
        problems["value_low"] = "Enter a value of £0 or more."
    elif low is not None and high is not None and high < low:
        problems["value_high"] = (
            f"The upper value must be the same as or more than the lower value (£{low:,.0f})."
        )
    problems.update(_date_problems(data))
    if not list(m2m.get("categories", [])):
        problems["categories"] = "Choose at least one category, so that providers can find it."
    if not list(m2m.get("areas", [])):
        problems["areas"] = "Choose at least one area, so that providers can find it."
    case = data.get("business_case")
    if case is not None and not access.business_cases_visible_to(actor).filter(pk=case.pk).exists():
        problems["business_case"] = "Choose a business case you can see."
    assessment = data.get("needs_assessment")
    if (
        assessment is not None
        and not access.assessments_visible_to(actor).filter(pk=assessment.pk).exists()
    ):
        problems["needs_assessment"] = "Choose a needs assessment you can see."
    if problems:
        raise ValidationError(problems)


def _plain(data: dict) -> dict:
    return {name: data[name] for name in INTENTION_FIELDS if name in data}


@transaction.atomic
def intention_create(
    *, actor: User, body: Organisation, data: dict, m2m: dict
) -> CommissioningIntention:
    """A draft intention of the body. Nobody outside the network sees it until it is published."""
    access.check_acts_for(actor, body)
    data = _plain(data)
    _check_intention(actor=actor, data=data, m2m=m2m)
    intention = CommissioningIntention.objects.create(body=body, created_by=actor, **data)
    for name in INTENTION_M2M:
        getattr(intention, name).set(m2m.get(name, []))
    audit_event_record(
        actor=actor,
        action="intention.created",
        obj=intention,
        organisation=body,
        to_state=intention.status,
    )
    return intention


@transaction.atomic
def intention_update(
    *, actor: User, intention: CommissioningIntention, data: dict, m2m: dict
) -> CommissioningIntention:
    """Change a draft or published intention. A withdrawn one stays as it was withdrawn."""
    intention = CommissioningIntention.objects.select_for_update().get(pk=intention.pk)
    access.check_acts_for(actor, intention.body)
    if intention.status == IntentionStatus.WITHDRAWN:
        raise ValidationError("A withdrawn intention cannot be changed.")
    data = _plain(data)
    current = {name: getattr(intention, name) for name in data}
    merged = {name: getattr(intention, name) for name in INTENTION_FIELDS} | data
    _check_intention(
        actor=actor,
        data=merged,
        m2m={name: m2m.get(name, getattr(intention, name).all()) for name in INTENTION_M2M},
    )
    changed = [
        str(CommissioningIntention._meta.get_field(name).verbose_name)
        for name, value in data.items()
        if current[name] != value
    ]
    for name, value in data.items():
        setattr(intention, name, value)
    intention.save()
    for name in INTENTION_M2M:
        if name in m2m:
            before = set(getattr(intention, name).values_list("pk", flat=True))
            after = {item.pk for item in m2m[name]}
            if before != after:
                getattr(intention, name).set(m2m[name])
                changed.append(str(CommissioningIntention._meta.get_field(name).verbose_name))
    audit_event_record(
        actor=actor,
        action="intention.updated",
        obj=intention,
        organisation=intention.body,
        from_state=intention.status,
        to_state=intention.status,
        note=f"Changed: {', '.join(changed)}." if changed else "Saved with no changes.",
    )
    return intention


def _intention_move(
    *, actor: User, intention: CommissioningIntention, to_status: str, note: str = ""
) -> CommissioningIntention:
    """The one guarded status change of an intention: lock, check, save, audit."""
    intention = (
        CommissioningIntention.objects.select_for_update()
        .select_related("body")
        .get(pk=intention.pk)
    )
    access.check_acts_for(actor, intention.body)
    from_status = intention.status
    check_transition(INTENTION_TRANSITIONS, from_status, to_status, label="intention's status")
    intention.status = to_status
    fields = ["status", "updated_at"]
    if to_status == IntentionStatus.PUBLISHED:
        intention.published_at = timezone.now()
        fields.append("published_at")
    intention.save(update_fields=fields)
    overlap_pairs_refresh_soon()  # published intentions are what the overlap finder compares
    audit_event_record(
        actor=actor,
        action=f"intention.{to_status}",
        obj=intention,
        organisation=intention.body,
        from_state=from_status,
        to_state=to_status,
        note=note,
    )
    return intention


@transaction.atomic
def intention_publish(*, actor: User, intention: CommissioningIntention) -> CommissioningIntention:
    """Put the intention on the public forward plan, and tell the providers who asked to hear of
    its categories or areas (once the change is committed)."""
    intention = _intention_move(
        actor=actor, intention=intention, to_status=IntentionStatus.PUBLISHED
    )
    from ..tasks.planning import intention_published_notify

    delay_on_commit(intention_published_notify, intention.pk)
    return intention


@transaction.atomic
def intention_withdraw(
    *, actor: User, intention: CommissioningIntention, reason: str
) -> CommissioningIntention:
    """Take the intention off the forward plan for good; the reason goes on the audit trail."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why it is withdrawn, so that colleagues understand the decision."}
        )
    return _intention_move(
        actor=actor, intention=intention, to_status=IntentionStatus.WITHDRAWN, note=reason
    )


# Telling subscribers


def intention_notices_send(*, intention_id: int, batch_size: int = 200) -> int:
    """Email each subscriber of a published intention once. Each batch records who it told in
    the same transaction as it sends, under a lock on the intention, so a second run (or a retry
    after a failure) tells only those not yet told, and nothing goes once it is withdrawn.
    Returns how many were told."""
    from accounts.emails import send_templated_email

    from ..models import IntentionNotice
    from ..selectors.planning import intention_subscribers, key_dates, value_range

    told = 0
    while True:
        with transaction.atomic():
            intention = (
                CommissioningIntention.objects.select_for_update()
                .filter(pk=intention_id, status=IntentionStatus.PUBLISHED)
                .first()
            )
            if intention is None:
                return told
            recipients = list(
                intention_subscribers(intention)
                .exclude(intention_notices__intention=intention)
                .values_list("pk", "email")[:batch_size]
            )
            if not recipients:
                return told
            IntentionNotice.objects.bulk_create(
                [IntentionNotice(intention=intention, user_id=pk) for pk, _email in recipients]
            )
            intention = (
                CommissioningIntention.objects.select_related("body", "outcome")
                .prefetch_related("categories", "areas")
                .get(pk=intention.pk)
            )
            send_templated_email(
                name="intention_published",
                to=[email for _pk, email in recipients],
                context={
                    "intention": intention,
                    "value_range": value_range(intention),
                    "key_dates": key_dates(intention),
                    "intention_url": reverse("commissioning:intention", args=[intention.pk]),
                    "alerts_url": reverse("commissioning:subscription"),
                },
            )
            told += len(recipients)
