"""Joint commissioning exercises (seeds/003 §4): starting one from an overlap, changing it, each
partner's contribution per financial year, and its status.

The lead is a party as well as the partners (JointPartner rows hold the bodies besides the lead).
Members of the lead body may record any party's contribution; members of a partner body record
their own body's. Nothing changes once an exercise is closed or abandoned."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organisation, OrganisationKind, User, VerificationStatus
from accounts.periods import FinancialYear
from accounts.services import audit_event_record
from accounts.workflow import check_transition
from providers.models import Area, ServiceCategory

from .. import access
from ..models import (
    JOINT_EXERCISE_TRANSITIONS,
    JointContribution,
    JointExercise,
    JointExerciseStatus,
    JointModel,
    JointPartner,
    Outcome,
    OverlapPair,
)

FINISHED = {JointExerciseStatus.CLOSED, JointExerciseStatus.ABANDONED}


def exercise_parties(exercise: JointExercise) -> list[Organisation]:
    """The lead, then the partners by name."""
    partners = [p.body for p in exercise.partners.select_related("body").order_by("body__name")]
    return [exercise.lead, *partners]


def _check_bodies(bodies: Iterable[Organisation]) -> None:
    for body in bodies:
        if (
            body.kind != OrganisationKind.COMMISSIONING_BODY
            or body.verification_status != VerificationStatus.VERIFIED
        ):
            raise ValidationError(
                {"partners": f"{body} is not a verified commissioning body, so cannot take part."}
            )


def _check_not_finished(exercise: JointExercise) -> None:
    if exercise.status in FINISHED:
        raise ValidationError(
            f"This exercise is {exercise.get_status_display().lower()}, so it cannot be changed."
        )


def _check_party(actor: User, parties: Iterable[Organisation], message: str) -> None:
    ids = {body.pk for body in parties}
    if not access.bodies_of(actor).filter(pk__in=ids).exists():
        raise PermissionDenied(message)


def _set_scope(exercise: JointExercise, *, categories, areas) -> None:
    exercise.categories.set(list(categories))
    exercise.areas.set(list(areas))


@transaction.atomic
def joint_exercise_create(
    *,
    actor: User,
    pair: OverlapPair,
    title: str,
    purpose: str,
    lead: Organisation,
    model: str,
    partners: Iterable[Organisation],
    outcome: Outcome | None = None,
    categories: Iterable[ServiceCategory] = (),
    areas: Iterable[Area] = (),
) -> JointExercise:
    """Turn an overlap into a joint exercise, proposed by a member of either body. Both of the
    pair's bodies take part, as lead or partners; the pair is linked to the exercise."""
    locked = (
        OverlapPair.objects.select_for_update(of=("self",))
        .select_related("first_body", "second_body")
        .get(pk=pair.pk)
    )
    _check_party(
        actor,
        [locked.first_body, locked.second_body],
        "Only members of the two bodies can turn this overlap into a joint exercise.",
    )
    if locked.dismissed_at is not None:
        raise ValidationError("This overlap was dismissed, so it cannot become a joint exercise.")
    if locked.exercise_id is not None:
        raise ValidationError("This overlap is already a joint exercise.")
    partners = [body for body in partners if body.pk != lead.pk]
    parties = [lead, *partners]
    _check_bodies(parties)
    missing = [
        body
        for body in (locked.first_body, locked.second_body)
        if body.pk not in {party.pk for party in parties}
    ]
    if missing:
        names = " and ".join(str(body) for body in missing)
        raise ValidationError(
            {
                "partners": f"The exercise comes from the overlap between {locked.first_body} and "
                f"{locked.second_body}, so both take part. Add {names} as a partner or the lead."
            }
        )
    _check_party(actor, parties, "You can only start an exercise your own body takes part in.")
    exercise = JointExercise(
        title=title.strip(),
        purpose=purpose.strip(),
        lead=lead,
        model=model,
        outcome=outcome,
        created_by=actor,
    )
    exercise.full_clean()
    exercise.save()
    JointPartner.objects.bulk_create([JointPartner(exercise=exercise, body=b) for b in partners])
    _set_scope(exercise, categories=categories, areas=areas)
    locked.exercise = exercise
    locked.save(update_fields=["exercise"])
    audit_event_record(
        actor=actor,
        action="joint_exercise.proposed",
        obj=exercise,
        organisation=lead,
        to_state=exercise.status,
        note=f"Started from an overlap: {locked.reason}",
    )
    audit_event_record(
        actor=actor,
        action="overlap.joint_exercise",
        obj=locked,
        organisation=lead,
        from_state="open",
        to_state="joint exercise",
        note=str(exercise),
    )
    return exercise


