"""Access rows for commissioning intentions, the public forward plan and providers' alerts."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from commissioning.models import CommissioningIntention
    from tests.factories.commissioning_planning import IntentionFactory

    # A draft of the commissioner's body: planners see it, the public and providers do not.
    draft = IntentionFactory(
        body=base["commissioning_body"],
        created_by=base["users"]["commissioner"],
        title="Planning access draft",
    )
    assert CommissioningIntention.objects.filter(pk=draft.pk).exists()
    return {
        "commissioning:intention": {"pk": draft.pk},
        "commissioning:intention_edit": {"pk": draft.pk},
        "commissioning:intention_publish": {"pk": draft.pk},
        "commissioning:intention_withdraw": {"pk": draft.pk},
    }


ROWS = {
    # Planning is shared: commissioners and network admins see every body's intentions, drafts
    # included. Only a body's members write its intentions; network admins read them.
    "commissioning:intention_list": row(302, 403, 200, 200, 403),
    "commissioning:intention_create": row(302, 403, 200, 403, 403),
    "commissioning:intention": row(404, 404, 200, 200, 404),
    "commissioning:intention_edit": row(302, 404, 200, 403, 404),
    "commissioning:intention_publish": row(302, 405, 405, 405, 405),
    "commissioning:intention_withdraw": row(302, 405, 405, 405, 405),
    # The forward plan and its exports are public.
    "commissioning:forward_plan": row(200, 200, 200, 200, 200),
    "commissioning:forward_plan_csv": row(200, 200, 200, 200, 200),
    "commissioning:forward_plan_ics": row(200, 200, 200, 200, 200),
    # Alerts are for the people of third sector organisations.
    "commissioning:subscription": row(302, 200, 403, 403, 200),
}
