"""Every page of the agreements parts that the journey does not reach, checked with axe for the
roles that use them: the register with its filters and CSV, a provider's 360 view and its own
list, an agreement's history, variation, notice, payments and measures pages, visits, improvement
plans, service users' feedback and its poster, and the lists of returns to review and returns due.

On every page, each link in the breadcrumbs and the main content is followed as the same person,
and must not fail: a page shows nobody a link they cannot use."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole
from commissioning.models import (
    AgreementKind,
    AgreementMemberRole,
    AgreementStatus,
    ImprovementPlanStatus,
    MeasureValueKind,
    MultiYearFunding,
    NoticeKind,
    PaymentTiming,
    PerformanceRating,
    ProcurementRoute,
    ReportingFrequency,
    RiskAllocation,
    RiskKind,
    VisitKind,
)
from commissioning.services import agreements as agreement_services
from commissioning.services import agreements_monitoring as monitoring
from commissioning.services import improvement
from tests.browser.axe import sign_in, sign_out, visit
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    ServiceCategoryFactory,
    UserFactory,
)
from tests.factories.accounts import PASSWORD
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    ReturnEvidenceFactory,
    ServiceUserFeedbackFactory,
    VisitFactory,
)

pytestmark = pytest.mark.browser

COMMISSIONER = "sweep.commissioner@lindenford-council.example"
PROVIDER = "sweep.provider@riverside-advice.example"
NETWORK_ADMIN = "sweep.admin@lindenford-network.example"


def url(name: str, *args) -> str:
    return reverse(f"commissioning:{name}", args=args)


def links_work(page: Page, followed: dict[str, int]) -> None:
    """Follow every link in the breadcrumbs and the main content of the page, as the person who
    is signed in, and fail on any that answers with an error. Each address is followed once."""
    origin = urlsplit(page.url)
    hrefs = page.eval_on_selector_all(
        "nav[aria-label='Breadcrumb'] a[href], main a[href]",
        "links => links.map(link => link.href)",
    )
    broken = []
    for href in dict.fromkeys(hrefs):
        parts = urlsplit(href)
        if parts.netloc != origin.netloc or not parts.path:
            continue  # another site (the public feedback link names the portal's address)
        address = parts.path + (f"?{parts.query}" if parts.query else "")
        if address not in followed:
            followed[address] = page.request.get(address, max_redirects=0).status
        if followed[address] >= 400:
            broken.append(f"{address} answered {followed[address]}")
    assert not broken, f"broken links on {page.url}: {broken}"


def sweep(page: Page, addresses: list[str]) -> None:
    followed: dict[str, int] = {}
    for address in addresses:
        visit(page, address)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        links_work(page, followed)


def quarter_draft(measures, figures, narrative: str) -> monitoring.ReturnDraft:
    return monitoring.ReturnDraft(
        values={m.pk: (Decimal(f), "") for m, f in zip(measures, figures, strict=True)},
        narrative=narrative,
        feedback_summary="People liked the Saturday sessions.",
        concerns="Recruiting a second caseworker.",
    )


def yearly(start: date, end: date) -> dict[int, Decimal]:
    """£50,000 in each financial year the term touches."""
    return {year: Decimal(50000) for year in agreement_services.agreement_years_for(start, end)}


def instalments_for(start: date, years: dict[int, Decimal]) -> list[dict]:
    """One instalment a financial year, in advance: on the start date, then each 1 April."""
    return [
        {"due_on": max(start, date(year, 4, 1)), "amount": amount}
        for year, amount in sorted(years.items())
    ]


def rate_all(monitoring_return, rating: str) -> dict:
    return {
        value.pk: monitoring.MeasureReview(rating=rating, comment="As the figures show.")
        for value in monitoring_return.values.all()
    }


@pytest.fixture
def network(transactional_db) -> dict:
    """Two agreements of Lindenford Council with Riverside Advice, made and moved on through the
    services as people would: the first co-funded, varied, with measures, instalments (one paid
    late), a first return rated requires improvement whose plan was escalated, a second return
    waiting for review, visits and feedback; the second with a return sent back for more
    information, another overdue, and notice of a reduction. And a rolled-over grant ending soon."""
    today = timezone.localdate()
    # Started on the first of the month seven months ago: two quarters' returns are due.
    start = (today - relativedelta(months=7)).replace(day=1)
    end = start + relativedelta(years=3) - timedelta(days=1)
    council = CommissioningBodyFactory(name="Lindenford Council")
    nhs = CommissioningBodyFactory(name="NHS Lindenford")
    charity = OrganisationFactory(name="Riverside Advice")
    food_bank = OrganisationFactory(name="Northcote Food Bank")
    commissioner = UserFactory(email=COMMISSIONER, full_name="Cara Obi")
    MembershipFactory(user=commissioner, organisation=council, role=MembershipRole.ADMIN)
    provider = UserFactory(email=PROVIDER, full_name="Dee Okafor")
    MembershipFactory(user=provider, organisation=charity, role=MembershipRole.ADMIN)
    UserFactory(email=NETWORK_ADMIN, full_name="Ola Mensah", is_network_admin=True)
    m2m = {
        "categories": [ServiceCategoryFactory(name="Debt advice")],
        "areas": [AreaFactory(name="Millbrook")],
        "outcomes": [],
    }

    def terms(title: str, kind: str, route: str) -> dict:
        return {
            "kind": kind,
            "title": title,
            "description": "Debt casework and drop-in advice.",
            "procurement_route": route,
            "start_on": start,
            "end_on": end,
            "renewal_options": "3+2",
            "multi_year_funding": MultiYearFunding.PASSED_ON,
            "multi_year_reason": "",
            "payment_timing": PaymentTiming.ADVANCE,
            "full_cost_recovery": True,
            "full_cost_recovery_note": "From the provider's budget.",
            "clawback_conditions": "Unspent money is returned.",
            "reporting_frequency": ReportingFrequency.QUARTERLY,
        }

    years = yearly(start, end)
    advice = agreement_services.agreement_create(
        actor=commissioner,
        body=council,
        provider=charity,
        data=terms("Debt advice in Millbrook", AgreementKind.GRANT, ProcurementRoute.GRANT_ROUND),
        m2m=m2m,
        years=years,
        members=[
            {
                "organisation": food_bank,
                "role": AgreementMemberRole.SUBCONTRACTOR,
                "share": Decimal(20),
            }
        ],
        funders=[{"body": nhs, "contribution": Decimal(30000)}],
        risks=[
            {
                "kind": RiskKind.DEMAND,
                "allocation": RiskAllocation.SHARED,
                "note": "A waiting list above 120% of the expected cases.",
            }
        ],
    )
    measure_rows = [
        {
            "name": "People given debt advice",
            "unit": "people",
            "value_kind": MeasureValueKind.COUNT,
            "target": Decimal(40),
            "higher_is_better": True,
            "evidence_required": "Case records, anonymised.",
            "payment_linked": False,
            "outcome": None,
        },
        {
            "name": "Say they feel more in control",
            "unit": "%",
            "value_kind": MeasureValueKind.PERCENTAGE,
            "target": Decimal(70),
            "higher_is_better": True,
            "evidence_required": "A survey when a case closes.",
            "payment_linked": True,
            "outcome": None,
        },
    ]
    agreement_services.agreement_measures_save(
        actor=commissioner, agreement=advice, measures=measure_rows
    )
    measures = list(advice.measures.order_by("position"))
    # Varied: a fourth year, and a higher target.
    advice.refresh_from_db()
    varied_end = end + relativedelta(years=1)
    varied_years = yearly(start, varied_end)
    agreement_services.agreement_vary(
        actor=commissioner,
        agreement=advice,
        start_on=advice.start_on,
        end_on=varied_end,
        years=varied_years,
        targets={measures[0].pk: Decimal(45), measures[1].pk: Decimal(70)},
        reason="A fourth year, agreed when demand rose.",
        effective_on=start + timedelta(days=60),
        agreed_by="Cara Obi (council) and Dee Okafor (Riverside Advice)",
    )
    advice.refresh_from_db()
    agreement_services.agreement_instalments_save(
        actor=commissioner,
        agreement=advice,
        instalments=instalments_for(start, varied_years),
    )
    agreement_services.instalment_mark_paid(
        actor=commissioner,
        instalment=advice.instalments.get(number=1),
        paid_on=start + timedelta(days=20),
    )
    first, second = advice.returns.order_by("period_start")[:2]
    monitoring.return_submit(
        actor=provider,
        monitoring_return=first,
        draft=quarter_draft(measures, ("22", "55"), "The outreach has not started yet."),
    )
    _, plan = monitoring.return_review(
        actor=commissioner,
        monitoring_return=first,
        decision="accept",
        ratings=rate_all(first, PerformanceRating.REQUIRES_IMPROVEMENT),
        rating=PerformanceRating.REQUIRES_IMPROVEMENT,
        rating_comment="Fewer people reached than agreed.",
    )
    improvement.improvement_plan_save(
        actor=commissioner,
        plan=plan,
        issues=plan.issues,
        support_offered="Mentoring from the council for voluntary service.",
        review_on=today + timedelta(days=30),
        actions=[
            {
                "id": None,
                "description": "Start the outreach at the food bank.",
                "owner": "Service manager",
                "due_on": today + timedelta(days=14),
                "done_on": None,
                "remove": False,
            }
        ],
    )
    improvement.improvement_plan_move(
        actor=commissioner,
        plan=plan,
        to_status=ImprovementPlanStatus.ESCALATED,
        note="No improvement after the mentoring; a variation is being discussed.",
    )
    monitoring.return_submit(
        actor=provider,
        monitoring_return=second,
        draft=quarter_draft(measures, ("46", "78.5"), "The outreach runs every Tuesday."),
    )
    ReturnEvidenceFactory(monitoring_return=second, measure=measures[0], uploaded_by=provider)
    visit_done = VisitFactory(
        agreement=advice,
        kind=VisitKind.PHYSICAL,
        planned_on=today - timedelta(days=30),
        completed_on=today - timedelta(days=30),
        findings="Sessions well run; the waiting room is cramped.",
        follow_up_actions="Ask the library for a second room.",
        recorded_by=commissioner,
    )
    VisitFactory(
        agreement=advice,
        kind=VisitKind.DESK,
        planned_on=today + timedelta(days=14),
        recorded_by=commissioner,
    )
    answers = [
        (5, ["staff"], "35_49"),
        (4, ["staff", "waiting"], "35_49"),
        (4, ["information"], "50_64"),
        (3, ["waiting"], "35_49"),
        (5, ["difference"], "35_49"),
        (2, ["waiting", "access"], "35_49"),
    ]
    for n, (rating, themes, age) in enumerate(answers):
        ServiceUserFeedbackFactory(
            agreement=advice,
            rating=rating,
            themes=themes,
            age_band=age,
            given_on=today - timedelta(days=40 * n),
        )

    housing = agreement_services.agreement_create(
        actor=commissioner,
        body=council,
        provider=charity,
        data=terms(
            "Housing advice at the civic centre",
            AgreementKind.CONTRACT,
            ProcurementRoute.DIRECT_AWARD,
        ),
        m2m=m2m,
        years=years,
    )
    agreement_services.agreement_measures_save(
        actor=commissioner, agreement=housing, measures=measure_rows[:1]
    )
    housing_measures = list(housing.measures.all())
    sent_back = housing.returns.order_by("period_start").first()
    monitoring.return_submit(
        actor=provider,
        monitoring_return=sent_back,
        draft=quarter_draft(housing_measures, ("31",), "Casework at the civic centre."),
    )
    monitoring.return_review(
        actor=commissioner,
        monitoring_return=sent_back,
        decision="return",
        ratings={},
        returned_reason="Add the case records for the figure of 31.",
    )
    agreement_services.agreement_give_notice(
        actor=commissioner,
        agreement=housing,
        kind=NoticeKind.REDUCTION,
        given_on=today,
        takes_effect_on=today + timedelta(days=45),
        details="The council's housing budget falls next year.",
        new_annual_value=Decimal(40000),
    )
    rolled = AgreementFactory(
        body=council,
        provider=charity,
        title="Drop-in at the Eastgate hub",
        procurement_route=ProcurementRoute.ROLLING,
        created_by=commissioner,
    )
    rolled.end_on = today + timedelta(days=100)
    rolled.status = AgreementStatus.ENDING
    rolled.save(update_fields=["end_on", "status"])
    return {
        "council": council,
        "charity": charity,
        "advice": advice,
        "housing": housing,
        "plan": plan,
        "visit": visit_done,
        "awaiting": second,
        "sent_back": sent_back,
    }


def test_commissioner_pages(page: Page, network):
    advice, housing = network["advice"], network["housing"]
    sign_in(page, COMMISSIONER, PASSWORD)
    register = url("agreements")
    sweep(
        page,
        [
            register,
            f"{register}?kind=grant&sort=value",
            f"{register}?ending_soon=on",
            f"{register}?never_open=on&body={network['council'].pk}",
            f"{register}?provider=Riverside",
        ],
    )
    # The CSV link keeps the filters, and downloads the agreements found.
    csv_link = page.get_by_role("link", name="Download as CSV")
    expect(csv_link).to_have_attribute("href", f"{url('agreements_csv')}?provider=Riverside")
    download = page.request.get(csv_link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert advice.reference in download.text() and housing.reference in download.text()
    sweep(
        page,
        [
            url("agreement_new"),
            url("provider_agreements", network["charity"].pk),
            url("agreement", advice.pk),
            url("agreement_history", advice.pk),
            url("agreement_variation_new", advice.pk),
            url("agreement_notice_new", advice.pk),
            url("agreement_payments", advice.pk),
            url("agreement_measures", advice.pk),
            url("agreement_end_feedback", advice.pk),
            url("visit_new", advice.pk),
            url("visit_edit", network["visit"].pk),
            url("improvement_plan_new", advice.pk),
            url("improvement_plan", network["plan"].pk),
            url("improvement_plan_edit", network["plan"].pk),
            url("agreement_feedback", advice.pk),
            url("agreement_feedback_poster", advice.pk),
            url("returns_to_review"),
            url("return", network["awaiting"].pk),
            url("return_review", network["awaiting"].pk),
            url("agreement", housing.pk),
            url("return", network["sent_back"].pk),
        ],
    )
    # The measures are fixed once a return is in; the commissioner reads the comments.
    visit(page, url("agreement_measures", advice.pk))
    expect(page.get_by_role("main")).to_contain_text("change only through a variation")
    visit(page, url("agreement_feedback", advice.pk))
    expect(page.get_by_role("region", name="What people said")).to_contain_text(
        "The staff listened and knew what to do."
    )
    sign_out(page)


def test_network_admin_pages(page: Page, network):
    advice = network["advice"]
    sign_in(page, NETWORK_ADMIN, PASSWORD)
    sweep(
        page,
        [
            url("agreements"),
            f"{url('agreements')}?kind=contract",
            url("provider_agreements", network["charity"].pk),
            url("agreement", advice.pk),
            url("agreement_history", advice.pk),
            url("agreement_feedback", advice.pk),
            url("improvement_plan", network["plan"].pk),
            url("return", network["awaiting"].pk),
        ],
    )
    sign_out(page)


def test_provider_pages(page: Page, network):
    advice = network["advice"]
    sign_in(page, PROVIDER, PASSWORD)
    sweep(
        page,
        [
            url("agreements_ours"),
            url("provider_agreements", network["charity"].pk),
            url("agreement", advice.pk),
            url("agreement_history", advice.pk),
            url("agreement_feedback", advice.pk),
            url("agreement_feedback_poster", advice.pk),
            url("improvement_plan", network["plan"].pk),
            url("returns_due"),
            url("return", network["sent_back"].pk),
            url("return_submit", network["sent_back"].pk),
            url("return", network["awaiting"].pk),
        ],
    )
    # The provider sees totals and topics, never what anyone wrote.
    visit(page, url("agreement_feedback", advice.pk))
    expect(page.get_by_role("main")).not_to_contain_text("The staff listened")
    expect(page.get_by_role("main")).not_to_contain_text("The waiting room is cold")
    sign_out(page)
