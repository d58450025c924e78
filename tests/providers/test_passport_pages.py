"""The passport through its pages: uploading, the permission-checked download, and review."""

from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from providers.models import (
    Passport,
    PassportDocument,
    PassportDocumentKind,
    PassportDocumentStatus,
)
from providers.services import passports as services
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db


def passport_url(organisation):
    return reverse("providers:passport", args=[organisation.pk])


def post_upload(
    client,
    organisation,
    *,
    kind="governing_document",
    name="constitution.pdf",
    data=PDF_BYTES,
    valid_until="",
):
    return client.post(
        passport_url(organisation),
        {
            "kind": kind,
            "file": SimpleUploadedFile(name, data, "application/pdf"),
            "valid_until": valid_until,
        },
    )


def stored_files() -> set[str]:
    """Every file in private storage's passport folder (other tests' files stay there too)."""
    storage = storages["private"]

    def walk(folder):
        if not storage.exists(folder):
            return set()
        folders, files = storage.listdir(folder)
        found = {f"{folder}/{name}" for name in files}
        for name in folders:
            found |= walk(f"{folder}/{name}")
        return found

    return walk("passports")


def upload(actor, organisation, kind, **kwargs):
    if kind == PassportDocumentKind.INSURANCE:
        kwargs.setdefault("valid_until", timezone.localdate() + timedelta(days=365))
    return services.passport_document_upload(
        actor=actor,
        organisation=organisation,
        kind=kind,
        file=SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES),
        **kwargs,
    )


# Uploading


def test_a_member_uploads_a_document(client, provider_member, provider_org):
    client.force_login(provider_member)
    page = client.get(passport_url(provider_org))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "0 of 7 documents are accepted" in page.content.decode()

    response = post_upload(client, provider_org)
    assert response.status_code == 302
    document = PassportDocument.objects.get()
    assert (document.kind, document.original_name) == ("governing_document", "constitution.pdf")
    assert document.uploaded_by == provider_member
    page = client.get(passport_url(provider_org)).content.decode()
    assert "constitution.pdf" in page
    assert "Waiting for review" in page


