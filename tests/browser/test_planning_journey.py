"""A commissioner imports indicator data, writes a needs assessment and a business case, and
publishes a commissioning intention; a provider who asked for alerts is emailed about it and finds
it on the forward plan."""

import csv
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole
from commissioning.models import (
    BusinessCase,
    CommissioningIntention,
    IntentionStatus,
    NeedsAssessment,
    Polarity,
    Subscription,
)
from commissioning.reference_data import contract_thresholds_ensure
from commissioning.services.subscriptions import subscription_save
from providers.models import ServiceCategory
from providers.reference_data import reference_data_ensure
from tests.browser.axe import field, sign_in, sign_out, submit_and_check
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.accounts import PASSWORD
from tests.factories.commissioning_evidence import (
    IndicatorFactory,
    OutcomeFactory,
    StrategyPriorityFactory,
)
from tests.factories.commissioning_planning import published_intention

pytestmark = pytest.mark.browser

# A public health profile download's columns, in its order; the import reads the ones it needs.
PROFILE_COLUMNS = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Time period Sortable",
]
INDICATOR_CODE = "93014"
INDICATOR_NAME = "Adults in problem debt"
UNKNOWN_AREA = "E05999999"


def profile_row(area_code: str, area_name: str, area_type: str, value, lower, upper) -> dict:
    return {
        "Indicator ID": INDICATOR_CODE,
        "Indicator Name": INDICATOR_NAME,
        "Parent Code": "E09900001",
        "Parent Name": "Lindenford",
        "Area Code": area_code,
        "Area Name": area_name,
        "Area Type": area_type,
        "Sex": "Persons",
        "Age": "18+ yrs",
        "Time period": "2023/24",
        "Value": value,
        "Lower CI 95.0 limit": lower,
        "Upper CI 95.0 limit": upper,
        "Count": "",
        "Denominator": "",
        "Time period Sortable": "20230000",
    }


