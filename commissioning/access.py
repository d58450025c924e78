"""Who may see and change what in commissioning. Views fetch through these helpers only.

Commissioners are the members of a verified commissioning body. They act for their own bodies and
read one another's planning, because the point of the network is to plan together. Network admins
see everything here. Providers and the public see what is published: public needs assessments,
the forward plan, and (signed in) their own subscriptions."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import is_network_admin
from accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from providers.access import is_network_member

from .models import (
    BusinessCase,
    CommissioningIntention,
    IntentionStatus,
    JointExercise,
    NeedsAssessment,
    Visibility,
)

# Who is who


def bodies_of(user) -> QuerySet[Organisation]:
    """The verified commissioning bodies the person is a member of."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.COMMISSIONING_BODY,
        verification_status=VerificationStatus.VERIFIED,
        memberships__user=user,
    ).order_by("name")


def is_commissioner(user) -> bool:
    return bodies_of(user).exists()


def can_plan(user) -> bool:
    """May read the network's planning records: commissioners and network admins."""
    return is_network_admin(user) or is_commissioner(user)


def acts_for(user, body: Organisation) -> bool:
    """A member of this commissioning body, so may write its records."""
    return bodies_of(user).filter(pk=body.pk).exists()


def is_body_admin(user, body: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(
            user=user,
            organisation=body,
            organisation__kind=OrganisationKind.COMMISSIONING_BODY,
            role=MembershipRole.ADMIN,
        ).exists()
    )


def planner_required(view):
    """Anonymous people are sent to sign in; signed-in people who are neither commissioners nor
    network admins get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_plan(request.user):
            raise PermissionDenied("This page is for commissioners and network admins.")
        return view(request, *args, **kwargs)

    return wrapped


def commissioner_required(view):
    """For pages that write a body's records: members of a commissioning body only."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_commissioner(request.user):
            raise PermissionDenied("This page is for commissioners.")
        return view(request, *args, **kwargs)

    return wrapped


def check_acts_for(user, body: Organisation) -> None:
    if not acts_for(user, body):
        raise PermissionDenied(f"Only members of {body} can change this.")


# Needs assessments


def assessments_visible_to(user) -> QuerySet[NeedsAssessment]:
    """Public assessments for everyone; the rest for network members."""
    assessments = NeedsAssessment.objects.all()
    if is_network_member(user):
        return assessments
    return assessments.filter(visibility=Visibility.PUBLIC)


def get_assessment_for_user(user, pk: int) -> NeedsAssessment:
    return get_object_or_404(assessments_visible_to(user).select_related("body"), pk=pk)


def get_assessment_to_edit(user, pk: int) -> NeedsAssessment:
    assessment = get_assessment_for_user(user, pk)
    check_acts_for(user, assessment.body)
    return assessment


# Business cases: planning records, for commissioners and network admins


def business_cases_visible_to(user) -> QuerySet[BusinessCase]:
    if can_plan(user):
        return BusinessCase.objects.all()
    return BusinessCase.objects.none()


def get_business_case_for_user(user, pk: int) -> BusinessCase:
    return get_object_or_404(business_cases_visible_to(user).select_related("body"), pk=pk)


def get_business_case_to_edit(user, pk: int) -> BusinessCase:
    case = get_business_case_for_user(user, pk)
    check_acts_for(user, case.body)
    return case


# Commissioning intentions: published ones are public; drafts are for planners


def intentions_visible_to(user) -> QuerySet[CommissioningIntention]:
    if can_plan(user):
        return CommissioningIntention.objects.all()
    return CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED)


def get_intention_for_user(user, pk: int) -> CommissioningIntention:
    return get_object_or_404(intentions_visible_to(user).select_related("body"), pk=pk)


def get_intention_to_edit(user, pk: int) -> CommissioningIntention:
    intention = get_intention_for_user(user, pk)
    check_acts_for(user, intention.body)
    return intention


# Joint commissioning exercises: for planners; the lead and the partners change them


def joint_exercises_visible_to(user) -> QuerySet[JointExercise]:
    if can_plan(user):
        return JointExercise.objects.all()
    return JointExercise.objects.none()


def get_joint_exercise_for_user(user, pk: int) -> JointExercise:
    return get_object_or_404(joint_exercises_visible_to(user).select_related("lead"), pk=pk)


def is_exercise_party(user, exercise: JointExercise) -> bool:
    bodies = bodies_of(user)
    return (
        bodies.filter(pk=exercise.lead_id).exists()
        or exercise.partners.filter(body__in=bodies).exists()
    )


def get_joint_exercise_to_edit(user, pk: int) -> JointExercise:
    exercise = get_joint_exercise_for_user(user, pk)
    if not is_exercise_party(user, exercise):
        raise PermissionDenied("Only the lead and partner bodies can change this exercise.")
    return exercise
