"""A commissioner publishes a two-stage opportunity; a charity and a consortium's lead express
interest, are shortlisted and write full bids with full cost recovery budgets; a panel member
declares no conflict and scores; the commissioner moderates and awards; both bidders read their
feedback, and the public page shows the award notice.

The live server reads the real clock, so each deadline passes by moving it into the past in the
database, which the test shares with the live server."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole, User
from commissioning.models import (
    AwardDecision,
    Bid,
    BidReceipt,
    BidStage,
    BidStatus,
    BudgetLineKind,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    FeedbackLetter,
    ModeratedScore,
    Opportunity,
    OpportunityStatus,
    PanelMember,
    PanelSubmission,
    Procedure,
    Score,
)
from commissioning.reference_data import contract_thresholds_ensure
from providers.models import Consortium, ConsortiumStatus
from providers.reference_data import reference_data_ensure
from providers.services import consortia as consortium_services
from tests.browser.axe import field, sign_in, sign_out, submit_and_check, visit
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Debt advice in Millbrook and Eastgate"
LOT = "Lot 1: Debt casework in Millbrook and Eastgate"
ELIGIBILITY = "Do you hold employer's liability insurance of at least £5 million?"
# Each stage's criteria: title, kind, weight, word limit, and the question bidders answer.
EOI_CRITERIA = [
    ("Understanding of local need", "Quality", "60", "250", "What do you know of debt here?"),
    ("Track record", "Quality", "40", "200", "What advice services have you run?"),
]
FULL_CRITERIA = [
    ("How the service will work", "Quality", "70", "800", "How will people get advice?"),
    ("Social value", "Social value", "30", "400", "What else will the contract bring?"),
]


@dataclass
class Bidder:
    """A provider's admin, the organisation they bid for, and how it bids."""

    user: User
    organisation_name: str
    bid_as: str


def notice(page: Page):
    """The messages shown after a form is saved: a live region with the status role."""
    return page.locator(".messages")


def london_minute(moment) -> str:
    """A time as a datetime-local input takes it, in UK time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def path_in(email_body: str, pattern: str) -> str:
    """The path of the portal's link in an email, such as /opportunities/3/panel/bids/."""
    match = re.search(pattern, email_body)
    assert match, f"no link matching {pattern} in:\n{email_body}"
    return match.group(0)


def deadlines_pass(opportunity: Opportunity, *, stage: str) -> None:
    """Move a stage's deadline a minute into the past, as the real clock would. The timetable
    keeps its order: publication before clarifications close, before the expression of interest
    deadline (the check constraints hold both before the bid deadline)."""
    now = timezone.now()
    if stage == BidStage.EOI:
        Opportunity.objects.filter(pk=opportunity.pk).update(
            publish_at=now - timedelta(hours=1),
            clarifications_close_at=now - timedelta(minutes=2),
            eoi_deadline=now - timedelta(minutes=1),
        )
    else:
        Opportunity.objects.filter(pk=opportunity.pk).update(
            bid_deadline=now - timedelta(minutes=1)
        )


# 1. The commissioner writes and publishes the opportunity


