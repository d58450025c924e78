"""Access rows for opportunities: the public list and page, writing one, its status moves,
registering interest and the commissioners' page."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from django.core.files.base import ContentFile

    from commissioning.models import OpportunityDocument, OpportunityStatus
    from tests.factories.commissioning_sourcing import OpportunityFactory

    # A draft of the commissioner's body: hidden from the public and providers.
    draft = OpportunityFactory(
        body=base["commissioning_body"],
        created_by=base["users"]["commissioner"],
        status=OpportunityStatus.DRAFT,
        published_at=None,
        title="Opportunities access draft",
    )
    # A published one's document: anyone may download it.
    published = OpportunityFactory(
        body=base["commissioning_body"], created_by=base["users"]["commissioner"]
    )
    document = OpportunityDocument(
        opportunity=published,
        title="Specification",
        original_name="specification.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=base["users"]["commissioner"],
    )
    document.file.save("specification.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    return {
        name: {"pk": draft.pk}
        for name in (
            "commissioning:opportunity",
            "commissioning:opportunity_edit",
            "commissioning:opportunity_lots",
            "commissioning:opportunity_criteria",
            "commissioning:opportunity_eligibility",
            "commissioning:opportunity_documents",
            "commissioning:opportunity_publish",
            "commissioning:opportunity_status",
            "commissioning:opportunity_cancel",
            "commissioning:opportunity_interest",
            "commissioning:opportunity_manage",
        )
    } | {"commissioning:opportunity_document": {"pk": document.pk}}


# A body's draft: its members run it; network admins read it but cannot change it (403); the
# public and providers do not know it exists (404).
_RUN = row(302, 404, 200, 403, 404)
_POST = row(302, 405, 405, 405, 405)

ROWS = {
    "commissioning:opportunity_list": row(200, 200, 200, 200, 200),
    "commissioning:opportunity_list_csv": row(200, 200, 200, 200, 200),
    "commissioning:opportunity": row(404, 404, 200, 200, 404),
    "commissioning:opportunity_create": row(302, 403, 200, 403, 403),
    "commissioning:opportunity_edit": _RUN,
    "commissioning:opportunity_lots": _RUN,
    "commissioning:opportunity_criteria": _RUN,
    "commissioning:opportunity_eligibility": _RUN,
    "commissioning:opportunity_documents": _RUN,
    "commissioning:opportunity_cancel": _RUN,
    "commissioning:opportunity_manage": _RUN,
    "commissioning:opportunity_document": row(200, 200, 200, 200, 200),
    "commissioning:opportunity_publish": _POST,
    "commissioning:opportunity_status": _POST,
    "commissioning:opportunity_interest": _POST,
}
