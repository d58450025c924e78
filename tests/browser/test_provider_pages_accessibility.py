"""Every provider-mapping page, on the demo network, for the roles that use it, checked with axe."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Organisation
from providers.models import Service
from tests.browser.axe import sign_in, sign_out, visit
from tests.factories.providers import ConsortiumFactory, ConsortiumMemberFactory

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo_network(transactional_db):
    call_command("seed_demo", stdout=StringIO())


def test_provider_pages(page: Page, demo_network):
    charity = Organisation.objects.get(memberships__user__email="provider@example.org")
    service = Service.objects.filter(organisation=charity).first()
    sign_in(page, "provider@example.org", DEMO_PASSWORD)
    for url in (
        f"/organisations/{charity.pk}/profile/",
        f"/organisations/{charity.pk}/profile/history/",
        f"/organisations/{charity.pk}/services/",
        f"/organisations/{charity.pk}/services/new/",
        f"/services/{service.pk}/edit/",
        f"/organisations/{charity.pk}/passport/",
        f"/organisations/{charity.pk}/support-links/",
        "/consortia/",
        "/consortia/new/",
        f"/directory/organisations/{charity.pk}/",
        f"/directory/services/{service.pk}/",
        "/provision-map/",
    ):
        visit(page, url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sign_out(page)


def test_network_admin_pages(page: Page, demo_network):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    for url in (
        "/network/reference/",
        "/network/reference/categories/",
        "/network/reference/categories/new/",
        "/network/reference/client-groups/",
        "/network/reference/areas/",
        "/network/passports/",
        "/network/imports/",
        "/network/imports/new/",
        "/provision-map/",
        "/directory/?q=advice&sort=relevance",
    ):
        visit(page, url)
    lead = Organisation.objects.get(memberships__user__email="provider@example.org")
    consortium = ConsortiumFactory(name="Lindenford Advice Partnership", lead=lead)
    ConsortiumMemberFactory(
        consortium=consortium,
        organisation=Organisation.objects.exclude(pk=lead.pk)
        .filter(kind="third_sector", verification_status="verified")
        .first(),
    )
    visit(page, f"/consortia/{consortium.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lindenford Advice Partnership")
    sign_out(page)
