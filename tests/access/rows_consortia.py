"""Access rows for consortia and support links. The consortium is still forming, led by the
provider's organisation with one other charity as a member, so only they (and network admins)
can see it."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from providers.services.consortia import (
        consortium_create,
        consortium_member_add,
        support_link_add,
    )
    from tests.factories import OrganisationFactory
    from tests.factories.providers import PDF_BYTES

    provider = base["users"]["provider"]
    organisation = base["provider_org"]
    consortium = consortium_create(
        actor=provider,
        lead=organisation,
        name="Riverside Advice Partnership",
        lead_share=Decimal(50),
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile("agreement.pdf", PDF_BYTES, "application/pdf"),
    )
    member = consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=OrganisationFactory(name="Eastside Food Bank"),
        role="Food parcels",
        indicative_share=Decimal(50),
    )
    link = support_link_add(
        actor=provider,
        anchor=organisation,
        partner=OrganisationFactory(name="Tenants Together"),
        kind="supports",
    )
    consortium_urls = [
        "providers:consortium",
        "providers:consortium_edit",
        "providers:consortium_member_add",
        "providers:consortium_status",
        "providers:consortium_document",
    ]
    return {
        **{name: {"pk": consortium.pk} for name in consortium_urls},
        "providers:consortium_member_edit": {"pk": consortium.pk, "member_pk": member.pk},
        "providers:consortium_member_confirm": {"pk": consortium.pk, "member_pk": member.pk},
        "providers:support_links": {"pk": organisation.pk},
        "providers:support_link_delete": {"pk": organisation.pk, "link_pk": link.pk},
    }


ROWS = {
    # Active consortia are listed for everyone; forming ones only to their own organisations.
    "providers:consortium_list": row(200, 200, 200, 200, 200),
    # Forming a consortium: admins of a verified charity (the outsider runs one too).
    "providers:consortium_create": row(302, 200, 403, 403, 200),
    "providers:consortium": row(404, 200, 404, 200, 404),
    "providers:consortium_edit": row(302, 200, 404, 200, 404),
    "providers:consortium_member_add": row(302, 200, 404, 200, 404),
    "providers:consortium_member_edit": row(302, 200, 404, 200, 404),
    "providers:consortium_member_confirm": row(302, 405, 405, 405, 405),
    "providers:consortium_status": row(302, 405, 405, 405, 405),
    "providers:consortium_document": row(302, 200, 404, 200, 404),
    # The groups an anchor supports: its people see them, its admins change them.
    "providers:support_links": row(302, 200, 404, 200, 404),
    "providers:support_link_delete": row(302, 405, 405, 405, 405),
}
