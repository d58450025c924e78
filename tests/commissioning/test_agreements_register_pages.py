"""The register's totals and CSV, a provider's 360 view and joint view, a provider's own list, the
panel on the directory page and the navigation."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    Agreement,
    AgreementKind,
    AgreementMemberRole,
    AgreementStatus,
    ImprovementPlanStatus,
    PerformanceRating,
    ProcurementRoute,
    ReturnStatus,
)
from commissioning.selectors.agreements_register import (
    provider_profile_panel,
    recent_quarters,
    totals,
)
from tests.factories import CommissioningBodyFactory, OrganisationFactory
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
    ImprovementPlanFactory,
    MonitoringReturnFactory,
)
from tests.factories.providers import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# Totals


def test_totals_by_type_and_by_body_share_co_funding(commissioning_body):
    nhs = CommissioningBodyFactory(name="NHS Lindenford")
    police = CommissioningBodyFactory(name="Lindenford Police")
    co_funded = AgreementFactory(
        body=commissioning_body, kind=AgreementKind.GRANT, total_value=Decimal("100000")
    )
    AgreementFunderFactory(agreement=co_funded, body=nhs, contribution=Decimal("30000"))
    AgreementFunderFactory(agreement=co_funded, body=police, contribution=Decimal("10000"))
    AgreementFactory(body=nhs, kind=AgreementKind.CONTRACT, total_value=Decimal("250000"))
    AgreementFactory(body=nhs, kind=AgreementKind.GRANT, total_value=Decimal("5000.50"))

    result = totals(Agreement.objects.all())

    assert result.count == 3
    assert result.value == Decimal("355000.50")
    assert [(k.label, k.count, k.value) for k in result.by_kind] == [
        ("Contract", 1, Decimal("250000")),
        ("Grant", 2, Decimal("105000.50")),
    ]
    assert [(b.name, b.led, b.cofunded, b.amount) for b in result.by_body] == [
        ("NHS Lindenford", 2, 1, Decimal("285000.50")),
        ("Adult Social Care", 1, 0, Decimal("60000")),
        ("Lindenford Police", 0, 1, Decimal("10000")),
    ]
    # Every pound is counted once: the bodies' funding adds up to the value of the agreements.
    assert sum(b.amount for b in result.by_body) == result.value


def test_totals_follow_the_filters(client, commissioner, commissioning_body):
    AgreementFactory(body=commissioning_body, kind=AgreementKind.GRANT, total_value=Decimal(1000))
    AgreementFactory(kind=AgreementKind.CONTRACT, total_value=Decimal(99000))
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:agreements"), {"kind": AgreementKind.GRANT})
    assert response.context["totals"].count == 1
    assert response.context["totals"].value == Decimal(1000)
    page = response.content.decode()
    assert "1 agreement found, worth £1,000 in all" in page
    assert "Totals for the agreements found" in page


def test_no_totals_when_nothing_matches(client, commissioner):
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreements")).content.decode()
    assert "0 agreements found" in page
    assert "No agreements match" in page
    assert "Totals for the agreements found" not in page


# The CSV


def test_the_csv_holds_the_filtered_rows_with_their_parties(client, commissioner):
    nhs = CommissioningBodyFactory(name="NHS Lindenford")
    lead = OrganisationFactory(name="Riverside Advice")
    category = ServiceCategoryFactory(name="Debt advice")
    agreement = AgreementFactory(
        reference="AG-1",
        title="Debt advice in Riverside",
        provider=lead,
        kind=AgreementKind.CONTRACT,
        procurement_route=ProcurementRoute.ROLLING,
        total_value=Decimal("120000"),
        full_cost_recovery=None,
    )
    agreement.categories.add(category)
    AgreementFunderFactory(agreement=agreement, body=nhs, contribution=Decimal("20000"))
    AgreementMemberFactory(
        agreement=agreement,
        organisation=OrganisationFactory(name="Hillside Youth"),
        role=AgreementMemberRole.SUBCONTRACTOR,
    )
    AgreementFactory(title="A tendered grant", procurement_route=ProcurementRoute.GRANT_ROUND)
    client.force_login(commissioner)

    rows = read_csv(client.get(reverse("commissioning:agreements_csv"), {"never_open": "on"}))

    assert len(rows) == 1
    row = rows[0]
    assert row["Reference"] == "AG-1"
    assert row["Type"] == "Contract"
    assert row["Lead body"] == agreement.body.name
    assert row["Co-funding bodies"] == "NHS Lindenford (£20000.00)"
    assert row["Provider"] == "Riverside Advice"
    assert row["Consortium members and subcontractors"] == "Hillside Youth (subcontractor)"
    assert row["Service categories"] == "Debt advice"
    assert row["How it was awarded"] == "Rolled over without competition"
    assert row["Never openly procured"] == "Yes"
    assert row["Total value (£)"] == "120000.00"
    assert row["Full cost recovery met"] == ""
    assert row["End date"] == agreement.end_on.isoformat()


def test_the_csv_defuses_cells_a_spreadsheet_would_run(client, commissioner):
    AgreementFactory(
        title='=HYPERLINK("http://evil.example")',
        provider=OrganisationFactory(name="@SUM(1+1)"),
    )
    client.force_login(commissioner)
    row = read_csv(client.get(reverse("commissioning:agreements_csv")))[0]
    assert row["Title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["Provider"] == "'@SUM(1+1)"


def test_the_csv_link_carries_the_filters(client, commissioner):
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreements"), {"kind": "grant"}).content.decode()
    assert f"{reverse('commissioning:agreements_csv')}?kind=grant" in page


# The 360 view and the joint view


@pytest.fixture
def funded(provider_org, commissioning_body):
    """The provider funded by two bodies, with returns rated and due, and an open plan."""
    nhs = CommissioningBodyFactory(name="NHS Lindenford")
    today = timezone.localdate()
    council = AgreementFactory(
        body=commissioning_body, provider=provider_org, title="Council befriending"
    )
    health = AgreementFactory(body=nhs, provider=provider_org, title="NHS social prescribing")
    partner = AgreementFactory(title="Youth consortium", body=nhs)
    AgreementMemberFactory(agreement=partner, organisation=provider_org)
    ended = AgreementFactory(
        provider=provider_org,
        title="Old contract",
        status=AgreementStatus.ENDED,
        start_on=today - timedelta(days=2000),
        end_on=today - timedelta(days=900),
    )
    rated = MonitoringReturnFactory(
        agreement=council,
        period_start=today - timedelta(days=40),
        period_end=today - timedelta(days=1),
        status=ReturnStatus.ACCEPTED,
        rating=PerformanceRating.REQUIRES_IMPROVEMENT,
    )
    due = MonitoringReturnFactory(
        agreement=health,
        period_start=today - timedelta(days=40),
        period_end=today - timedelta(days=1),
        due_on=today - timedelta(days=3),
    )
    ImprovementPlanFactory(agreement=council, opened_by_return=rated)
    ImprovementPlanFactory(agreement=council, status=ImprovementPlanStatus.CLOSED)
    AgreementFactory(title="Someone else's agreement")
    return {
        "council": council,
        "health": health,
        "partner": partner,
        "ended": ended,
        "rated": rated,
        "due": due,
        "nhs": nhs,
    }


def test_the_360_view_shows_every_agreement_across_bodies(
    client, commissioner, provider_org, funded
):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:provider_agreements", args=[provider_org.pk]))
    page = response.content.decode()
    view = response.context["view"]
    shown = {agreement.title for agreement in view.page.object_list}
    assert shown == {
        "Council befriending",
        "NHS social prescribing",
        "Youth consortium",
        "Old contract",
    }
    assert "Someone else&#x27;s agreement" not in page and "Someone else's agreement" not in page
    assert view.live_count == 3
    assert view.open_plans == 1  # the closed plan does not count
    assert view.body_count == 3
    roles = {agreement.title: agreement.role for agreement in view.page.object_list}
    assert roles["Youth consortium"] == "member"
    assert roles["Council befriending"] == "lead"
    assert "Consortium member, led by" in page
    # Live first: the ended agreement comes last.
    assert view.page.object_list[-1].title == "Old contract"


def test_the_joint_view_sets_returns_and_ratings_side_by_side(
    client, commissioner, provider_org, funded
):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:provider_agreements", args=[provider_org.pk]))
    view = response.context["view"]
    rows = {row.agreement.title: row for row in view.joint_rows}
    assert set(rows) == {"Council befriending", "NHS social prescribing", "Youth consortium"}
    council = rows["Council befriending"]
    this_quarter = next(
        i
        for i, quarter in enumerate(view.quarters)
        if quarter.starts_on <= funded["rated"].period_end <= quarter.ends_on
    )
    assert [cell.words for cell in council.cells[this_quarter]] == ["Requires improvement"]
    assert council.open_plans == 1
    health_words = [cell.words for cell in rows["NHS social prescribing"].cells[this_quarter]]
    due_on = funded["due"].due_on
    assert health_words == [f"Overdue since {due_on.day} {due_on:%b %Y}"]
    page = response.content.decode()
    assert "Returns and ratings side by side" in page
    assert "3 bodies fund Riverside Advice." in page
    assert "Requires improvement" in page
    assert "No return" in page


def test_each_return_links_to_its_page(client, commissioner, provider_org, funded):
    from django.urls import NoReverseMatch

    client.force_login(commissioner)
    response = client.get(reverse("commissioning:provider_agreements", args=[provider_org.pk]))
    cells = [
        entry for row in response.context["view"].joint_rows for cell in row.cells for entry in cell
    ]
    assert {entry.monitoring_return.pk for entry in cells} == {funded["rated"].pk, funded["due"].pk}
    try:
        url = reverse("commissioning:return", args=[funded["rated"].pk])
    except NoReverseMatch:  # until the return page is in the tree, the rating stands unlinked
        assert all(entry.url == "" for entry in cells)
    else:
        assert f'href="{url}"' in response.content.decode()


def test_recent_quarters_are_financial_quarters_ending_with_todays():
    from datetime import date

    quarters = recent_quarters(date(2026, 5, 10))
    assert [q.label for q in quarters] == ["Q2 2025/26", "Q3 2025/26", "Q4 2025/26", "Q1 2026/27"]
    assert quarters[0].starts_on == date(2025, 7, 1)
    assert quarters[2].ends_on == date(2026, 3, 31)
    assert quarters[-1].ends_on == date(2026, 6, 30)


def test_the_provider_sees_what_is_shared_about_it(client, provider, provider_org, funded):
    client.force_login(provider)
    page = client.get(
        reverse("commissioning:provider_agreements", args=[provider_org.pk])
    ).content.decode()
    assert "A provider sees exactly what is shared about it." in page
    assert "Council befriending" in page
    assert "Requires improvement" in page


# A provider's own list


def test_ours_lists_the_persons_organisations_agreements(client, provider, provider_org, funded):
    client.force_login(provider)
    response = client.get(reverse("commissioning:agreements_ours"))
    page = response.content.decode()
    titles = {agreement.title for agreement in response.context["page"].object_list}
    assert titles == {
        "Council befriending",
        "NHS social prescribing",
        "Youth consortium",
        "Old contract",
    }
    assert "A provider sees exactly what is shared about it." in page
    url = reverse("commissioning:provider_agreements", args=[provider_org.pk])
    assert f'href="{url}"' in page
    assert "See exactly what the network sees about Riverside Advice" in page


def test_ours_for_someone_in_two_charities_names_which(client, provider, provider_org):
    from tests.factories import MembershipFactory

    other = OrganisationFactory(name="Second Charity")
    MembershipFactory(user=provider, organisation=other)
    AgreementFactory(provider=other, title="The second's grant")
    AgreementFactory(provider=provider_org, title="The first's grant")
    client.force_login(provider)
    page = client.get(reverse("commissioning:agreements_ours")).content.decode()
    assert "The second&#x27;s grant" in page and "The first&#x27;s grant" in page
    assert "Lead provider: Second Charity" in page
    assert "See exactly what the network sees about Second Charity" in page


def test_ours_is_empty_for_a_charity_with_none(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("commissioning:agreements_ours")).content.decode()
    assert "0 agreements" in page
    assert "No agreements are recorded for your organisation yet." in page


# The panel on the directory page


def test_the_panel_is_for_planners_and_the_providers_people(
    rf, commissioner, network_admin, provider, outsider, provider_org, funded
):
    from django.contrib.auth.models import AnonymousUser

    from accounts.context import PortalContext

    def panel(user):
        request = rf.get("/")
        request.user = user
        request.session = {}
        request.portal = PortalContext(request)
        return provider_profile_panel(request, provider_org)

    assert panel(AnonymousUser()) is None
    assert panel(outsider) is None
    for user in (commissioner, network_admin, provider):
        shown = panel(user)
        assert shown is not None
        assert [a.title for a in shown["agreements"]][-1] == "Old contract"
        assert len(shown["agreements"]) == 4
        assert shown["more"] is False
    assert panel(provider)["is_member"] is True
    assert panel(commissioner)["is_member"] is False


def test_the_panel_shows_five_and_says_there_are_more(rf, commissioner, provider_org):
    from accounts.context import PortalContext

    for _ in range(6):
        AgreementFactory(provider=provider_org)
    request = rf.get("/")
    request.user = commissioner
    request.session = {}
    request.portal = PortalContext(request)
    shown = provider_profile_panel(request, provider_org)
    assert len(shown["agreements"]) == 5
    assert shown["more"] is True


def test_the_directory_page_shows_registered_panels(client, commissioner, provider_org, funded):
    from providers import selectors as provider_selectors

    registered = (
        "commissioning/agreements/provider_panel.html",
        provider_profile_panel,
    )
    added = registered not in provider_selectors.PROFILE_PANELS
    provider_selectors.register_profile_panel(*registered)
    try:
        url = reverse("providers:organisation", args=[provider_org.pk])
        public = client.get(url).content.decode()
        assert "Agreements across the network" not in public
        client.force_login(commissioner)
        page = client.get(url).content.decode()
        assert "Agreements across the network" in page
        assert "Council befriending" in page
        assert reverse("commissioning:provider_agreements", args=[provider_org.pk]) in page
    finally:
        if added:
            provider_selectors.PROFILE_PANELS.remove(registered)


# The navigation


def nav_item(page: str, label: str) -> str:
    """The nav link with this label, as written."""
    end = page.index(f">{label}</a>")
    return page[page.rindex("<a ", 0, end) : end]


def test_the_nav_marks_the_register_for_planners(client, commissioner, network_admin):
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreements")).content.decode()
    assert 'aria-current="page"' in nav_item(page, "Agreements")
    assert 'aria-current="page"' not in nav_item(page, "Planning")
    client.force_login(network_admin)
    page = client.get(reverse("commissioning:agreements")).content.decode()
    assert 'aria-current="page"' in nav_item(page, "Agreements")


def test_the_nav_marks_your_agreements_for_providers(client, provider, provider_org):
    client.force_login(provider)
    for url in (
        reverse("commissioning:agreements_ours"),
        reverse("commissioning:provider_agreements", args=[provider_org.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'aria-current="page"' in nav_item(page, "Your agreements")
        assert ">Agreements</a>" not in page


def test_the_nav_links_returns_to_review_for_commissioners_once_it_exists(client, commissioner):
    from django.urls import NoReverseMatch

    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreements")).content.decode()
    try:
        url = reverse("commissioning:returns_to_review")
    except NoReverseMatch:
        assert "Returns to review" not in page
    else:
        assert f'href="{url}"' in nav_item(page, "Returns to review")
    assert "Your agreements" not in page


def test_the_nav_sections_of_other_parts_pages(rf):
    from types import SimpleNamespace

    from commissioning.context_processors import nav_section

    def section(name, *, commissioner=False, admin=False, provider=False):
        request = rf.get("/")
        request.resolver_match = SimpleNamespace(app_name="commissioning", url_name=name)
        request.portal = SimpleNamespace(
            is_commissioner=commissioner, is_network_admin=admin, is_provider=provider
        )
        return nav_section(request).get("commissioning_section")

    assert section("agreement", commissioner=True) == "agreements"
    assert section("agreement", admin=True) == "agreements"
    assert section("agreement", provider=True) == "your_agreements"
    assert section("returns_to_review", commissioner=True) == "returns"
    assert section("return", commissioner=True) == "returns"
    assert section("return", admin=True) == "agreements"
    assert section("return", provider=True) == "your_agreements"
    assert section("returns_due", provider=True) == "your_agreements"
    assert section("improvement_plan", commissioner=True) == "agreements"
    assert section("agreements_ours", provider=True) == "your_agreements"
    assert section("feedback_form") is None
    assert section("planning", commissioner=True) == "planning"
