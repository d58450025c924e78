"""A provider's alerts: choosing categories and areas, seeing what they will be told about, and
unsubscribing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from commissioning.models import Subscription
from commissioning.services.subscriptions import subscription_clear, subscription_save
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import AreaFactory, WardFactory
from tests.factories.commissioning_planning import published_intention

pytestmark = pytest.mark.django_db

URL = "commissioning:subscription"


@pytest.fixture
def world(db):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford")
    return {
        "advice": ServiceCategory.objects.get(code="advice"),
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "youth": ServiceCategory.objects.get(code="youth-clubs"),
        "borough": borough,
        "central": WardFactory(name="Central", parent=borough),
    }


def test_who_may_have_alerts(client, provider, commissioner, network_admin, pending_provider):
    url = reverse(URL)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for user, status in [
        (provider, 200),
        (pending_provider, 200),
        (commissioner, 403),
        (network_admin, 403),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    with pytest.raises(PermissionDenied):
        subscription_save(user=commissioner, categories=[], areas=[])


def test_a_provider_chooses_alerts_and_sees_what_matches(client, world, provider):
    published_intention(
        title="Debt advice in Central", categories=[world["debt"]], areas=[world["central"]]
    )
    published_intention(
        title="Youth clubs elsewhere", categories=[world["youth"]], areas=[AreaFactory()]
    )
    client.force_login(provider)
    page = client.get(reverse(URL)).content.decode()
    assert "You have no alerts." in page
    assert "All of Advice and information" in page
    assert "All of Lindenford" in page

    response = client.post(
        reverse(URL), {"categories": [world["advice"].pk], "areas": [world["central"].pk]}
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=provider)
    assert list(subscription.categories.all()) == [world["advice"]]
    assert list(subscription.areas.all()) == [world["central"]]

    response = client.get(reverse(URL))
    page = response.content.decode()
    assert "Your alerts are saved." in page
    assert "Advice and information (and everything in it)" in page
    assert "1 published intention matches your alerts now" in page
    assert "Debt advice in Central" in page
    assert "Youth clubs elsewhere" not in page
    assert f'value="{world["advice"].pk}" id="id_categories_0" checked' in page


def test_unsubscribing_from_all(client, world, provider):
    subscription_save(user=provider, categories=[world["debt"]], areas=[world["borough"]])
    client.force_login(provider)
    response = client.post(reverse(URL), {"unsubscribe": "1"}, follow=True)
    assert "You are unsubscribed." in response.content.decode()
    assert not Subscription.objects.filter(user=provider).exists()
    assert subscription_clear(user=provider) is False


def test_choosing_nothing_unsubscribes(client, world, provider):
    subscription_save(user=provider, categories=[world["debt"]], areas=[])
    client.force_login(provider)
    response = client.post(reverse(URL), {}, follow=True)
    assert "You chose nothing, so you will get no alerts." in response.content.decode()
    assert not Subscription.objects.filter(user=provider).exists()


def test_an_unknown_choice_is_refused(client, world, provider):
    client.force_login(provider)
    response = client.post(reverse(URL), {"categories": ["999999"]})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Subscription.objects.filter(user=provider).exists()


def test_a_pending_organisation_is_told_alerts_wait_for_verification(client, pending_provider):
    client.force_login(pending_provider)
    page = client.get(reverse(URL)).content.decode()
    assert "Alerts start once the network has verified your organisation." in page