def write_opportunity(page: Page, body_name: str) -> Opportunity:
    now = timezone.now()
    submit_and_check(page, page.get_by_role("link", name="Write an opportunity"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New opportunity")
    expect(page.get_by_role("main")).to_contain_text(f"For {body_name}.")
    field(page, "Type").select_option(label="Contract")
    field(page, "Procedure").select_option(
        label="Two stages: expression of interest, then invited full bids"
    )
    field(page, "Title").fill(TITLE)
    field(page, "Summary in plain English").fill(
        "Face-to-face debt casework for residents of Millbrook and Eastgate, in community venues."
    )
    field(page, "Outcomes sought").fill(
        "Fewer households in problem debt, and more people who can manage money on their own."
    )
    page.get_by_role("group", name="Categories").get_by_label("Debt advice", exact=True).check()
    areas = page.get_by_role("group", name="Areas")
    areas.get_by_label("Millbrook", exact=True).check()
    areas.get_by_label("Eastgate", exact=True).check()
    expect(field(page, "Term (months)")).to_have_value("36")
    expect(field(page, "Consortium bids are welcome")).to_be_checked()
    # Published now, with every later step in the future.
    field(page, "Publish").fill(london_minute(now))
    field(page, "Clarification questions close").fill(london_minute(now + timedelta(days=5)))
    field(page, "Expression of interest deadline").fill(london_minute(now + timedelta(days=7)))
    field(page, "Shortlist").fill(timezone.localdate(now + timedelta(days=9)).isoformat())
    field(page, "Bid deadline").fill(london_minute(now + timedelta(days=28)))
    field(page, "Evaluation").fill(timezone.localdate(now + timedelta(days=35)).isoformat())
    field(page, "Award").fill(timezone.localdate(now + timedelta(days=42)).isoformat())
    field(page, "Contract starts").fill(timezone.localdate(now + timedelta(days=90)).isoformat())
    submit_and_check(page, page.get_by_role("button", name="Save as a draft"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Manage {TITLE}")
    opportunity = Opportunity.objects.get(title=TITLE)
    expect(notice(page)).to_contain_text(f"is saved as a draft, reference {opportunity.reference}")
    assert (opportunity.status, opportunity.procedure) == (
        OpportunityStatus.DRAFT,
        Procedure.TWO_STAGE,
    )
    assert opportunity.standstill_ends_on is not None  # 8 working days after the award
    return opportunity


def add_lot(page: Page) -> None:
    submit_and_check(page, page.get_by_role("link", name="Lots and budgets"))
    row = page.get_by_role("group", name="A new lot")
    field(row, "Lot number").fill("1")
    field(row, "Title").fill("Debt casework in Millbrook and Eastgate")
    field(row, "Description").fill("Casework, outreach sessions and court representation.")
    field(row, "Budget a year (£)").fill("85000")
    submit_and_check(page, page.get_by_role("button", name="Save"))
    expect(notice(page)).to_contain_text("The lots are saved.")


def add_eligibility_question(page: Page) -> None:
    submit_and_check(page, page.get_by_role("link", name="Eligibility questions"))
    row = page.get_by_role("group", name="A new question").first
    field(row, "Question (answered yes or no)").fill(ELIGIBILITY)
    submit_and_check(page, page.get_by_role("button", name="Save"))
    expect(notice(page)).to_contain_text("The eligibility questions are saved.")


def fill_criterion(row, stage: str, criterion: tuple, weight: str | None = None) -> None:
    title, kind, default_weight, word_limit, question = criterion
    field(row, "Stage").select_option(label=stage)
    field(row, "Kind").select_option(label=kind)
    field(row, "Title").fill(title)
    field(row, "Question").fill(question)
    field(row, "Weight (%)").fill(weight or default_weight)
    field(row, "What earns each score").fill(
        "0: No answer\n1: Weak\n2: Some evidence\n3: Good\n4: Very good\n5: Excellent, with evidence"
    )
    field(row, "Word limit").fill(word_limit)


def add_criteria(page: Page, opportunity: Opportunity) -> None:
    """The page offers one blank row at a time, and each stage's weights must add up to 100 on
    every save: the first criterion of a stage goes in at 100, then shares it with the second."""
    for stage, (first, second) in (
        ("Expression of interest", EOI_CRITERIA),
        ("Full bid", FULL_CRITERIA),
    ):
        submit_and_check(page, page.get_by_role("link", name="Criteria and weights"))
        first_try = first[2] if stage == "Expression of interest" else "100"
        fill_criterion(page.get_by_role("group", name="A new criterion"), stage, first, first_try)
        submit_and_check(page, page.get_by_role("button", name="Save"))
        if stage == "Expression of interest":
            # The first try: a weight of 60 alone does not add up to 100, and nothing is saved.
            expect(page.get_by_role("alert")).to_contain_text(
                "The weights of the expression of interest criteria add up to 60, not 100."
            )
            assert not Criterion.objects.filter(opportunity=opportunity).exists()
            field(page.get_by_role("group", name="A new criterion"), "Weight (%)").fill("100")
            submit_and_check(page, page.get_by_role("button", name="Save"))
        expect(notice(page)).to_contain_text("The criteria are saved.")
        submit_and_check(page, page.get_by_role("link", name="Criteria and weights"))
        # The saved criterion's row: the one whose title box holds its title.
        existing = page.get_by_role("group", name=re.compile(r"^Criterion \d+$")).filter(
            has=page.locator(f'input[value="{first[0]}"]')
        )
        field(existing, "Weight (%)").fill(first[2])
        fill_criterion(page.get_by_role("group", name="A new criterion"), stage, second)
        submit_and_check(page, page.get_by_role("button", name="Save"))
        expect(notice(page)).to_contain_text("The criteria are saved.")
    weights = {
        (c.stage, c.title): (c.kind, c.weight, c.word_limit)
        for c in Criterion.objects.filter(opportunity=opportunity)
    }
    assert weights == {
        (BidStage.EOI, "Understanding of local need"): (CriterionKind.QUALITY, Decimal(60), 250),
        (BidStage.EOI, "Track record"): (CriterionKind.QUALITY, Decimal(40), 200),
        (BidStage.FULL, "How the service will work"): (CriterionKind.QUALITY, Decimal(70), 800),
        (BidStage.FULL, "Social value"): (CriterionKind.SOCIAL_VALUE, Decimal(30), 400),
    }


def publish(page: Page, opportunity: Opportunity) -> None:
    drafting = page.get_by_role("region", name="Before you publish")
    expect(drafting).not_to_contain_text("Still to do before it can be published")
    submit_and_check(page, drafting.get_by_role("button", name="Publish"))
    expect(notice(page)).to_contain_text(f"“{TITLE}” is published.")
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert opportunity.published_at is not None
    submit_and_check(page, page.get_by_role("link", name="The public page"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("main")).to_contain_text("Open for bids")
    expect(page.get_by_role("main")).to_contain_text(ELIGIBILITY)


# 2. Two providers express interest


def open_opportunity(page: Page) -> None:
    visit(page, "/opportunities/")
    submit_and_check(page, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def start_bid(page: Page, bidder: Bidder, stage_label: str) -> Bid:
    open_opportunity(page)
    submit_and_check(page, page.get_by_role("link", name="Start a bid"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Start your {stage_label}")
    lots = page.get_by_role("group", name="Which lots are you bidding for?")
    expect(lots.get_by_label(re.compile(LOT))).to_be_checked()
    page.get_by_role("group", name="Who is bidding?").get_by_label(bidder.bid_as).check()
    page.get_by_role("group", name=ELIGIBILITY).get_by_label("Yes").check()
    submit_and_check(page, page.get_by_role("button", name="Start the bid"))
    expect(notice(page)).to_contain_text(f"Your {stage_label} is started as a draft.")
    return Bid.objects.get(
        organisation__name=bidder.organisation_name,
        stage=BidStage.EOI if stage_label == "expression of interest" else BidStage.FULL,
    )


def write_answers(page: Page, answers: dict[str, str], limits: dict[str, str]) -> None:
    submit_and_check(page, page.get_by_role("link", name="Write or change the answers"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers")
    for title, text in answers.items():
        field(page, f"{title} (up to {limits[title]} words)").fill(text)
    submit_and_check(page, page.get_by_role("button", name="Save draft"))
    expect(notice(page)).to_contain_text("Your draft is saved.")


def submit_bid(page: Page, bid: Bid) -> BidReceipt:
    submit_and_check(page, page.get_by_role("button", name="Submit the bid"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt")
    expect(notice(page)).to_contain_text("Your bid is submitted. We have emailed you this receipt.")
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED
    receipt = BidReceipt.objects.get(bid=bid)
    assert receipt.content_hash == bid.content_hash
    assert len(receipt.content_hash) == 64
    card = page.get_by_role("main")
    expect(card).to_contain_text(receipt.content_hash)
    received = timezone.localtime(receipt.submitted_at)
    expect(card).to_contain_text(
        f"{received:%A} {received.day} {received:%B %Y} at "
        f"{received.hour % 12 or 12}:{received:%M:%S}"
    )
    expect(card).to_contain_text("(UK time)")
    return receipt


def express_interest_alone(page: Page, bidder: Bidder) -> Bid:
    sign_in(page, bidder.user.email, PASSWORD)
    bid = start_bid(page, bidder, "expression of interest")
    limits = {title: limit for title, _kind, _weight, limit, _question in EOI_CRITERIA}
    write_answers(
        page,
        {
            "Understanding of local need": "One adult in seven in Millbrook is in problem debt; "
            "we see the same families at the food bank and the housing office.",
            "Track record": "Twelve years of debt casework, with an advice quality mark.",
        },
        limits,
    )
    submit_bid(page, bid)
    sign_out(page)
    return bid


def open_bid_from_list(page: Page, stage_label: str) -> None:
    visit(page, "/bids/")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=stage_label, exact=True))
    submit_and_check(page, row.get_by_role("link", name=TITLE))


def member_confirms(page: Page, member_admin: User, member_name: str, stage_label: str) -> None:
    """The consortium member's admin finds the bid in their list and confirms its part."""
    sign_in(page, member_admin.email, PASSWORD)
    open_bid_from_list(page, stage_label)
    members = page.get_by_role("region", name="Consortium members\u2019 confirmations")
    expect(members.get_by_role("row", name=re.compile(member_name))).to_contain_text("Not yet")
    submit_and_check(
        page, members.get_by_role("button", name=f"Confirm {member_name}\u2019s part in this bid")
    )
    expect(notice(page)).to_contain_text(f"Thank you. {member_name} confirmed its part")
    expect(members.get_by_role("row", name=re.compile(member_name))).to_contain_text("Yes, on")
    sign_out(page)


def express_interest_as_consortium(
    page: Page, lead: Bidder, member_admin: User, member_name: str
) -> Bid:
    sign_in(page, lead.user.email, PASSWORD)
    bid = start_bid(page, lead, "expression of interest")
    limits = {title: limit for title, _kind, _weight, limit, _question in EOI_CRITERIA}
    write_answers(
        page,
        {
            "Understanding of local need": "Our partnership already advises 400 Eastgate "
            "households a year, and the food bank refers people in crisis to us.",
            "Track record": "Debt and welfare benefits advice since 2009, in five community hubs.",
        },
        limits,
    )
    # Submitting before the member has confirmed is refused, and the draft is kept.
    submit_and_check(page, page.get_by_role("button", name="Submit the bid"))
    expect(notice(page)).to_contain_text(
        f"Every consortium member must confirm its part before the bid can be submitted. "
        f"Still to confirm: {member_name}."
    )
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT
    sign_out(page)
    member_confirms(page, member_admin, member_name, "Expression of interest")
    sign_in(page, lead.user.email, PASSWORD)
    open_bid_from_list(page, "Expression of interest")
    submit_bid(page, bid)
    sign_out(page)
    return bid


# 3. Expressions of interest close; the panel scores them; both are shortlisted


def manage(page: Page) -> None:
    """The commissioner opens the opportunity's own page from the public list."""
    open_opportunity(page)
    submit_and_check(page, page.get_by_role("link", name="Manage this opportunity"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Manage {TITLE}")


def next_step(page: Page, label: str) -> None:
    moves = page.get_by_role("region", name="Next steps")
    submit_and_check(page, moves.get_by_role("button", name=label))
    expect(notice(page)).to_contain_text(f"{label}: done.")


def add_to_panel(page: Page, panel_member: User, opportunity: Opportunity) -> None:
    submit_and_check(page, page.get_by_role("link", name="Evaluation panel"))
    expect(page.get_by_role("table", name="Panel members (0)")).to_contain_text(
        "Nobody is on the panel yet."
    )
    field(page, "Email address").fill(panel_member.email)
    page.get_by_role("group", name="Role").get_by_label("Commissioner", exact=True).check()
    submit_and_check(page, page.get_by_role("button", name="Add to the panel"))
    expect(notice(page)).to_contain_text("is on the panel and has been emailed.")
    expect(page.get_by_role("table", name="Panel members (1)")).to_contain_text(
        panel_member.full_name
    )
    assert PanelMember.objects.get(opportunity=opportunity).user == panel_member


def score_bid(page: Page, organisation_name: str, scores: dict[str, tuple[int, str]]) -> None:
    """A panel member declares no conflict on one bid, reads it, scores it and submits."""
    listing = page.get_by_role("table", name=re.compile("for you to consider"))
    expect(listing.get_by_role("row", name=re.compile(organisation_name))).to_contain_text(
        "Not yet"
    )
    submit_and_check(page, listing.get_by_role("link", name=f"Declare on {organisation_name}"))
    expect(page.get_by_role("main")).to_contain_text(f"Bid from {organisation_name}")
    # Nothing of the bid shows before the declaration.
    for title in scores:
        expect(page.get_by_role("main")).not_to_contain_text(title)
    page.get_by_role(
        "group", name="Do you have a conflict of interest with this bidder?"
    ).get_by_label("No, I have no conflict of interest").check()
    submit_and_check(page, page.get_by_role("button", name="Make the declaration"))
    expect(notice(page)).to_contain_text(
        "Your declaration is recorded. You can now read and score it."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Score the bid from {organisation_name}"
    )
    for title, (score, comment) in scores.items():
        expect(page.get_by_role("region", name=re.compile(title))).to_be_visible()
        field(page, f"Score for “{title}” (0 to 5)").fill(str(score))
        field(page, f"Comment on “{title}”").fill(comment)
    submit_and_check(page, page.get_by_role("button", name="Submit my scores"))
    expect(notice(page)).to_contain_text("Your scores are submitted and fixed.")
    submit_and_check(page, page.get_by_role("link", name="Bids to score"))
    expect(page.get_by_role("row", name=re.compile(organisation_name))).to_contain_text(
        "No conflict"
    )


def panel_scores(page: Page, panel_member: User, scores: dict[str, dict]) -> None:
    """The panel member follows the link in the email that seated them, and scores each bid."""
    (invitation,) = [m for m in mail.outbox if m.to == [panel_member.email]]
    sign_in(page, panel_member.email, PASSWORD)
    visit(page, path_in(invitation.body, r"/opportunities/\d+/panel/bids/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bids to score")
    for organisation_name, bid_scores in scores.items():
        score_bid(page, organisation_name, bid_scores)
    sign_out(page)


def moderate(page: Page, agreed: dict[str, dict], totals: dict[str, str]) -> None:
    """Agree each bid's scores, with a reason per criterion; the moderation page then shows the
    weighted totals, computed from the agreed scores."""
    for organisation_name, bid_agreed in agreed.items():
        table = page.get_by_role("table", name=re.compile("Scores for"))
        submit_and_check(page, table.get_by_role("link", name=f"Moderate {organisation_name}"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Agree the scores for {organisation_name}"
        )
        for title, (score, reason) in bid_agreed.items():
            field(page, f"Agreed score for “{title}” (0 to 5)").fill(str(score))
            field(page, f"Reason for the agreed score on “{title}”").fill(reason)
        submit_and_check(page, page.get_by_role("button", name="Save the agreed scores"))
        expect(notice(page)).to_contain_text(
            f"The agreed scores for {organisation_name} are saved."
        )
    table = page.get_by_role("table", name=re.compile("Scores for"))
    for organisation_name, total in totals.items():
        expect(table.get_by_role("row", name=re.compile(organisation_name))).to_contain_text(total)


def shortlist_both(page: Page, opportunity: Opportunity, names: list[str]) -> None:
    submit_and_check(page, page.get_by_role("link", name="Shortlist", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Shortlist")
    for name in names:
        page.get_by_role("group", name=f"Is {name} shortlisted?").get_by_label(
            "Shortlisted", exact=True
        ).check()
        field(page, f"Reason for the decision on {name}").fill(
            "A clear grasp of local need, and a proven advice service."
        )
    submit_and_check(
        page, page.get_by_role("button", name="Record the shortlist and invite full bids")
    )
    expect(notice(page)).to_contain_text(
        "The shortlist is recorded: 2 organisations are invited to write a full bid"
    )
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.INVITED
    assert set(
        Bid.objects.filter(opportunity=opportunity, stage=BidStage.EOI).values_list(
            "status", flat=True
        )
    ) == {BidStatus.SHORTLISTED}


# 4. Both write full bids, with full cost recovery budgets


def write_budget(page: Page, lines: list[tuple[str, str, str, str]], price: str) -> None:
    submit_and_check(page, page.get_by_role("link", name="The budget"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Full cost recovery budget")
    for number, (kind, description, amount, basis) in enumerate(lines, start=1):
        field(page, f"Line {number}: Kind of cost").select_option(label=kind)
        field(page, f"Line {number}: What it is").fill(description)
        field(page, f"Line {number}: Amount a year (£)").fill(amount)
        if basis:
            field(page, f"Line {number}: Apportionment basis (overheads)").fill(basis)
    field(page, "Price a year (£)").fill(price)
    submit_and_check(page, page.get_by_role("button", name="Save draft"))
    expect(notice(page)).to_contain_text("The budget is saved.")


def full_bid(page: Page, bidder: Bidder, answers: dict[str, str], lines, price: str) -> Bid:
    bid = start_bid(page, bidder, "full bid")
    limits = {title: limit for title, _kind, _weight, limit, _question in FULL_CRITERIA}
    write_answers(page, answers, limits)
    # No passport is reused: the organisation has none, so its documents would be attached.
    expect(page.get_by_role("region", name="Full cost recovery budget")).to_contain_text(
        "Not reused: documents are attached instead."
    )
    write_budget(page, lines, price)
    submit_and_check(page, page.get_by_role("link", name="Full bid", exact=True))
    return bid


# 6. Moderation and award; 7. feedback


def award_to(page: Page, opportunity: Opportunity, winner: str) -> None:
    submit_and_check(page, page.get_by_role("link", name="Award", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Award")
    lot = page.get_by_role("group", name=LOT)
    lot.get_by_role("group", name=f"Successful bid or bids for {LOT}").get_by_label(
        winner, exact=True
    ).check()
    field(lot, f"Reason for the decision on {LOT}").fill(
        "The highest weighted total: a well-planned service with strong local partners."
    )
    submit_and_check(page, page.get_by_role("button", name="Record the award"))
    expect(notice(page)).to_contain_text(
        "The award is recorded and the standstill period has started."
    )
    expect(page.get_by_role("table", name="The decision")).to_contain_text(winner)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.AWARDED


def read_feedback(page: Page, user: User, expected: dict) -> None:
    """The bidder signs in and opens the letter from the link in the email that brought it."""
    (email,) = [m for m in mail.outbox if user.email in m.to and "/feedback/" in m.body]
    sign_in(page, user.email, PASSWORD)
    visit(page, path_in(email.body, r"/bids/\d+/feedback/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback on your bid")
    letter = page.get_by_role("main")
    expect(letter).to_contain_text(f"your {expected['outcome']} bid for")
    expect(letter).to_contain_text(f"Your weighted total: {expected['total']} out of 100.")
    expect(letter).to_contain_text(f"it ranked {expected['rank']} of 2")
    expect(letter).to_contain_text(f"The winning score: {expected['winning']} out of 100.")
    scores = page.get_by_role("table", name="Your scores per criterion")
    for title, (score, reason, comment) in expected["criteria"].items():
        row = scores.get_by_role("row", name=re.compile(title))
        expect(row).to_contain_text(f"{score} of 5")
        expect(row).to_contain_text(reason)
        expect(row).to_contain_text(comment)
    expect(page.get_by_role("link", name="Download the letter as a PDF")).to_be_visible()
    sign_out(page)


def test_two_stage_opportunity_from_publication_to_feedback(page: Page):
    reference_data_ensure()
    contract_thresholds_ensure()
    borough = AreaFactory(name="Lindenford", ons_code="E09900001")
    WardFactory(name="Millbrook", ons_code="E05900007", parent=borough)
    WardFactory(name="Eastgate", ons_code="E05900003", parent=borough)
    WardFactory(name="Northcote", ons_code="E05900011", parent=borough)
    body = CommissioningBodyFactory(name="Lindenford Council")
    commissioner = UserFactory(email="cara@lindenford-council.example", full_name="Cara Obi")
    MembershipFactory(user=commissioner, organisation=body, role=MembershipRole.ADMIN)
    panellist = UserFactory(email="priya@lindenford-council.example", full_name="Priya Shah")
    MembershipFactory(user=panellist, organisation=body, role=MembershipRole.MEMBER)
    millbrook = OrganisationFactory(name="Millbrook Money Advice", charity_number="1170001")
    dee = UserFactory(email="dee@millbrook-money.example", full_name="Dee Okafor")
    MembershipFactory(user=dee, organisation=millbrook, role=MembershipRole.ADMIN)
    # The other bidder leads an active consortium with a food bank.
    eastgate = OrganisationFactory(name="Eastgate Advice Centre", charity_number="1170002")
    sam = UserFactory(email="sam@eastgate-advice.example", full_name="Sam Reid")
    MembershipFactory(user=sam, organisation=eastgate, role=MembershipRole.ADMIN)
    food_bank = OrganisationFactory(name="Northcote Food Bank", charity_number="1170003")
    ola = UserFactory(email="ola@northcote-food.example", full_name="Ola Mensah")
    MembershipFactory(user=ola, organisation=food_bank, role=MembershipRole.ADMIN)
    consortium = consortium_services.consortium_create(
        actor=sam, lead=eastgate, name="Lindenford Advice Partnership", lead_share=Decimal(70)
    )
    member = consortium_services.consortium_member_add(
        actor=sam,
        consortium=consortium,
        organisation=food_bank,
        role="Referrals and outreach at the food bank",
        indicative_share=Decimal(30),
    )
    consortium_services.consortium_member_confirm(actor=ola, member=member)
    consortium_services.consortium_status_change(
        actor=sam, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
    )
    assert Consortium.objects.get(pk=consortium.pk).status == ConsortiumStatus.ACTIVE
    alone = Bidder(dee, millbrook.name, f"{millbrook.name}, on its own")
    lead = Bidder(
        sam, eastgate.name, f"{eastgate.name} as the lead of the consortium {consortium.name}"
    )

    # 1. The commissioner writes the opportunity, its lot, question and criteria, and publishes.
    sign_in(page, commissioner.email, PASSWORD)
    visit(page, "/opportunities/")
    opportunity = write_opportunity(page, body.name)
    add_lot(page)
    add_eligibility_question(page)
    add_criteria(page, opportunity)
    publish(page, opportunity)
    sign_out(page)

    # 2. A charity on its own, and the consortium's lead once its member confirms, express
    # interest.
    eoi_alone = express_interest_alone(page, alone)
    eoi_lead = express_interest_as_consortium(page, lead, ola, food_bank.name)
    assert eoi_lead.consortium == consortium
    assert eoi_lead.member_confirmations.get().organisation == food_bank

    # 3. Before the deadline the commissioner sees how many there are, but cannot read them.
    sign_in(page, commissioner.email, PASSWORD)
    manage(page)
    counts = page.get_by_role("table", name="Number of bids by stage and status")
    expect(counts.get_by_role("row", name=re.compile("^Expression of interest"))).to_contain_text(
        "2"
    )
    visit(page, f"/bids/{eoi_alone.pk}/", status=404)
    # The expression of interest deadline passes.
    deadlines_pass(opportunity, stage=BidStage.EOI)
    manage(page)
    next_step(page, "Close expressions of interest")
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.EOI_CLOSED
    add_to_panel(page, panellist, opportunity)
    sign_out(page)

    panel_scores(
        page,
        panellist,
        {
            millbrook.name: {
                "Understanding of local need": (4, "Knows both wards well."),
                "Track record": (4, "A long record of casework."),
            },
            eastgate.name: {
                "Understanding of local need": (5, "Strong referral links with the food bank."),
                "Track record": (3, "A shorter record in Millbrook."),
            },
        },
    )

    sign_in(page, commissioner.email, PASSWORD)
    manage(page)
    submit_and_check(page, page.get_by_role("link", name="Moderation"))
    moderate(
        page,
        {
            millbrook.name: {
                "Understanding of local need": (4, "Agreed: good local knowledge."),
                "Track record": (4, "Agreed: twelve years of casework."),
            },
            eastgate.name: {
                "Understanding of local need": (5, "Agreed: the strongest referral links."),
                "Track record": (3, "Agreed: less experience in Millbrook."),
            },
        },
        # 4/5 of 60 and 4/5 of 40; 5/5 of 60 and 3/5 of 40
        {millbrook.name: "80.00", eastgate.name: "84.00"},
    )
    shortlist_both(page, opportunity, [eastgate.name, millbrook.name])
    sign_out(page)
    shortlisted = [m for m in mail.outbox if "shortlist" in m.subject.lower()]
    assert sorted(address for m in shortlisted for address in m.to) == [dee.email, sam.email]

    # 4. Both write full bids. The consortium's price is below its full cost, and it is warned.
    sign_in(page, dee.email, PASSWORD)
    full_alone = full_bid(
        page,
        alone,
        {
            "How the service will work": "Two caseworkers run weekly sessions in the library "
            "and the children's centre, with phone appointments in between.",
            "Social value": "We will train two local volunteers as advisers each year.",
        },
        [
            ("Direct staff costs", "Two debt caseworkers", "58,000", ""),
            ("Direct non-staff costs", "Venue hire, phones and travel", "9000", ""),
            (
                "Share of overheads",
                "Management, finance and premises",
                "8000",
                "Staff time: 2 of 11 posts",
            ),
        ],
        "75000",
    )
    budget = page.get_by_role("region", name="Full cost recovery budget")
    expect(budget.get_by_role("row", name=re.compile("Total full cost"))).to_contain_text(
        "£75,000.00"
    )
    expect(budget.get_by_role("row", name=re.compile("Recovery rate"))).to_contain_text("100.0%")
    receipt_alone = submit_bid(page, full_alone)
    sign_out(page)

    sign_in(page, sam.email, PASSWORD)
    full_lead = full_bid(
        page,
        lead,
        {
            "How the service will work": "A hub in Eastgate and outreach at the food bank "
            "in Northcote, with advisers who follow each case through to the end.",
            "Social value": "Three local jobs, and volunteer advisers from the food bank.",
        },
        [
            ("Direct staff costs", "Three part-time advisers", "61500", ""),
            ("Direct non-staff costs", "Outreach at the food bank", "7500", ""),
            ("Share of overheads", "Management and premises", "9000", "Floor area used"),
        ],
        "72000",
    )
    budget = page.get_by_role("region", name="Full cost recovery budget")
    expect(budget).to_contain_text(
        "the price does not cover the full cost. It is £6,000.00 a year short, recovering 92.3% "
        "of the full cost."
    )
    sign_out(page)
    member_confirms(page, ola, food_bank.name, "Full bid")
    sign_in(page, sam.email, PASSWORD)
    open_bid_from_list(page, "Full bid")
    receipt_lead = submit_bid(page, full_lead)
    sign_out(page)
    assert full_lead.price == Decimal("72000.00")
    assert sorted(full_lead.budget_lines.values_list("kind", "amount")) == [
        (BudgetLineKind.NON_STAFF, Decimal("7500.00")),
        (BudgetLineKind.OVERHEAD, Decimal("9000.00")),
        (BudgetLineKind.STAFF, Decimal("61500.00")),
    ]
    assert not full_alone.reuses_passport and not full_lead.reuses_passport
    assert receipt_alone.content_hash != receipt_lead.content_hash

    # 5. The bid deadline passes; the commissioner closes it and starts evaluation.
    deadlines_pass(opportunity, stage=BidStage.FULL)
    sign_in(page, commissioner.email, PASSWORD)
    manage(page)
    next_step(page, "Close for bids")
    next_step(page, "Start evaluation")
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.EVALUATING
    sign_out(page)

    panel_scores(
        page,
        panellist,
        {
            millbrook.name: {
                "How the service will work": (4, "A clear plan for outreach sessions."),
                "Social value": (2, "Little on volunteering."),
            },
            eastgate.name: {
                "How the service will work": (5, "The hub and outreach reach both wards."),
                "Social value": (4, "Local jobs and volunteer advisers."),
            },
        },
    )

    # 6. Moderation, then the award of the lot to the highest total.
    sign_in(page, commissioner.email, PASSWORD)
    manage(page)
    submit_and_check(page, page.get_by_role("link", name="Moderation"))
    moderate(
        page,
        {
            millbrook.name: {
                "How the service will work": (4, "Agreed: clear, but silent on waiting times."),
                "Social value": (3, "Raised from 2: the volunteer training is costed."),
            },
            eastgate.name: {
                "How the service will work": (5, "Agreed: the strongest delivery model."),
                "Social value": (4, "Agreed: local jobs and volunteering."),
            },
        },
        # 4/5 of 70 and 3/5 of 30; 5/5 of 70 and 4/5 of 30
        {millbrook.name: "74.00", eastgate.name: "94.00"},
    )
    award_to(page, opportunity, eastgate.name)
    sign_out(page)
    decision = AwardDecision.objects.get(opportunity=opportunity)
    assert decision.bid == full_lead
    assert decision.reason.startswith("The highest weighted total")
    full_alone.refresh_from_db()
    full_lead.refresh_from_db()
    assert (full_alone.status, full_lead.status) == (BidStatus.UNSUCCESSFUL, BidStatus.SUCCESSFUL)
    assert ModeratedScore.objects.filter(bid__opportunity=opportunity).count() == 8
    assert Score.objects.filter(bid__opportunity=opportunity).count() == 8
    assert PanelSubmission.objects.filter(bid__opportunity=opportunity).count() == 4
    assert (
        list(
            ConflictDeclaration.objects.filter(bid__opportunity=opportunity).values_list(
                "has_conflict", flat=True
            )
        )
        == [False] * 4
    )

    # 7. Both bidders read their feedback; the public page shows the award notice.
    letters = {letter.bid_id: letter.content for letter in FeedbackLetter.objects.all()}
    assert letters[full_alone.pk]["total"] == "74.00"
    assert letters[full_lead.pk]["total"] == "94.00"
    read_feedback(
        page,
        dee,
        {
            "outcome": "unsuccessful",
            "total": "74.00",
            "rank": 2,
            "winning": "94.00",
            "criteria": {
                "How the service will work": (
                    4,
                    "Agreed: clear, but silent on waiting times.",
                    "A clear plan for outreach sessions.",
                ),
                "Social value": (
                    3,
                    "Raised from 2: the volunteer training is costed.",
                    "Little on volunteering.",
                ),
            },
        },
    )
    read_feedback(
        page,
        sam,
        {
            "outcome": "successful",
            "total": "94.00",
            "rank": 1,
            "winning": "94.00",
            "criteria": {
                "How the service will work": (
                    5,
                    "Agreed: the strongest delivery model.",
                    "The hub and outreach reach both wards.",
                ),
                "Social value": (
                    4,
                    "Agreed: local jobs and volunteering.",
                    "Local jobs and volunteer advisers.",
                ),
            },
        },
    )
    visit(page, f"/opportunities/{opportunity.pk}/")
    notice_of_award = page.get_by_role("region", name="Award notice")
    awarded = notice_of_award.get_by_role("table", name="Who was awarded each lot")
    expect(awarded.get_by_role("row", name=re.compile(LOT))).to_contain_text(eastgate.name)
    expect(notice_of_award).not_to_contain_text(millbrook.name)
    expect(notice_of_award).to_contain_text("The standstill period ends on")