PROFILE_ROWS = [
    # line 2: well above England, where lower is better: worse
    profile_row("E05900007", "Millbrook", "Ward", "14.2", "12.1", "16.5"),
    # line 3: its interval includes England's value: similar
    profile_row("E05900003", "Eastgate", "Ward", "9.5", "8.0", "11.2"),
    # line 4: England, the comparator
    profile_row("E92000001", "England", "England", "9.8", "9.7", "9.9"),
    # line 5: a ward the portal does not have
    profile_row(UNKNOWN_AREA, "Nowhere", "Ward", "11.0", "9.0", "13.0"),
]


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def report_row(page: Page, line: int):
    """The row of the import report for one line of the file."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(line), exact=True))


def test_commissioner_plans_and_a_subscribed_provider_hears_of_it(page: Page, tmp_path):
    reference_data_ensure()
    contract_thresholds_ensure()
    borough = AreaFactory(name="Lindenford", ons_code="E09900001")
    millbrook = WardFactory(name="Millbrook", ons_code="E05900007", parent=borough)
    eastgate = WardFactory(name="Eastgate", ons_code="E05900003", parent=borough)
    WardFactory(name="Northcote", ons_code="E05900011", parent=borough)
    debt_advice = ServiceCategory.objects.get(code="debt-advice")
    priority = StrategyPriorityFactory(name="A fair local economy")
    outcome = OutcomeFactory(priority=priority, name="Households manage money and debt")
    outcome.categories.set([debt_advice])
    IndicatorFactory(
        outcome=outcome,
        code=INDICATOR_CODE,
        name=INDICATOR_NAME,
        polarity=Polarity.LOWER_IS_BETTER,
        comparator_name="England",
        comparator_code="E92000001",
    )
    body = CommissioningBodyFactory(name="Lindenford Council: Public Health")
    commissioner = UserFactory(email="cara@lindenford-council.example", full_name="Cara Obi")
    MembershipFactory(user=commissioner, organisation=body, role=MembershipRole.ADMIN)
    charity = OrganisationFactory(name="Millbrook Money Advice", charity_number="1170001")
    provider = UserFactory(email="dee@millbrook-money.example", full_name="Dee Okafor")
    MembershipFactory(user=provider, organisation=charity, role=MembershipRole.ADMIN)
    # Another provider, who asked only about befriending: not told about debt advice.
    lunch_club = OrganisationFactory(name="Eastgate Lunch Club", charity_number="1170002")
    other_provider = UserFactory(email="sam@eastgate-lunch.example")
    MembershipFactory(user=other_provider, organisation=lunch_club, role=MembershipRole.ADMIN)
    subscription_save(
        user=other_provider,
        categories=[ServiceCategory.objects.get(code="befriending")],
        areas=[],
    )
    # Already on the forward plan, in another ward: the ward filter leaves it out.
    published_intention(
        body=body,
        title="Tenancy sustainment in Eastgate",
        outcome=outcome,
        categories=[ServiceCategory.objects.get(code="tenancy-sustainment")],
        areas=[eastgate],
    )
    mail.outbox.clear()

    # The provider asks for alerts on advice in Lindenford.
    sign_in(page, provider.email, PASSWORD)
    submit_and_check(page, main_nav(page).get_by_role("link", name="Alerts"))
    page.get_by_role("group", name="Categories").get_by_label(
        "All of Advice and information"
    ).check()
    page.get_by_role("group", name="Areas").get_by_label("All of Lindenford").check()
    submit_and_check(page, page.get_by_role("button", name="Save my alerts"))
    expect(page.get_by_role("status")).to_contain_text("Your alerts are saved")
    subscription = Subscription.objects.get(user=provider)
    assert [c.code for c in subscription.categories.all()] == ["advice"]
    assert list(subscription.areas.all()) == [borough]
    sign_out(page)

    # The commissioner imports indicator data from a public health profile download.
    sign_in(page, commissioner.email, PASSWORD)
    submit_and_check(page, main_nav(page).get_by_role("link", name="Planning"))
    submit_and_check(page, page.get_by_role("link", name="Import indicator data"))
    download = tmp_path / "fingertips-problem-debt.csv"
    with download.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=PROFILE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(PROFILE_ROWS)
    field(page, "CSV file").set_input_files(str(download))
    submit_and_check(page, page.get_by_role("button", name="Upload and import"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import of fingertips-problem-debt.csv"
    )
    expect(page.get_by_role("status")).to_contain_text(
        "3 created, 0 updated, 0 unchanged, 1 refused"
    )
    for line in (2, 3, 4):
        expect(report_row(page, line)).to_contain_text("Created")
    refused = report_row(page, 5)
    expect(refused).to_contain_text("Refused")
    expect(refused).to_contain_text(
        f"“{UNKNOWN_AREA}” is not the code of one of the portal's areas, nor England (E92000001)."
    )

    # ...and sees how each ward compares with England.
    submit_and_check(page, main_nav(page).get_by_role("link", name="Planning"))
    submit_and_check(page, page.get_by_role("link", name="Outcomes framework and indicators"))
    submit_and_check(page, page.get_by_role("link", name=INDICATOR_NAME))
    comparison = page.get_by_role("region", name=re.compile("Areas in Lindenford"))
    expect(comparison).to_contain_text("Each area is compared with England (9.8%")
    expect(comparison.get_by_role("row", name=re.compile("Millbrook"))).to_contain_text("Worse")
    expect(comparison.get_by_role("row", name=re.compile("Eastgate"))).to_contain_text("Similar")
    expect(comparison.get_by_role("row", name=re.compile("Northcote"))).to_contain_text("No value")

    # She writes a needs assessment: first with the review date before the assessment's.
    today = timezone.localdate()
    assessed_on = today - timedelta(days=14)
    submit_and_check(page, main_nav(page).get_by_role("link", name="Evidence"))
    submit_and_check(page, page.get_by_role("link", name="Write a needs assessment"))
    field(page, "Title").fill("Problem debt in Millbrook")
    field(page, "Summary of findings").fill(
        "One adult in seven in Millbrook is in problem debt, half as many again as in England."
    )
    page.get_by_role("group", name="Themes").get_by_label(
        "Advice and information: Debt advice"
    ).check()
    page.get_by_role("group", name="Areas").get_by_label("Millbrook (ward in Lindenford)").check()
    page.get_by_role("group", name="Indicators from the outcomes framework").get_by_label(
        f"Households manage money and debt: {INDICATOR_NAME}"
    ).check()
    field(page, "Method").fill("Analysis of the public health profile and advice agencies' cases.")
    field(page, "How the third sector and service users were involved").fill(
        "A workshop with Millbrook Money Advice and a panel of its clients."
    )
    field(page, "Date of the assessment").fill(assessed_on.isoformat())
    field(page, "Next review date").fill((assessed_on - timedelta(days=1)).isoformat())
    page.get_by_label("Everyone, including the public").check()
    submit_and_check(page, page.get_by_role("button", name="Add to the evidence library"))
    expect(page.get_by_role("alert")).to_contain_text(
        "The next review date must be after the date of the assessment."
    )
    expect(field(page, "Title")).to_have_value("Problem debt in Millbrook")
    expect(page.get_by_label("Advice and information: Debt advice")).to_be_checked()
    expect(page.get_by_label("Millbrook (ward in Lindenford)")).to_be_checked()
    expect(field(page, "Date of the assessment")).to_have_value(assessed_on.isoformat())
    expect(page.get_by_label("Everyone, including the public")).to_be_checked()
    assert not NeedsAssessment.objects.exists()
    next_review = assessed_on + timedelta(days=365)
    field(page, "Next review date").fill(next_review.isoformat())
    submit_and_check(page, page.get_by_role("button", name="Add to the evidence library"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Problem debt in Millbrook")
    expect(page.get_by_role("status")).to_contain_text("is added to the evidence library")
    assessment = NeedsAssessment.objects.get()
    assert (assessment.body, assessment.next_review_on) == (body, next_review)

    # She writes a business case on the common template: make or buy, with full costs.
    submit_and_check(page, main_nav(page).get_by_role("link", name="Planning"))
    submit_and_check(page, page.get_by_role("link", name="Business cases"))
    submit_and_check(page, page.get_by_role("link", name="Write a business case"))
    field(page, "Title").fill("Debt advice for Millbrook")
    # Each part of the template is a region named like its main field: look inside it.
    need = page.get_by_role("region", name="The need")
    field(need, "The need").fill("Problem debt in Millbrook is half as high again as in England.")
    evidence = page.get_by_role("region", name="The evidence behind it")
    field(evidence, "The evidence behind it").fill("The needs assessment and the profile data.")
    page.get_by_role("group", name="The outcomes sought").get_by_label(
        "Households manage money and debt (A fair local economy)"
    ).check()
    in_house = page.get_by_role("group", name="Option 1")
    expect(field(in_house, "Option")).to_have_value("Deliver it in-house")
    expect(field(in_house, "Delivered in-house by the body itself")).to_be_checked()
    field(in_house, "What it would mean").fill("Two council debt caseworkers at the library.")
    field(in_house, "Direct costs a year (£)").fill("210000")
    field(in_house, "Overheads a year (£)").fill("65000")
    bought_in = page.get_by_role("group", name="Option 2")
    expect(field(bought_in, "Option")).to_have_value("Commission it from the third sector")
    field(bought_in, "What it would mean").fill("A three-year contract with a local provider.")
    field(bought_in, "Direct costs a year (£)").fill("200000")
    field(bought_in, "Overheads a year (£)").fill("40000")
    field(bought_in, "Benefits").fill("Trusted locally; reaches people who avoid the council.")
    field(bought_in, "This is the preferred option").check()
    field(page, "Estimated annual value (£ a year)").fill("240000")
    expect(field(page, "Term (months)")).to_have_value("36")
    page.get_by_role("group", name="Proposed route").get_by_label("Contract", exact=True).check()
    field(page, "Who would let the contract").select_option(
        label="Other public bodies, such as councils and NHS trusts: £214,904"
    )
    field(page, "What was considered for social value").fill(
        "Local employment of advisers, and volunteering for residents."
    )
    submit_and_check(page, page.get_by_role("button", name="Save as a draft"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Debt advice for Millbrook")
    social_value = page.get_by_role("region", name="Social value check")
    expect(social_value).to_contain_text("The Social Value Act applies.")
    expect(social_value).to_contain_text(
        "Estimated value £720,000 over 3 years is above the £214,904 threshold for other public "
        "bodies, such as councils and NHS trusts: the Social Value Act applies."
    )
    case = BusinessCase.objects.get()
    assert sorted(case.options.values_list("in_house", flat=True)) == [False, True]

    # She adds an intention to the forward plan, and publishes it.
    submit_and_check(page, main_nav(page).get_by_role("link", name="Planning"))
    submit_and_check(page, page.get_by_role("link", name="Commissioning intentions"))
    submit_and_check(page, page.get_by_role("link", name="New intention"))
    field(page, "Title").fill("Debt advice in Millbrook")
    field(page, "What it is").fill("Face-to-face debt casework for Millbrook residents.")
    field(page, "Outcome it works towards").select_option(label="Households manage money and debt")
    page.get_by_role("group", name="Categories").get_by_label("Debt advice", exact=True).check()
    page.get_by_role("group", name="Areas").get_by_label("Millbrook", exact=True).check()
    field(page, "Business case").select_option(label=f"Debt advice for Millbrook ({body.name})")
    field(page, "Indicative value from (£ a year)").fill("200000")
    field(page, "Indicative value to (£ a year)").fill("250000")
    field(page, "Expected route").select_option(label="Contract")
    field(page, "Expected consultation").fill("2027-01-11")
    field(page, "Expected tender or grant round").fill("2027-03-01")
    field(page, "Expected start").fill("2027-07-01")
    field(page, "Expected end").fill("2030-06-30")
    field(page, "Contact name").fill("Cara Obi")
    field(page, "Contact email").fill("cara@lindenford-council.example")
    submit_and_check(page, page.get_by_role("button", name="Save as a draft"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Debt advice in Millbrook")
    intention = CommissioningIntention.objects.get(title="Debt advice in Millbrook")
    assert intention.status == IntentionStatus.DRAFT
    assert mail.outbox == []
    submit_and_check(page, page.get_by_role("button", name="Publish it on the forward plan"))
    expect(page.get_by_role("status")).to_contain_text("is on the forward plan")
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.PUBLISHED
    sign_out(page)

    # The provider who asked for alerts is told; the one who asked about befriending is not.
    (notice,) = mail.outbox
    assert notice.to == [provider.email]
    assert "Debt advice in Millbrook" in notice.subject
    assert f"/intentions/{intention.pk}/" in notice.body

    # She finds it on the forward plan, in her ward, and opens it.
    sign_in(page, provider.email, PASSWORD)
    submit_and_check(page, main_nav(page).get_by_role("link", name="Forward plan"))
    results = page.get_by_role("region", name=re.compile("found"))
    expect(results.get_by_role("link", name="Debt advice in Millbrook")).to_be_visible()
    expect(results.get_by_role("link", name="Tenancy sustainment in Eastgate")).to_be_visible()
    field(page, "Area").select_option(label="Millbrook (ward in Lindenford)")
    submit_and_check(page, page.get_by_role("button", name="Search"))
    expect(results.get_by_role("heading", level=2)).to_have_text("1 intention found")
    expect(results.get_by_role("link", name="Tenancy sustainment in Eastgate")).to_have_count(0)
    submit_and_check(page, results.get_by_role("link", name="Debt advice in Millbrook"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Debt advice in Millbrook")
    expect(page.get_by_role("main")).to_contain_text(f"{body.name} plans to commission this.")
    expect(page.get_by_role("main")).to_contain_text("cara@lindenford-council.example")
    assert millbrook in intention.areas.all()
