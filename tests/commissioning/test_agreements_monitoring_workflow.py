"""The monitoring return's workflow: every (from, to) pair of RETURN_TRANSITIONS, each through
the one service that makes it; submission and its checks; the review with its ratings, the
improvement plan a poor rating opens, and acceptance for the co-funders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    RETURN_TRANSITIONS,
    ImprovementPlan,
    MonitoringReturn,
    PerformanceRating,
    ReturnStatus,
    ReturnValue,
)
from commissioning.services import agreements_monitoring as services
from commissioning.tasks.agreements_monitoring import (
    return_reviewed_notify,
    return_submitted_notify,
)
from tests.commissioning.agreements_monitoring_setup import (
    agreement_with_measures,
    due_return,
    good_draft,
    review,
    set_status,
    submit,
)
from tests.factories import MembershipFactory, UserFactory
from tests.factories.commissioning_agreements import (
    AgreementFunderFactory,
    MonitoringReturnFactory,
    OutcomeMeasureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commissioning_body, provider_org, provider, commissioner):
    agreement, measures = agreement_with_measures(commissioning_body, provider_org)
    return {
        "agreement": agreement,
        "measures": measures,
        "return": due_return(agreement),
        "provider": provider,
        "commissioner": commissioner,
    }


def snapshot(monitoring_return) -> tuple:
    monitoring_return.refresh_from_db()
    return (
        monitoring_return.status,
        monitoring_return.version,
        monitoring_return.rating,
        monitoring_return.submitted_at,
        monitoring_return.reviewed_at,
    )


def move(world, to_status):
    """Make the move to to_status with the one service that makes it."""
    monitoring_return = world["return"]
    if to_status == ReturnStatus.SUBMITTED:
        return services.return_submit(
            actor=world["provider"],
            monitoring_return=monitoring_return,
            draft=good_draft(world["measures"]),
        )[1]
    if to_status in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED):
        if to_status == ReturnStatus.ACCEPTED:
            review(monitoring_return, world["commissioner"])
        else:
            review(
                monitoring_return,
                world["commissioner"],
                decision="return",
                ratings={},
                overall="",
                returned_reason="Add the attendance register.",
            )
        return True
    # Nothing moves a return back to due: the transitions table has no such move.
    raise TransitionNotAllowed(monitoring_return.status, to_status)


@pytest.mark.parametrize("from_status", ReturnStatus.values)
@pytest.mark.parametrize("to_status", ReturnStatus.values)
def test_every_pair_is_allowed_or_refused_leaving_no_change(world, from_status, to_status):
    monitoring_return = world["return"]
    if from_status != ReturnStatus.DUE:
        # The values a submitted return carries, so that a review has something to rate.
        for measure, value in zip(world["measures"], (40, 80, 2500), strict=True):
            ReturnValue.objects.create(
                monitoring_return=monitoring_return, measure=measure, value=Decimal(value)
            )
    set_status(monitoring_return, from_status)
    before = snapshot(monitoring_return)
    allowed = to_status in RETURN_TRANSITIONS[from_status]
    if allowed:
        assert move(world, to_status) is True
        assert snapshot(monitoring_return)[0] == to_status
        assert AuditEvent.objects.filter(
            object_id=str(monitoring_return.pk), from_state=from_status, to_state=to_status
        ).exists()
    else:
        try:
            changed = move(world, to_status)
        except (ValidationError, TransitionNotAllowed):
            changed = False
        assert changed is False
        assert snapshot(monitoring_return) == before


def test_submitting_stores_the_values_and_emails_the_lead_body_once(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(world["return"], world["provider"], world["measures"])
    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.submitted_by == world["provider"]
    assert sorted(submitted.values.values_list("value", flat=True)) == [
        Decimal("42.00"),
        Decimal("81.50"),
        Decimal("2600.00"),
    ]
    assert [m.to for m in mail.outbox] == [["commissioner@example.org"]]
    assert "Return to review" in mail.outbox[0].subject
    # A retry, or a second worker, sends nothing more.
    assert return_submitted_notify(submitted.pk, submitted.version) == 0
    assert len(mail.outbox) == 1


def test_a_submission_needs_every_figure_and_the_narrative(world):
    measures = world["measures"]
    draft = good_draft(measures, values={measures[0].pk: (Decimal("3"), "")}, narrative="  ")
    with pytest.raises(ValidationError) as caught:
        services.return_submit(
            actor=world["provider"], monitoring_return=world["return"], draft=draft
        )
    problems = caught.value.message_dict
    assert set(problems) == {f"value_{measures[1].pk}", f"value_{measures[2].pk}", "narrative"}
    assert "Say they feel less isolated" in problems[f"value_{measures[1].pk}"][0]
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.DUE
    assert not ReturnValue.objects.exists()


def test_a_draft_keeps_what_was_typed_without_submitting(world):
    measures = world["measures"]
    draft = good_draft(measures, values={measures[0].pk: (Decimal("12"), "So far")}, narrative="")
    saved = services.return_draft_save(
        actor=world["provider"], monitoring_return=world["return"], draft=draft
    )
    assert saved.status == ReturnStatus.DUE
    assert saved.submitted_at is None
    assert list(saved.values.values_list("measure_id", "value", "note")) == [
        (measures[0].pk, Decimal("12.00"), "So far")
    ]


def test_submitting_twice_makes_one_submission(world):
    first = submit(world["return"], world["provider"], world["measures"])
    again, changed = services.return_submit(
        actor=world["provider"],
        monitoring_return=world["return"],
        draft=good_draft(world["measures"], narrative="Something else", version=0),
    )
    assert changed is False
    assert (again.submitted_at, again.version, again.narrative) == (
        first.submitted_at,
        first.version,
        first.narrative,
    )
    assert AuditEvent.objects.filter(action="monitoring_return.submitted").count() == 1
    assert "already submitted" in services.already_submitted_message(again)


def test_a_stale_page_does_not_save_over_a_newer_draft(world):
    measures = world["measures"]
    services.return_draft_save(
        actor=world["provider"],
        monitoring_return=world["return"],
        draft=good_draft(measures, narrative="From the first tab", version=0),
    )
    with pytest.raises(ValidationError, match="saved somewhere else"):
        services.return_draft_save(
            actor=world["provider"],
            monitoring_return=world["return"],
            draft=good_draft(measures, narrative="From the second tab", version=0),
        )
    world["return"].refresh_from_db()
    assert world["return"].narrative == "From the first tab"
    # The same content posted twice (a double click) is not a conflict.
    services.return_draft_save(
        actor=world["provider"],
        monitoring_return=world["return"],
        draft=good_draft(measures, narrative="From the first tab", version=0),
    )


def test_a_return_cannot_be_submitted_before_its_period_ends(world):
    today = timezone.localdate()
    current = MonitoringReturnFactory(
        agreement=world["agreement"],
        period_start=today - timedelta(days=20),
        period_end=today + timedelta(days=70),
        due_on=today + timedelta(days=100),
    )
    with pytest.raises(ValidationError, match="can be submitted from"):
        submit(current, world["provider"], world["measures"])
    current.refresh_from_db()
    assert current.status == ReturnStatus.DUE


def test_only_the_lead_providers_members_submit(world, commissioner):
    with pytest.raises(PermissionDenied):
        submit(world["return"], commissioner, world["measures"])


def test_a_returned_return_is_submitted_again_with_what_was_asked(
    world, django_capture_on_commit_callbacks
):
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    with django_capture_on_commit_callbacks(execute=True):
        returned, _ = review(
            monitoring_return,
            world["commissioner"],
            decision="return",
            ratings={},
            overall="",
            returned_reason="Send the attendance register for March.",
        )
    assert returned.status == ReturnStatus.RETURNED
    assert returned.returned_reason == "Send the attendance register for March."
    assert [m.to for m in mail.outbox] == [["provider@example.org"]]
    assert "More information needed" in mail.outbox[0].subject
    assert "Send the attendance register for March." in mail.outbox[0].body
    assert return_reviewed_notify(returned.pk, returned.version) == 0
    resubmitted, changed = services.return_submit(
        actor=world["provider"],
        monitoring_return=returned,
        draft=good_draft(world["measures"], narrative="The register is attached."),
    )
    assert changed and resubmitted.status == ReturnStatus.SUBMITTED
    assert resubmitted.narrative == "The register is attached."
    assert AuditEvent.objects.filter(action="monitoring_return.resubmitted").count() == 1


# Measures that apply to a period


def test_a_return_covers_the_measures_not_retired_before_its_period(world):
    monitoring_return = world["return"]
    OutcomeMeasureFactory(
        agreement=world["agreement"],
        name="Retired last year",
        retired_on=monitoring_return.period_start - timedelta(days=1),
    )
    mid_period = OutcomeMeasureFactory(
        agreement=world["agreement"],
        name="Retired during the period",
        retired_on=monitoring_return.period_start + timedelta(days=10),
    )
    names = [m.name for m in services.return_measures(monitoring_return)]
    assert "Retired last year" not in names
    assert mid_period.name in names
    assert len(names) == 4


def test_a_return_after_the_end_covers_only_the_measures_still_tracked(world):
    tracked = OutcomeMeasureFactory(agreement=world["agreement"], tracked_after_end=True)
    after = MonitoringReturnFactory(
        agreement=world["agreement"],
        period_start=world["agreement"].end_on + timedelta(days=1),
        period_end=world["agreement"].end_on + timedelta(days=90),
        after_end=True,
    )
    assert list(services.return_measures(after)) == [tracked]


# The review


def test_accepting_needs_a_rating_and_comment_for_every_measure_and_the_return(world):
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    values = list(monitoring_return.values.all())
    ratings = {
        values[0].pk: services.MeasureReview(rating="good", comment=""),
        values[1].pk: services.MeasureReview(rating="good", comment="On target."),
    }
    with pytest.raises(ValidationError) as caught:
        review(monitoring_return, world["commissioner"], ratings=ratings, rating_comment="")
    assert set(caught.value.message_dict) == {
        f"comment_{values[0].pk}",
        f"rating_{values[2].pk}",
        "rating_comment",
    }
    monitoring_return.refresh_from_db()
    assert monitoring_return.status == ReturnStatus.SUBMITTED
    assert not ReturnValue.objects.exclude(rating="").exists()


def test_returning_needs_a_reason(world):
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    with pytest.raises(ValidationError) as caught:
        review(monitoring_return, world["commissioner"], decision="return", returned_reason="")
    assert "returned_reason" in caught.value.message_dict


def test_accepting_stores_the_ratings_and_emails_the_providers_admins_once(
    world, provider_org, django_capture_on_commit_callbacks
):
    other_admin = UserFactory(email="chair@example.org")
    MembershipFactory(user=other_admin, organisation=provider_org, role=MembershipRole.ADMIN)
    plain = UserFactory(email="volunteer@example.org")
    MembershipFactory(user=plain, organisation=provider_org, role=MembershipRole.MEMBER)
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    with django_capture_on_commit_callbacks(execute=True):
        accepted, plan = review(
            monitoring_return, world["commissioner"], rating=PerformanceRating.APPROACHING
        )
    assert plan is None
    assert accepted.status == ReturnStatus.ACCEPTED
    assert accepted.reviewed_by == world["commissioner"]
    assert set(accepted.values.values_list("rating", flat=True)) == {"approaching_target"}
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "chair@example.org",
        "provider@example.org",
    ]
    assert "Return accepted" in mail.outbox[0].subject
    assert "Approaching target" in mail.outbox[0].body
    assert return_reviewed_notify(accepted.pk, accepted.version) == 0
    assert len(mail.outbox) == 2
    assert not ImprovementPlan.objects.exists()


@pytest.mark.parametrize("rating", [PerformanceRating.REQUIRES_IMPROVEMENT, "inadequate"])
def test_a_poor_rating_opens_one_improvement_plan(world, rating):
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    accepted, plan = review(
        monitoring_return,
        world["commissioner"],
        rating=rating,
        rating_comment="Far fewer people reached than agreed.",
    )
    assert plan is not None
    assert plan.opened_by_return == accepted
    assert plan.issues == "Far fewer people reached than agreed."
    assert ImprovementPlan.objects.count() == 1
    # Reviewing again changes nothing and opens nothing more.
    with pytest.raises(ValidationError, match="already accepted"):
        review(accepted, world["commissioner"], rating=rating)
    assert ImprovementPlan.objects.count() == 1


def test_only_the_lead_body_reviews(world, commissioning_body):
    from tests.factories import CommissioningBodyFactory

    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    cofunder = CommissioningBodyFactory(name="Lindenford NHS")
    AgreementFunderFactory(agreement=world["agreement"], body=cofunder)
    funder_person = UserFactory()
    MembershipFactory(user=funder_person, organisation=cofunder, role=MembershipRole.ADMIN)
    with pytest.raises(PermissionDenied):
        review(monitoring_return, funder_person)
    monitoring_return.refresh_from_db()
    assert monitoring_return.status == ReturnStatus.SUBMITTED


def test_the_lead_may_accept_on_behalf_of_the_cofunders(world):
    from tests.factories import CommissioningBodyFactory

    for name in ("Lindenford NHS", "Police and Crime Commissioner"):
        AgreementFunderFactory(
            agreement=world["agreement"], body=CommissioningBodyFactory(name=name)
        )
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    accepted, _ = review(monitoring_return, world["commissioner"], accepted_for_cofunders=True)
    assert accepted.accepted_for_cofunders is True
    assert AuditEvent.objects.filter(
        action="monitoring_return.accepted", note__contains="co-funders"
    ).exists()


def test_without_cofunders_nothing_is_accepted_on_their_behalf(world):
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    accepted, _ = review(monitoring_return, world["commissioner"], accepted_for_cofunders=True)
    assert accepted.accepted_for_cofunders is False


def test_a_return_sent_back_is_not_accepted_for_the_cofunders(world):
    AgreementFunderFactory(agreement=world["agreement"])
    monitoring_return = submit(world["return"], world["provider"], world["measures"])
    returned, _ = review(
        monitoring_return,
        world["commissioner"],
        decision="return",
        returned_reason="More, please.",
        accepted_for_cofunders=True,
    )
    assert returned.accepted_for_cofunders is False
    assert MonitoringReturn.objects.get(pk=returned.pk).status == ReturnStatus.RETURNED
