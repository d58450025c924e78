"""The demo agreements: the awarded carers' tender made into a contract and a dozen more across
bodies, kinds and routes, with payments, returns, ratings, an improvement plan, a visit,
feedback and an ended agreement; the demo provider has a return due now on an agreement the demo
commissioner's body leads; a second run adds nothing; and the open data built from them
validates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from commissioning.models import (
    Agreement,
    AgreementFunder,
    AgreementKind,
    AgreementMember,
    AgreementStatus,
    AgreementVersion,
    AgreementYear,
    ImprovementPlan,
    Instalment,
    MonitoringReturn,
    Notice,
    OutcomeMeasure,
    PerformanceRating,
    ProcurementRoute,
    ReturnStatus,
    ReturnValue,
    Risk,
    ServiceUserFeedback,
    Visit,
)
from reporting.management.commands.seed_demo import seed
from tests.commissioning.agreements_opendata_schemas import valid_grants, valid_releases

pytestmark = pytest.mark.django_db

MODELS = (
    Agreement,
    AgreementYear,
    AgreementFunder,
    AgreementMember,
    AgreementVersion,
    Instalment,
    OutcomeMeasure,
    Risk,
    MonitoringReturn,
    ReturnValue,
    ImprovementPlan,
    Visit,
    Notice,
    ServiceUserFeedback,
    AuditEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded():
    seed()


def test_a_second_run_adds_nothing_and_the_award_became_a_contract(seeded):
    before = counts()
    assert before["Agreement"] >= 13
    seed()
    assert counts() == before
    agreement = Agreement.objects.select_related("award", "opportunity").get(
        opportunity__reference="LC-ASC-2026-0007"
    )
    assert agreement.award is not None
    assert agreement.kind == AgreementKind.CONTRACT
    assert agreement.provider == agreement.award.bid.organisation
    assert agreement.start_on == agreement.opportunity.contract_start_on
    assert agreement.total_value == sum(y.amount for y in agreement.years.all())
    assert agreement.full_cost_recovery_from_bid
    assert agreement.returns.exists() and agreement.instalments.exists()
    assert AuditEvent.objects.filter(action="agreement.created", object_id=str(agreement.pk))


def test_the_demo_provider_has_a_return_due_now_and_others_are_reviewed(seeded):
    provider_org = Membership.objects.get(user__email="provider@example.org").organisation
    body = Membership.objects.get(user__email="commissioner@example.org").organisation
    today = timezone.localdate()
    due_now = MonitoringReturn.objects.filter(
        agreement__provider=provider_org,
        agreement__body=body,
        agreement__status=AgreementStatus.ACTIVE,
        status=ReturnStatus.DUE,
        period_end__lt=today,
        due_on__gte=today,
    )
    assert due_now.exists()
    agreement = due_now.first().agreement
    # Earlier returns are in and accepted; the provider's feedback and a visit are recorded.
    earlier = agreement.returns.filter(due_on__lt=today)
    assert earlier.exists()
    assert not earlier.exclude(status=ReturnStatus.ACCEPTED).exists()
    assert agreement.user_feedback.count() >= 5
    assert agreement.visits.filter(completed_on__isnull=False).exists()
    paid = Instalment.objects.filter(paid_on__isnull=False)
    assert paid.count() >= 10
    assert paid.filter(paid_on__gt=F("due_on")).count() == 1
    assert Instalment.objects.filter(paid_on__isnull=True).exists()
    assert (
        MonitoringReturn.objects.filter(status=ReturnStatus.ACCEPTED).exclude(rating="").count()
        >= 10
    )
    assert MonitoringReturn.objects.filter(status=ReturnStatus.SUBMITTED).exists()
    assert (
        MonitoringReturn.objects.filter(status=ReturnStatus.RETURNED)
        .exclude(returned_reason="")
        .exists()
    )
    assert MonitoringReturn.objects.filter(status=ReturnStatus.DUE, due_on__lt=today).exists()
    poor = MonitoringReturn.objects.get(rating=PerformanceRating.REQUIRES_IMPROVEMENT)
    plan = ImprovementPlan.objects.get(opened_by_return=poor)
    assert plan.support_offered and plan.actions.count() == 2
    assert poor.values.exists()
    # The commissioner's body has a submitted return waiting for review.
    assert MonitoringReturn.objects.filter(
        agreement__body=body, status=ReturnStatus.SUBMITTED
    ).exists()


def test_the_agreements_cover_the_network(seeded):
    agreements = Agreement.objects.all()
    assert agreements.values("body").distinct().count() >= 6
    assert agreements.values("provider").distinct().count() >= 10
    assert set(agreements.values_list("kind", flat=True)) == set(AgreementKind.values)
    assert set(agreements.values_list("procurement_route", flat=True)) >= {
        ProcurementRoute.OPEN_COMPETITION,
        ProcurementRoute.GRANT_ROUND,
        ProcurementRoute.DIRECT_AWARD,
        ProcurementRoute.ROLLING,
    }
    today = timezone.localdate()
    live = agreements.filter(status__in=(AgreementStatus.ACTIVE, AgreementStatus.ENDING))
    assert live.filter(end_on__lte=today + timedelta(days=365)).count() >= 3
    assert agreements.filter(status=AgreementStatus.ENDING, notices__isnull=False).exists()
    assert AgreementFunder.objects.exists()
    assert AgreementMember.objects.exists()
    # Every agreement's years add up to its value, and it has measures, risks and a version.
    for agreement in agreements.prefetch_related("years"):
        assert agreement.total_value == sum(y.amount for y in agreement.years.all())
        assert agreement.measures.exists() and agreement.risks.exists()
        assert agreement.versions.filter(number=1).exists()
    ended = Agreement.objects.get(status=AgreementStatus.ENDED)
    assert ended.end_feedback and ended.end_feedback_by and ended.end_feedback_at
    assert ended.tracking_until > ended.end_on
    assert ended.returns.filter(after_end=True).exists()
    terminated = Agreement.objects.get(status=AgreementStatus.TERMINATED)
    assert terminated.terminated_reason
    # No return is asked for a period after it ended.
    assert not terminated.returns.filter(
        status=ReturnStatus.DUE,
        period_start__gt=timezone.localdate(terminated.status_changed_at),
    ).exists()


def test_the_open_data_validates_on_the_demo(seeded, client):
    valid_grants(client.get(reverse("commissioning:open_data_360giving")).json())
    package = valid_releases(client.get(reverse("commissioning:ocds_releases")).json())
    tags = {tag for release in package["releases"] for tag in release["tag"]}
    assert {"contract", "implementation"} <= tags
