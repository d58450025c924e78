"""Writing a business case on the common template, and its draft → approved → draft workflow:
who may approve, what approval needs, and every (from, to) pair."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, MembershipRole
from accounts.workflow import TransitionNotAllowed
from commissioning.models import (
    BUSINESS_CASE_TRANSITIONS,
    BusinessCase,
    BusinessCaseStatus,
    CommissioningRoute,
)
from commissioning.services import business_cases as services
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.commissioning_business_cases import (
    BCOutcomeFactory,
    case_data,
    make_business_case,
    option_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(commissioning_body):
    user = UserFactory(email="second.admin@example.org")
    MembershipFactory(user=user, organisation=commissioning_body, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def body_member(commissioning_body):
    user = UserFactory(email="body.member@example.org")
    MembershipFactory(user=user, organisation=commissioning_body, role=MembershipRole.MEMBER)
    return user


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# Writing on the common template


def test_a_case_is_written_as_a_draft_with_its_options_and_audited(
    commissioner, commissioning_body
):
    outcome = BCOutcomeFactory()
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        outcomes=[outcome],
        options=[
            option_data(title="In-house team", in_house=True, preferred=False),
            option_data(title="Third sector contract", preferred=True),
        ],
    )
    assert case.status == BusinessCaseStatus.DRAFT
    assert list(case.outcomes.all()) == [outcome]
    assert [o.title for o in case.options.all()] == ["Third sector contract", "In-house team"]
    assert case.options.get(title="In-house team").in_house
    assert case.options.get(title="Third sector contract").full_cost == Decimal("240000")
    event = AuditEvent.objects.get(action="business_case.created")
    assert event.organisation == commissioning_body
    assert event.actor == commissioner
    assert "Social Value Act applies" in event.note


def test_a_case_with_no_outcome_gets_a_clear_message(commissioner, commissioning_body):
    with pytest.raises(ValidationError) as excinfo:
        make_business_case(actor=commissioner, body=commissioning_body, outcomes=[])
    assert "Choose at least one outcome" in errors_of(excinfo)["outcomes"][0]
    assert not BusinessCase.objects.exists()


def test_a_case_needs_an_option(commissioner, commissioning_body):
    with pytest.raises(ValidationError) as excinfo:
        make_business_case(actor=commissioner, body=commissioning_body, options=[])
    assert "at least one option" in errors_of(excinfo)["options"][0]


def test_only_one_option_may_be_preferred(commissioner, commissioning_body):
    with pytest.raises(ValidationError) as excinfo:
        make_business_case(
            actor=commissioner,
            body=commissioning_body,
            options=[option_data(preferred=True), option_data(title="Other", preferred=True)],
        )
    assert errors_of(excinfo)["options"] == ["Mark only one option as preferred."]


def test_nationally_driven_commissioning_needs_the_local_assessment(
    commissioner, commissioning_body
):
    with pytest.raises(ValidationError) as excinfo:
        make_business_case(
            actor=commissioner,
            body=commissioning_body,
            nationally_driven=True,
            local_assessment=" ",
        )
    assert "local assessment of need" in errors_of(excinfo)["local_assessment"][0]
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        nationally_driven=True,
        local_assessment="The borough's debt profile differs from the national one.",
    )
    assert case.nationally_driven


def test_what_was_considered_is_required_when_the_act_applies(commissioner, commissioning_body):
    with pytest.raises(ValidationError) as excinfo:
        make_business_case(actor=commissioner, body=commissioning_body, social_value_considered="")
    message = errors_of(excinfo)["social_value_considered"][0]
    assert "£720,000" in message
    assert "Say what was considered" in message


def test_a_contract_needs_the_kind_of_body_letting_it(commissioner, commissioning_body):
    data = case_data()
    data["threshold"] = None
    with pytest.raises(ValidationError) as excinfo:
        services.business_case_create(
            actor=commissioner,
            body=commissioning_body,
            data=data,
            outcomes=[BCOutcomeFactory()],
            options=[option_data()],
        )
    assert "kind of body letting the contract" in errors_of(excinfo)["threshold"][0]


def test_a_grant_needs_no_threshold(commissioner, commissioning_body):
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        route=CommissioningRoute.GRANT,
        social_value_considered="",
    )
    assert case.threshold is None
    assert case.social_value_applies is False


def test_only_members_of_the_body_write_its_cases(commissioner, network_admin):
    other_body = CommissioningBodyFactory()
    with pytest.raises(PermissionDenied):
        make_business_case(actor=commissioner, body=other_body)
    with pytest.raises(PermissionDenied):
        make_business_case(actor=network_admin, body=other_body)


def test_an_update_replaces_the_options_and_rechecks(commissioner, commissioning_body):
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        options=[option_data(title="Keep"), option_data(title="Drop", preferred=False)],
    )
    keep = case.options.get(title="Keep")
    services.business_case_update(
        actor=commissioner,
        case=case,
        data=case_data(estimated_annual_value=Decimal("10000"), title="Smaller"),
        outcomes=list(case.outcomes.all()),
        options=[
            {**option_data(title="Kept and changed", direct_costs=Decimal(5)), "pk": keep.pk},
            option_data(title="New", preferred=False),
        ],
    )
    case.refresh_from_db()
    assert case.title == "Smaller"
    assert case.social_value_applies is False
    assert sorted(case.options.values_list("title", flat=True)) == ["Kept and changed", "New"]
    assert case.options.get(title="Kept and changed").pk == keep.pk
    assert AuditEvent.objects.filter(action="business_case.updated").count() == 1


def test_an_approved_case_cannot_be_changed(commissioner, second_admin, commissioning_body):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    services.business_case_approve(actor=second_admin, case=case)
    with pytest.raises(ValidationError, match="reopen it"):
        services.business_case_update(
            actor=commissioner,
            case=case,
            data=case_data(title="Changed"),
            outcomes=list(case.outcomes.all()),
            options=[option_data()],
        )
    case.refresh_from_db()
    assert case.title == "Debt advice for Lindenford"


# Approval


def test_another_admin_approves_and_it_is_recorded(commissioner, second_admin, commissioning_body):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    services.business_case_approve(actor=second_admin, case=case)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.APPROVED
    assert case.approved_by == second_admin
    assert case.approved_at is not None
    event = AuditEvent.objects.get(action="business_case.approved")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "approved", second_admin)
    assert event.note == ""


def test_the_author_may_not_approve_when_another_admin_could(
    commissioner, second_admin, commissioning_body
):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    with pytest.raises(PermissionDenied, match="another admin"):
        services.business_case_approve(actor=commissioner, case=case)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT


def test_the_only_admin_may_approve_their_own_case_and_the_audit_says_so(
    commissioner, commissioning_body
):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    services.business_case_approve(actor=commissioner, case=case)
    event = AuditEvent.objects.get(action="business_case.approved")
    assert "Approved by its author, who is the only admin" in event.note


def test_a_member_who_is_not_an_admin_cannot_approve(body_member, commissioner, commissioning_body):
    case = make_business_case(actor=body_member, body=commissioning_body)
    with pytest.raises(PermissionDenied):
        services.business_case_approve(actor=body_member, case=case)
    # An admin who did not write it can.
    services.business_case_approve(actor=commissioner, case=case)


def test_an_admin_of_another_body_cannot_approve(commissioner, commissioning_body):
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin, organisation=CommissioningBodyFactory(), role=MembershipRole.ADMIN
    )
    case = make_business_case(actor=commissioner, body=commissioning_body)
    with pytest.raises(PermissionDenied):
        services.business_case_approve(actor=other_admin, case=case)


def test_approval_needs_a_preferred_option(commissioner, second_admin, commissioning_body):
    case = make_business_case(
        actor=commissioner, body=commissioning_body, options=[option_data(preferred=False)]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.business_case_approve(actor=second_admin, case=case)
    assert excinfo.value.messages == ["Mark one option as the preferred option."]


def test_approval_needs_outcomes_options_and_the_check(
    commissioner, second_admin, commissioning_body
):
    # Rows written before the rules (or by hand) are still refused.
    case = make_business_case(actor=commissioner, body=commissioning_body)
    case.outcomes.clear()
    case.options.all().delete()
    BusinessCase.objects.filter(pk=case.pk).update(social_value_checked_at=None)
    with pytest.raises(ValidationError) as excinfo:
        services.business_case_approve(actor=second_admin, case=case)
    messages = " ".join(excinfo.value.messages)
    assert "outcome" in messages
    assert "at least one option" in messages
    assert "social value check" in messages
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT
    assert not AuditEvent.objects.filter(action="business_case.approved").exists()


def test_reopening_needs_a_reason_and_clears_the_approval(
    commissioner, second_admin, commissioning_body
):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    services.business_case_approve(actor=second_admin, case=case)
    with pytest.raises(ValidationError):
        services.business_case_reopen(actor=commissioner, case=case, reason="  ")
    services.business_case_reopen(actor=commissioner, case=case, reason="New national guidance.")
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT
    assert case.approved_by is None
    assert case.approved_at is None
    event = AuditEvent.objects.get(action="business_case.reopened")
    assert (event.from_state, event.to_state, event.note) == (
        "approved",
        "draft",
        "New national guidance.",
    )


def test_only_the_bodys_admins_reopen(body_member, commissioner, second_admin, commissioning_body):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    services.business_case_approve(actor=second_admin, case=case)
    with pytest.raises(PermissionDenied):
        services.business_case_reopen(actor=body_member, case=case, reason="Why not")


MOVES = {
    BusinessCaseStatus.APPROVED: lambda case, actor: services.business_case_approve(
        actor=actor, case=case
    ),
    BusinessCaseStatus.DRAFT: lambda case, actor: services.business_case_reopen(
        actor=actor, case=case, reason="To revise it."
    ),
}


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(BusinessCaseStatus, MOVES))
)
def test_every_pair(from_status, to_status, commissioner, second_admin, commissioning_body):
    case = make_business_case(actor=commissioner, body=commissioning_body)
    if from_status == BusinessCaseStatus.APPROVED:
        services.business_case_approve(actor=second_admin, case=case)
    case.refresh_from_db()
    before = (case.status, case.approved_by_id, case.approved_at)
    events = AuditEvent.objects.count()
    if to_status in BUSINESS_CASE_TRANSITIONS[from_status]:
        MOVES[to_status](case, second_admin)
        case.refresh_from_db()
        assert case.status == to_status
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.from_state, event.to_state) == (from_status, to_status)
        assert event.organisation == commissioning_body
    else:
        with pytest.raises(TransitionNotAllowed):
            MOVES[to_status](case, second_admin)
        case.refresh_from_db()
        assert (case.status, case.approved_by_id, case.approved_at) == before
        assert AuditEvent.objects.count() == events
