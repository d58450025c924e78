"""Access rows for monitoring returns. The network's commissioners and admins read every return;
the provider reads its own; anyone else gets 404. The lead provider fills in and submits; the
lead body reviews; everyone else who can see the return gets 403."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from commissioning.models import ReturnStatus
    from tests.factories.commissioning_agreements import (
        AgreementFactory,
        MonitoringReturnFactory,
        OutcomeMeasureFactory,
        ReturnEvidenceFactory,
        ReturnValueFactory,
    )

    provider = base["users"]["provider"]
    agreement = AgreementFactory(
        body=base["commissioning_body"],
        provider=base["provider_org"],
        title="Returns access: befriending",
    )
    measure = OutcomeMeasureFactory(agreement=agreement)
    due = MonitoringReturnFactory(agreement=agreement)
    evidence = ReturnEvidenceFactory(monitoring_return=due, uploaded_by=provider)
    submitted = MonitoringReturnFactory(
        agreement=agreement,
        period_start=due.period_start.replace(year=due.period_start.year - 1),
        period_end=due.period_end.replace(year=due.period_end.year - 1),
        status=ReturnStatus.SUBMITTED,
        submitted_by=provider,
        narrative="We ran the drop-ins every week.",
    )
    ReturnValueFactory(monitoring_return=submitted, measure=measure)
    return {
        "commissioning:return": {"pk": due.pk},
        "commissioning:return_submit": {"pk": due.pk},
        "commissioning:return_evidence": {"pk": due.pk},
        "commissioning:return_evidence_file": {"pk": evidence.pk},
        "commissioning:return_evidence_delete": {"pk": evidence.pk},
        "commissioning:return_review": {"pk": submitted.pk},
    }


POST_ONLY = row(302, 405, 405, 405, 405)

ROWS = {
    # Commissioners and network admins read the network's returns; the provider its own.
    "commissioning:return": row(302, 200, 200, 200, 404),
    "commissioning:return_evidence_file": row(302, 200, 200, 200, 404),
    # The lead provider's members fill in a return; those who only read it are refused.
    "commissioning:return_submit": row(302, 200, 403, 403, 404),
    "commissioning:return_evidence": POST_ONLY,
    "commissioning:return_evidence_delete": POST_ONLY,
    # The lead body's members review it.
    "commissioning:return_review": row(302, 403, 200, 403, 404),
    # The lists: commissioners' returns to review, and the returns a provider owes.
    "commissioning:returns_to_review": row(302, 403, 200, 403, 403),
    "commissioning:returns_due": row(302, 200, 403, 403, 200),
}
