"""Every named URL, as every role: the status each gets is pinned in access_table.py beside this file.

A URL that is not in the table fails the test, so every new page must say who may see it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from tests.access.access_table import ADMIN_SITE, EXPECTED, ROLES, WORLD_BUILDERS
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def named_urls() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def world(role_users, provider_org, provider_member, commissioning_body):
    invitation = InvitationFactory(
        organisation=provider_org, email="new.colleague@example.org", token="open-token"
    )
    base = {
        "users": role_users,
        "provider_org": provider_org,
        "commissioning_body": commissioning_body,
    }
    explicit: dict[str, dict] = {}
    for build in WORLD_BUILDERS:
        explicit.update(build(base))
    return {
        "explicit": explicit,
        "pk": provider_org.pk,
        "invitation_pk": invitation.pk,
        "membership_pk": Membership.objects.get(user=provider_member).pk,
        "token": "open-token",
        "key": "not-a-real-key",
        "uidb36": "1",
        "object_id": provider_org.pk,
        "content_type_id": "1",
        "app_label": "accounts",
        "id": role_users["provider"].pk,
    }


def url_for(name: str, world: dict) -> str:
    from django.urls import NoReverseMatch

    if name in world["explicit"]:
        return reverse(name, kwargs=world["explicit"][name])
    for kwargs in _kwarg_sets(name, world):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"Cannot build a URL for {name}: add its arguments to the world fixture")


def _kwarg_sets(name: str, world: dict):
    yield {}
    keys = [
        ("pk",),
        ("pk", "invitation_pk"),
        ("pk", "membership_pk"),
        ("token",),
        ("key",),
        ("uidb36", "key"),
        ("object_id",),
        ("content_type_id", "object_id"),
        ("app_label",),
        ("id",),
    ]
    for combination in keys:
        yield {k: world[k] for k in combination}


def expected_for(name: str) -> dict[str, int]:
    if name in EXPECTED:
        return EXPECTED[name]
    if name.startswith("admin:"):
        return ADMIN_SITE
    raise KeyError(name)


def test_every_named_url_is_in_the_table():
    missing = [n for n in named_urls() if n not in EXPECTED and not n.startswith("admin:")]
    assert not missing, f"Add these URLs to tests/access/access_table.py: {missing}"
    # Apart from its sign-in page, the Django admin follows ADMIN_SITE.
    stale = [n for n in EXPECTED if n not in named_urls()]
    assert not stale, f"These URLs no longer exist; remove them from the table: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_every_role(client, world, role_users, role):
    if role != "anonymous":
        client.force_login(role_users[role])
    wrong = []
    for name in named_urls():
        url = url_for(name, world)
        response = client.get(url)
        want = expected_for(name)[role]
        if response.status_code != want:
            wrong.append(f"{name} {url}: expected {want}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_django_admin_is_for_superusers_only(client, network_admin):
    from tests.factories import UserFactory

    client.force_login(network_admin)
    assert client.get(reverse("admin:index")).status_code == 302
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
