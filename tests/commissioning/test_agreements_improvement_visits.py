"""Visits and desk reviews: the lead body plans one, then completes it with a date not in the
future and its findings; each is audited; the agreement's visits section tells physical visits
from desk reviews and says when the last physical visit was, or that none has happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from commissioning.models import Visit, VisitKind
from commissioning.selectors.improvement import visits_section
from commissioning.services import improvement as services
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    ImprovementPlanFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(commissioning_body, provider_org):
    return AgreementFactory(body=commissioning_body, provider=provider_org)


def _today():
    return timezone.localdate()


def _visit_events(visit) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(visit.pk), content_type__model="visit")
        .order_by("id")
        .values_list("action", flat=True)
    )


def _complete(commissioner, visit, **changes):
    values = {
        "kind": visit.kind,
        "planned_on": visit.planned_on,
        "visitors": visit.visitors,
        "completed_on": _today(),
        "findings": "Sessions well run; the register was incomplete.",
        "follow_up_actions": "Send the register template.",
    }
    values.update(changes)
    return services.visit_update(actor=commissioner, visit=visit, **values)


def test_a_visit_is_planned_then_completed_and_audited(agreement, commissioner):
    visit = services.visit_plan(
        actor=commissioner,
        agreement=agreement,
        kind=VisitKind.PHYSICAL,
        planned_on=_today() + timedelta(days=7),
        visitors="  Sam Okafor, contracts officer ",
    )
    assert visit.visitors == "Sam Okafor, contracts officer"
    assert visit.completed_on is None
    completed = _complete(commissioner, visit)
    assert completed.completed_on == _today()
    assert completed.findings.startswith("Sessions well run")
    assert _visit_events(visit) == ["visit.planned", "visit.completed"]
    event = AuditEvent.objects.filter(action="visit.completed").get()
    assert (event.actor, event.from_state, event.to_state) == (commissioner, "planned", "completed")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"completed_on": timezone.localdate() + timedelta(days=1)}, "completed_on"),
        ({"findings": "   "}, "findings"),
        ({"completed_on": None}, "completed_on"),  # findings with no date
        ({"visitors": ""}, "visitors"),
    ],
)
def test_completing_a_visit_is_validated_and_changes_nothing(
    agreement, commissioner, changes, field
):
    visit = VisitFactory(agreement=agreement, recorded_by=commissioner)
    before = Visit.objects.filter(pk=visit.pk).values().get()
    with pytest.raises(ValidationError) as raised:
        _complete(commissioner, visit, **changes)
    assert field in raised.value.error_dict
    assert Visit.objects.filter(pk=visit.pk).values().get() == before
    assert _visit_events(visit) == []


def test_only_the_lead_body_records_visits(agreement, provider, network_admin):
    for person in (provider, network_admin):
        with pytest.raises(PermissionDenied):
            services.visit_plan(
                actor=person,
                agreement=agreement,
                kind=VisitKind.DESK,
                planned_on=_today(),
                visitors="Someone",
            )
    assert not Visit.objects.exists()


def test_the_visit_pages_plan_and_complete(client, agreement, commissioner):
    client.force_login(commissioner)
    new_url = reverse("commissioning:visit_new", args=[agreement.pk])
    page = client.get(new_url)
    assert page.status_code == 200
    assert "Physical visit" in page.content.decode() and "Desk review" in page.content.decode()
    data = {
        "kind": VisitKind.DESK,
        "planned_on": (_today() - timedelta(days=2)).isoformat(),
        "visitors": "Priya Shah",
    }
    response = client.post(new_url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("commissioning:agreement", args=[agreement.pk]) + "#visits"
    )
    # A double submit records one visit.
    client.post(new_url, data)
    visit = Visit.objects.get()
    assert visit.kind == VisitKind.DESK and visit.recorded_by == commissioner

    edit_url = reverse("commissioning:visit_edit", args=[visit.pk])
    refused = client.post(
        edit_url,
        {**data, "completed_on": (_today() + timedelta(days=3)).isoformat(), "findings": ""},
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body
    assert "cannot be in the future" in body
    assert 'href="#id_completed_on"' in body
    assert 'href="#id_findings"' in body
    visit.refresh_from_db()
    assert visit.completed_on is None

    done = client.post(
        edit_url,
        {
            **data,
            "completed_on": _today().isoformat(),
            "findings": "Files in order.",
            "follow_up_actions": "",
        },
    )
    assert done.status_code == 302
    visit.refresh_from_db()
    assert (visit.completed_on, visit.findings) == (_today(), "Files in order.")


def test_a_bad_date_gets_a_clear_message(client, agreement, commissioner):
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:visit_new", args=[agreement.pk]),
        {"kind": VisitKind.PHYSICAL, "planned_on": "31/02/2027", "visitors": "Sam"},
    )
    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()
    assert not Visit.objects.exists()


def _render(agreement, user, *, can_manage: bool) -> str:
    return render_to_string(
        "commissioning/agreements/_visits_section.html",
        {
            "agreement": agreement,
            "user": user,
            "can_manage": can_manage,
            "is_provider": not can_manage,
            "section": visits_section(agreement, user),
        },
    )


def test_the_section_says_no_physical_visit_has_happened(agreement, commissioner, provider):
    VisitFactory(
        agreement=agreement,
        kind=VisitKind.DESK,
        planned_on=_today() - timedelta(days=40),
        completed_on=_today() - timedelta(days=38),
        findings="Reports read.",
        recorded_by=commissioner,
    )
    VisitFactory(agreement=agreement, kind=VisitKind.PHYSICAL, recorded_by=commissioner)
    section = visits_section(agreement, provider)
    assert section["last_physical"] is None
    assert (section["physical_done"], section["desk_done"]) == (0, 1)
    html = _render(agreement, provider, can_manage=False)
    assert "No physical visit yet" in html
    assert "desk review only" in html
    assert "Reports read." in html
    # The provider reads but is offered no change.
    assert reverse("commissioning:visit_new", args=[agreement.pk]) not in html
    assert "/edit/" not in html


def test_the_section_shows_the_last_physical_visit(agreement, commissioner):
    last = _today() - timedelta(days=10)
    for days_ago in (200, 10):
        VisitFactory(
            agreement=agreement,
            kind=VisitKind.PHYSICAL,
            planned_on=_today() - timedelta(days=days_ago + 1),
            completed_on=_today() - timedelta(days=days_ago),
            findings="Seen in action.",
            recorded_by=commissioner,
        )
    late = VisitFactory(
        agreement=agreement,
        kind=VisitKind.DESK,
        planned_on=_today() - timedelta(days=3),
        recorded_by=commissioner,
    )
    section = visits_section(agreement, commissioner)
    assert section["last_physical"] == last
    assert section["days_since_physical"] == 10
    assert [row.is_late for row in section["rows"] if row.visit == late] == [True]
    html = _render(agreement, commissioner, can_manage=True)
    assert "Last physical visit" in html
    assert "10 days ago" in html
    assert "No physical visit yet" not in html
    assert "Not recorded as done" in html
    # Kinds are told apart in words, not by colour alone.
    assert html.count(">Physical visit</span>") == 2
    assert html.count(">Desk review</span>") == 1
    assert reverse("commissioning:visit_edit", args=[late.pk]) in html
    assert reverse("commissioning:visit_new", args=[agreement.pk]) in html


def test_the_agreement_page_shows_both_sections(client, agreement, commissioner, provider):
    VisitFactory(agreement=agreement, kind=VisitKind.DESK, recorded_by=commissioner)
    plan = ImprovementPlanFactory(agreement=agreement)
    url = reverse("commissioning:agreement", args=[agreement.pk])
    client.force_login(commissioner)
    html = client.get(url).content.decode()
    assert 'id="visits"' in html and 'id="improvement-plans"' in html
    assert reverse("commissioning:visit_new", args=[agreement.pk]) in html
    assert reverse("commissioning:improvement_plan_new", args=[agreement.pk]) in html
    assert reverse("commissioning:improvement_plan", args=[plan.pk]) in html
    client.force_login(provider)
    html = client.get(url).content.decode()
    assert "No physical visit yet" in html
    assert reverse("commissioning:improvement_plan", args=[plan.pk]) in html
    assert reverse("commissioning:visit_new", args=[agreement.pk]) not in html
    assert reverse("commissioning:improvement_plan_new", args=[agreement.pk]) not in html
