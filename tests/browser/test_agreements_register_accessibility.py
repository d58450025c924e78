"""The register of agreements, a provider's 360 view and its own list, and the panel on the
directory page, checked with axe for the roles that use them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole
from commissioning.models import PerformanceRating, ProcurementRoute, ReturnStatus
from tests.browser.axe import sign_in, visit
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.factories.accounts import PASSWORD
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
)
from tests.factories.providers import ServiceCategoryFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def network(transactional_db):
    council = CommissioningBodyFactory(name="Lindenford Council")
    nhs = CommissioningBodyFactory(name="NHS Lindenford")
    charity = OrganisationFactory(name="Riverside Advice")
    commissioner = UserFactory(email="register.commissioner@example.org")
    MembershipFactory(user=commissioner, organisation=council, role=MembershipRole.ADMIN)
    provider = UserFactory(email="register.provider@example.org")
    MembershipFactory(user=provider, organisation=charity, role=MembershipRole.ADMIN)
    category, area = ServiceCategoryFactory(name="Debt advice"), AreaFactory(name="Lindenford")
    today = timezone.localdate()
    for n, body in enumerate((council, nhs, council)):
        agreement = AgreementFactory(
            body=body,
            provider=charity,
            title=f"Advice service {n}",
            total_value=Decimal(40000 * (n + 1)),
            procurement_route=ProcurementRoute.ROLLING if n else ProcurementRoute.GRANT_ROUND,
        )
        agreement.categories.add(category)
        agreement.areas.add(area)
        if n == 1:
            AgreementFunderFactory(agreement=agreement, body=council)
            AgreementMemberFactory(agreement=agreement)
        rated = MonitoringReturnFactory(
            agreement=agreement,
            period_start=today - timedelta(days=100),
            period_end=today - timedelta(days=10),
            status=ReturnStatus.ACCEPTED,
            rating=PerformanceRating.REQUIRES_IMPROVEMENT if n == 2 else PerformanceRating.GOOD,
        )
        if n == 2:
            ImprovementPlanFactory(agreement=agreement, opened_by_return=rated)
    return {"charity": charity, "commissioner": commissioner, "provider": provider}


@pytest.fixture
def panel_registered():
    """The directory page's agreements panel, as commissioning/apps.py registers it."""
    from commissioning.selectors.agreements_register import provider_profile_panel
    from providers import selectors

    registered = ("commissioning/agreements/provider_panel.html", provider_profile_panel)
    added = registered not in selectors.PROFILE_PANELS
    selectors.register_profile_panel(*registered)
    yield
    if added:
        selectors.PROFILE_PANELS.remove(registered)


def test_commissioner_pages(page: Page, network, panel_registered):
    sign_in(page, "register.commissioner@example.org", PASSWORD)
    visit(page, reverse("commissioning:agreements"))
    expect(page.get_by_role("heading", name="Register of agreements")).to_be_visible()
    visit(page, reverse("commissioning:agreements") + "?never_open=on&sort=value")
    visit(page, reverse("commissioning:agreements") + "?ends_from=2030-01-01&ends_to=2020-01-01")
    expect(page.get_by_role("alert")).to_contain_text("The second date must be the same")
    charity = network["charity"]
    visit(page, reverse("commissioning:provider_agreements", args=[charity.pk]))
    expect(page.get_by_role("main")).to_contain_text("Requires improvement")
    visit(page, reverse("providers:organisation", args=[charity.pk]))
    expect(page.get_by_role("main")).to_contain_text("Agreements across the network")


def test_provider_pages(page: Page, network):
    sign_in(page, "register.provider@example.org", PASSWORD)
    visit(page, reverse("commissioning:agreements_ours"))
    expect(page.get_by_role("main")).to_contain_text("A provider sees exactly what is shared")
    visit(page, reverse("commissioning:provider_agreements", args=[network["charity"].pk]))
    expect(page.get_by_role("main")).to_contain_text("What the network sees about")
