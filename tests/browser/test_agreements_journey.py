"""An award becomes an agreement, with outcome measures and a payment schedule that adds up to its
value; a member of the public leaves feedback on a phone through the agreement's public link; the
provider submits its first return, which the commissioner rates "requires improvement", opening
an improvement plan whose support is recorded first; the next return is rated good and the plan
closes; the commissioner ends the agreement and writes feedback, which the provider reads.

The live server reads the real clock, so the contract started seven months ago: the opportunity
was published, bid for and awarded before that, its dates set in the database (which the test
shares with the live server), and the first two quarterly returns are due."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import AuditEvent, MembershipRole, User
from commissioning.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    AwardDecision,
    BidStatus,
    BudgetLine,
    BudgetLineKind,
    ImprovementPlan,
    ImprovementPlanStatus,
    Instalment,
    MeasureValueKind,
    MonitoringReturn,
    OpportunityStatus,
    OutcomeMeasure,
    PerformanceRating,
    ProcurementRoute,
    ReturnEvidence,
    ReturnStatus,
    ReturnValue,
    RiskAllocation,
    RiskKind,
    ServiceUserFeedback,
)
from tests.browser.axe import field, sign_in, sign_out, submit_and_check, visit
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    ServiceCategoryFactory,
    UserFactory,
)
from tests.factories.accounts import PASSWORD
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory

pytestmark = pytest.mark.browser

TITLE = "Debt advice in Millbrook and Eastgate"
PROVIDER = "Eastgate Advice Centre"
PEOPLE = "People given debt advice"
IN_CONTROL = "Say they feel more in control of their money"
WENT_WELL = "The adviser explained my options and rang the creditors for me."
COULD_BE_BETTER = "It took three weeks to get the first appointment."
POOR_COMMENT = (
    "Fewer people were reached than agreed: the outreach sessions at the food bank have not "
    "started yet."
)
SUPPORT = (
    "Mentoring from the Lindenford Council for Voluntary Service on outreach, and a place on its "
    "volunteer recruitment course."
)
END_FEEDBACK = (
    "The service reached more people each quarter once the outreach sessions started, and the "
    "casework was careful and well recorded. Next time, start the outreach from the first month."
)


def notice(page: Page):
    """The messages shown after a form is saved: a live region with the status role."""
    return page.locator(".messages")


def short(day: date) -> str:
    """A date as the lists show it: 1 Apr 2026."""
    return f"{day.day} {day:%b %Y}"


def long(day: date) -> str:
    """A date as the pages show it in full: 1 April 2026."""
    return f"{day.day} {day:%B %Y}"


def actions_on(obj, *, emails: bool = False) -> list[str]:
    """The audit trail of one object, oldest first: what people did to it, and with emails=True
    the marks of the emails sent about it as well."""
    actions = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("created_at", "id")
    if not emails:
        actions = actions.exclude(action__contains="emailed")
    return list(actions.values_list("action", flat=True))


def awarded_long_ago(body, commissioner: User, provider, start: date) -> AwardDecision:
    """An opportunity of the body, awarded to the provider's bid at £60,000 a year for three
    years, with a contract that started on `start`: every step of its timetable in the past."""
    started = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    opportunity = OpportunityFactory(
        body=body,
        title=TITLE,
        summary="Face-to-face debt casework for residents of Millbrook and Eastgate.",
        status=OpportunityStatus.AWARDED,
        publish_at=started - timedelta(days=150),
        published_at=started - timedelta(days=150),
        clarifications_close_at=started - timedelta(days=130),
        bid_deadline=started - timedelta(days=120),
        evaluation_on=start - timedelta(days=100),
        award_on=start - timedelta(days=80),
        awarded_at=started - timedelta(days=80),
        standstill_ends_on=start - timedelta(days=68),
        contract_start_on=start,
        term_months=36,
        created_by=commissioner,
    )
    assert opportunity.awarded_at < timezone.now()
    opportunity.categories.set([ServiceCategoryFactory(name="Debt advice")])
    opportunity.areas.set([AreaFactory(name="Millbrook"), AreaFactory(name="Eastgate")])
    bidder = UserFactory()
    bid = BidFactory(
        opportunity=opportunity,
        organisation=provider,
        status=BidStatus.SUCCESSFUL,
        price=Decimal("60000"),
        created_by=bidder,
        submitted_at=started - timedelta(days=121),
    )
    bid.lots.set(opportunity.lots.all())
    # Its full cost recovery budget: £60,000 a year, overheads included, as the price.
    lines = [
        (BudgetLineKind.STAFF, "Two debt caseworkers", "45000", ""),
        (BudgetLineKind.NON_STAFF, "Venues, phones and travel", "7000", ""),
        (BudgetLineKind.OVERHEAD, "Management and premises", "8000", "Staff time: 2 of 11 posts"),
    ]
    for position, (kind, description, amount, basis) in enumerate(lines):
        BudgetLine.objects.create(
            bid=bid,
            kind=kind,
            description=description,
            amount=Decimal(amount),
            basis=basis,
            position=position,
        )
    return AwardDecision.objects.create(
        opportunity=opportunity,
        lot=opportunity.lots.get(),
        bid=bid,
        reason="The highest weighted total.",
        decided_by=commissioner,
    )


# 1. The award becomes an agreement, with its terms, measures and payment schedule


def make_the_agreement(page: Page, award: AwardDecision, start: date) -> Agreement:
    visit(page, reverse("commissioning:award", args=[award.opportunity.pk]))
    decision = page.get_by_role("table", name="The decision")
    submit_and_check(
        page, decision.get_by_role("link", name=f"Make the agreement with {PROVIDER} for Lot")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Make the agreement with {PROVIDER}")
    years = page.get_by_role("table", name=re.compile("^Value in each financial year"))
    expect(years.get_by_role("row", name=re.compile("^Total"))).to_contain_text("£180,000.00")
    end = start + relativedelta(months=36) - timedelta(days=1)
    expect(page.get_by_role("main")).to_contain_text(f"{long(start)} to {long(end)}")
    submit_and_check(page, page.get_by_role("button", name="Make the agreement"))
    agreement = Agreement.objects.get(award=award)
    expect(notice(page)).to_contain_text(f"The agreement is made, reference {agreement.reference}.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".agreement-status")).to_have_text("Status: Active")
    assert (agreement.body, agreement.provider, agreement.opportunity, agreement.lot) == (
        award.opportunity.body,
        award.bid.organisation,
        award.opportunity,
        award.lot,
    )
    assert (agreement.kind, agreement.procurement_route, agreement.status) == (
        AgreementKind.CONTRACT,
        ProcurementRoute.OPEN_COMPETITION,
        AgreementStatus.ACTIVE,
    )
    assert (agreement.start_on, agreement.end_on) == (start, end)
    assert agreement.total_value == Decimal("180000.00")
    # Full cost recovery comes from the bid's budget: £60,000 of costs, overheads included.
    assert agreement.full_cost_recovery is True and agreement.full_cost_recovery_from_bid
    # Quarterly returns over three years are scheduled from the start.
    assert agreement.returns.count() == 12
    assert actions_on(agreement) == ["agreement.created"]
    return agreement


def change_the_terms(page: Page, agreement: Agreement) -> None:
    manage = page.get_by_role("navigation", name="Manage this agreement")
    submit_and_check(page, manage.get_by_role("link", name="Change the terms"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Change the terms of {agreement.reference}"
    )
    field(page, "Renewal options").fill("3+2")
    field(page, "Clawback conditions").fill(
        "Money for casework not delivered is returned at the end of each year."
    )
    field(page, "Risk 1: Risk").select_option(label="Demand")
    field(page, "Risk 1: Held by").select_option(label="Shared")
    field(page, "Risk 1: How it is shared or managed").fill(
        "Above 120% of the expected cases, the council and the provider agree a waiting list."
    )
    submit_and_check(page, page.get_by_role("button", name="Save the changes"))
    expect(notice(page)).to_contain_text(f"Saved the changes to {agreement.reference}.")
    risks = page.get_by_role("table", name="How the risks are shared")
    expect(risks.get_by_role("row", name=re.compile("^Demand"))).to_contain_text("Shared")
    agreement.refresh_from_db()
    assert agreement.renewal_options == "3+2"
    assert list(agreement.risks.values_list("kind", "allocation")) == [
        (RiskKind.DEMAND, RiskAllocation.SHARED)
    ]


def define_measures(page: Page, agreement: Agreement) -> list[OutcomeMeasure]:
    submit_and_check(page, page.get_by_role("link", name="Outcome measures", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome measures")
    rows = page.get_by_role("group", name="A new measure")
    expect(rows).to_have_count(2)
    people, control = rows.nth(0), rows.nth(1)
    field(people, "Measure").fill(PEOPLE)
    field(people, "Unit").fill("people")
    field(people, "Kind of value").select_option(label="Whole number")
    field(people, "Evidence required").fill("Case records, anonymised, with the date of each case.")
    field(control, "Measure").fill(IN_CONTROL)
    field(control, "Unit").fill("%")
    field(control, "Kind of value").select_option(label="Percentage")
    field(control, "Target a period").fill("70")
    field(control, "Evidence required").fill("A three-question survey when a case closes.")
    field(control, "Payment depends on it").check()
    # The first measure has no target: refused, with a clear message, and nothing saved.
    submit_and_check(page, page.get_by_role("button", name="Save the measures"), status=400)
    expect(page.get_by_role("alert")).to_contain_text(
        "a measure without a target cannot be monitored"
    )
    assert not OutcomeMeasure.objects.filter(agreement=agreement).exists()
    people = page.get_by_role("group", name="A new measure").nth(0)
    expect(field(people, "Measure")).to_have_value(PEOPLE)
    field(people, "Target a period").fill("40")
    submit_and_check(page, page.get_by_role("button", name="Save the measures"))
    expect(notice(page)).to_contain_text("The measures are saved: 2 measures.")
    table = page.get_by_role("table", name=re.compile("^What the provider reports each period"))
    expect(table.get_by_role("row", name=re.compile(f"^{PEOPLE}"))).to_contain_text("40 people")
    expect(table.get_by_role("row", name=re.compile(f"^{IN_CONTROL}"))).to_contain_text("70 %")
    measures = list(agreement.measures.order_by("position"))
    assert [(m.name, m.target, m.value_kind, m.payment_linked) for m in measures] == [
        (PEOPLE, Decimal("40.00"), MeasureValueKind.COUNT, False),
        (IN_CONTROL, Decimal("70.00"), MeasureValueKind.PERCENTAGE, True),
    ]
    return measures


def schedule_payments(page: Page, agreement: Agreement, start: date) -> None:
    manage = page.get_by_role("navigation", name="Manage this agreement")
    submit_and_check(page, manage.get_by_role("link", name="Payments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    second_due = start + relativedelta(months=18)
    field(page, "Instalment row 1: Due").fill(start.isoformat())
    field(page, "Instalment row 1: Amount (£)").fill("90000")
    field(page, "Instalment row 2: Due").fill(second_due.isoformat())
    field(page, "Instalment row 2: Amount (£)").fill("60000")
    # They add up to £150,000, not the £180,000 of the agreement: refused, nothing saved.
    submit_and_check(page, page.get_by_role("button", name="Save the schedule"), status=400)
    expect(page.get_by_role("alert")).to_contain_text(
        "The instalments add up to £150,000.00, but the agreement's total value is £180,000.00."
    )
    assert not Instalment.objects.filter(agreement=agreement).exists()
    field(page, "Instalment row 2: Amount (£)").fill("90000")
    submit_and_check(page, page.get_by_role("button", name="Save the schedule"))
    expect(notice(page)).to_contain_text("The payment schedule is saved.")
    assert sorted(agreement.instalments.values_list("number", "due_on", "amount")) == [
        (1, start, Decimal("90000.00")),
        (2, second_due, Decimal("90000.00")),
    ]
    # The first instalment, due in advance on the start date, was paid ten days late.
    paid_on = start + timedelta(days=10)
    schedule = page.get_by_role("table", name=re.compile("^Instalments by due date"))
    first = schedule.get_by_role("row", name=re.compile(r"^1 "))
    field(first, "Paid on").fill(paid_on.isoformat())
    submit_and_check(page, first.get_by_role("button", name="Record payment of instalment 1"))
    expect(notice(page)).to_contain_text(
        f"Instalment 1 is recorded as paid on {long(paid_on)}. It was paid late."
    )
    first = page.get_by_role("table", name=re.compile("^Instalments by due date")).get_by_role(
        "row", name=re.compile(r"^1 ")
    )
    expect(first).to_contain_text("Late")
    assert agreement.instalments.get(number=1).paid_on == paid_on
    assert actions_on(agreement) == [
        "agreement.created",
        "agreement.updated",
        "agreement.measures_saved",
        "agreement.instalments_saved",
        "agreement.instalment_paid",
    ]


# 2. A member of the public leaves feedback through the public link, on a phone


def public_feedback_path(page: Page) -> str:
    """The public link as the agreement page shows it; the test follows its path on the live
    server (the link itself names the portal's public address)."""
    section = page.get_by_role("region", name="Service users\u2019 feedback")
    link = section.locator("a:has(code)")
    href = link.get_attribute("href")
    assert href == link.inner_text().strip()
    return urlsplit(href).path


def leave_feedback(browser: Browser, live_server, path: str, agreement: Agreement) -> None:
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    try:
        visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Tell us what you think of {TITLE}"
        )
        # Nothing of the portal's signed-in pages, and nothing sideways to scroll on a phone.
        expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.get_by_role("group", name="What was it about?").get_by_label("The staff").check()
        field(page, "What went well?").fill(WENT_WELL)
        field(page, "What could be better?").fill(COULD_BE_BETTER)
        # Sent without a rating: the form asks for one, and keeps what was written.
        submit_and_check(page, page.get_by_role("button", name="Send feedback"))
        expect(page.get_by_role("alert")).to_contain_text(
            "Choose how the service was, from very poor to very good."
        )
        assert not ServiceUserFeedback.objects.exists()
        expect(field(page, "What went well?")).to_have_value(WENT_WELL)
        page.get_by_role("group", name="Overall, how was the service?").get_by_label(
            "Good (4)"
        ).check()
        page.get_by_role("group", name="Your age").get_by_label("35 to 49").check()
        submit_and_check(page, page.get_by_role("button", name="Send feedback"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        expect(page.get_by_role("main")).to_contain_text(f"Your feedback on {TITLE}")
    finally:
        phone.close()
    feedback = ServiceUserFeedback.objects.get()
    assert (feedback.agreement, feedback.rating, feedback.themes) == (agreement, 4, ["staff"])
    assert (feedback.went_well, feedback.could_be_better) == (WENT_WELL, COULD_BE_BETTER)
    assert feedback.given_on == timezone.localdate()
    # No account, no address: the row holds nothing that points to the person.
    stored = {f.name for f in ServiceUserFeedback._meta.get_fields()}
    assert not stored & {"ip", "ip_address", "user", "user_agent", "email", "name"}


def commissioner_reads_the_feedback(page: Page, agreement: Agreement) -> None:
    visit(page, reverse("commissioning:agreement", args=[agreement.pk]))
    section = page.get_by_role("region", name="Service users\u2019 feedback")
    expect(section).to_contain_text(re.compile(r"Responses\s*1\b"))
    expect(section).to_contain_text("4.0 out of 5")
    # The agreement page shows totals only, never a comment, whoever looks.
    expect(section).not_to_contain_text(WENT_WELL)
    submit_and_check(page, section.get_by_role("link", name=re.compile("^See all the feedback")))
    comments = page.get_by_role("region", name="What people said")
    expect(comments).to_contain_text(WENT_WELL)
    expect(comments).to_contain_text(COULD_BE_BETTER)
    expect(comments).to_contain_text("Rated good (4 out of 5). About: the staff.")


# 3 and 5. The provider fills in and submits a return


def return_row_name(agreement: Agreement, monitoring_return: MonitoringReturn) -> str:
    return (
        f"the return for {agreement.reference}, {short(monitoring_return.period_start)} to "
        f"{short(monitoring_return.period_end)}"
    )


def open_return_to_fill_in(page: Page, agreement: Agreement, due: MonitoringReturn) -> None:
    nav = page.get_by_role("navigation", name="Main")
    submit_and_check(page, nav.get_by_role("link", name="Your agreements"))
    submit_and_check(page, page.get_by_role("link", name="Monitoring returns due"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns due")
    submit_and_check(
        page, page.get_by_role("link", name=f"Fill in {return_row_name(agreement, due)}")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Fill in the return for {long(due.period_start)} to {long(due.period_end)}"
    )


def submit_first_return(page: Page, agreement: Agreement, due: MonitoringReturn) -> None:
    open_return_to_fill_in(page, agreement, due)
    expect(page.get_by_role("main")).to_contain_text("overdue by")
    # A figure of the wrong kind: refused with a clear message, and nothing is submitted.
    field(page, f"{PEOPLE} (number of people)").fill("twenty-two")
    field(page, f"{IN_CONTROL} (%)").fill("55")
    field(page, "What you did this period").fill(
        "Weekly casework sessions in the library and the children's centre. The food bank "
        "outreach is delayed until we recruit a second caseworker."
    )
    submit_and_check(page, page.get_by_role("button", name="Submit the return"), status=400)
    expect(page.get_by_role("alert")).to_contain_text("“twenty-two” is not a whole number.")
    due.refresh_from_db()
    assert due.status == ReturnStatus.DUE
    expect(field(page, f"{IN_CONTROL} (%)")).to_have_value("55")
    field(page, f"{PEOPLE} (number of people)").fill("22")
    field(page, "What service users told you (optional)").fill(
        "People value the Saturday sessions; some found the waiting time too long."
    )
    field(page, "Concerns or risks (optional)").fill("Recruiting a second caseworker.")
    # Evidence: attaching the file saves the draft too.
    field(page, "File").set_input_files(
        {
            "name": "casework-q1.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n% casework summary for the quarter\n",
        }
    )
    field(page, "Title of the file (optional)").fill("Casework summary")
    field(page, "Which measure it evidences (optional)").select_option(label=PEOPLE)
    submit_and_check(page, page.get_by_role("button", name="Attach the file"))
    expect(notice(page)).to_contain_text(
        "“casework-q1.pdf” is attached to the return. Your draft is saved too."
    )
    expect(page.get_by_role("table", name="Files attached so far")).to_contain_text(
        "Casework summary"
    )
    expect(field(page, f"{PEOPLE} (number of people)")).to_have_value("22")
    submit_and_check(page, page.get_by_role("button", name="Submit the return"))
    expect(notice(page)).to_contain_text("Your return is submitted.")
    expect(page.locator(".return-status")).to_have_text("Status: Submitted")
    due.refresh_from_db()
    assert due.status == ReturnStatus.SUBMITTED and due.submitted_at is not None
    assert sorted(due.values.values_list("measure__name", "value")) == [
        (PEOPLE, Decimal("22.00")),
        (IN_CONTROL, Decimal("55.00")),
    ]
    assert ReturnEvidence.objects.get(monitoring_return=due).measure.name == PEOPLE
    assert actions_on(due) == ["monitoring_return.evidence_added", "monitoring_return.submitted"]
    # The lead body's commissioners were emailed that it is in.
    assert actions_on(due, emails=True)[-1] == "monitoring_return.emailed"


def submit_second_return(page: Page, agreement: Agreement, due: MonitoringReturn) -> None:
    open_return_to_fill_in(page, agreement, due)
    field(page, f"{PEOPLE} (number of people)").fill("46")
    field(page, f"{IN_CONTROL} (%)").fill("78.5")
    field(page, "What you did this period").fill(
        "The second caseworker started in July and the food bank outreach runs every Tuesday."
    )
    submit_and_check(page, page.get_by_role("button", name="Submit the return"))
    expect(notice(page)).to_contain_text("Your return is submitted.")
    due.refresh_from_db()
    assert due.status == ReturnStatus.SUBMITTED
    assert actions_on(due) == ["monitoring_return.submitted"]


# 4 and 5. The commissioner reviews each return


def review(
    page: Page,
    agreement: Agreement,
    submitted: MonitoringReturn,
    rating: str,
    comments: dict[str, str],
    overall: str,
) -> None:
    nav = page.get_by_role("navigation", name="Main")
    submit_and_check(page, nav.get_by_role("link", name="Returns to review"))
    waiting = page.get_by_role("table", name=re.compile("waiting for review"))
    submit_and_check(
        page, waiting.get_by_role("link", name=f"Review {return_row_name(agreement, submitted)}")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review the return for {long(submitted.period_start)} to {long(submitted.period_end)}"
    )
    for name, comment in comments.items():
        field(page, f"Rating for {name}").select_option(label=rating)
        field(page, f"Comment on {name}").fill(comment)
    field(page, "Overall rating").select_option(label=rating)
    field(page, "Comment on the overall rating").fill(overall)
    page.get_by_role("group", name="Your decision").get_by_label("Accept the return").check()
    submit_and_check(page, page.get_by_role("button", name="Record the review"))
    expect(notice(page)).to_contain_text("The return is accepted. We have emailed the provider.")
    expect(page.locator(".return-status")).to_have_text("Status: Accepted")
    expect(page.locator(".return-overall-rating")).to_contain_text(rating)


def support_the_provider(page: Page, plan: ImprovementPlan) -> None:
    """The plan opened by the poor rating: support is recorded first, then it is on track."""
    submit_and_check(page, page.get_by_role("link", name="See the improvement plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Improvement plan for {PROVIDER}")
    expect(page.locator(".improvement-plan-status")).to_have_text("Open")
    expect(page.get_by_role("region", name="What needs to improve")).to_contain_text(POOR_COMMENT)
    expect(page.get_by_role("region", name="Support offered first")).to_contain_text(
        "No support has been recorded yet."
    )
    # Support comes first: the plan cannot be on track before support is recorded.
    expect(page.get_by_role("radio", name=re.compile("^Mark as on track"))).to_be_disabled()
    submit_and_check(
        page,
        page.get_by_role("link", name="Change the issues, support, review date and actions"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the improvement plan")
    review_on = timezone.localdate() + timedelta(days=42)
    action_due = timezone.localdate() + timedelta(days=28)
    field(page, "Support offered first").fill(SUPPORT)
    field(page, "Review date").fill(review_on.isoformat())
    action = page.get_by_role("group", name="A new action")
    field(action, "What to do").fill("Start the weekly outreach session at the food bank.")
    field(action, "Owner").fill("Sam Reid, service manager")
    field(action, "Due date").fill(action_due.isoformat())
    submit_and_check(page, page.get_by_role("button", name="Save the plan"))
    expect(notice(page)).to_contain_text("The improvement plan is saved.")
    expect(page.get_by_role("region", name="Support offered first")).to_contain_text(SUPPORT)
    actions = page.get_by_role("table", name=re.compile("action done"))
    expect(actions).to_contain_text("Start the weekly outreach session at the food bank.")
    expect(actions).to_contain_text(long(action_due))
    page.get_by_role("radio", name="Mark as on track").check()
    submit_and_check(page, page.get_by_role("button", name="Change the status"))
    expect(notice(page)).to_contain_text("The plan is now on track.")
    expect(page.locator(".improvement-plan-status")).to_have_text("On track")
    plan.refresh_from_db()
    assert (plan.status, plan.support_offered, plan.review_on) == (
        ImprovementPlanStatus.ON_TRACK,
        SUPPORT,
        review_on,
    )
    assert list(plan.actions.values_list("owner", "due_on")) == [
        ("Sam Reid, service manager", action_due)
    ]
    assert actions_on(plan) == [
        "improvement_plan.opened",
        "improvement_plan.changed",
        "improvement_plan.on_track",
    ]


def close_the_plan(page: Page, agreement: Agreement, plan: ImprovementPlan) -> None:
    visit(page, reverse("commissioning:agreement", args=[agreement.pk]))
    plans = page.get_by_role("table", name="Open improvement plans")
    expect(plans.get_by_role("row", name=re.compile("^Opened"))).to_contain_text("On track")
    submit_and_check(page, plans.get_by_role("link", name=re.compile("^Opened")))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Improvement plan for {PROVIDER}")
    page.get_by_role("radio", name="Close the plan: improvement made").check()
    submit_and_check(page, page.get_by_role("button", name="Change the status"))
    expect(notice(page)).to_contain_text("The plan is now closed.")
    plan.refresh_from_db()
    assert plan.status == ImprovementPlanStatus.CLOSED


# 6. The end of the agreement


def end_the_agreement(page: Page, agreement: Agreement) -> date:
    visit(page, reverse("commissioning:agreement", args=[agreement.pk]))
    status = page.get_by_role("region", name="Status")
    submit_and_check(page, status.get_by_role("button", name="Mark as ending"))
    expect(notice(page)).to_contain_text("Mark as ending: done. It is now ending.")
    expect(page.locator(".agreement-status")).to_have_text("Status: Ending")
    status = page.get_by_role("region", name="Status")
    submit_and_check(page, status.get_by_role("button", name="Mark as ended"))
    expect(notice(page)).to_contain_text("Mark as ended: done. It is now ended.")
    expect(page.locator(".agreement-status")).to_have_text("Status: Ended")
    manage = page.get_by_role("navigation", name="Manage this agreement")
    submit_and_check(page, manage.get_by_role("link", name="Write feedback to the provider"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Feedback to {PROVIDER}")
    tracking_until = agreement.end_on + relativedelta(years=1)
    field(page, "Feedback to the provider").fill(END_FEEDBACK)
    field(page, "Track outcomes until (optional)").fill(tracking_until.isoformat())
    page.get_by_role("group", name="Measures tracked after the end").get_by_label(
        f"{PEOPLE} (people)"
    ).check()
    submit_and_check(page, page.get_by_role("button", name="Save the feedback"))
    expect(notice(page)).to_contain_text(
        "The feedback is saved. The provider reads it on the agreement's page."
    )
    expect(page.get_by_role("region", name="Feedback to the provider")).to_contain_text(
        "casework was careful and well recorded"
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED
    assert agreement.end_feedback == END_FEEDBACK
    assert agreement.tracking_until == tracking_until
    assert [m.name for m in agreement.measures.filter(tracked_after_end=True)] == [PEOPLE]
    # A year of quarterly returns after the end, for the measure still tracked.
    assert agreement.returns.filter(after_end=True).count() == 4
    return tracking_until


def provider_reads_the_end_feedback(page: Page, agreement: Agreement, tracking_until) -> None:
    nav = page.get_by_role("navigation", name="Main")
    submit_and_check(page, nav.get_by_role("link", name="Your agreements"))
    submit_and_check(page, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".agreement-status")).to_have_text("Status: Ended")
    feedback = page.get_by_role("region", name="Feedback to the provider")
    expect(feedback).to_contain_text(END_FEEDBACK)
    expect(feedback).to_contain_text(f"Outcomes go on being tracked until {long(tracking_until)}.")
    # The provider reads; it does not manage.
    expect(page.get_by_role("navigation", name="Manage this agreement")).to_have_count(0)
    expect(page.get_by_role("region", name="Status")).to_have_count(0)


def test_an_award_becomes_an_agreement_that_is_monitored_and_ends_with_feedback(
    page: Page, browser: Browser, live_server
):
    today = timezone.localdate()
    # The contract started on the first of the month seven months ago: two quarters have ended
    # and their returns are due.
    start = (today - relativedelta(months=7)).replace(day=1)
    body = CommissioningBodyFactory(name="Lindenford Council")
    commissioner = UserFactory(email="cara@lindenford-council.example", full_name="Cara Obi")
    MembershipFactory(user=commissioner, organisation=body, role=MembershipRole.ADMIN)
    charity = OrganisationFactory(name=PROVIDER, charity_number="1170002")
    sam = UserFactory(email="sam@eastgate-advice.example", full_name="Sam Reid")
    MembershipFactory(user=sam, organisation=charity, role=MembershipRole.ADMIN)
    award = awarded_long_ago(body, commissioner, charity, start)

    # 1. The commissioner makes the agreement from the award, changes its terms, defines its
    # outcome measures and sets out instalments that add up to its value.
    sign_in(page, commissioner.email, PASSWORD)
    agreement = make_the_agreement(page, award, start)
    change_the_terms(page, agreement)
    define_measures(page, agreement)
    schedule_payments(page, agreement, start)
    visit(page, reverse("commissioning:agreement", args=[agreement.pk]))
    schedule = page.get_by_role("region", name="Payment schedule")
    expect(schedule).to_contain_text("£90,000.00 paid of £180,000.00 scheduled.")
    expect(schedule).to_contain_text("1 instalment late.")
    path = public_feedback_path(page)
    assert path == f"/feedback/{agreement.feedback_token}/"
    sign_out(page)

    # 2. A member of the public, with no account, leaves feedback on a phone.
    leave_feedback(browser, live_server, path, agreement)
    sign_in(page, commissioner.email, PASSWORD)
    commissioner_reads_the_feedback(page, agreement)
    sign_out(page)

    # 3. The provider submits the first return, with its evidence.
    first, second, third = agreement.returns.order_by("period_start")[:3]
    assert first.period_end < second.period_end < today <= third.period_end
    sign_in(page, sam.email, PASSWORD)
    submit_first_return(page, agreement, first)
    sign_out(page)

    # 4. The commissioner rates it requires improvement; the improvement plan opens, and the
    # support offered is recorded first.
    sign_in(page, commissioner.email, PASSWORD)
    review(
        page,
        agreement,
        first,
        "Requires improvement",
        {PEOPLE: "22 of the 40 agreed.", IN_CONTROL: "Below the 70% agreed."},
        POOR_COMMENT,
    )
    expect(notice(page)).to_contain_text("Its rating opens an improvement plan.")
    first.refresh_from_db()
    assert (first.status, first.rating, first.rating_comment) == (
        ReturnStatus.ACCEPTED,
        PerformanceRating.REQUIRES_IMPROVEMENT,
        POOR_COMMENT,
    )
    assert set(first.values.values_list("rating", flat=True)) == {
        PerformanceRating.REQUIRES_IMPROVEMENT
    }
    plan = ImprovementPlan.objects.get(agreement=agreement)
    assert (plan.opened_by_return, plan.status, plan.issues) == (
        first,
        ImprovementPlanStatus.OPEN,
        POOR_COMMENT,
    )
    assert actions_on(first)[-1] == "monitoring_return.accepted"
    support_the_provider(page, plan)
    sign_out(page)

    # The provider sees the rating and the plan, and the feedback's totals but not what anyone
    # wrote.
    sign_in(page, sam.email, PASSWORD)
    visit(page, reverse("commissioning:return", args=[first.pk]))
    expect(page.locator(".return-overall-rating")).to_contain_text("Requires improvement")
    expect(page.get_by_role("region", name="The commissioner\u2019s review")).to_contain_text(
        POOR_COMMENT
    )
    submit_and_check(page, page.get_by_role("link", name="See the improvement plan"))
    expect(page.get_by_role("region", name="Support offered first")).to_contain_text(SUPPORT)
    expect(page.get_by_role("link", name=re.compile("^Change the issues"))).to_have_count(0)
    visit(page, reverse("commissioning:agreement_feedback", args=[agreement.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service users\u2019 feedback")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Responses\s*1\b"))
    topics = page.get_by_role("table", name=re.compile("^Topics people ticked"))
    expect(topics.get_by_role("row", name=re.compile("^The staff"))).to_contain_text("1")
    expect(page.get_by_role("main")).not_to_contain_text(WENT_WELL)
    expect(page.get_by_role("main")).not_to_contain_text(COULD_BE_BETTER)
    expect(page.get_by_role("region", name="What people said")).to_contain_text(
        "only the commissioners of the bodies that fund this agreement read what people wrote"
    )
    # The feedback feeds the return of the period it was given in.
    visit(page, reverse("commissioning:return", args=[third.pk]))
    expect(page.locator(".return-feedback")).to_contain_text(
        "1 response, with an average rating of 4.0 out of 5."
    )

    # 5. The provider submits the next return; the commissioner rates it good and accepts it.
    submit_second_return(page, agreement, second)
    sign_out(page)
    sign_in(page, commissioner.email, PASSWORD)
    review(
        page,
        agreement,
        second,
        "Good",
        {PEOPLE: "46 against 40: above the target.", IN_CONTROL: "78.5%, above the 70% agreed."},
        "Back on track now that the outreach runs every week.",
    )
    expect(notice(page)).not_to_contain_text("improvement plan")
    second.refresh_from_db()
    assert (second.status, second.rating) == (ReturnStatus.ACCEPTED, PerformanceRating.GOOD)
    assert ImprovementPlan.objects.filter(agreement=agreement).count() == 1
    assert ReturnValue.objects.filter(monitoring_return=second, rating="good").count() == 2
    close_the_plan(page, agreement, plan)

    # 6. The commissioner ends the agreement and writes feedback; the provider reads it.
    mail.outbox.clear()
    tracking_until = end_the_agreement(page, agreement)
    assert actions_on(agreement)[-3:] == [
        "agreement.ending",
        "agreement.ended",
        "agreement.end_feedback",
    ]
    # The public feedback link closes once the agreement has ended.
    visit(page, path, status=404)
    sign_out(page)
    emailed = [m for m in mail.outbox if sam.email in m.to]
    assert len(emailed) == 1, [m.subject for m in mail.outbox]
    sign_in(page, sam.email, PASSWORD)
    provider_reads_the_end_feedback(page, agreement, tracking_until)
    sign_out(page)
