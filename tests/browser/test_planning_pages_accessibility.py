"""Every commissioning page (the evidence base, business cases, the forward plan and commissioning
together), on the demo network, for the roles that use it, checked with axe."""

import pytest
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Organisation, User
from commissioning.models import (
    BusinessCase,
    BusinessCaseStatus,
    CommissioningIntention,
    ContractThreshold,
    Indicator,
    IntentionStatus,
    JointExercise,
    JointModel,
    NeedsAssessment,
    Outcome,
    OverlapPair,
    StrategyPriority,
    Visibility,
)
from commissioning.services.indicator_imports import indicator_import_create
from commissioning.services.joint import joint_exercise_create
from providers.models import ServiceCategory
from reporting.management.commands.seed_demo import seed
from tests.browser.axe import sign_in, sign_out, visit
from tests.factories.commissioning_business_cases import make_business_case

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"
COMMISSIONER = "commissioner@example.org"
PROVIDER = "provider@example.org"
ADMIN = "admin@example.org"
IMPORT_CSV = (
    "Indicator ID,Area Code,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit\n"
    "FP-01,E92000001,2024/25,12.9,12.8,13.0\n"
    "FP-01,E05999999,2024/25,14.0,12.0,16.0\n"
)


@pytest.fixture
def demo_network(transactional_db):
    seed()  # which puts back the contract thresholds the flush after a live-server test removes


def commissioner_body() -> Organisation:
    return Organisation.objects.get(memberships__user__email=COMMISSIONER)


def test_commissioner_pages(page: Page, demo_network):
    commissioner = User.objects.get(email=COMMISSIONER)
    body = commissioner_body()
    indicator = Indicator.objects.get(code="FP-01")
    job = indicator_import_create(
        actor=commissioner, original_name="fuel-poverty.csv", data=IMPORT_CSV.encode()
    )
    own_assessment = NeedsAssessment.objects.get(body=body)
    overdue_assessment = NeedsAssessment.objects.exclude(body=body).get(
        next_review_on__lt=timezone.localdate()
    )
    approved_case = BusinessCase.objects.get(body=body, status=BusinessCaseStatus.APPROVED)
    others_case = BusinessCase.objects.exclude(body=body).first()
    draft_case = make_business_case(
        actor=commissioner,
        body=body,
        title="Day opportunities for people with dementia",
        outcomes=list(Outcome.objects.filter(name__startswith="Older people")),
    )
    own_intention = CommissioningIntention.objects.get(body=body)
    others_draft = CommissioningIntention.objects.exclude(body=body).get(
        status=IntentionStatus.DRAFT
    )
    first_pair, second_pair = OverlapPair.objects.filter(
        Q(first_body=body) | Q(second_body=body)
    ).order_by("pk")[:2]
    partner = (
        second_pair.second_body if second_pair.first_body_id == body.pk else second_pair.first_body
    )
    exercise = joint_exercise_create(
        actor=commissioner,
        pair=second_pair,
        title="Befriending and social prescribing, together",
        purpose="Adult social care and the NHS fund one befriending service.",
        lead=body,
        model=JointModel.ALIGNED,
        partners=[partner],
    )
    others_exercise = JointExercise.objects.exclude(pk=exercise.pk).get()
    debt_advice = ServiceCategory.objects.get(code="debt-advice")

    sign_in(page, COMMISSIONER, DEMO_PASSWORD)
    for url in (
        "/planning/",
        "/planning/outcomes/",
        f"/indicators/{indicator.pk}/",
        f"/indicators/{indicator.pk}/values/new/",
        "/indicators/import/",
        f"/indicators/import/{job.pk}/",
        "/evidence/",
        "/evidence/?freshness=overdue",
        f"/evidence/assessments/{own_assessment.pk}/",
        f"/evidence/assessments/{overdue_assessment.pk}/",
        "/evidence/assessments/new/",
        f"/evidence/assessments/{own_assessment.pk}/edit/",
        f"/evidence/assessments/{own_assessment.pk}/documents/new/",
        "/business-cases/",
        f"/business-cases/{approved_case.pk}/",
        f"/business-cases/{others_case.pk}/",
        f"/business-cases/{draft_case.pk}/",
        "/business-cases/new/",
        f"/business-cases/{draft_case.pk}/edit/",
        "/intentions/",
        f"/intentions/{own_intention.pk}/",
        f"/intentions/{others_draft.pk}/",
        "/intentions/new/",
        f"/intentions/{own_intention.pk}/edit/",
        "/forward-plan/",
        "/commission-together/",
        f"/commission-together/{first_pair.pk}/dismiss/",
        f"/commission-together/{first_pair.pk}/joint-exercise/",
        "/joint-exercises/",
        f"/joint-exercises/{exercise.pk}/",
        f"/joint-exercises/{exercise.pk}/edit/",
        f"/joint-exercises/{exercise.pk}/contributions/",
        f"/joint-exercises/{others_exercise.pk}/",
        "/gap-analysis/",
        f"/gap-analysis/?category={debt_advice.pk}",
    ):
        visit(page, url)
    # The last page is the gap analysis for debt advice, with its matrix of areas.
    expect(page.get_by_role("table")).to_contain_text("Provision: Debt advice")
    sign_out(page)


def test_provider_pages(page: Page, demo_network):
    public = NeedsAssessment.objects.filter(visibility=Visibility.PUBLIC).first()
    published = CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED).first()
    sign_in(page, PROVIDER, DEMO_PASSWORD)
    for url in (
        "/forward-plan/",
        f"/intentions/{published.pk}/",
        "/alerts/",
        "/evidence/",
        f"/evidence/assessments/{public.pk}/",
    ):
        visit(page, url)
    expect(page.get_by_role("heading", level=1)).to_have_text(public.title)
    sign_out(page)


def test_public_pages(page: Page, demo_network):
    public = NeedsAssessment.objects.filter(visibility=Visibility.PUBLIC).first()
    published = CommissioningIntention.objects.filter(status=IntentionStatus.PUBLISHED).first()
    for url in (
        "/forward-plan/",
        f"/intentions/{published.pk}/",
        "/evidence/",
        f"/evidence/assessments/{public.pk}/",
    ):
        visit(page, url)
    expect(page.get_by_role("heading", level=1)).to_have_text(public.title)


def test_network_admin_pages(page: Page, demo_network):
    priority = StrategyPriority.objects.order_by("pk").first()
    outcome = Outcome.objects.order_by("pk").first()
    indicator = Indicator.objects.get(code="FP-01")
    threshold = ContractThreshold.objects.get(code="sub-central")
    exercise = JointExercise.objects.get()
    sign_in(page, ADMIN, DEMO_PASSWORD)
    visit(page, "/planning/outcomes/")
    expect(page.get_by_role("link", name=f"Edit the priority {priority.name}")).to_be_visible()
    for url in (
        "/planning/",
        "/planning/outcomes/priorities/new/",
        f"/planning/outcomes/priorities/{priority.pk}/",
        "/planning/outcomes/outcomes/new/",
        f"/planning/outcomes/outcomes/{outcome.pk}/",
        "/planning/outcomes/indicators/new/",
        f"/planning/outcomes/indicators/{indicator.pk}/",
        f"/indicators/{indicator.pk}/",
        "/indicators/import/",
        "/contract-thresholds/",
        f"/contract-thresholds/{threshold.pk}/edit/",
        "/business-cases/",
        "/intentions/",
        "/commission-together/",
        f"/joint-exercises/{exercise.pk}/",
        "/gap-analysis/",
    ):
        visit(page, url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sign_out(page)
