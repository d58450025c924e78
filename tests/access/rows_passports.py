"""Access rows for the pre-qualification passport: the organisation's own page and documents,
and the network admins' review queue."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from providers.models import PassportDocumentKind
    from providers.services.passports import passport_document_upload
    from tests.factories.providers import PDF_BYTES

    document = passport_document_upload(
        actor=base["users"]["provider"],
        organisation=base["provider_org"],
        kind=PassportDocumentKind.SAFEGUARDING,
        file=SimpleUploadedFile("safeguarding.pdf", PDF_BYTES, "application/pdf"),
    )
    return {
        "providers:passport": {"pk": base["provider_org"].pk},
        "providers:passport_document": {"pk": document.pk},
        "providers:passport_review": {"pk": document.pk},
    }


ROWS = {
    # The organisation's members and network admins; to anyone else it does not exist.
    "providers:passport": row(302, 200, 404, 200, 404),
    "providers:passport_document": row(302, 200, 404, 200, 404),
    # Reviewing: network admins only.
    "providers:passport_queue": row(302, 403, 403, 200, 403),
    "providers:passport_review": row(302, 403, 403, 200, 403),
}
