"""An agreement's statuses: every (from, to) pair of AGREEMENT_TRANSITIONS through the one service,
termination's reason, who may move it, the daily refresh (idempotent, as the system), and the
POST-only status URL."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed
from commissioning.models import AGREEMENT_TRANSITIONS, Agreement, AgreementStatus
from commissioning.services import agreements as services
from commissioning.tasks.agreements import agreements_status_refresh
from tests.commissioning.agreements_setup import make_agreement

pytestmark = pytest.mark.django_db

STATUSES = list(AgreementStatus.values)
PAIRS = list(product(STATUSES, STATUSES))


def _events(agreement):
    return AuditEvent.objects.filter(
        object_id=str(agreement.pk), action__startswith="agreement."
    ).count()


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_status_pair(commissioner, commissioning_body, provider_org, from_status, to_status):
    agreement = make_agreement(commissioner, commissioning_body, provider_org)
    Agreement.objects.filter(pk=agreement.pk).update(status=from_status)
    before = _events(agreement)
    if to_status in AGREEMENT_TRANSITIONS[from_status]:
        moved = services.agreement_move(
            actor=commissioner, agreement=agreement, to_status=to_status, reason="Closed down."
        )
        assert moved.status == to_status
        event = AuditEvent.objects.filter(object_id=str(agreement.pk)).first()
        assert (event.action, event.from_state, event.to_state) == (
            f"agreement.{to_status}",
            from_status,
            to_status,
        )
        assert event.actor == commissioner
        if to_status == AgreementStatus.TERMINATED:
            assert Agreement.objects.get(pk=agreement.pk).terminated_reason == "Closed down."
    else:
        with pytest.raises(TransitionNotAllowed):
            services.agreement_move(
                actor=commissioner, agreement=agreement, to_status=to_status, reason="x"
            )
        assert Agreement.objects.get(pk=agreement.pk).status == from_status
        assert _events(agreement) == before


def test_termination_needs_a_reason(commissioner, commissioning_body, provider_org):
    agreement = make_agreement(commissioner, commissioning_body, provider_org)
    with pytest.raises(ValidationError) as error:
        services.agreement_move(
            actor=commissioner, agreement=agreement, to_status=AgreementStatus.TERMINATED
        )
    assert "Say why" in str(error.value)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="agreement.terminated").exists()


def test_only_the_lead_body_moves_it(commissioner, commissioning_body, provider_org, provider):
    agreement = make_agreement(commissioner, commissioning_body, provider_org)
    with pytest.raises(PermissionDenied):
        services.agreement_move(
            actor=provider, agreement=agreement, to_status=AgreementStatus.ENDING
        )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_status_page_moves_it_and_needs_post(
    client, commissioner, commissioning_body, provider_org
):
    agreement = make_agreement(commissioner, commissioning_body, provider_org)
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_move", args=[agreement.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"to_status": "terminated", "reason": ""}, follow=True)
    assert "Say why the agreement is terminated" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    client.post(url, {"to_status": "terminated", "reason": "The service closed."})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    assert agreement.terminated_reason == "The service closed."
    response = client.post(url, {"to_status": "ending"}, follow=True)
    assert "cannot become ending" in response.content.decode()


def test_the_daily_refresh_moves_each_agreement_once(
    commissioner, commissioning_body, provider_org
):
    today = date(2027, 6, 15)

    def ending_on(end_on, status=AgreementStatus.ACTIVE):
        agreement = make_agreement(
            commissioner,
            commissioning_body,
            provider_org,
            data={
                "title": f"Ends {end_on} ({status})",
                "start_on": date(2026, 4, 1),
                "end_on": end_on,
            },
            years={2026: 1000, 2027: 1000} if end_on >= date(2027, 4, 1) else {2026: 1000},
        )
        Agreement.objects.filter(pk=agreement.pk).update(status=status)
        return agreement

    far = ending_on(date(2028, 3, 31))
    near = ending_on(today + timedelta(days=80))
    past = ending_on(today - timedelta(days=1))
    ending_past = ending_on(today - timedelta(days=10), AgreementStatus.ENDING)
    terminated = ending_on(today - timedelta(days=10), AgreementStatus.TERMINATED)

    assert services.agreements_status_refresh(today=today) == 4
    statuses = {a.pk: a.status for a in Agreement.objects.all()}
    assert statuses[far.pk] == AgreementStatus.ACTIVE
    assert statuses[near.pk] == AgreementStatus.ENDING
    assert statuses[past.pk] == AgreementStatus.ENDED
    assert statuses[ending_past.pk] == AgreementStatus.ENDED
    assert statuses[terminated.pk] == AgreementStatus.TERMINATED
    system = AuditEvent.objects.filter(
        object_id=str(past.pk), action__in=["agreement.ending", "agreement.ended"]
    )
    assert [e.actor for e in system] == [None, None]

    events = AuditEvent.objects.count()
    assert services.agreements_status_refresh(today=today) == 0
    assert AuditEvent.objects.count() == events


def test_the_refresh_task_runs_as_the_system(commissioner, commissioning_body, provider_org):
    agreement = make_agreement(
        commissioner,
        commissioning_body,
        provider_org,
        data={"start_on": date(2020, 4, 1), "end_on": date(2021, 3, 31)},
        years={2020: 1000},
    )
    assert agreements_status_refresh.delay().get() == 2
    assert agreements_status_refresh.delay().get() == 0
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED
