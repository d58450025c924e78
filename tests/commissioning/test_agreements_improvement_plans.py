"""Improvement plan pages: opening one by hand, the plan's page (its agreement, the return that
opened it, support first, actions, escalation with its next steps), the edit page with its row
set of actions (validated, all or nothing, a double submit saving once, a stale page refused),
the status form, and the agreement's plans section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from commissioning.models import (
    ImprovementAction,
    ImprovementPlan,
    ImprovementPlanStatus,
    PerformanceRating,
    ReturnStatus,
)
from commissioning.selectors.improvement import plans_section
from commissioning.services import improvement as services
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementMemberFactory,
    ImprovementActionFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(commissioning_body, provider_org):
    return AgreementFactory(body=commissioning_body, provider=provider_org)


def _today():
    return timezone.localdate()


def _plan_url(plan, name="improvement_plan"):
    return reverse(f"commissioning:{name}", args=[plan.pk])


def _edit_data(plan, actions, *, extra_rows=2, **overrides) -> dict:
    """The edit page's form as a browser would post it, with each action as a dict."""
    page_plan = ImprovementPlan.objects.get(pk=plan.pk)
    saved = list(page_plan.actions.all())
    data = {
        "issues": page_plan.issues,
        "support_offered": page_plan.support_offered,
        "review_on": page_plan.review_on.isoformat() if page_plan.review_on else "",
        "fingerprint": services.improvement_plan_fingerprint(page_plan, saved),
        "actions-TOTAL_FORMS": str(len(actions) + extra_rows),
        "actions-INITIAL_FORMS": str(len(saved)),
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for number, action in enumerate(actions):
        for key, value in action.items():
            data[f"actions-{number}-{key}"] = value
    data.update(overrides)
    return data


def _row(action=None, **fields) -> dict:
    row = {"id": action.pk if action else "", "description": "", "owner": "", "due_on": ""}
    if action is not None:
        row.update(
            description=action.description,
            owner=action.owner,
            due_on=action.due_on.isoformat(),
            done_on=action.done_on.isoformat() if action.done_on else "",
        )
    row.update(fields)
    return row


def test_the_plan_page_shows_the_agreement_return_support_and_actions(client, agreement, provider):
    monitoring_return = MonitoringReturnFactory(
        agreement=agreement,
        status=ReturnStatus.ACCEPTED,
        rating=PerformanceRating.REQUIRES_IMPROVEMENT,
    )
    plan = ImprovementPlanFactory(
        agreement=agreement,
        opened_by_return=monitoring_return,
        support_offered="Six sessions of mentoring from the CVS.",
    )
    ImprovementActionFactory(plan=plan, description="Outreach at the GP surgeries")
    ImprovementActionFactory(
        plan=plan,
        description="Update the referral leaflet",
        due_on=_today() - timedelta(days=5),
    )
    client.force_login(provider)
    page = client.get(_plan_url(plan))
    assert page.status_code == 200
    html = page.content.decode()
    assert agreement.reference in html and agreement.title in html
    assert reverse("commissioning:return", args=[monitoring_return.pk]) in html
    assert "rated requires improvement" in html
    assert "Support offered first" in html
    assert "Six sessions of mentoring from the CVS." in html
    assert "Outreach at the GP surgeries" in html
    assert "Overdue" in html
    assert "0 of 2 actions done" in html
    # The provider reads; it is offered nothing to change.
    assert _plan_url(plan, "improvement_plan_edit") not in html
    assert _plan_url(plan, "improvement_plan_move") not in html


def test_a_plan_without_support_says_support_comes_first(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement, support_offered="")
    client.force_login(commissioner)
    html = client.get(_plan_url(plan)).content.decode()
    assert "No support has been recorded yet" in html
    # On track and closing wait for the support; escalation does not.
    assert 'id="move-on_track" value="on_track" disabled' in html
    assert 'id="move-closed" value="closed" disabled' in html
    assert 'id="move-escalated" value="escalated">' in html


def test_opening_a_plan_by_hand(client, agreement, commissioner, provider):
    client.force_login(commissioner)
    url = reverse("commissioning:improvement_plan_new", args=[agreement.pk])
    assert "Support comes first" in client.get(url).content.decode()
    refused = client.post(url, {"issues": " ", "support_offered": "", "review_on": ""})
    assert refused.status_code == 400
    assert 'href="#id_issues"' in refused.content.decode()
    assert not ImprovementPlan.objects.exists()
    response = client.post(
        url,
        {
            "issues": "Volunteers without DBS checks.",
            "support_offered": "",
            "review_on": (_today() + timedelta(days=30)).isoformat(),
        },
    )
    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _plan_url(plan)
    assert (plan.status, plan.opened_by_return) == (ImprovementPlanStatus.OPEN, None)


def test_escalating_from_the_page_needs_a_note_then_offers_variation_and_notice(
    client, agreement, commissioner
):
    plan = ImprovementPlanFactory(agreement=agreement)
    client.force_login(commissioner)
    move = _plan_url(plan, "improvement_plan_move")
    refused = client.post(move, {"to_status": "escalated", "note": ""})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Say why the plan is escalated" in html
    assert 'href="#id_note"' in html
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.OPEN

    done = client.post(move, {"to_status": "escalated", "note": "No change after two reviews."})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.ESCALATED
    assert AuditEvent.objects.filter(
        action="improvement_plan.escalated", object_id=str(plan.pk), actor=commissioner
    ).exists()
    html = client.get(_plan_url(plan)).content.decode()
    assert "No change after two reviews." in html
    assert reverse("commissioning:agreement_variation_new", args=[agreement.pk]) in html
    assert reverse("commissioning:agreement_notice_new", args=[agreement.pk]) in html


def test_the_status_form_refuses_a_move_the_table_does_not_allow(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement, status=ImprovementPlanStatus.CLOSED)
    client.force_login(commissioner)
    response = client.post(_plan_url(plan, "improvement_plan_move"), {"to_status": "open"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.CLOSED
    page = client.get(_plan_url(plan)).content.decode()
    assert "cannot be moved" in page
    # A closed plan is kept as it was.
    assert client.get(_plan_url(plan, "improvement_plan_edit")).status_code == 302


def test_the_edit_page_saves_the_plan_and_its_actions(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement, support_offered="")
    kept = ImprovementActionFactory(plan=plan, description="Outreach", position=1)
    dropped = ImprovementActionFactory(plan=plan, description="Old idea", position=2)
    client.force_login(commissioner)
    url = _plan_url(plan, "improvement_plan_edit")
    assert client.get(url).status_code == 200
    due = (_today() + timedelta(days=20)).isoformat()
    data = _edit_data(
        plan,
        [
            _row(kept, done_on=_today().isoformat()),
            _row(dropped, remove="on"),
            _row(description="Train two more volunteers", owner="Volunteer lead", due_on=due),
        ],
        support_offered="Mentoring from the CVS",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    assert plan.support_offered == "Mentoring from the CVS"
    actions = list(plan.actions.all())
    assert [(a.description, a.done_on, a.position) for a in actions] == [
        ("Outreach", _today(), 1),
        ("Train two more volunteers", None, 2),
    ]
    assert actions[0].pk == kept.pk
    assert not ImprovementAction.objects.filter(pk=dropped.pk).exists()
    assert AuditEvent.objects.filter(
        action="improvement_plan.changed", note="Support offered recorded"
    ).exists()
    # The same page posted again (a double submit) changes nothing more.
    again = client.post(url, data)
    assert again.status_code == 302
    assert plan.actions.count() == 2
    assert AuditEvent.objects.filter(action="improvement_plan.changed").count() == 1


def test_an_incomplete_action_is_refused_and_nothing_is_saved(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement)
    existing = ImprovementActionFactory(plan=plan)
    before = (
        ImprovementPlan.objects.filter(pk=plan.pk).values().get(),
        list(ImprovementAction.objects.values()),
    )
    client.force_login(commissioner)
    data = _edit_data(
        plan,
        [
            _row(existing, description="Changed description"),
            _row(description="Hire a coordinator"),  # no owner, no due date
        ],
        issues="Changed issues",
    )
    response = client.post(_plan_url(plan, "improvement_plan_edit"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing has been saved yet" in html
    assert "Action 2, owner: Say who owns the action." in html
    assert "Action 2, due date: Give the date the action is due." in html
    assert 'href="#id_actions-1-owner"' in html
    # The page keeps what was typed.
    assert "Hire a coordinator" in html and "Changed issues" in html
    assert before == (
        ImprovementPlan.objects.filter(pk=plan.pk).values().get(),
        list(ImprovementAction.objects.values()),
    )


def test_the_service_refuses_an_action_missing_a_field(agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement)
    with pytest.raises(services.ValidationError) as raised:
        services.improvement_plan_save(
            actor=commissioner,
            plan=plan,
            issues="Reach",
            support_offered="Mentoring",
            review_on=None,
            actions=[
                {"id": None, "description": "", "owner": "Manager", "due_on": _today()},
                {
                    "id": None,
                    "description": "Leaflet",
                    "owner": "Manager",
                    "due_on": _today(),
                    "done_on": _today() + timedelta(days=1),
                },
            ],
        )
    assert raised.value.messages == [
        "Action 1 needs a description.",
        "Action 2: the date it was done cannot be in the future.",
    ]
    assert not ImprovementAction.objects.exists()


def test_a_page_opened_before_a_colleagues_save_is_refused(client, agreement, commissioner):
    plan = ImprovementPlanFactory(agreement=agreement)
    client.force_login(commissioner)
    stale = _edit_data(plan, [], issues="My version")
    ImprovementPlan.objects.filter(pk=plan.pk).update(issues="A colleague's version")
    response = client.post(_plan_url(plan, "improvement_plan_edit"), stale)
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    plan.refresh_from_db()
    assert plan.issues == "A colleague's version"


def _render_plans(agreement, user, *, can_manage: bool) -> str:
    return render_to_string(
        "commissioning/agreements/_plans_section.html",
        {
            "agreement": agreement,
            "user": user,
            "can_manage": can_manage,
            "is_provider": not can_manage,
            "section": plans_section(agreement, user),
        },
    )


def test_the_plans_section_flags_an_overdue_review(agreement, commissioner, provider):
    overdue = ImprovementPlanFactory(agreement=agreement, review_on=_today() - timedelta(days=1))
    upcoming = ImprovementPlanFactory(
        agreement=agreement, status=ImprovementPlanStatus.ON_TRACK, support_offered=""
    )
    closed = ImprovementPlanFactory(
        agreement=agreement,
        status=ImprovementPlanStatus.CLOSED,
        review_on=_today() - timedelta(days=100),
    )
    ImprovementActionFactory(plan=overdue, done_on=_today())
    ImprovementActionFactory(plan=overdue, due_on=_today() - timedelta(days=2))
    section = plans_section(agreement, provider)
    assert [row.plan for row in section["live"]] == [overdue, upcoming]
    assert [row.review_overdue for row in section["live"]] == [True, False]
    assert [row.plan for row in section["past"]] == [closed]
    assert section["past"][0].review_overdue is False
    assert (section["live"][0].actions, section["live"][0].actions_done) == (2, 1)
    assert section["live"][0].actions_overdue == 1
    html = _render_plans(agreement, provider, can_manage=False)
    assert "1 review overdue" in html
    assert html.count("plan-review-overdue") == 1
    assert "Not recorded yet" in html  # the plan with no support
    assert "Past improvement plans, closed" in html
    for plan in (overdue, upcoming, closed):
        assert _plan_url(plan) in html
    assert reverse("commissioning:improvement_plan_new", args=[agreement.pk]) not in html
    managed = _render_plans(agreement, commissioner, can_manage=True)
    assert reverse("commissioning:improvement_plan_new", args=[agreement.pk]) in managed


def test_a_consortium_member_reads_the_plan_but_cannot_change_it(client, agreement, outsider):
    plan = ImprovementPlanFactory(agreement=agreement)
    client.force_login(outsider)
    assert client.get(_plan_url(plan)).status_code == 404
    AgreementMemberFactory(
        agreement=agreement, organisation=outsider.memberships.get().organisation
    )
    assert client.get(_plan_url(plan)).status_code == 200
    assert client.get(_plan_url(plan, "improvement_plan_edit")).status_code == 403
    response = client.post(_plan_url(plan, "improvement_plan_move"), {"to_status": "on_track"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.OPEN
