"""Access rows for the chances to commission together, joint exercises and the gap analysis.
They are planning pages: commissioners and network admins read them; members of the bodies
involved act on a pair or change an exercise, so network admins may look but not act."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from django.utils import timezone

    from commissioning.models import JointExercise, JointModel, OverlapPair
    from tests.factories import CommissioningBodyFactory
    from tests.factories.commissioning_together import TogetherIntentionFactory

    body = base["commissioning_body"]
    other = CommissioningBodyFactory(name="Lindenford Police: community safety")
    ours = TogetherIntentionFactory(body=body, title="Access: debt advice")
    theirs = TogetherIntentionFactory(body=other, title="Access: money advice")
    pair = OverlapPair.objects.create(
        key=f"intention:{ours.pk}|intention:{theirs.pk}",
        first_kind="intention",
        first_id=ours.pk,
        first_body=body,
        second_kind="intention",
        second_id=theirs.pk,
        second_body=other,
        score=85,
        reason="Both fund debt advice in Hackney Central from April 2027 to March 2030.",
        found_at=timezone.now(),
    )
    exercise = JointExercise.objects.create(
        title="Access: joint debt advice",
        purpose="Buy one service rather than two.",
        lead=body,
        model=JointModel.ALIGNED,
        created_by=base["users"]["commissioner"],
    )
    exercise.partners.create(body=other)
    return {
        "commissioning:overlap_dismiss": {"pk": pair.pk},
        "commissioning:joint_exercise_create": {"pk": pair.pk},
        "commissioning:joint_exercise": {"pk": exercise.pk},
        "commissioning:joint_exercise_edit": {"pk": exercise.pk},
        "commissioning:joint_contribution_edit": {"pk": exercise.pk},
        "commissioning:joint_exercise_status": {"pk": exercise.pk},
    }


ROWS = {
    "commissioning:together": row(302, 403, 200, 200, 403),
    "commissioning:overlap_dismiss": row(302, 404, 200, 403, 404),
    "commissioning:joint_exercise_create": row(302, 404, 200, 403, 404),
    "commissioning:joint_exercise_list": row(302, 403, 200, 200, 403),
    "commissioning:joint_exercise": row(302, 404, 200, 200, 404),
    "commissioning:joint_exercise_edit": row(302, 404, 200, 403, 404),
    "commissioning:joint_contribution_edit": row(302, 404, 200, 403, 404),
    "commissioning:joint_exercise_status": row(302, 405, 405, 405, 405),
    "commissioning:gap_analysis": row(302, 403, 200, 200, 403),
    "commissioning:gap_analysis_csv": row(302, 403, 200, 200, 403),
}
