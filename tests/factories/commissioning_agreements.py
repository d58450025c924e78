"""Factories for agreements and monitoring. They set rows directly, for tests of reads and access;
workflow moves go through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from commissioning.models import (
    Agreement,
    AgreementFunder,
    AgreementKind,
    AgreementMember,
    AgreementMemberRole,
    AgreementStatus,
    AgreementVersion,
    AgreementYear,
    ImprovementAction,
    ImprovementPlan,
    Instalment,
    MonitoringReturn,
    MultiYearFunding,
    Notice,
    NoticeKind,
    OutcomeMeasure,
    ProcurementRoute,
    ReturnStatus,
    ReturnValue,
    ServiceUserFeedback,
    Visit,
    VisitKind,
)

from .accounts import CommissioningBodyFactory, OrganisationFactory, UserFactory


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active three-year grant that started on 1 April this financial year, worth £50,000 a
    year, with no measures, instalments or returns unless asked for."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"AG-LIN-2026-{n:04d}")
    kind = AgreementKind.GRANT
    title = factory.Sequence(lambda n: f"Community wellbeing grant {n}")
    description = "Drop-in support and befriending for older people."
    body = factory.SubFactory(CommissioningBodyFactory)
    provider = factory.SubFactory(OrganisationFactory)
    procurement_route = ProcurementRoute.GRANT_ROUND
    start_on = factory.LazyFunction(
        lambda: date(timezone.localdate().year - (timezone.localdate().month < 4), 4, 1)
    )
    end_on = factory.LazyAttribute(lambda o: date(o.start_on.year + 3, 3, 31))
    total_value = Decimal("150000")
    multi_year_funding = MultiYearFunding.PASSED_ON
    full_cost_recovery = True
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_years(self, create, extracted, **kwargs):
        """One AgreementYear a financial year, sharing total_value, unless with_years=False."""
        if not create or extracted is False:
            return
        years = list(range(self.start_on.year, self.end_on.year + (self.end_on.month >= 4)))
        if not years:
            return
        share = (self.total_value / len(years)).quantize(Decimal("0.01"))
        for year in years:
            AgreementYear.objects.create(agreement=self, start_year=year, amount=share)
        AgreementVersion.objects.create(
            agreement=self, number=1, snapshot={"title": self.title}, made_by=self.created_by
        )


class AgreementMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementMember

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = AgreementMemberRole.MEMBER


class AgreementFunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementFunder

    agreement = factory.SubFactory(AgreementFactory)
    body = factory.SubFactory(CommissioningBodyFactory)
    contribution = Decimal("30000")


class InstalmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instalment

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    amount = Decimal("12500")


class OutcomeMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeMeasure

    agreement = factory.SubFactory(AgreementFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"People supported {n}")
    unit = "people"
    target = Decimal("40")
    evidence_required = "A list of sessions with attendance, anonymised."


class MonitoringReturnFactory(factory.django.DjangoModelFactory):
    """A return for the last full quarter, due a fortnight ago and not yet submitted."""

    class Meta:
        model = MonitoringReturn

    agreement = factory.SubFactory(AgreementFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=120))
    period_end = factory.LazyAttribute(lambda o: o.period_start + timedelta(days=90))
    due_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))
    status = ReturnStatus.DUE
    submitted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != ReturnStatus.DUE else None
    )


class ReturnValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnValue

    monitoring_return = factory.SubFactory(MonitoringReturnFactory)
    measure = factory.SubFactory(OutcomeMeasureFactory)
    value = Decimal("38")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    agreement = factory.SubFactory(AgreementFactory)
    kind = VisitKind.PHYSICAL
    planned_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    visitors = "Sam Okafor (contracts officer)"
    recorded_by = factory.SubFactory(UserFactory)


class ImprovementPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementPlan

    agreement = factory.SubFactory(AgreementFactory)
    issues = "Fewer people reached than agreed."
    support_offered = "Mentoring from the local infrastructure body."
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementAction

    plan = factory.SubFactory(ImprovementPlanFactory)
    description = "Run outreach sessions at the two GP surgeries."
    owner = "Service manager"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    agreement = factory.SubFactory(AgreementFactory)
    kind = NoticeKind.END
    given_on = factory.LazyFunction(timezone.localdate)
    takes_effect_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=100))
    details = "Funding ends at the end of the term."
    recorded_by = factory.SubFactory(UserFactory)


class ServiceUserFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUserFeedback

    agreement = factory.SubFactory(AgreementFactory)
    rating = 4
    themes = factory.LazyFunction(lambda: ["staff"])
    went_well = "The staff listened and knew what to do."
    could_be_better = "The waiting room is cold."


__all__ = [
    "AgreementFactory",
    "AgreementFunderFactory",
    "AgreementMemberFactory",
    "AgreementStatus",
    "ImprovementActionFactory",
    "ImprovementPlanFactory",
    "InstalmentFactory",
    "MonitoringReturnFactory",
    "NoticeFactory",
    "OutcomeMeasureFactory",
    "ReturnValueFactory",
    "ServiceUserFeedbackFactory",
    "VisitFactory",
]


def _attendance_pdf():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n% attendance\n", name="attendance.pdf")


class ReturnEvidenceFactory(factory.django.DjangoModelFactory):
    """A small PDF attached to a return (added by the monitoring returns part)."""

    class Meta:
        model = "commissioning.ReturnEvidence"

    monitoring_return = factory.SubFactory(MonitoringReturnFactory)
    title = "Attendance register"
    file = factory.LazyFunction(_attendance_pdf)
    original_name = "attendance.pdf"
    content_type = "application/pdf"
    size = 22
    uploaded_by = factory.SubFactory(UserFactory)