@transaction.atomic
def joint_exercise_update(
    *,
    actor: User,
    exercise: JointExercise,
    title: str,
    purpose: str,
    lead: Organisation,
    model: str,
    partners: Iterable[Organisation],
    outcome: Outcome | None = None,
    categories: Iterable[ServiceCategory] = (),
    areas: Iterable[Area] = (),
) -> JointExercise:
    """The parties change the details, the lead, the model or who takes part. A body with
    contributions recorded stays a party until they are removed."""
    locked = JointExercise.objects.select_for_update().select_related("lead").get(pk=exercise.pk)
    before = exercise_parties(locked)
    _check_party(actor, before, "Only the lead and partner bodies can change this exercise.")
    _check_not_finished(locked)
    partners = [body for body in partners if body.pk != lead.pk]
    parties = [lead, *partners]
    _check_bodies(parties)
    party_ids = {body.pk for body in parties}
    contributing = (
        Organisation.objects.filter(
            pk__in=locked.contributions.exclude(body__in=party_ids).values("body")
        )
        .order_by("name")
        .distinct()
    )
    if contributing:
        names = " and ".join(str(body) for body in contributing)
        raise ValidationError(
            {
                "partners": f"{names} has contributions recorded. Remove them first, or keep "
                "the body as a party."
            }
        )
    if not access.bodies_of(actor).filter(pk__in=party_ids).exists():
        raise ValidationError(
            {
                "partners": "Your own body must stay the lead or a partner, or you could not "
                "change the exercise again."
            }
        )
    changes = []
    if lead.pk != locked.lead_id:
        changes.append(f"lead {locked.lead} → {lead}")
    if model != locked.model:
        changes.append(f"model → {JointModel(model).label}")
    locked.title = title.strip()
    locked.purpose = purpose.strip()
    locked.lead = lead
    locked.model = model
    locked.outcome = outcome
    locked.full_clean()
    locked.save()
    locked.partners.exclude(body__in=party_ids - {lead.pk}).delete()
    have = set(locked.partners.values_list("body_id", flat=True))
    JointPartner.objects.bulk_create(
        [JointPartner(exercise=locked, body=b) for b in partners if b.pk not in have]
    )
    added = [str(b) for b in parties if b.pk not in {p.pk for p in before}]
    removed = [str(b) for b in before if b.pk not in party_ids]
    if added:
        changes.append("added " + ", ".join(added))
    if removed:
        changes.append("removed " + ", ".join(removed))
    _set_scope(locked, categories=categories, areas=areas)
    audit_event_record(
        actor=actor,
        action="joint_exercise.updated",
        obj=locked,
        organisation=lead,
        note="; ".join(changes) or "Details changed.",
    )
    return locked


def _check_may_record_for(actor: User, exercise: JointExercise, body: Organisation) -> None:
    parties = exercise_parties(exercise)
    if body.pk not in {party.pk for party in parties}:
        raise ValidationError(
            {"body": f"{body} does not take part in this exercise. Add it as a partner first."}
        )
    if access.acts_for(actor, exercise.lead) or access.acts_for(actor, body):
        return
    raise PermissionDenied(
        f"Only members of {exercise.lead} (the lead) or of {body} can record its contribution."
    )


@transaction.atomic
def joint_contribution_set(
    *,
    actor: User,
    exercise: JointExercise,
    body: Organisation,
    financial_year: int,
    amount: Decimal,
) -> JointContribution:
    """Record what a party puts in for one financial year, replacing any earlier figure."""
    locked = JointExercise.objects.select_for_update().select_related("lead").get(pk=exercise.pk)
    _check_not_finished(locked)
    _check_may_record_for(actor, locked, body)
    if amount is None or amount < 0:
        raise ValidationError({"amount": "Enter an amount of £0 or more."})
    year = FinancialYear(financial_year)
    contribution = JointContribution.objects.filter(
        exercise=locked, body=body, financial_year=financial_year
    ).first()
    before = contribution.amount if contribution else None
    if contribution is None:
        contribution = JointContribution(
            exercise=locked, body=body, financial_year=financial_year, amount=amount
        )
    contribution.amount = amount
    contribution.full_clean(validate_unique=False, validate_constraints=False)
    contribution.save()
    was = f" (was £{before:,.2f})" if before is not None else ""
    audit_event_record(
        actor=actor,
        action="joint_exercise.contribution",
        obj=locked,
        organisation=body,
        note=f"{body}: £{amount:,.2f} in {year.label}{was}",
    )
    return contribution


@transaction.atomic
def joint_contribution_remove(
    *, actor: User, exercise: JointExercise, body: Organisation, financial_year: int
) -> None:
    locked = JointExercise.objects.select_for_update().select_related("lead").get(pk=exercise.pk)
    _check_not_finished(locked)
    _check_may_record_for(actor, locked, body)
    contribution = JointContribution.objects.filter(
        exercise=locked, body=body, financial_year=financial_year
    ).first()
    if contribution is None:
        raise ValidationError(
            f"{body} has no contribution recorded for {FinancialYear(financial_year).label}."
        )
    contribution.delete()
    audit_event_record(
        actor=actor,
        action="joint_exercise.contribution",
        obj=locked,
        organisation=body,
        note=f"{body}: removed £{contribution.amount:,.2f} in {FinancialYear(financial_year).label}",
    )


@transaction.atomic
def joint_exercise_status_change(
    *, actor: User, exercise: JointExercise, to_status: str, note: str = ""
) -> JointExercise:
    """Move the exercise on: agreed by the partners, active, closed, or abandoned."""
    locked = JointExercise.objects.select_for_update().select_related("lead").get(pk=exercise.pk)
    _check_party(
        actor,
        exercise_parties(locked),
        "Only the lead and partner bodies can change this exercise's status.",
    )
    from_status = locked.status
    check_transition(
        JOINT_EXERCISE_TRANSITIONS, from_status, to_status, label="joint exercise's status"
    )
    locked.status = to_status
    locked.save(update_fields=["status"])
    audit_event_record(
        actor=actor,
        action=f"joint_exercise.{to_status}",
        obj=locked,
        organisation=locked.lead,
        from_state=from_status,
        to_state=to_status,
        note=note.strip(),
    )
    return locked
