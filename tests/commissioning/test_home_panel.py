"""The planning panel on the signed-in home page."""

import pytest
from django.urls import reverse

from commissioning.models import IntentionStatus
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import UserFactory
from tests.factories.commissioning_planning import IntentionFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_a_commissioner_sees_what_waits_in_planning(client, commissioner, commissioning_body):
    IntentionFactory(body=commissioning_body, status=IntentionStatus.DRAFT)
    client.force_login(commissioner)
    page = client.get(reverse("home")).content.decode()
    assert "0 intentions on the forward plan, 1 in draft." in page
    assert reverse("commissioning:planning") in page


def test_a_provider_is_asked_to_set_up_alerts_then_sees_what_matches(client, provider):
    client.force_login(provider)
    assert "Set up alerts" in client.get(reverse("home")).content.decode()
    reference_data_ensure()
    debt = ServiceCategory.objects.get(code="debt-advice")
    intention = IntentionFactory(
        status=IntentionStatus.PUBLISHED, title="Debt advice in Eastgate", categories=[debt]
    )
    SubscriptionFactory(user=provider, categories=[debt.parent])
    page = client.get(reverse("home")).content.decode()
    assert "Debt advice in Eastgate" in page
    assert intention.get_absolute_url() in page


def test_people_outside_planning_and_providers_see_no_panel(client):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "Planning" not in page.split("<main", 1)[1]


def test_the_navigation_leads_to_opportunities_and_a_providers_bids(client, provider):
    client.force_login(provider)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("commissioning:opportunity_list")}"' in page
    assert f'href="{reverse("commissioning:bid_list")}"' in page


def test_a_panel_member_finds_their_panels_until_each_is_decided(client, commissioner):
    from commissioning.models import OpportunityStatus
    from tests.factories.commissioning_sourcing import OpportunityFactory, PanelMemberFactory

    seat = PanelMemberFactory(user=commissioner, opportunity=OpportunityFactory(title="Carers"))
    client.force_login(commissioner)
    page = client.get(reverse("home")).content.decode()
    assert "Panels you sit on" in page
    assert reverse("commissioning:panel_bids", args=[seat.opportunity.pk]) in page
    seat.opportunity.status = OpportunityStatus.AWARDED
    seat.opportunity.save()
    assert "Panels you sit on" not in client.get(reverse("home")).content.decode()
