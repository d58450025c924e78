"""Access rows for needs assessments and the evidence library. The object URLs point at an
assessment that the commissioner's body shares with network members only, so anonymous people
are not told it exists."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from commissioning.models import Visibility
    from commissioning.services.assessments import (
        needs_assessment_create,
        needs_assessment_document_add,
    )
    from tests.factories import AreaFactory, ServiceCategoryFactory
    from tests.factories.providers import PDF_BYTES

    commissioner = base["users"]["commissioner"]
    today = timezone.localdate()
    assessment = needs_assessment_create(
        actor=commissioner,
        body=base["commissioning_body"],
        data={
            "title": "Debt advice needs in Lindenford",
            "summary": "More people need debt advice than services can see.",
            "method": "Case records and a survey.",
            "involvement": "Workshops with advice agencies.",
            "assessed_on": today - timedelta(days=10),
            "next_review_on": today + timedelta(days=300),
            "visibility": Visibility.NETWORK,
        },
        m2m={"themes": [ServiceCategoryFactory()], "areas": [AreaFactory()]},
    )
    document = needs_assessment_document_add(
        actor=commissioner,
        assessment=assessment,
        file=SimpleUploadedFile("survey.pdf", PDF_BYTES, "application/pdf"),
    )
    return {
        "commissioning:assessment": {"pk": assessment.pk},
        "commissioning:assessment_edit": {"pk": assessment.pk},
        "commissioning:assessment_reviewed": {"pk": assessment.pk},
        "commissioning:assessment_document_add": {"pk": assessment.pk},
        "commissioning:assessment_document": {"pk": document.pk},
        "commissioning:assessment_document_delete": {"pk": document.pk},
    }


ROWS = {
    # The library is public: it lists what each person may see (public assessments for everyone,
    # the rest for network members).
    "commissioning:evidence_library": row(200, 200, 200, 200, 200),
    "commissioning:evidence_library_csv": row(200, 200, 200, 200, 200),
    # A network-only assessment and its documents: every network member, and no one else.
    "commissioning:assessment": row(404, 200, 200, 200, 200),
    "commissioning:assessment_document": row(404, 200, 200, 200, 200),
    # Writing: the owning body's members (commissioners) only.
    "commissioning:assessment_create": row(302, 403, 200, 403, 403),
    "commissioning:assessment_edit": row(302, 403, 200, 403, 403),
    "commissioning:assessment_document_add": row(302, 403, 200, 403, 403),
    # POST only.
    "commissioning:assessment_reviewed": row(302, 405, 405, 405, 405),
    "commissioning:assessment_document_delete": row(302, 405, 405, 405, 405),
}
