"""An agreement's terms once made: its measures (no target refused on the row; locked once a
return is in), payment schedule (must add up; payments recorded once, late ones flagged),
variations (a new version each; the end cannot move before a paid instalment), notices, changes
to its terms, and the feedback to the provider at the end (emailed once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from commissioning.models import (
    Agreement,
    AgreementStatus,
    Instalment,
    MonitoringReturn,
    Notice,
    OutcomeMeasure,
    ReturnStatus,
    Variation,
)
from commissioning.services import agreements as services
from commissioning.tasks.agreements import agreement_end_feedback_notify
from tests.commissioning.agreements_setup import make_agreement
from tests.factories import CommissioningBodyFactory
from tests.factories.commissioning_agreements import AgreementFunderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(commissioner, commissioning_body, provider_org):
    """A three-year grant of £150,000 from 1 April 2026."""
    return make_agreement(commissioner, commissioning_body, provider_org)


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def measure_row(index: int, name: str, target: str = "40", pk: int | None = None) -> dict:
    prefix = f"measures-{index}"
    return {
        f"{prefix}-pk": pk or "",
        f"{prefix}-name": name,
        f"{prefix}-unit": "people",
        f"{prefix}-value_kind": "count",
        f"{prefix}-target": target,
        f"{prefix}-higher_is_better": "on",
        f"{prefix}-evidence_required": "Attendance registers.",
        f"{prefix}-outcome": "",
    }


def measures(agreement, *names) -> list[OutcomeMeasure]:
    services.agreement_measures_save(
        actor=agreement.created_by,
        agreement=agreement,
        measures=[
            {
                "name": name,
                "unit": "people",
                "value_kind": "count",
                "target": Decimal("40"),
                "higher_is_better": True,
                "evidence_required": "Registers.",
                "payment_linked": False,
                "outcome": None,
            }
            for name in names
        ],
    )
    return list(agreement.measures.all())


# Measures


def test_a_measure_without_a_target_is_refused_on_its_row(client, commissioner, agreement):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_measures", args=[agreement.pk])
    data = {
        **management("measures", 2),
        **measure_row(0, "People befriended"),
        **measure_row(1, "Sessions run", target=""),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Measure 2, target a period: Give this measure a target a period" in page
    assert 'href="#id_measures-1-target"' in page
    assert not OutcomeMeasure.objects.exists()
    # With both targets it saves, and submitting the same page again adds nothing.
    data["measures-1-target"] = "12"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert sorted(agreement.measures.values_list("name", "target")) == [
        ("People befriended", Decimal("40")),
        ("Sessions run", Decimal("12")),
    ]
    assert AuditEvent.objects.filter(action="agreement.measures_saved").count() == 2


def test_the_service_refuses_a_measure_without_a_target(agreement):
    with pytest.raises(ValidationError) as error:
        services.agreement_measures_save(
            actor=agreement.created_by,
            agreement=agreement,
            measures=[
                {"name": "People", "unit": "people", "target": None, "evidence_required": "x"}
            ],
        )
    assert "give it a target a period" in str(error.value)
    assert not agreement.measures.exists()


def test_measures_lock_once_a_return_is_submitted(client, commissioner, agreement):
    [measure] = measures(agreement, "People befriended")
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_measures", args=[agreement.pk])
    MonitoringReturn.objects.filter(pk=agreement.returns.first().pk).update(
        status=ReturnStatus.SUBMITTED, submitted_at=timezone.now()
    )
    page = client.get(url).content.decode()
    assert "change only through" in page and 'name="measures-0-name"' not in page
    response = client.post(
        url, {**management("measures", 1, 1), **measure_row(0, "Renamed", pk=measure.pk)}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.name == "People befriended"


# Payments


def instalment_rows(*rows) -> dict:
    data = management("instalments", len(rows))
    for index, (due_on, amount) in enumerate(rows):
        data[f"instalments-{index}-due_on"] = due_on
        data[f"instalments-{index}-amount"] = amount
    return data


def test_instalments_must_add_up_to_the_total(client, commissioner, agreement):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_payments", args=[agreement.pk])
    response = client.post(url, instalment_rows(("2026-04-01", "50000"), ("2027-04-01", "50000")))
    assert response.status_code == 400
    assert (
        "The instalments add up to £100,000.00, but the agreement&#x27;s total value is "
        "£150,000.00" in response.content.decode()
    )
    assert not Instalment.objects.exists()
    rows = [("2028-04-01", "50000"), ("2026-04-01", "50000"), ("2027-04-01", "50000")]
    assert client.post(url, instalment_rows(*rows)).status_code == 302
    assert list(agreement.instalments.values_list("number", "due_on")) == [
        (1, date(2026, 4, 1)),
        (2, date(2027, 4, 1)),
        (3, date(2028, 4, 1)),
    ]


def test_payments_are_recorded_once_and_late_ones_flagged(client, commissioner, agreement):
    today = timezone.localdate()
    services.agreement_instalments_save(
        actor=commissioner,
        agreement=agreement,
        instalments=[
            {"due_on": today - timedelta(days=40), "amount": Decimal("50000")},
            {"due_on": today - timedelta(days=5), "amount": Decimal("50000")},
            {"due_on": today + timedelta(days=300), "amount": Decimal("50000")},
        ],
    )
    first, _second, third = agreement.instalments.all()
    client.force_login(commissioner)
    url = reverse("commissioning:instalment_paid", args=[first.pk])
    assert client.get(url).status_code == 405
    paid_on = (today - timedelta(days=30)).isoformat()
    client.post(url, {"paid_on": paid_on})
    client.post(url, {"paid_on": today.isoformat()})
    first.refresh_from_db()
    assert first.paid_on == today - timedelta(days=30)
    assert first.paid_recorded_by == commissioner
    assert AuditEvent.objects.filter(action="agreement.instalment_paid").count() == 1
    response = client.post(
        reverse("commissioning:instalment_paid", args=[third.pk]),
        {"paid_on": (today + timedelta(days=1)).isoformat()},
        follow=True,
    )
    assert "cannot be recorded before it is made" in response.content.decode()
    third.refresh_from_db()
    assert third.paid_on is None
    page = client.get(reverse("commissioning:agreement_payments", args=[agreement.pk]))
    text = page.content.decode()
    assert "Paid late, on" in text and "Overdue: not paid" in text and "2 instalments late" in text
    # A paid instalment stays when the rest of the schedule changes.
    services.agreement_instalments_save(
        actor=commissioner,
        agreement=agreement,
        instalments=[{"due_on": today + timedelta(days=10), "amount": Decimal("100000")}],
    )
    assert list(agreement.instalments.values_list("number", "paid_on")) == [
        (1, today - timedelta(days=30)),
        (2, None),
    ]


# Variations


def vary(agreement, **overrides):
    values = {
        "actor": agreement.created_by,
        "agreement": agreement,
        "start_on": agreement.start_on,
        "end_on": date(2030, 3, 31),
        "years": {
            2026: Decimal(50000),
            2027: Decimal(50000),
            2028: Decimal(55000),
            2029: Decimal(60000),
        },
        "reason": "Extended for two more years of demand.",
        "effective_on": date(2026, 10, 1),
        "agreed_by": "Sam Okafor and Priya Shah",
    }
    values.update(overrides)
    return services.agreement_vary(**values)


def test_a_variation_makes_a_new_version(client, commissioner, agreement):
    kept, retired = measures(agreement, "People befriended", "Home visits")
    returns_before = agreement.returns.count()
    variation, created = vary(
        agreement,
        targets={kept.pk: Decimal("50"), retired.pk: Decimal("40")},
        retire=[retired.pk],
        new_measures=[
            {
                "name": "Volunteers trained",
                "unit": "volunteers",
                "value_kind": "count",
                "target": Decimal("6"),
                "higher_is_better": True,
                "evidence_required": "Certificates.",
                "payment_linked": False,
                "outcome": None,
            }
        ],
    )
    agreement.refresh_from_db()
    assert created and variation.number == 1
    assert agreement.version == 2 and variation.version.number == 2
    assert agreement.end_on == date(2030, 3, 31)
    assert agreement.total_value == Decimal("215000")
    fields = [change["field"] for change in variation.changes]
    assert fields == [
        "End date",
        "Value in 2028/29",
        "Value in 2029/30",
        "Target of “People befriended”",
        "Measure “Home visits”",
        "Measure “Volunteers trained”",
    ]
    assert variation.version.snapshot["end_on"] == "2030-03-31"
    assert agreement.measures.get(name="Home visits").retired_on == date(2026, 10, 1)
    assert agreement.returns.count() == returns_before + 4
    client.force_login(commissioner)
    history = client.get(reverse("commissioning:agreement_history", args=[agreement.pk]))
    text = history.content.decode()
    assert "Version 2 (current)" in text and "Version 1" in text
    assert "Extended for two more years of demand." in text and "31 March 2029" in text


def test_a_variation_cannot_end_before_the_last_paid_instalment(client, commissioner, agreement):
    services.agreement_instalments_save(
        actor=commissioner,
        agreement=agreement,
        instalments=[
            {"due_on": date(2026, 4, 1), "amount": Decimal("75000")},
            {"due_on": date(2027, 10, 1), "amount": Decimal("75000")},
        ],
    )
    second = agreement.instalments.get(number=2)
    Instalment.objects.filter(pk=second.pk).update(paid_on=date(2027, 10, 5))
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:agreement_variation_new", args=[agreement.pk]),
        {
            "start_on": "2026-04-01",
            "end_on": "2027-09-30",
            "year_2026": "75000",
            "year_2027": "75000",
            "reason": "Ending early.",
            "effective_on": "2026-10-01",
            "agreed_by": "Both sides",
            **management("new", 1),
        },
    )
    assert response.status_code == 400
    assert "The end can move no earlier than 5 October 2027" in response.content.decode()
    agreement.refresh_from_db()
    assert (agreement.end_on, agreement.version) == (date(2029, 3, 31), 1)
    assert not Variation.objects.exists()


def test_a_variation_ending_before_it_starts_is_refused(agreement):
    with pytest.raises(ValidationError) as error:
        vary(agreement, end_on=date(2026, 3, 1), years={2025: Decimal(0)})
    assert "is before the start date" in str(error.value)
    agreement.refresh_from_db()
    assert agreement.version == 1


def test_the_same_variation_twice_is_made_once(agreement):
    vary(agreement)
    again, created = vary(agreement)
    assert not created and again.number == 1
    assert Variation.objects.count() == 1


def test_co_funders_cannot_exceed_a_reduced_value(agreement):
    AgreementFunderFactory(agreement=agreement, contribution=Decimal("100000"))
    with pytest.raises(ValidationError) as error:
        vary(
            agreement,
            end_on=agreement.end_on,
            years={2026: Decimal(30000), 2027: Decimal(30000), 2028: Decimal(30000)},
        )
    assert "£100,000.00, more than the new total value of £90,000.00" in str(error.value)


# Notices


def test_an_end_notice_moves_the_agreement_to_ending(client, commissioner, agreement):
    client.force_login(commissioner)
    today = timezone.localdate()
    response = client.post(
        reverse("commissioning:agreement_notice_new", args=[agreement.pk]),
        {
            "kind": "end",
            "given_on": today.isoformat(),
            "takes_effect_on": (today + timedelta(days=30)).isoformat(),
            "details": "Funding ends with the budget cut.",
        },
        follow=True,
    )
    assert "The Compact expects at least 3 months" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDING
    assert Notice.objects.get().days_given == 30
    assert AuditEvent.objects.filter(action="agreement.notice_given").count() == 1
    assert AuditEvent.objects.filter(action="agreement.ending").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"takes_effect_on": "2026-01-01"}, "is before the date the notice was given"),
        ({"kind": "reduction"}, "Enter the value a year after the reduction"),
    ],
)
def test_bad_notices_are_refused(client, commissioner, agreement, overrides, message):
    client.force_login(commissioner)
    data = {
        "kind": "change_of_terms",
        "given_on": "2026-02-01",
        "takes_effect_on": "2027-02-01",
        "details": "New terms.",
        **overrides,
    }
    response = client.post(reverse("commissioning:agreement_notice_new", args=[agreement.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Notice.objects.exists()


# Changing the terms


def test_changing_the_terms(client, commissioner, agreement):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_edit", args=[agreement.pk])
    category, area = agreement.categories.get(), agreement.areas.get()
    data = {
        "kind": "contract",
        "title": "Befriending, renamed",
        "description": "",
        "categories": [category.pk],
        "areas": [area.pk],
        "procurement_route": "direct_award",
        "renewal_options": "",
        "multi_year_funding": "passed_on",
        "payment_timing": "advance",
        "full_cost_recovery": "yes",
        "reporting_frequency": "annually",
        **management("members", 1),
        **management("funders", 1),
        **management("risks", 1),
        "funders-0-body": CommissioningBodyFactory().pk,
        "funders-0-contribution": "150000.01",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "more than the agreement&#x27;s total value of £150,000.00" in response.content.decode()
    data["funders-0-contribution"] = "50000"
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.reporting_frequency) == ("Befriending, renamed", "annually")
    assert agreement.returns.count() == 3  # one a year now
    assert agreement.funders.get().contribution == Decimal("50000")
    event = AuditEvent.objects.filter(action="agreement.updated").get()
    assert "co-funders" in event.note and "title" in event.note


# The end


def test_feedback_waits_for_the_end(client, commissioner, agreement):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_end_feedback", args=[agreement.pk])
    assert "once it is ending or has ended" in client.get(url).content.decode()
    client.post(url, {"end_feedback": "Too early."})
    agreement.refresh_from_db()
    assert agreement.end_feedback == ""


def test_end_feedback_is_shown_to_the_provider_and_emailed_once(
    client, commissioner, provider, agreement, django_capture_on_commit_callbacks
):
    kept, _other = measures(agreement, "People befriended", "Home visits")
    services.agreement_move(actor=commissioner, agreement=agreement, to_status="ending")
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_end_feedback", args=[agreement.pk])
    response = client.post(
        url, {"end_feedback": "A well run service.", "tracking_until": "2029-02-01"}
    )
    assert "choose a date after 31 March 2029" in response.content.decode()
    data = {
        "end_feedback": "A well run service.",
        "tracking_until": "2029-09-30",
        "tracked_measures": [kept.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.end_feedback_by == commissioner and agreement.end_feedback_at
    assert list(agreement.measures.filter(tracked_after_end=True)) == [kept]
    assert agreement.returns.filter(after_end=True).count() == 2
    assert [m.to for m in mail.outbox] == [[provider.email]]
    data["end_feedback"] = "A well run service, with more to say."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    assert agreement_end_feedback_notify.delay(agreement.pk).get() == 0
    assert len(mail.outbox) == 1
    client.force_login(provider)
    page = client.get(reverse("commissioning:agreement", args=[agreement.pk])).content.decode()
    assert "A well run service, with more to say." in page
    assert Agreement.objects.get(pk=agreement.pk).tracking_until == date(2029, 9, 30)


def test_members_keep_their_place_when_the_terms_are_saved(
    client, commissioner, commissioning_body, provider_org
):
    from tests.factories.accounts import OrganisationFactory

    member = OrganisationFactory(name="Hillside Lunch Club")
    agreement = make_agreement(
        commissioner,
        commissioning_body,
        provider_org,
        members=[{"organisation": member, "role": "subcontractor", "share": Decimal(10)}],
    )
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_edit", args=[agreement.pk])
    label = f"Hillside Lunch Club (charity {member.charity_number})"
    assert f'value="{label}"' in client.get(url).content.decode()
    data = {
        "kind": agreement.kind,
        "title": agreement.title,
        "categories": [agreement.categories.get().pk],
        "areas": [agreement.areas.get().pk],
        "procurement_route": agreement.procurement_route,
        "multi_year_funding": agreement.multi_year_funding,
        "payment_timing": agreement.payment_timing,
        "full_cost_recovery": "yes",
        "reporting_frequency": agreement.reporting_frequency,
        **management("members", 1, 1),
        "members-0-organisation": label,
        "members-0-role": "subcontractor",
        "members-0-share": "15",
        **management("funders", 0),
        **management("risks", 0),
    }
    assert client.post(url, data).status_code == 302
    assert list(agreement.members.values_list("organisation", "role", "share")) == [
        (member.pk, "subcontractor", Decimal(15))
    ]
    assert agreement.returns.count() == 12  # the frequency did not change
