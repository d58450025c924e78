"""The outcomes framework: planners read the tree; network admins add and change priorities,
outcomes and indicators, and every change is audited."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from commissioning.models import Indicator, Outcome, StrategyPriority
from commissioning.services import outcomes as services
from tests.factories import ServiceCategoryFactory
from tests.factories.commissioning_evidence import (
    IndicatorFactory,
    IndicatorValueFactory,
    OutcomeFactory,
    StrategyPriorityFactory,
)

pytestmark = pytest.mark.django_db


def test_the_tree_shows_each_indicator_with_its_unit_polarity_comparator_and_latest_period(
    client, commissioner
):
    priority = StrategyPriorityFactory(name="Healthier lives")
    outcome = OutcomeFactory(priority=priority, name="Fewer people smoke")
    outcome.categories.add(ServiceCategoryFactory(name="Stop smoking support"))
    indicator = IndicatorFactory(
        outcome=outcome,
        name="Smoking prevalence in adults",
        unit="percent",
        polarity="lower_better",
        comparator_name="England",
    )
    IndicatorValueFactory(indicator=indicator, period="2022", period_start=date(2022, 1, 1))
    IndicatorValueFactory(indicator=indicator, period="2023", period_start=date(2023, 1, 1))
    IndicatorFactory(outcome=outcome, name="Quit attempts", comparator_name="")
    OutcomeFactory(priority=priority, name="More people active")

    client.force_login(commissioner)
    response = client.get(reverse("commissioning:outcomes"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Healthier lives" in html
    assert "Fewer people smoke" in html
    assert "Stop smoking support" in html
    assert reverse("commissioning:indicator", args=[indicator.pk]) in html
    row = html[html.index("Smoking prevalence in adults") :]
    row = row[: row.index("</tr>")]
    for words in ("Percentage", "Lower is better", "England", "2023"):
        assert words in row
    quit_row = html[html.index("Quit attempts") :]
    assert "No data yet" in quit_row[: quit_row.index("</tr>")]
    assert "No indicators measure this outcome yet." in html
    # A commissioner reads the framework but does not keep it.
    assert reverse("commissioning:priority_create") not in html


def test_network_admins_see_where_to_change_the_framework(client, network_admin):
    outcome = OutcomeFactory()
    client.force_login(network_admin)
    html = client.get(reverse("commissioning:outcomes")).content.decode()
    assert reverse("commissioning:priority_create") in html
    assert reverse("commissioning:outcome_edit", args=[outcome.pk]) in html
    assert f"{reverse('commissioning:indicator_create')}?outcome={outcome.pk}" in html


def test_a_network_admin_adds_and_changes_a_priority_with_an_audit_trail(client, network_admin):
    client.force_login(network_admin)
    response = client.post(
        reverse("commissioning:priority_create"),
        {"name": "Healthier lives", "description": "", "position": "1"},
    )
    priority = StrategyPriority.objects.get()
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="strategy_priority.created", object_id=str(priority.pk), actor=network_admin
    ).exists()

    client.post(
        reverse("commissioning:priority_edit", args=[priority.pk]),
        {"name": "Healthier, longer lives", "description": "", "position": "1"},
    )
    priority.refresh_from_db()
    assert priority.name == "Healthier, longer lives"
    event = AuditEvent.objects.get(action="strategy_priority.updated")
    assert event.note == "Changed: name"


def test_a_network_admin_adds_an_outcome_with_its_service_categories(client, network_admin):
    priority = StrategyPriorityFactory()
    debt, benefits = ServiceCategoryFactory(), ServiceCategoryFactory()
    client.force_login(network_admin)
    response = client.post(
        reverse("commissioning:outcome_create"),
        {
            "priority": priority.pk,
            "name": "  Fewer households in  problem debt ",
            "description": "",
            "position": "0",
            "categories": [debt.pk, benefits.pk],
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.name == "Fewer households in problem debt"
    assert set(outcome.categories.all()) == {debt, benefits}
    assert AuditEvent.objects.filter(action="outcome.created", object_id=str(outcome.pk)).exists()

    client.post(
        reverse("commissioning:outcome_edit", args=[outcome.pk]),
        {"priority": priority.pk, "name": outcome.name, "position": "0", "categories": [debt.pk]},
    )
    assert list(outcome.categories.all()) == [debt]
    assert AuditEvent.objects.get(action="outcome.updated").note == "Changed: service categories"


def test_a_network_admin_adds_an_indicator_then_lands_on_its_page(client, network_admin):
    outcome = OutcomeFactory()
    client.force_login(network_admin)
    response = client.post(
        reverse("commissioning:indicator_create"),
        {
            "outcome": outcome.pk,
            "code": " 90366 ",
            "name": "Life expectancy at birth",
            "definition": "Average years a newborn would live.",
            "unit": "years",
            "polarity": "higher_better",
            "comparator_name": "England",
            "comparator_code": "e92000001",
            "source": "OHID Fingertips",
        },
    )
    indicator = Indicator.objects.get()
    assert response.url == reverse("commissioning:indicator", args=[indicator.pk])
    assert (indicator.code, indicator.comparator_code) == ("90366", "E92000001")
    assert AuditEvent.objects.filter(action="indicator.created").exists()


def test_an_indicator_needs_a_unique_code_and_a_named_comparator(client, network_admin):
    existing = IndicatorFactory(code="90366")
    client.force_login(network_admin)
    response = client.post(
        reverse("commissioning:indicator_create"),
        {
            "outcome": existing.outcome_id,
            "code": "90366",
            "name": "Another",
            "unit": "percent",
            "polarity": "higher_better",
            "comparator_name": "",
            "comparator_code": "E92000001",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indicator with this Code already exists." in html
    assert "Give the comparator&#x27;s name, such as England, as well as its code." in html
    assert Indicator.objects.count() == 1


def test_commissioners_cannot_change_the_framework(client, commissioner):
    client.force_login(commissioner)
    response = client.post(
        reverse("commissioning:priority_create"), {"name": "Mine", "position": "0"}
    )
    assert response.status_code == 403
    assert not StrategyPriority.objects.exists()
    with pytest.raises(PermissionDenied):
        services.priority_save(actor=commissioner, priority=StrategyPriority(name="Mine"))


def test_a_missing_framework_record_is_not_found(client, network_admin):
    client.force_login(network_admin)
    assert client.get(reverse("commissioning:outcome_edit", args=[999])).status_code == 404
    assert client.get(reverse("commissioning:indicator", args=[999])).status_code == 404
