"""The passport's rules, through its services: every (from, to) pair of a document's status, the
upload checks, superseding, and the Passport row that a complete accepted set makes."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.workflow import TransitionNotAllowed
from providers.models import (
    PASSPORT_DOCUMENT_TRANSITIONS,
    Passport,
    PassportDocument,
    PassportDocumentKind,
    PassportDocumentStatus,
)
from providers.services import passports as services
from providers.tasks import passport_document_uploaded_notify
from tests.factories import UserFactory
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db

Status = PassportDocumentStatus


def pdf(name="document.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, "application/pdf")


def upload(actor, organisation, kind=PassportDocumentKind.GOVERNING_DOCUMENT, **kwargs):
    if kind == PassportDocumentKind.INSURANCE:
        kwargs.setdefault("valid_until", timezone.localdate() + timedelta(days=365))
    kwargs.setdefault("file", pdf(f"{kind}.pdf"))
    return services.passport_document_upload(
        actor=actor, organisation=organisation, kind=kind, **kwargs
    )


def document_in(status, *, member, admin, organisation):
    """A document brought to the given status through the services."""
    document = upload(member, organisation)
    if status == Status.ACCEPTED:
        services.passport_document_accept(actor=admin, document=document)
    elif status == Status.RETURNED:
        services.passport_document_return(actor=admin, document=document, comment="Unsigned.")
    elif status == Status.SUPERSEDED:
        upload(member, organisation)
    document.refresh_from_db()
    assert document.status == status
    return document


MOVES = {
    Status.ACCEPTED: lambda document, member, admin: services.passport_document_accept(
        actor=admin, document=document, comment="All in order."
    ),
    Status.RETURNED: lambda document, member, admin: services.passport_document_return(
        actor=admin, document=document, comment="The page with the signatures is missing."
    ),
    Status.SUPERSEDED: lambda document, member, admin: services.passport_document_supersede(
        actor=member, document=document
    ),
}


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(Status, MOVES)))
def test_every_pair(from_status, to_status, provider, provider_org, network_admin):
    document = document_in(
        from_status, member=provider, admin=network_admin, organisation=provider_org
    )
    before = AuditEvent.objects.count()
    if to_status in PASSPORT_DOCUMENT_TRANSITIONS[from_status]:
        MOVES[to_status](document, provider, network_admin)
        document.refresh_from_db()
        assert document.status == to_status
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.from_state, event.to_state) == (from_status, to_status)
        assert event.organisation == provider_org
    else:
        reviewed = (document.reviewed_at, document.review_comment)
        with pytest.raises(TransitionNotAllowed):
            MOVES[to_status](document, provider, network_admin)
        document.refresh_from_db()
        assert document.status == from_status
        assert (document.reviewed_at, document.review_comment) == reviewed
        assert AuditEvent.objects.count() == before


def test_a_document_waits_for_review_only_when_uploaded():
    # No move leads back to "waiting for review": a corrected document is a new upload.
    assert not any(
        Status.SUBMITTED in targets for targets in PASSPORT_DOCUMENT_TRANSITIONS.values()
    )


def test_only_network_admins_review(provider, provider_org, commissioner):
    document = upload(provider, provider_org)
    for actor in (provider, commissioner):
        with pytest.raises(PermissionDenied):
            services.passport_document_accept(actor=actor, document=document)
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED


def test_only_members_upload(outsider, network_admin, provider_org):
    for actor in (outsider, network_admin):
        with pytest.raises(PermissionDenied):
            upload(actor, provider_org)
    assert not PassportDocument.objects.exists()


def test_any_member_may_upload(provider_member, provider_org):
    document = upload(provider_member, provider_org)
    assert document.uploaded_by == provider_member
    assert document.status == Status.SUBMITTED
    assert AuditEvent.objects.filter(action="passport_document.uploaded").count() == 1


def test_a_new_upload_supersedes_the_live_one(provider, provider_org, network_admin):
    first = upload(provider, provider_org)
    services.passport_document_accept(actor=network_admin, document=first)
    second = upload(provider, provider_org, file=pdf("constitution-2025.pdf"))
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert second.status == Status.SUBMITTED
    assert second.original_name == "constitution-2025.pdf"
    live = PassportDocument.objects.filter(organisation=provider_org).exclude(
        status=Status.SUPERSEDED
    )
    assert list(live) == [second]
    # Other kinds are left alone.
    policy = upload(provider, provider_org, kind=PassportDocumentKind.SAFEGUARDING)
    second.refresh_from_db()
    assert (second.status, policy.status) == (Status.SUBMITTED, Status.SUBMITTED)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("accounts.pdf", PDF_BYTES, "application/pdf"),
        (
            "policy.docx",
            b"PK\x03\x04" + b"\x00" * 40,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("policy.DOC", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "application/msword"),
        ("policy.odt", b"PK\x03\x04" + b"\x00" * 40, "application/vnd.oasis.opendocument.text"),
        ("certificate.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image/jpeg"),
        ("certificate.jpeg", b"\xff\xd8\xff\xe1" + b"\x00" * 40, "image/jpeg"),
        ("certificate.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    ],
)
def test_the_accepted_types(name, data, content_type, provider, provider_org):
    # The type stored is ours, from the checked name and content, not what the browser claimed.
    file = SimpleUploadedFile(name, data, "application/octet-stream")
    document = upload(provider, provider_org, file=file)
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(data)
    with document.file.open("rb") as stored:
        assert stored.read() == data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("policy.exe", PDF_BYTES, "is not a type of file we accept"),
        ("policy.html", b"<html><script>alert(1)</script>", "is not a type of file we accept"),
        ("policy", PDF_BYTES, "is not a type of file we accept"),
        ("policy.pdf", b"MZ\x90\x00 a renamed program", "its content is not PDF"),
        ("policy.docx", PDF_BYTES, "its content is not Word"),
        ("photo.png", b"\xff\xd8\xff\xe0 a JPEG in disguise", "its content is not PNG"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_types_save_nothing(name, data, message, provider, provider_org):
    with pytest.raises(ValidationError) as refused:
        upload(provider, provider_org, file=SimpleUploadedFile(name, data, "application/pdf"))
    assert message in " ".join(refused.value.message_dict["file"])
    assert not PassportDocument.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="passport").exists()


@override_settings(PORTAL_MAX_UPLOAD_BYTES=1024)
def test_an_oversized_file_is_refused(provider, provider_org):
    previous = upload(provider, provider_org, file=pdf(data=PDF_BYTES + b"0" * 900))
    big = pdf("big.pdf", PDF_BYTES + b"0" * 1024)
    with pytest.raises(ValidationError) as refused:
        upload(provider, provider_org, file=big)
    assert "Files can be up to 1.0\xa0KB" in refused.value.message_dict["file"][0]
    previous.refresh_from_db()
    assert previous.status == Status.SUBMITTED
    assert PassportDocument.objects.count() == 1


def test_valid_until_rules(provider, provider_org):
    with pytest.raises(ValidationError) as refused:
        upload(
            provider,
            provider_org,
            kind=PassportDocumentKind.INSURANCE,
            valid_until=None,
        )
    assert "valid_until" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        upload(provider, provider_org, valid_until=timezone.localdate() - timedelta(days=1))
    assert "This date has passed" in refused.value.message_dict["valid_until"][0]
    assert not PassportDocument.objects.exists()


def accept_all(member, admin, organisation, **valid_until):
    documents = []
    for kind in PassportDocumentKind.values:
        kwargs = {"valid_until": valid_until[kind]} if kind in valid_until else {}
        document = upload(member, organisation, kind=kind, **kwargs)
        documents.append(services.passport_document_accept(actor=admin, document=document))
    return documents


def test_a_complete_set_makes_a_passport_for_two_years(provider, provider_org, network_admin):
    far = timezone.localdate() + timedelta(days=5 * 365)
    accept_all(provider, network_admin, provider_org, insurance=far)
    passport = Passport.objects.get(organisation=provider_org)
    today = timezone.localdate()
    assert passport.expires_on == services.add_years(today, 2)
    assert passport.is_current
    assert not passport.expires_within(60)


def test_the_passport_is_made_only_when_every_kind_is_accepted(
    provider, provider_org, network_admin
):
    kinds = PassportDocumentKind.values
    for kind in kinds[:-1]:
        services.passport_document_accept(
            actor=network_admin, document=upload(provider, provider_org, kind=kind)
        )
        assert not Passport.objects.exists()
    last = upload(provider, provider_org, kind=kinds[-1])
    assert not Passport.objects.exists()
    services.passport_document_accept(actor=network_admin, document=last)
    assert Passport.objects.filter(organisation=provider_org).exists()


def test_an_earlier_valid_until_cuts_the_passport_short(provider, provider_org, network_admin):
    soon = timezone.localdate() + timedelta(days=45)
    accept_all(
        provider,
        network_admin,
        provider_org,
        insurance=timezone.localdate() + timedelta(days=300),
        equality=soon,
    )
    passport = Passport.objects.get(organisation=provider_org)
    assert passport.expires_on == soon
    assert passport.expires_within(60)


def test_renewing_one_document_does_not_stretch_the_others(provider, provider_org, network_admin):
    accept_all(provider, network_admin, provider_org)
    first_expiry = Passport.objects.get().expires_on
    accepted_long_ago = timezone.now() - timedelta(days=400)
    PassportDocument.objects.exclude(kind=PassportDocumentKind.INSURANCE).update(
        reviewed_at=accepted_long_ago
    )
    renewed = upload(
        provider,
        provider_org,
        kind=PassportDocumentKind.INSURANCE,
        valid_until=timezone.localdate() + timedelta(days=3 * 365),
    )
    # A replacement waiting for review leaves the passport standing.
    assert Passport.objects.get().expires_on == first_expiry
    services.passport_document_accept(actor=network_admin, document=renewed)
    passport = Passport.objects.get()
    assert passport.expires_on == services.add_years(timezone.localdate(accepted_long_ago), 2)


def test_a_returned_document_ends_the_passport(provider, provider_org, network_admin):
    accept_all(provider, network_admin, provider_org)
    replacement = upload(provider, provider_org, kind=PassportDocumentKind.ACCOUNTS)
    assert Passport.objects.exists()
    services.passport_document_return(
        actor=network_admin, document=replacement, comment="These are the 2019 accounts."
    )
    assert not Passport.objects.exists()


def test_returning_needs_a_comment(provider, provider_org, network_admin):
    document = upload(provider, provider_org)
    with pytest.raises(ValidationError) as refused:
        services.passport_document_return(actor=network_admin, document=document, comment="  ")
    assert "comment" in refused.value.message_dict
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="passport_document.returned").exists()


def test_the_organisation_is_emailed_the_decision(
    provider, provider_member, provider_org, network_admin, django_capture_on_commit_callbacks
):
    document = upload(provider, provider_org, kind=PassportDocumentKind.SAFEGUARDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_document_return(
            actor=network_admin,
            document=document,
            comment="It doesn't name your safeguarding lead.",
        )
    assert sorted(m.to[0] for m in mail.outbox) == [provider_member.email, provider.email]
    message = mail.outbox[0]
    assert message.subject == "Safeguarding policy returned for Riverside Advice's passport"
    assert "It doesn't name your safeguarding lead." in message.body
    assert f"/organisations/{provider_org.pk}/passport/" in message.body
    html = message.alternatives[0][0]
    assert "It doesn&#x27;t name your safeguarding lead." in html

    mail.outbox = []
    second = upload(provider, provider_org, kind=PassportDocumentKind.SAFEGUARDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_document_accept(actor=network_admin, document=second)
    assert len(mail.outbox) == 2
    assert "accepted" in mail.outbox[0].subject


def test_no_email_when_the_review_fails(
    provider, provider_org, network_admin, django_capture_on_commit_callbacks
):
    document = document_in(
        Status.ACCEPTED, member=provider, admin=network_admin, organisation=provider_org
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        services.passport_document_accept(actor=network_admin, document=document)
    assert mail.outbox == []


def test_the_network_admins_are_emailed_an_upload_to_review(
    provider,
    provider_member,
    provider_org,
    network_admin,
    commissioner,
    outsider,
    settings,
    django_capture_on_commit_callbacks,
):
    colleague = UserFactory(email="second.admin@example.org", is_network_admin=True)
    UserFactory(email="former.admin@example.org", is_network_admin=True, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        document = upload(
            provider_member,
            provider_org,
            kind=PassportDocumentKind.INSURANCE,
            file=pdf("Insurance certificate 2025.pdf"),
        )
    # Each active network admin gets their own message; nobody else hears of it.
    assert sorted(m.to for m in mail.outbox) == [[network_admin.email], [colleague.email]]
    message = mail.outbox[0]
    assert message.subject == (
        "Passport document to review: insurance certificates from Riverside Advice"
    )
    review_url = settings.PORTAL_BASE_URL + reverse("providers:passport_review", args=[document.pk])
    assert review_url in message.body
    assert "Insurance certificate 2025.pdf" in message.body
    assert f'href="{review_url}"' in message.alternatives[0][0]


def test_no_upload_email_when_the_upload_is_refused(
    provider, provider_org, network_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        upload(provider, provider_org, file=pdf(data=b"not a pdf"))
    assert mail.outbox == []


def test_the_upload_email_is_not_sent_once_the_document_is_reviewed(
    provider, provider_org, network_admin
):
    # A late or repeated run of the task has nothing to ask of the network admins.
    document = upload(provider, provider_org)
    services.passport_document_accept(actor=network_admin, document=document)
    assert passport_document_uploaded_notify(document.pk) == 0
    assert mail.outbox == []
    waiting = upload(provider, provider_org, kind=PassportDocumentKind.SAFEGUARDING)
    assert passport_document_uploaded_notify(waiting.pk) == 1
    assert [m.to for m in mail.outbox] == [[network_admin.email]]
