"""Documents behind a needs assessment: uploaded by the owning body to private storage, refused
with a clear message when too large or of the wrong type, served only to people who may see the
assessment, and removed by the owning body."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from commissioning.models import NeedsAssessmentDocument, Visibility
from commissioning.services import assessments as services
from tests.factories.commissioning_assessments import NeedsAssessmentFactory
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db

XLSX_BYTES = b"PK\x03\x04" + b"\x00" * 40
XLS_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
CSV_BYTES = b"Ward,Households in debt\nHackney Central,1200\nDalston,950\n"


@pytest.fixture
def assessment(commissioning_body):
    return NeedsAssessmentFactory(body=commissioning_body, visibility=Visibility.NETWORK)


def add_url(assessment) -> str:
    return reverse("commissioning:assessment_document_add", args=[assessment.pk])


def upload(client, assessment, name, data, *, title=""):
    return client.post(
        add_url(assessment), {"title": title, "file": SimpleUploadedFile(name, data)}
    )


def download(client, document):
    return client.get(reverse("commissioning:assessment_document", args=[document.pk]))


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("survey report.pdf", PDF_BYTES, "application/pdf"),
        (
            "ward data.xlsx",
            XLSX_BYTES,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("old data.xls", XLS_BYTES, "application/vnd.ms-excel"),
        ("ward data.csv", CSV_BYTES, "text/csv"),
        ("notes.odt", XLSX_BYTES, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_the_owning_body_uploads_a_document(
    client, commissioner, assessment, name, data, content_type
):
    client.force_login(commissioner)
    assert client.get(add_url(assessment)).status_code == 200
    response = upload(client, assessment, name, data)
    assert response.status_code == 302
    document = NeedsAssessmentDocument.objects.get(assessment=assessment)
    assert (document.original_name, document.content_type, document.size) == (
        name,
        content_type,
        len(data),
    )
    assert document.title == name.rsplit(".", 1)[0]
    assert document.uploaded_by == commissioner
    assert storages["private"].exists(document.file.name)
    assert AuditEvent.objects.filter(action="needs_assessment.document_added").exists()
    served = download(client, document)
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert f'filename="{name}"' in served["Content-Disposition"]
    assert b"".join(served.streaming_content) == data
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_title_can_be_given(client, commissioner, assessment):
    client.force_login(commissioner)
    upload(client, assessment, "s.pdf", PDF_BYTES, title="Survey of carers, 2026")
    document = NeedsAssessmentDocument.objects.get()
    assert document.title == "Survey of carers, 2026"
    assert "Survey of carers, 2026" in client.get(assessment.get_absolute_url()).content.decode()


def test_a_file_too_large_is_refused_with_a_message(client, commissioner, assessment, settings):
    settings.PORTAL_MAX_EVIDENCE_UPLOAD_BYTES = 1024 * 1024
    client.force_login(commissioner)
    response = upload(client, assessment, "big.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    assert response.status_code == 200
    page = response.content.decode()
    assert "“big.pdf” is 1.0\xa0MB, which is too large. Files can be up to 1 MB" in page
    assert not NeedsAssessmentDocument.objects.exists()


def test_the_default_limit_is_twenty_megabytes(settings):
    assert not hasattr(settings, "PORTAL_MAX_EVIDENCE_UPLOAD_BYTES")
    assert services.evidence_max_bytes() == 20 * 1024 * 1024
    assert services.evidence_max_text() == "20 MB"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "“script.exe” is not a type of file we accept."),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "“photo.png” is not a type of file we accept."),
        ("fake.pdf", b"<html>not a pdf</html>", "“fake.pdf” is named as a PDF file"),
        ("fake.xlsx", PDF_BYTES, "“fake.xlsx” is named as an Excel file"),
        ("fake.csv", XLSX_BYTES, "“fake.csv” is named as a CSV file"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_a_message(
    client, commissioner, assessment, name, data, message
):
    client.force_login(commissioner)
    response = upload(client, assessment, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NeedsAssessmentDocument.objects.exists()


def test_the_service_refuses_too_and_names_the_field(commissioner, assessment):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.needs_assessment_document_add(
            actor=commissioner,
            assessment=assessment,
            file=SimpleUploadedFile("macro.docm", PDF_BYTES),
        )
    assert "file" in error.value.message_dict


def test_only_the_owning_body_uploads(client, provider, network_admin, assessment):
    for user in (provider, network_admin):
        client.force_login(user)
        assert upload(client, assessment, "s.pdf", PDF_BYTES).status_code == 403
    client.logout()
    assert upload(client, assessment, "s.pdf", PDF_BYTES).status_code == 302
    assert not NeedsAssessmentDocument.objects.exists()


def make_document(commissioner, assessment):
    return services.needs_assessment_document_add(
        actor=commissioner,
        assessment=assessment,
        file=SimpleUploadedFile("survey.pdf", PDF_BYTES),
    )


def test_documents_are_served_only_to_those_who_may_see_the_assessment(
    client, commissioner, provider, pending_provider, assessment
):
    document = make_document(commissioner, assessment)
    assert download(client, document).status_code == 404
    client.force_login(pending_provider)
    assert download(client, document).status_code == 404
    client.force_login(provider)
    assert download(client, document).status_code == 200
    # Made public, anyone may read its evidence.
    assessment.visibility = Visibility.PUBLIC
    assessment.save()
    client.logout()
    assert download(client, document).status_code == 200


def test_the_owning_body_removes_a_document(client, commissioner, provider, assessment):
    document = make_document(commissioner, assessment)
    stored = document.file.name
    delete = reverse("commissioning:assessment_document_delete", args=[document.pk])
    client.force_login(provider)
    assert client.post(delete).status_code == 403
    client.force_login(commissioner)
    assert client.get(delete).status_code == 405
    assert NeedsAssessmentDocument.objects.filter(pk=document.pk).exists()
    response = client.post(delete)
    # (The file goes once the removal is committed; in a test the transaction never commits.)
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert not NeedsAssessmentDocument.objects.filter(pk=document.pk).exists()
    assert AuditEvent.objects.filter(action="needs_assessment.document_deleted").exists()
    assert storages["private"].exists(stored)


def test_the_file_goes_when_the_removal_commits(
    commissioner, assessment, django_capture_on_commit_callbacks
):
    document = make_document(commissioner, assessment)
    stored = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.needs_assessment_document_delete(actor=commissioner, document=document)
    assert not storages["private"].exists(stored)
