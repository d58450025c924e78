"""Making an agreement: from an award (what it carries over, the value spread over financial
years, full cost recovery from the bid's budget, one agreement for each award) and entered
directly (every field, and each bad input shown on the page with nothing saved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.models import (
    Agreement,
    AgreementKind,
    AgreementMemberRole,
    MonitoringReturn,
    ProcurementRoute,
)
from commissioning.services import agreements as services
from tests.commissioning.agreements_setup import awarded, make_agreement
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.accounts import OrganisationFactory
from tests.factories.providers import (
    AreaFactory,
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ServiceCategoryFactory,
)

pytestmark = pytest.mark.django_db


# From an award


def test_an_agreement_from_an_award_carries_over_the_award(
    commissioner, commissioning_body, provider_org
):
    award = awarded(commissioning_body, provider_org)
    agreement = services.agreement_from_award(actor=commissioner, award=award)
    opportunity = award.opportunity
    assert agreement.reference == f"AG-ASC-{timezone.localdate().year}-0001"
    assert (agreement.body, agreement.provider, agreement.award) == (
        commissioning_body,
        provider_org,
        award,
    )
    assert (agreement.opportunity, agreement.lot) == (opportunity, award.lot)
    assert agreement.kind == AgreementKind.CONTRACT
    assert agreement.procurement_route == ProcurementRoute.OPEN_COMPETITION
    assert (agreement.start_on, agreement.end_on) == (date(2027, 4, 1), date(2030, 3, 31))
    assert set(agreement.categories.all()) == set(opportunity.categories.all())
    assert set(agreement.areas.all()) == set(opportunity.areas.all())
    assert dict(agreement.years.values_list("start_year", "amount")) == {
        2027: Decimal("60000"),
        2028: Decimal("60000"),
        2029: Decimal("60000"),
    }
    assert agreement.total_value == Decimal("180000")
    # Budget 57,000 a year with 9,000 of overheads; the price of 60,000 covers it.
    assert agreement.full_cost_recovery is True
    assert agreement.full_cost_recovery_from_bid is True
    assert "£9,000.00" in agreement.full_cost_recovery_note
    assert not agreement.funders.exists()
    assert agreement.versions.get().number == 1
    assert agreement.returns.count() == 12
    assert AuditEvent.objects.filter(action="agreement.created", object_id=str(agreement.pk))


def test_part_years_are_pro_rata_by_month(commissioner, commissioning_body, provider_org):
    award = awarded(
        commissioning_body,
        provider_org,
        price=Decimal("12000"),
        term_months=24,
        contract_start_on=date(2027, 7, 1),
        kind="grant",
    )
    agreement = services.agreement_from_award(actor=commissioner, award=award)
    assert agreement.end_on == date(2029, 6, 30)
    assert dict(agreement.years.values_list("start_year", "amount")) == {
        2027: Decimal("9000"),
        2028: Decimal("12000"),
        2029: Decimal("3000"),
    }
    assert agreement.total_value == Decimal("24000")
    assert agreement.kind == AgreementKind.GRANT
    assert agreement.procurement_route == ProcurementRoute.GRANT_ROUND
    assert agreement.multi_year_funding == "not_passed_on"
    assert agreement.multi_year_reason == "One-year pilot funding."


@pytest.mark.parametrize(
    ("price", "lines", "recovers", "from_bid"),
    [
        ("60000", [("staff", "50000"), ("non_staff", "5000")], False, True),  # no overheads
        ("50000", [("staff", "45000"), ("overhead", "9000")], False, True),  # below cost
        ("60000", [], None, False),  # no budget
    ],
)
def test_full_cost_recovery_comes_from_the_budget(
    commissioner, commissioning_body, provider_org, price, lines, recovers, from_bid
):
    award = awarded(commissioning_body, provider_org, price=Decimal(price), lines=lines)
    agreement = services.agreement_from_award(actor=commissioner, award=award)
    assert agreement.full_cost_recovery is recovers
    assert agreement.full_cost_recovery_from_bid is from_bid


def test_a_consortium_bid_brings_its_members(commissioner, commissioning_body, provider_org):
    consortium = ConsortiumFactory(lead=provider_org)
    member = ConsortiumMemberFactory(consortium=consortium, indicative_share=Decimal(35))
    award = awarded(commissioning_body, provider_org, consortium=consortium)
    agreement = services.agreement_from_award(actor=commissioner, award=award)
    assert agreement.consortium == consortium
    assert list(agreement.members.values_list("organisation", "role", "share")) == [
        (member.organisation_id, AgreementMemberRole.MEMBER, Decimal(35))
    ]


def test_one_agreement_for_each_award(client, commissioner, commissioning_body, provider_org):
    award = awarded(commissioning_body, provider_org)
    first = services.agreement_from_award(actor=commissioner, award=award)
    with pytest.raises(ValidationError) as error:
        services.agreement_from_award(actor=commissioner, award=award)
    assert first.reference in str(error.value)
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_from_award", args=[award.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("commissioning:agreement", args=[first.pk])
    assert "already made from this award" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_the_award_page_leads_to_the_agreement(
    client, commissioner, commissioning_body, provider_org
):
    award = awarded(commissioning_body, provider_org)
    client.force_login(commissioner)
    award_page = reverse("commissioning:award", args=[award.opportunity.pk])
    url = reverse("commissioning:agreement_from_award", args=[award.pk])
    assert url in client.get(award_page).content.decode()
    preview = client.get(url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "£60,000.00" in page and "£180,000.00" in page and "2029/30" in page
    response = client.post(url)
    agreement = Agreement.objects.get()
    assert response.url == reverse("commissioning:agreement", args=[agreement.pk])
    assert agreement.reference in client.get(award_page).content.decode()


def test_only_the_opportunitys_commissioners_make_it(commissioning_body, provider_org):
    award = awarded(commissioning_body, provider_org)
    other = UserFactory()
    MembershipFactory(
        user=other, organisation=CommissioningBodyFactory(), role=MembershipRole.ADMIN
    )
    with pytest.raises(PermissionDenied):
        services.agreement_from_award(actor=other, award=award)
    assert not Agreement.objects.exists()


# Entered directly


@pytest.fixture
def places():
    return {"category": ServiceCategoryFactory(), "area": AreaFactory()}


def form_data(places, **overrides) -> dict:
    data = {
        "kind": "grant",
        "title": "Befriending for older people",
        "description": "Weekly befriending.",
        "provider": "1123456",
        "consortium": "",
        "categories": [places["category"].pk],
        "areas": [places["area"].pk],
        "procurement_route": "rolling",
        "start_on": "2026-04-01",
        "end_on": "2028-03-31",
        "year_2026": "40000",
        "year_2027": "45,000.50",
        "renewal_options": "2+1",
        "multi_year_funding": "passed_on",
        "multi_year_reason": "",
        "payment_timing": "arrears",
        "full_cost_recovery": "no",
        "full_cost_recovery_note": "Overheads not covered.",
        "clawback_conditions": "Unspent money is returned.",
        "reporting_frequency": "half_yearly",
    }
    for prefix in ("members", "funders", "risks"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "2",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_entering_an_agreement_directly(client, commissioner, provider_org, places):
    member = OrganisationFactory(name="Hillside Lunch Club")
    cofunder = CommissioningBodyFactory(name="Lindenford NHS")
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        form_data(
            places,
            **{
                "members-0-organisation": f"Hillside Lunch Club (charity {member.charity_number})",
                "members-0-role": "subcontractor",
                "members-0-share": "20",
                "funders-0-body": cofunder.pk,
                "funders-0-contribution": "20000",
                "risks-0-kind": "inflation",
                "risks-0-allocation": "shared",
                "risks-0-note": "Uplift each April by CPI.",
            },
        ),
    )
    agreement = Agreement.objects.get()
    assert response.url == reverse("commissioning:agreement", args=[agreement.pk])
    assert agreement.reference == f"AG-ASC-{timezone.localdate().year}-0001"
    assert (agreement.provider, agreement.kind, agreement.procurement_route) == (
        provider_org,
        "grant",
        "rolling",
    )
    assert agreement.total_value == Decimal("85000.50")
    assert agreement.full_cost_recovery is False
    assert (agreement.payment_timing, agreement.reporting_frequency) == ("arrears", "half_yearly")
    assert list(agreement.members.values_list("organisation", "role", "share")) == [
        (member.pk, "subcontractor", Decimal(20))
    ]
    assert list(agreement.funders.values_list("body", "contribution")) == [
        (cofunder.pk, Decimal(20000))
    ]
    assert list(agreement.risks.values_list("kind", "allocation")) == [("inflation", "shared")]
    assert agreement.returns.count() == 4
    assert agreement.versions.count() == 1
    page = client.get(response.url).content.decode()
    assert "Lindenford NHS" in page and "£65,000.50" in page  # the lead body pays the rest


def test_a_double_submit_makes_one_agreement(client, commissioner, provider_org, places):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_new")
    client.post(url, form_data(places))
    client.post(url, form_data(places))
    assert Agreement.objects.count() == 1


def test_the_financial_years_follow_the_dates(client, commissioner, provider_org, places):
    client.force_login(commissioner)
    url = reverse("commissioning:agreement_new")
    response = client.post(url, form_data(places, end_on="2029-03-31", refresh_years="1", title=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="year_2028"' in page and "There is a problem" not in page
    response = client.post(url, form_data(places, end_on="2029-03-31"))
    assert response.status_code == 400
    assert "Enter the value for 2028/29" in response.content.decode()
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"start_on": "2027-04-01", "end_on": "2026-03-31"},
            "is before the start date",
        ),
        (
            {"funders-0-contribution": "90000"},
            "add up to £90,000.00, more than the agreement&#x27;s total value of £85,000.50",
        ),
        ({"multi_year_funding": "not_passed_on"}, "Say why the body"),
        ({"provider": "9999999"}, "No verified third sector organisation"),
        ({"consortium": "No such consortium"}, "leads no consortium called"),
        ({"members-0-organisation": "1123456"}, "is the lead provider"),
        ({"year_2027": "-5"}, "cannot be negative"),
    ],
)
def test_bad_input_is_shown_and_nothing_saved(
    client, commissioner, provider_org, places, overrides, message
):
    if "funders-0-contribution" in overrides:
        overrides["funders-0-body"] = CommissioningBodyFactory().pk
    client.force_login(commissioner)
    response = client.post(reverse("commissioning:agreement_new"), form_data(places, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Agreement.objects.exists()
    assert not MonitoringReturn.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="agreement.").exists()


def test_references_count_up_for_the_body(commissioner, commissioning_body, provider_org):
    first = make_agreement(commissioner, commissioning_body, provider_org)
    second = make_agreement(
        commissioner, commissioning_body, provider_org, data={"title": "Another"}
    )
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (
        f"AG-ASC-{year}-0001",
        f"AG-ASC-{year}-0002",
    )


def test_providers_cannot_enter_agreements(client, provider, places):
    client.force_login(provider)
    assert client.get(reverse("commissioning:agreement_new")).status_code == 403


def test_finding_an_organisation_by_number_name_or_label(provider_org, commissioning_body):
    from commissioning.selectors.agreements import (
        organisation_label,
        third_sector_organisation_find,
    )

    def find(text):
        return third_sector_organisation_find(text)[0]

    trust = OrganisationFactory(
        name="Lindenford Charity Trust", charity_number="", company_number="07654321"
    )
    pending = OrganisationFactory(verification_status="pending")
    assert find("1123456") == provider_org
    assert find(" riverside   advice ") == provider_org
    assert find(organisation_label(provider_org)) == provider_org
    assert find("Lindenford Charity Trust") == trust
    assert find(organisation_label(trust)) == trust
    assert find(pending.charity_number) is None
    assert find(commissioning_body.name) is None
    OrganisationFactory(name="Riverside Advice")
    found, problem = third_sector_organisation_find("Riverside Advice")
    assert found is None and "More than one" in problem
    assert find("1123456") == provider_org
