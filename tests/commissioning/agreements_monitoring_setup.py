"""Shared set-up for the monitoring returns tests: an agreement of the lead body with the
provider, its measures, a return due a fortnight ago, and returns moved on through the services,
as providers and commissioners move them."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.models import MeasureValueKind, MonitoringReturn
from commissioning.services import agreements_monitoring as services
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    MonitoringReturnFactory,
    OutcomeMeasureFactory,
)

PDF = b"%PDF-1.4\n% monitoring evidence\n"


def agreement_with_measures(body, provider_org, **kwargs):
    """An agreement with a measure of each kind of value: a count, a percentage and money."""
    agreement = AgreementFactory(body=body, provider=provider_org, **kwargs)
    measures = [
        OutcomeMeasureFactory(
            agreement=agreement, name="People supported", unit="people", target=Decimal("40")
        ),
        OutcomeMeasureFactory(
            agreement=agreement,
            name="Say they feel less isolated",
            unit="%",
            value_kind=MeasureValueKind.PERCENTAGE,
            target=Decimal("70"),
            payment_linked=True,
        ),
        OutcomeMeasureFactory(
            agreement=agreement,
            name="Volunteer time given",
            unit="pounds",
            value_kind=MeasureValueKind.MONEY,
            target=Decimal("2500"),
        ),
    ]
    return agreement, measures


def due_return(agreement, **kwargs) -> MonitoringReturn:
    """The last quarter's return: its period ended a month ago and it fell due a fortnight ago."""
    return MonitoringReturnFactory(agreement=agreement, **kwargs)


def good_values(measures) -> dict[int, tuple[Decimal, str]]:
    figures = [Decimal("42"), Decimal("81.5"), Decimal("2600.00")]
    return {m.pk: (figure, "") for m, figure in zip(measures, figures, strict=False)}


def good_draft(measures, **kwargs) -> services.ReturnDraft:
    return services.ReturnDraft(
        values=kwargs.pop("values", good_values(measures)),
        narrative=kwargs.pop("narrative", "We ran the weekly drop-ins and the phone line."),
        **kwargs,
    )


def good_post(measures, **extra) -> dict[str, str]:
    """The return form as a provider fills it in."""
    data = {
        "narrative": "We ran the weekly drop-ins and the phone line.",
        "feedback_summary": "People liked the Tuesday group.",
        "concerns": "",
    }
    for measure, (value, _note) in good_values(measures).items():
        data[f"value_{measure}"] = f"{value}"
        data[f"note_{measure}"] = ""
    data.update(extra)
    return data


def submit(monitoring_return, actor, measures) -> MonitoringReturn:
    submitted, _ = services.return_submit(
        actor=actor, monitoring_return=monitoring_return, draft=good_draft(measures)
    )
    return submitted


def review(monitoring_return, actor, *, decision="accept", rating="good", **kwargs):
    """Review through the service, rating every measure as the overall rating unless told."""
    values = list(monitoring_return.values.all())
    ratings = kwargs.pop(
        "ratings",
        {v.pk: services.MeasureReview(rating=rating, comment="As agreed.") for v in values},
    )
    return services.return_review(
        actor=actor,
        monitoring_return=monitoring_return,
        decision=decision,
        ratings=ratings,
        rating=kwargs.pop("overall", rating),
        rating_comment=kwargs.pop("rating_comment", "Steady progress."),
        returned_reason=kwargs.pop("returned_reason", ""),
        **kwargs,
    )


def pdf(name: str = "register.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def set_status(monitoring_return, status: str) -> MonitoringReturn:
    """Put a return straight into a status, for walking the transitions table."""
    MonitoringReturn.objects.filter(pk=monitoring_return.pk).update(status=status)
    monitoring_return.refresh_from_db()
    return monitoring_return
