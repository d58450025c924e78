"""Chances to commission together: the recount that stores the pairs the overlap finder finds,
and dismissing a pair. Turning a pair into a joint exercise is in services/joint.py.

The intention and needs assessment services call `overlap_pairs_refresh_soon()` after a change
that could make or break an overlap (publishing or withdrawing an intention; writing, changing or
deleting an assessment); the beat schedule recounts every 30 minutes as well."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from accounts.services import audit_event_record
from accounts.workflow import delay_on_commit

from .. import access, overlaps
from ..models import OverlapPair

logger = logging.getLogger(__name__)

# Two recounts at once would each mark the other's pairs as no longer found; PostgreSQL makes
# the second wait for the first with this advisory lock.
RECOUNT_LOCK = 4_400_201


@transaction.atomic
def overlap_pairs_refresh() -> int:
    """Find every overlap and store it: a pair found again keeps whatever people decided about it
    (a dismissal, or the joint exercise it became) and gets its new score and reason; a pair not
    found any more is kept but marked as not current. Returns the number of pairs found."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOUNT_LOCK])
    found_at = timezone.now()
    found = overlaps.find_overlaps()
    OverlapPair.objects.bulk_create(
        [
            OverlapPair(
                key=overlap.key,
                first_kind=overlap.first.kind,
                first_id=overlap.first.id,
                first_body_id=overlap.first.body_id,
                second_kind=overlap.second.kind,
                second_id=overlap.second.id,
                second_body_id=overlap.second.body_id,
                score=overlap.score,
                reason=overlap.reason,
                found_at=found_at,
                current=True,
            )
            for overlap in found
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["key"],
        # Never the dismissal or the exercise: they are people's decisions.
        update_fields=[
            "first_kind",
            "first_id",
            "first_body",
            "second_kind",
            "second_id",
            "second_body",
            "score",
            "reason",
            "found_at",
            "current",
        ],
    )
    gone = OverlapPair.objects.filter(current=True).exclude(found_at=found_at).update(current=False)
    logger.info("Chances to commission together: %d pairs found, %d gone", len(found), gone)
    return len(found)


def overlap_pairs_refresh_soon() -> None:
    """Recount the overlaps in the background once the current change is committed."""
    from ..tasks.together import overlap_pairs_refresh as task

    delay_on_commit(task)


def _acting_body(actor: User, pair: OverlapPair):
    """The actor's body among the pair's two, or PermissionDenied."""
    for body in (pair.first_body, pair.second_body):
        if access.acts_for(actor, body):
            return body
    raise PermissionDenied("Only members of the two bodies can act on this overlap.")


@transaction.atomic
def overlap_pair_dismiss(*, actor: User, pair: OverlapPair, reason: str) -> OverlapPair:
    """A member of either body sets the pair aside, saying why. It stays dismissed through every
    recount."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are dismissing this overlap."})
    locked = (
        OverlapPair.objects.select_for_update(of=("self",))
        .select_related("first_body", "second_body", "dismissed_by")
        .get(pk=pair.pk)
    )
    body = _acting_body(actor, locked)
    if locked.dismissed_at is not None:
        raise ValidationError(
            f"This overlap was already dismissed on "
            f"{date_format(timezone.localtime(locked.dismissed_at), 'j F Y')} by {locked.dismissed_by}."
        )
    if locked.exercise_id is not None:
        raise ValidationError(
            "This overlap is already a joint exercise, so it cannot be dismissed."
        )
    locked.dismissed_at = timezone.now()
    locked.dismissed_by = actor
    locked.dismissal_reason = reason
    locked.save(update_fields=["dismissed_at", "dismissed_by", "dismissal_reason"])
    audit_event_record(
        actor=actor,
        action="overlap.dismissed",
        obj=locked,
        organisation=body,
        from_state="open",
        to_state="dismissed",
        note=reason,
    )
    return locked
