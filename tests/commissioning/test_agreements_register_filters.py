"""The register's filters, each on its own, their combination, and the sort."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.filters_agreements import AgreementFilter
from commissioning.models import (
    Agreement,
    AgreementKind,
    AgreementMemberRole,
    AgreementStatus,
    ProcurementRoute,
)
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    OrganisationFactory,
    WardFactory,
)
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    AgreementFunderFactory,
    AgreementMemberFactory,
)
from tests.factories.providers import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def found(data: dict) -> list[str]:
    filterset = AgreementFilter(data, queryset=Agreement.objects.all())
    assert filterset.is_valid(), filterset.errors
    return sorted(agreement.title for agreement in filterset.qs)


def titled(title: str, **kwargs) -> Agreement:
    return AgreementFactory(title=title, **kwargs)


def test_a_body_finds_what_it_leads_and_what_it_co_funds():
    council, nhs = CommissioningBodyFactory(), CommissioningBodyFactory()
    titled("Led by the council", body=council)
    co_funded = titled("Led by the NHS, co-funded", body=nhs)
    AgreementFunderFactory(agreement=co_funded, body=council)
    titled("NHS alone", body=nhs)
    assert found({"body": council.pk}) == ["Led by the NHS, co-funded", "Led by the council"]
    assert found({"body": nhs.pk}) == ["Led by the NHS, co-funded", "NHS alone"]


def test_the_provider_search_matches_the_lead_and_its_partners():
    lead = OrganisationFactory(name="Riverside Advice Centre")
    titled("Riverside leads", provider=lead)
    partnered = titled("Riverside subcontracts")
    AgreementMemberFactory(
        agreement=partnered, organisation=lead, role=AgreementMemberRole.SUBCONTRACTOR
    )
    titled("Someone else", provider=OrganisationFactory(name="Hillside Youth"))
    assert found({"provider": "riverside advice"}) == ["Riverside leads", "Riverside subcontracts"]
    assert found({"provider": "  "}) == [
        "Riverside leads",
        "Riverside subcontracts",
        "Someone else",
    ]


def test_type():
    titled("A grant", kind=AgreementKind.GRANT)
    titled("A contract", kind=AgreementKind.CONTRACT)
    titled("An SLA", kind=AgreementKind.SLA)
    assert found({"kind": AgreementKind.CONTRACT}) == ["A contract"]


def test_a_category_includes_those_inside_it():
    advice = ServiceCategoryFactory(name="Advice")
    debt = ServiceCategoryFactory(name="Debt advice", parent=advice)
    youth = ServiceCategoryFactory(name="Youth work")
    titled("Debt advice service").categories.add(debt)
    titled("General advice").categories.add(advice)
    titled("Youth club").categories.add(youth)
    assert found({"category": advice.pk}) == ["Debt advice service", "General advice"]
    assert found({"category": debt.pk}) == ["Debt advice service"]


def test_an_area_includes_its_wards():
    borough = AreaFactory(name="Lindenford")
    ward = WardFactory(name="Riverside ward", parent=borough)
    elsewhere = AreaFactory(name="Elsewhere")
    titled("In a ward").areas.add(ward)
    titled("Borough-wide").areas.add(borough)
    titled("Somewhere else").areas.add(elsewhere)
    assert found({"area": borough.pk}) == ["Borough-wide", "In a ward"]
    assert found({"area": ward.pk}) == ["In a ward"]


@pytest.mark.parametrize(
    ("band", "inside", "outside"),
    [
        ("under_10k", ["9999.99"], ["10000"]),
        ("10k_50k", ["10000", "49999.99"], ["9999.99", "50000"]),
        ("50k_250k", ["50000", "249999"], ["49999.99", "250000"]),
        ("250k_1m", ["250000", "999999.99"], ["249999", "1000000"]),
        ("over_1m", ["1000000", "5000000"], ["999999.99"]),
    ],
)
def test_value_bands_on_the_total_value(band, inside, outside):
    for value in inside + outside:
        titled(f"Worth {value}", total_value=Decimal(value), with_years=False)
    assert found({"value": band}) == sorted(f"Worth {value}" for value in inside)


def test_end_dates_from_and_to_are_inclusive():
    start = date(2024, 4, 1)
    for day in (date(2026, 3, 31), date(2027, 3, 31), date(2028, 3, 31)):
        titled(f"Ends {day}", start_on=start, end_on=day)
    assert found({"ends_from": "2027-03-31"}) == ["Ends 2027-03-31", "Ends 2028-03-31"]
    assert found({"ends_to": "2027-03-31"}) == ["Ends 2026-03-31", "Ends 2027-03-31"]
    assert found({"ends_from": "2027-01-01", "ends_to": "2027-12-31"}) == ["Ends 2027-03-31"]


def test_dates_the_wrong_way_round_are_refused_with_a_message(client, commissioner):
    client.force_login(commissioner)
    response = client.get(
        reverse("commissioning:agreements"), {"ends_from": "2027-12-31", "ends_to": "2027-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_ends_to"' in page
    assert "The second date must be the same as or after the first." in page


def test_ending_within_12_months_means_live_and_ending_soon():
    today = timezone.localdate()
    start = today - timedelta(days=400)
    titled("Live, ends in six months", start_on=start, end_on=today + timedelta(days=182))
    titled("Live, ends today", start_on=start, end_on=today)
    titled(
        "Ending, in a month",
        start_on=start,
        end_on=today + timedelta(days=30),
        status=AgreementStatus.ENDING,
    )
    titled("Live, ends in 13 months", start_on=start, end_on=today + timedelta(days=400))
    titled(
        "Terminated, was to end soon",
        start_on=start,
        end_on=today + timedelta(days=60),
        status=AgreementStatus.TERMINATED,
    )
    titled("Ended yesterday", start_on=start, end_on=today - timedelta(days=1))
    assert found({"ending_soon": "on"}) == [
        "Ending, in a month",
        "Live, ends in six months",
        "Live, ends today",
    ]
    assert len(found({})) == 6  # unticked, the box filters nothing


def test_rolling_or_never_openly_procured():
    titled("Rolled over", procurement_route=ProcurementRoute.ROLLING)
    titled("Direct award", procurement_route=ProcurementRoute.DIRECT_AWARD)
    titled("Tendered", procurement_route=ProcurementRoute.OPEN_COMPETITION)
    titled("Grant round", procurement_route=ProcurementRoute.GRANT_ROUND)
    assert found({"never_open": "on"}) == ["Direct award", "Rolled over"]


def test_status_and_live():
    for status in AgreementStatus:
        titled(status.label, status=status)
    assert found({"status": "live"}) == ["Active", "Ending"]
    assert found({"status": AgreementStatus.ENDED}) == ["Ended"]
    assert found({"status": AgreementStatus.TERMINATED}) == ["Terminated"]


def test_filters_combine():
    council = CommissioningBodyFactory()
    titled("Council grant", body=council, kind=AgreementKind.GRANT)
    titled("Council contract", body=council, kind=AgreementKind.CONTRACT)
    titled("Other grant", kind=AgreementKind.GRANT)
    assert found({"body": council.pk, "kind": AgreementKind.GRANT}) == ["Council grant"]


def test_sort_orders():
    start = date(2024, 4, 1)
    a = titled("A", start_on=start, end_on=date(2027, 3, 31), total_value=Decimal(5000))
    b = titled("B", start_on=date(2025, 4, 1), end_on=date(2026, 3, 31), total_value=Decimal(9000))
    c = titled("C", start_on=start, end_on=date(2028, 3, 31), total_value=Decimal(1000))
    a.provider.name, b.provider.name, c.provider.name = "Zed", "Alpha", "Mid"
    for agreement in (a, b, c):
        agreement.provider.save()

    def order(sort: str | None) -> list[str]:
        data = {"sort": sort} if sort else {}
        return [x.title for x in AgreementFilter(data, queryset=Agreement.objects.all()).qs]

    assert order(None) == ["B", "A", "C"]  # soonest end first
    assert order("end_latest") == ["C", "A", "B"]
    assert order("value") == ["B", "A", "C"]
    assert order("value_low") == ["C", "A", "B"]
    assert order("provider") == ["B", "C", "A"]
    assert order("start") == ["B", "A", "C"]  # newest start first, then by reference
    assert order("not-a-sort") == ["B", "A", "C"]


def test_the_page_shows_the_filtered_rows(client, commissioner):
    titled("Rolled over befriending", procurement_route=ProcurementRoute.ROLLING)
    titled("Tendered befriending", procurement_route=ProcurementRoute.OPEN_COMPETITION)
    client.force_login(commissioner)
    page = client.get(reverse("commissioning:agreements"), {"never_open": "on"}).content.decode()
    assert "Rolled over befriending" in page
    assert "Tendered befriending" not in page
    assert "1 agreement found" in page
    assert "Rolled over without competition" in page  # the route is named, not only coloured