def test_an_oversized_file_is_refused_with_a_message(client, provider, provider_org, settings):
    client.force_login(provider)
    big = PDF_BYTES + b"0" * settings.PORTAL_MAX_UPLOAD_BYTES
    before = stored_files()
    response = post_upload(client, provider_org, name="scan.pdf", data=big)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Files can be up to 10 MB" in page
    assert not PassportDocument.objects.exists()
    assert stored_files() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("policy.exe", PDF_BYTES, "is not a type of file we accept"),
        ("policy.pdf", b"GIF89a not a pdf at all", "its content is not PDF"),
    ],
)
def test_a_wrong_type_is_refused_with_a_message(
    client, provider, provider_org, name, data, message
):
    client.force_login(provider)
    before = stored_files()
    response = post_upload(client, provider_org, name=name, data=data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PassportDocument.objects.exists()
    assert stored_files() == before


def test_a_service_rule_is_shown_beside_its_field(client, provider, provider_org):
    client.force_login(provider)
    response = post_upload(client, provider_org, kind="insurance", name="insurance.pdf")
    assert response.status_code == 200
    assert "Enter the date the insurance ends" in response.content.decode()
    assert not PassportDocument.objects.exists()


def test_a_good_upload_replaces_the_previous(client, provider, provider_org):
    client.force_login(provider)
    post_upload(client, provider_org, name="old.pdf")
    post_upload(client, provider_org, name="new.pdf")
    old, new = PassportDocument.objects.order_by("pk")
    assert (old.status, new.status) == (
        PassportDocumentStatus.SUPERSEDED,
        PassportDocumentStatus.SUBMITTED,
    )
    client.get(passport_url(provider_org))  # shows, and so clears, the messages
    page = client.get(passport_url(provider_org)).content.decode()
    assert "new.pdf" in page and "old.pdf" not in page


def test_network_admins_look_but_do_not_upload(client, network_admin, provider_org):
    client.force_login(network_admin)
    page = client.get(passport_url(provider_org))
    assert page.status_code == 200
    assert "Upload a document" not in page.content.decode()
    assert post_upload(client, provider_org).status_code == 403
    assert not PassportDocument.objects.exists()


def test_others_are_not_told_it_exists(client, commissioner, outsider, provider_org):
    for user in (commissioner, outsider):
        client.force_login(user)
        assert client.get(passport_url(provider_org)).status_code == 404
        assert post_upload(client, provider_org).status_code == 404
    client.logout()
    assert client.get(passport_url(provider_org)).status_code == 302
    assert not PassportDocument.objects.exists()


def test_expiry_is_shown_ahead_of_time(client, provider, provider_org, network_admin):
    soon = timezone.localdate() + timedelta(days=30)
    for kind in PassportDocumentKind.values:
        valid_until = soon if kind == PassportDocumentKind.INSURANCE else None
        document = upload(provider, provider_org, kind, valid_until=valid_until)
        services.passport_document_accept(actor=network_admin, document=document)
    client.force_login(provider)
    page = client.get(passport_url(provider_org)).content.decode()
    assert "Your passport expires soon" in page
    assert f"It expires on <strong>{soon:%-d %B %Y}</strong>" in page
    assert "Runs out within 60 days" in page

    Passport.objects.update(expires_on=timezone.localdate() + timedelta(days=61))
    PassportDocument.objects.update(valid_until=None)
    page = client.get(passport_url(provider_org)).content.decode()
    assert "Your passport is current" in page
    assert "Runs out within" not in page


# Downloading


@pytest.fixture
def document(provider, provider_org):
    return services.passport_document_upload(
        actor=provider,
        organisation=provider_org,
        kind=PassportDocumentKind.ACCOUNTS,
        file=SimpleUploadedFile("Accounts 2024\u201325.pdf", PDF_BYTES, "text/html"),
    )


def download_url(document):
    return reverse("providers:passport_document", args=[document.pk])


@pytest.mark.parametrize("user_fixture", ["provider", "provider_member", "network_admin"])
def test_the_organisation_and_network_admins_download(client, request, document, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Accounts%202024%E2%80%9325.pdf" in disposition
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_everyone_else_gets_nothing(client, document, commissioner, outsider):
    for user in (commissioner, outsider):
        client.force_login(user)
        assert client.get(download_url(document)).status_code == 404
    client.logout()
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_former_member_loses_access(client, document, provider_org):
    membership = MembershipFactory(organisation=provider_org)
    client.force_login(membership.user)
    assert client.get(download_url(document)).status_code == 200
    membership.delete()
    assert client.get(download_url(document)).status_code == 404


# Reviewing


def test_the_queue_lists_the_longest_waiting_first(client, network_admin, provider):
    older_org = OrganisationFactory(name="Older Org")
    newer_org = OrganisationFactory(name="Newer Org")
    MembershipFactory(user=provider, organisation=older_org)
    MembershipFactory(user=provider, organisation=newer_org)
    older = upload(provider, older_org, PassportDocumentKind.EQUALITY)
    newer = upload(provider, newer_org, PassportDocumentKind.EQUALITY)
    PassportDocument.objects.filter(pk=older.pk).update(
        uploaded_at=timezone.now() - timedelta(days=3)
    )
    accepted = upload(provider, newer_org, PassportDocumentKind.ACCOUNTS)
    services.passport_document_accept(actor=network_admin, document=accepted)

    client.force_login(network_admin)
    page = client.get(reverse("providers:passport_queue")).content.decode()
    assert "2 documents waiting" in page
    assert page.index("Older Org") < page.index("Newer Org")
    assert reverse("providers:passport_review", args=[newer.pk]) in page
    assert reverse("providers:passport_review", args=[accepted.pk]) not in page


def test_the_queue_is_paginated(client, network_admin, provider, provider_org):
    for kind in PassportDocumentKind.values:
        upload(provider, provider_org, kind)
    others = [OrganisationFactory() for _ in range(3)]
    for organisation in others:
        MembershipFactory(user=provider, organisation=organisation)
        for kind in PassportDocumentKind.values:
            upload(provider, organisation, kind)
    client.force_login(network_admin)
    first = client.get(reverse("providers:passport_queue")).content.decode()
    assert "28 documents waiting" in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("providers:passport_queue"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def review(client, document, decision, comment=""):
    return client.post(
        reverse("providers:passport_review", args=[document.pk]),
        {"decision": decision, "comment": comment},
    )


def test_a_network_admin_accepts_a_document(
    client, network_admin, document, django_capture_on_commit_callbacks
):
    client.force_login(network_admin)
    page = client.get(reverse("providers:passport_review", args=[document.pk]))
    assert page.status_code == 200
    assert "Record the decision" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = review(client, document, "accepted")
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:passport_queue")
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.ACCEPTED
    assert document.reviewed_by == network_admin
    assert AuditEvent.objects.filter(action="passport_document.accepted").exists()
    page = client.get(reverse("providers:passport_review", args=[document.pk])).content.decode()
    assert "there is nothing to decide" in page


def test_returning_without_a_comment_is_refused(client, network_admin, document):
    client.force_login(network_admin)
    response = review(client, document, "returned", "")
    assert response.status_code == 200
    assert "Say why you are returning it" in response.content.decode()
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.SUBMITTED

    response = review(client, document, "returned", "These are draft accounts.")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.RETURNED
    assert document.review_comment == "These are draft accounts."


def test_a_second_decision_is_refused(client, network_admin, document):
    client.force_login(network_admin)
    review(client, document, "accepted")
    response = review(client, document, "returned", "Changed my mind.")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.ACCEPTED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already been reviewed" in m for m in messages)


def test_only_network_admins_review(client, provider, document):
    client.force_login(provider)
    assert review(client, document, "accepted").status_code == 403
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.SUBMITTED


# Query counts: fixed, whatever the number of documents


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow(client, provider, provider_org, network_admin):
    def grow():
        organisation = OrganisationFactory()
        MembershipFactory(user=provider, organisation=organisation)
        for kind in PassportDocumentKind.values:
            upload(provider, organisation, kind)
        for kind in PassportDocumentKind.values:
            upload(provider, provider_org, kind)

    client.force_login(network_admin)
    urls = [reverse("providers:passport_queue"), passport_url(provider_org)]
    grow()
    small = [count_queries(client, url) for url in urls]
    for _ in range(4):
        grow()
    assert [count_queries(client, url) for url in urls] == small
