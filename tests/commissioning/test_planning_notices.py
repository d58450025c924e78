"""Publishing an intention emails each provider user whose alerts cover it, exactly once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import MembershipRole, VerificationStatus
from commissioning.models import IntentionNotice, Subscription
from commissioning.selectors.planning import subscribers_for
from commissioning.services.intentions import intention_publish, intention_withdraw
from commissioning.tasks.planning import intention_published_notify
from providers.models import Area, ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.factories import (
    AreaFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.commissioning_planning import IntentionFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def provider_user(email: str, *, organisation=None):
    user = UserFactory(email=email)
    MembershipFactory(
        user=user, organisation=organisation or OrganisationFactory(), role=MembershipRole.MEMBER
    )
    return user


@pytest.fixture
def world(commissioning_body, commissioner):
    reference_data_ensure()
    lindenford = AreaFactory(name="Lindenford")
    elsewhere = AreaFactory(name="Elsewhere")
    return {
        "body": commissioning_body,
        "commissioner": commissioner,
        "advice": ServiceCategory.objects.get(code="advice"),
        "debt": ServiceCategory.objects.get(code="debt-advice"),
        "housing_advice": ServiceCategory.objects.get(code="housing-advice"),
        "mental_health": ServiceCategory.objects.get(code="mental-health"),
        "lindenford": lindenford,
        "central": WardFactory(name="Central", parent=lindenford),
        "riverside": WardFactory(name="Riverside", parent=lindenford),
        "elsewhere_ward": WardFactory(name="Far ward", parent=elsewhere),
    }


@pytest.fixture
def subscribers(world, pending_org):
    """Who subscribed to what; the comments say whether a debt advice intention in Central
    should reach them."""

    def subscribe(email, *, categories=(), areas=(), organisation=None, **user_fields):
        user = provider_user(email, organisation=organisation)
        for name, value in user_fields.items():
            setattr(user, name, value)
        user.save()
        SubscriptionFactory(user=user, categories=list(categories), areas=list(areas))
        return user

    return {
        # told: the category itself, a parent category, the ward, its borough, or both
        "debt": subscribe("debt@example.org", categories=[world["debt"]]),
        "advice": subscribe("advice@example.org", categories=[world["advice"]]),
        "central": subscribe("central@example.org", areas=[world["central"]]),
        "borough": subscribe("borough@example.org", areas=[world["lindenford"]]),
        "both": subscribe(
            "both@example.org", categories=[world["debt"]], areas=[world["lindenford"]]
        ),
        # not told: something else, somewhere else
        "other": subscribe(
            "other@example.org",
            categories=[world["mental_health"], world["housing_advice"]],
            areas=[world["riverside"], world["elsewhere_ward"]],
        ),
        # not told: an organisation not yet verified, a closed account, a commissioner
        "pending": subscribe(
            "pending.sub@example.org", categories=[world["advice"]], organisation=pending_org
        ),
        "inactive": subscribe("inactive@example.org", categories=[world["debt"]], is_active=False),
    }


def debt_advice_in_central(world, **kwargs):
    return IntentionFactory(
        body=world["body"],
        created_by=world["commissioner"],
        title="Debt advice in Central",
        categories=[world["debt"]],
        areas=[world["central"]],
        **kwargs,
    )


TOLD = {
    "debt@example.org",
    "advice@example.org",
    "central@example.org",
    "borough@example.org",
    "both@example.org",
}


def test_subscribers_for_covers_parents_and_is_one_query(world, subscribers, commissioner):
    # A commissioner with a subscription row is not a provider user, so is never told.
    SubscriptionFactory(user=commissioner, categories=[world["debt"]])
    with CaptureQueriesContext(connection) as queries:
        found = {user.email for user in subscribers_for([world["debt"]], [world["central"]])}
    assert found == TOLD
    assert len(queries) == 1
    # From querysets or ids, the same people, still in one query.
    with CaptureQueriesContext(connection) as queries:
        by_queryset = set(
            subscribers_for(
                ServiceCategory.objects.filter(pk=world["debt"].pk),
                Area.objects.filter(pk=world["central"].pk),
            ).values_list("email", flat=True)
        )
    assert by_queryset == TOLD
    assert len(queries) == 1
    assert {u.email for u in subscribers_for([world["debt"].pk], [])} == {
        "debt@example.org",
        "advice@example.org",
        "both@example.org",
    }


def test_a_subscription_to_a_child_does_not_cover_its_parent(world, subscribers):
    """An intention for all of Advice is not news to someone who only asked for debt advice."""
    found = {user.email for user in subscribers_for([world["advice"]], [])}
    assert found == {"advice@example.org"}
    found = {user.email for user in subscribers_for([], [world["lindenford"]])}
    assert found == {"borough@example.org", "both@example.org"}
    assert not subscribers_for([], []).exists()


def test_publishing_emails_each_matching_subscriber_once(
    world, subscribers, django_capture_on_commit_callbacks
):
    intention = debt_advice_in_central(world)
    with django_capture_on_commit_callbacks(execute=True):
        intention_publish(actor=world["commissioner"], intention=intention)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(TOLD)
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert "Debt advice in Central" in message.subject
    assert f"/intentions/{intention.pk}/" in message.body
    assert "/alerts/" in message.body
    assert "£50,000 to £80,000 a year" in message.body
    assert "Expected start: 1 July 2027" in message.body
    assert (
        set(
            IntentionNotice.objects.filter(intention=intention).values_list(
                "user__email", flat=True
            )
        )
        == TOLD
    )

    # The task runs again (a retry, or a duplicate delivery): nobody is told twice.
    assert intention_published_notify.delay(intention.pk).get() == 0
    assert intention_published_notify(intention.pk) == 0
    assert len(mail.outbox) == len(TOLD)


def test_a_later_run_tells_only_those_not_yet_told(world, subscribers):
    intention = debt_advice_in_central(world)
    intention_publish(actor=world["commissioner"], intention=intention)  # not committed: no mail
    assert intention_published_notify(intention.pk) == len(TOLD)
    newcomer = provider_user("newcomer@example.org")
    SubscriptionFactory(user=newcomer, categories=[world["advice"]])
    mail.outbox = []
    assert intention_published_notify(intention.pk) == 1
    assert [message.to for message in mail.outbox] == [["newcomer@example.org"]]


def test_sending_in_batches_still_tells_each_once(world, subscribers):
    from commissioning.services.intentions import intention_notices_send

    intention = debt_advice_in_central(world)
    intention_publish(actor=world["commissioner"], intention=intention)
    assert intention_notices_send(intention_id=intention.pk, batch_size=2) == len(TOLD)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(TOLD)


def test_nothing_is_sent_for_a_draft_or_withdrawn_intention(world, subscribers):
    intention = debt_advice_in_central(world)
    assert intention_published_notify(intention.pk) == 0
    intention_publish(actor=world["commissioner"], intention=intention)
    intention_withdraw(actor=world["commissioner"], intention=intention, reason="Paused.")
    assert intention_published_notify(intention.pk) == 0
    assert intention_published_notify(999_999) == 0
    assert mail.outbox == []


def test_an_organisation_verified_later_starts_getting_alerts(world, subscribers, pending_org):
    pending_org.verification_status = VerificationStatus.VERIFIED
    pending_org.save()
    found = {user.email for user in subscribers_for([world["debt"]], [])}
    assert "pending.sub@example.org" in found


def test_unsubscribed_people_are_not_told(world, subscribers):
    Subscription.objects.filter(user=subscribers["advice"]).delete()
    intention = debt_advice_in_central(world)
    intention_publish(actor=world["commissioner"], intention=intention)
    intention_published_notify(intention.pk)
    assert "advice@example.org" not in {m.to[0] for m in mail.outbox}
