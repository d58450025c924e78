"""The panel: who may sit on it, conflict declarations before anything is seen, scoring on
one's own (blind until everyone has submitted), the scale, and two members saving at once."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse

from accounts.models import AuditEvent, MembershipRole
from commissioning import access
from commissioning.models import BidAnswer, PanelRole, PanelSubmission, Score
from commissioning.services import sourcing_evaluation as services
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.commissioning_sourcing_evaluation import (
    closed_opportunity,
    panellist,
    submitted_bid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commissioner, commissioning_body):
    opportunity = closed_opportunity(body=commissioning_body)
    criterion = opportunity.criteria.get()
    bid = submitted_bid(opportunity)
    BidAnswer.objects.create(bid=bid, criterion=criterion, text="We run drop-ins in every ward.")
    return {
        "opportunity": opportunity,
        "criterion": criterion,
        "bid": bid,
        "alice": panellist(opportunity),
        "bob": panellist(opportunity),
    }


def declare(member, bid, conflict=False, details=""):
    return services.conflict_declare(
        actor=member.user,
        bid=bid,
        has_conflict=conflict,
        details=details or ("x" if conflict else ""),
    )


def score(member, bid, criterion, value, *, submit=False, comment="Clear plan."):
    return services.scores_save(
        actor=member.user, bid=bid, scores={criterion.pk: (value, comment)}, submit=submit
    )


# The panel


def test_a_commissioner_adds_a_third_sector_representative_who_is_emailed(
    client, commissioner, world, django_capture_on_commit_callbacks
):
    rep = UserFactory(email="rep@example.org")
    MembershipFactory(user=rep, organisation=OrganisationFactory(), role=MembershipRole.MEMBER)
    client.force_login(commissioner)
    url = reverse("commissioning:panel", args=[world["opportunity"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "add", "email": "rep@example.org", "role": PanelRole.THIRD_SECTOR}
        )
    assert response.status_code == 302
    assert world["opportunity"].panel_members.filter(user=rep, role=PanelRole.THIRD_SECTOR).exists()
    assert [m.to for m in mail.outbox] == [["rep@example.org"]]
    assert "evaluation panel" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="panel_member.added").exists()


def test_a_representative_of_a_bidding_organisation_is_refused(commissioner, world):
    rep = UserFactory()
    MembershipFactory(user=rep, organisation=world["bid"].organisation)
    with pytest.raises(ValidationError, match="has bid for this opportunity"):
        services.panel_member_add(
            actor=commissioner,
            opportunity=world["opportunity"],
            user=rep,
            role=PanelRole.THIRD_SECTOR,
        )


def test_only_commissioners_of_bodies_sit_as_commissioners(commissioner, world, provider):
    with pytest.raises(ValidationError, match="commissioning body"):
        services.panel_member_add(
            actor=commissioner,
            opportunity=world["opportunity"],
            user=provider,
            role=PanelRole.COMMISSIONER,
        )


def test_someone_who_does_not_run_it_cannot_add_members(world, provider, outsider):
    with pytest.raises(PermissionDenied):
        services.panel_member_add(
            actor=provider, opportunity=world["opportunity"], user=outsider, role="third_sector"
        )


def test_a_member_is_removed_only_before_scoring(commissioner, world):
    alice, bob = world["alice"], world["bob"]
    declare(alice, world["bid"])
    score(alice, world["bid"], world["criterion"], 3)
    with pytest.raises(ValidationError, match="started scoring"):
        services.panel_member_remove(actor=commissioner, member=alice)
    services.panel_member_remove(actor=commissioner, member=bob)
    assert not world["opportunity"].panel_members.filter(pk=bob.pk).exists()


# Declarations


def test_a_member_must_declare_before_seeing_the_bid(client, world):
    alice, bid = world["alice"], world["bid"]
    client.force_login(alice.user)
    response = client.get(reverse("commissioning:bid_score", args=[bid.pk]))
    assert response.status_code == 302
    assert response.url == reverse("commissioning:bid_declare", args=[bid.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert bid.organisation.name in page.content.decode()
    assert "drop-ins" not in page.content.decode()
    with pytest.raises(PermissionDenied):
        access.get_bid_for_panel(alice.user, bid.pk)


def test_a_conflicted_member_never_sees_the_bid_and_it_is_audited(client, world):
    alice, bid = world["alice"], world["bid"]
    client.force_login(alice.user)
    response = client.post(
        reverse("commissioning:bid_declare", args=[bid.pk]),
        {"has_conflict": "yes", "details": "My sister chairs its board."},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="bid.conflict_declared")
    assert event.actor == alice.user
    assert event.note == "My sister chairs its board."
    response = client.get(reverse("commissioning:bid_score", args=[bid.pk]))
    assert response.status_code == 403
    assert "drop-ins" not in response.content.decode()
    with pytest.raises(PermissionDenied):
        access.get_bid_for_panel(alice.user, bid.pk)
    with pytest.raises(PermissionDenied):
        score(alice, bid, world["criterion"], 3)
    # A declaration is final.
    with pytest.raises(ValidationError, match="already declared"):
        declare(alice, bid)


def test_a_conflict_needs_details(client, world):
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("commissioning:bid_declare", args=[world["bid"].pk]), {"has_conflict": "yes"}
    )
    assert response.status_code == 400
    assert "Say what the conflict of interest is." in response.content.decode()
    assert not world["alice"].declarations.exists()


def test_no_conflict_opens_the_bid_with_its_answers(client, world):
    alice, bid = world["alice"], world["bid"]
    client.force_login(alice.user)
    client.post(reverse("commissioning:bid_declare", args=[bid.pk]), {"has_conflict": "no"})
    assert AuditEvent.objects.filter(action="bid.no_conflict_declared", actor=alice.user).exists()
    response = client.get(reverse("commissioning:bid_score", args=[bid.pk]))
    assert response.status_code == 200
    assert "drop-ins" in response.content.decode()


def test_nobody_off_the_panel_declares(world, commissioner, network_admin):
    with pytest.raises(PermissionDenied):
        access.get_bid_to_declare(commissioner, world["bid"].pk)
    with pytest.raises(Http404):
        access.get_bid_to_declare(network_admin, world["bid"].pk)


# Scoring


def test_scores_are_blind_until_every_member_has_submitted(client, world):
    alice, bob, bid, criterion = world["alice"], world["bob"], world["bid"], world["criterion"]
    declare(alice, bid)
    declare(bob, bid)
    score(alice, bid, criterion, 4, submit=True, comment="Alice thinks strong")
    score(bob, bid, criterion, 2, comment="Bob has doubts")
    client.force_login(alice.user)
    page = client.get(reverse("commissioning:bid_score", args=[bid.pk])).content.decode()
    assert "Bob has doubts" not in page
    client.force_login(bob.user)
    page = client.get(reverse("commissioning:bid_score", args=[bid.pk])).content.decode()
    assert "Alice thinks strong" not in page
    score(bob, bid, criterion, 2, submit=True, comment="Bob has doubts")
    page = client.get(reverse("commissioning:bid_score", args=[bid.pk])).content.decode()
    assert "Alice thinks strong" in page


def test_a_conflicted_member_does_not_hold_up_the_reveal(world):
    alice, bob, bid, criterion = world["alice"], world["bob"], world["bid"], world["criterion"]
    declare(alice, bid, conflict=True)
    assert not services.panel_complete_for(bid)
    declare(bob, bid)
    score(bob, bid, criterion, 3, submit=True)
    assert services.panel_complete_for(bid)


def test_a_score_outside_the_scale_is_refused_with_a_clear_message(client, world):
    alice, bid, criterion = world["alice"], world["bid"], world["criterion"]
    declare(alice, bid)
    client.force_login(alice.user)
    response = client.post(
        reverse("commissioning:bid_score", args=[bid.pk]),
        {f"score_{criterion.pk}": "7", f"comment_{criterion.pk}": "Excellent", "action": "save"},
    )
    assert response.status_code == 400
    assert f"from 0 to {criterion.scale_max}" in response.content.decode()
    assert not Score.objects.exists()
    # The service refuses it too, whatever the form says.
    with pytest.raises(ValidationError, match="outside the scale"):
        score(alice, bid, criterion, 6)
    with pytest.raises(ValidationError, match="outside the scale"):
        score(alice, bid, criterion, -1)


def test_submitted_scores_are_fixed(client, world):
    alice, bid, criterion = world["alice"], world["bid"], world["criterion"]
    declare(alice, bid)
    client.force_login(alice.user)
    response = client.post(
        reverse("commissioning:bid_score", args=[bid.pk]),
        {f"score_{criterion.pk}": "3", f"comment_{criterion.pk}": "Fair", "action": "submit"},
    )
    assert response.status_code == 302
    assert PanelSubmission.objects.filter(panel_member=alice, bid=bid).exists()
    with pytest.raises(ValidationError, match="fixed"):
        score(alice, bid, criterion, 5)
    client.post(
        reverse("commissioning:bid_score", args=[bid.pk]),
        {f"score_{criterion.pk}": "5", "action": "save"},
    )
    assert Score.objects.get(panel_member=alice).score == 3


def test_submitting_needs_every_criterion_scored(world):
    alice, bid = world["alice"], world["bid"]
    declare(alice, bid)
    with pytest.raises(ValidationError, match="before you submit"):
        services.scores_save(actor=alice.user, bid=bid, scores={}, submit=True)
    assert not PanelSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_members_saving_at_once_keep_both_scores(commissioning_body):
    opportunity = closed_opportunity(body=commissioning_body)
    criterion = opportunity.criteria.get()
    bid = submitted_bid(opportunity)
    members = [panellist(opportunity), panellist(opportunity)]
    for member in members:
        declare(member, bid)
    barrier = threading.Barrier(2)
    errors = []

    def save(member, value):
        try:
            barrier.wait(timeout=10)
            score(member, bid, criterion, value, comment=f"by {member.pk}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(member, value))
        for member, value in zip(members, (2, 4), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert dict(Score.objects.values_list("panel_member_id", "score")) == {
        members[0].pk: 2,
        members[1].pk: 4,
    }


def test_a_commissioner_who_declared_a_conflict_cannot_moderate_the_bid(client, world):
    member = panellist(world["opportunity"], user=None)
    declare(member, world["bid"], conflict=True)
    client.force_login(member.user)
    response = client.get(reverse("commissioning:moderate_bid", args=[world["bid"].pk]))
    assert response.status_code == 404  # the bid is hidden from them altogether
    assert "drop-ins" not in response.content.decode()


def test_before_the_deadline_a_member_sees_only_the_count(client, commissioning_body):
    from tests.factories.commissioning_sourcing import OpportunityFactory

    opportunity = OpportunityFactory(body=commissioning_body)
    for _ in range(4):
        submitted_bid(opportunity)
    member = panellist(opportunity)
    client.force_login(member.user)
    response = client.get(reverse("commissioning:panel_bids", args=[opportunity.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 bids received; they open at" in html
    assert "Community Project" not in html
