"""Consortia: every (from, to) pair of the status, and the flow from forming to active through the
real pages: add members, each confirms, the shares must add up to 100%."""

import importlib
import itertools
import os
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, MembershipRole, VerificationStatus
from accounts.workflow import TransitionNotAllowed
from providers.models import Consortium, ConsortiumMember, ConsortiumStatus
from providers.services import consortia as services
from providers.tasks import consortium_member_added_notify
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="Eastside Food Bank", charity_number="1170001")


@pytest.fixture
def partner_admin(partner_org):
    membership = MembershipFactory(
        organisation=partner_org, role=MembershipRole.ADMIN, user__email="partner@example.org"
    )
    return membership.user


def form_consortium(provider, provider_org, *, lead_share=Decimal(40), **kwargs):
    return services.consortium_create(
        actor=provider,
        lead=provider_org,
        name="Riverside Advice Partnership",
        lead_share=lead_share,
        **kwargs,
    )


def ready_consortium(provider, provider_org, partner_org, partner_admin):
    """Forming, with one confirmed member and shares adding up to 100%."""
    consortium = form_consortium(provider, provider_org)
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal(60),
    )
    services.consortium_member_confirm(actor=partner_admin, member=member)
    return consortium


# The status workflow


def consortium_in(status, provider, provider_org, partner_org, partner_admin):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    if status in (ConsortiumStatus.ACTIVE, ConsortiumStatus.DISSOLVED):
        services.consortium_status_change(
            actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
        )
    if status == ConsortiumStatus.DISSOLVED:
        services.consortium_status_change(
            actor=provider, consortium=consortium, to_status=ConsortiumStatus.DISSOLVED
        )
    consortium.refresh_from_db()
    assert consortium.status == status
    return consortium


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(ConsortiumStatus, ConsortiumStatus))
)
def test_every_pair(from_status, to_status, provider, provider_org, partner_org, partner_admin):
    consortium = consortium_in(from_status, provider, provider_org, partner_org, partner_admin)
    before = AuditEvent.objects.count()
    if to_status in services.CONSORTIUM_TRANSITIONS[from_status]:
        services.consortium_status_change(
            actor=provider, consortium=consortium, to_status=to_status
        )
        consortium.refresh_from_db()
        assert consortium.status == to_status
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.action, event.from_state, event.to_state) == (
            f"consortium.{to_status}",
            from_status,
            to_status,
        )
        assert event.organisation == provider_org
    else:
        with pytest.raises(TransitionNotAllowed):
            services.consortium_status_change(
                actor=provider, consortium=consortium, to_status=to_status
            )
        consortium.refresh_from_db()
        assert consortium.status == from_status
        assert AuditEvent.objects.count() == before


def test_only_the_leads_admins_change_the_status(
    provider_member, outsider, provider, provider_org, partner_org, partner_admin
):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    for actor in (provider_member, outsider, partner_admin):
        with pytest.raises(PermissionDenied):
            services.consortium_status_change(
                actor=actor, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
            )
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.FORMING


def test_it_becomes_active_only_when_confirmed_and_adding_up(
    provider, provider_org, partner_org, partner_admin
):
    consortium = form_consortium(provider, provider_org, lead_share=Decimal(100))
    with pytest.raises(ValidationError, match="at least one member"):
        services.consortium_status_change(
            actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
        )
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal("33.33"),
    )
    with pytest.raises(ValidationError) as refused:
        services.consortium_status_change(
            actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
        )
    problems = " ".join(refused.value.messages)
    assert "Eastside Food Bank" in problems
    assert "add up to 133.33%" in problems

    services.consortium_member_confirm(actor=partner_admin, member=member)
    services.consortium_update(
        actor=provider, consortium=consortium, data={"lead_share": Decimal("66.67")}
    )
    services.consortium_status_change(
        actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
    )
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.ACTIVE


def test_members_and_shares_are_fixed_once_active(
    provider, provider_org, partner_org, partner_admin
):
    consortium = consortium_in(
        ConsortiumStatus.ACTIVE, provider, provider_org, partner_org, partner_admin
    )
    with pytest.raises(ValidationError):
        services.consortium_member_add(
            actor=provider,
            consortium=consortium,
            organisation=OrganisationFactory(),
            role="Outreach",
            indicative_share=Decimal(0),
        )
    with pytest.raises(ValidationError):
        services.consortium_update(
            actor=provider, consortium=consortium, data={"lead_share": Decimal(50)}
        )
    # The description can still change.
    services.consortium_update(
        actor=provider, consortium=consortium, data={"description": "Advice with food."}
    )
    consortium.refresh_from_db()
    assert (consortium.lead_share, consortium.description) == (Decimal(40), "Advice with food.")


def test_changing_a_members_share_needs_it_to_confirm_again(
    provider, provider_org, partner_org, partner_admin
):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    member = consortium.members.get()
    assert member.confirmed_at is not None
    services.consortium_member_update(
        actor=provider, member=member, role="Food parcels", indicative_share=Decimal(50)
    )
    member.refresh_from_db()
    assert member.confirmed_at is None and member.confirmed_by is None


def test_members_must_be_verified_third_sector_organisations(
    provider, provider_org, commissioning_body, pending_org
):
    consortium = form_consortium(provider, provider_org)
    for organisation in (commissioning_body, pending_org, provider_org):
        with pytest.raises(ValidationError) as refused:
            services.consortium_member_add(
                actor=provider,
                consortium=consortium,
                organisation=organisation,
                role="Anything",
                indicative_share=Decimal(10),
            )
        assert "organisation" in refused.value.message_dict
    assert not ConsortiumMember.objects.exists()


def test_a_pending_organisation_cannot_lead(pending_provider, pending_org):
    with pytest.raises(ValidationError):
        services.consortium_create(
            actor=pending_provider, lead=pending_org, name="Too soon", lead_share=Decimal(100)
        )
    assert not Consortium.objects.exists()


# Through the pages


def test_forming_a_consortium_from_start_to_active(
    client, provider, provider_org, partner_org, partner_admin
):
    client.force_login(provider)
    response = client.post(
        reverse("providers:consortium_create"),
        {
            "lead": provider_org.pk,
            "name": "Riverside Advice Partnership",
            "description": "Advice and food, together.",
            "lead_share": "70",
            "has_written_agreement": "on",
            "agreement_document": SimpleUploadedFile("agreement.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consortium = Consortium.objects.get()
    assert consortium.status == ConsortiumStatus.FORMING
    assert consortium.created_by == provider
    assert consortium.agreement_document.name.endswith(".pdf")
    detail = reverse("providers:consortium", args=[consortium.pk])
    assert response["Location"] == detail

    # The lead finds the member by its charity number and adds it.
    add_url = reverse("providers:consortium_member_add", args=[consortium.pk])
    page = client.get(add_url, {"q": "1170001"}).content.decode()
    assert "Eastside Food Bank" in page
    response = client.post(
        add_url,
        {
            "q": "1170001",
            "organisation": partner_org.pk,
            "role": "Food parcels",
            "indicative_share": "20",
        },
    )
    assert response.status_code == 302
    member = consortium.members.get()

    # It cannot become active yet: unconfirmed, and 90%.
    status_url = reverse("providers:consortium_status", args=[consortium.pk])
    response = client.post(status_url, {"status": "active"}, follow=True)
    page = response.content.decode()
    assert "It cannot become active yet." in page
    assert "add up to 90%" in page
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.FORMING

    # The member's admin confirms, in the portal.
    client.force_login(partner_admin)
    page = client.get(detail).content.decode()
    assert "Confirm that Eastside Food Bank belongs" in page
    response = client.post(
        reverse("providers:consortium_member_confirm", args=[consortium.pk, member.pk])
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.confirmed_by == partner_admin

    # The lead corrects the shares; the member is asked again; then it can become active.
    client.force_login(provider)
    edit_url = reverse("providers:consortium_member_edit", args=[consortium.pk, member.pk])
    client.post(edit_url, {"role": "Food parcels", "indicative_share": "30"})
    member.refresh_from_db()
    assert member.indicative_share == Decimal(30) and member.confirmed_at is None
    client.force_login(partner_admin)
    client.post(reverse("providers:consortium_member_confirm", args=[consortium.pk, member.pk]))
    client.force_login(provider)
    response = client.post(status_url, {"status": "active"})
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.ACTIVE

    # Now it is public.
    client.logout()
    page = client.get(reverse("providers:consortium_list")).content.decode()
    assert "Riverside Advice Partnership" in page
    page = client.get(detail).content.decode()
    assert "Eastside Food Bank" in page
    assert "download the agreement" not in page


def test_an_outsider_cannot_confirm(client, outsider, provider, provider_org, partner_org):
    consortium = form_consortium(provider, provider_org)
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal(60),
    )
    url = reverse("providers:consortium_member_confirm", args=[consortium.pk, member.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    # Nor can the lead confirm on the member's behalf.
    client.force_login(provider)
    assert client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.consortium_member_confirm(actor=outsider, member=member)
    member.refresh_from_db()
    assert member.confirmed_at is None


def test_a_member_who_is_not_an_admin_cannot_confirm(
    client, provider, provider_org, partner_org, partner_admin
):
    consortium = form_consortium(provider, provider_org)
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal(60),
    )
    colleague = MembershipFactory(organisation=partner_org, role=MembershipRole.MEMBER).user
    client.force_login(colleague)
    url = reverse("providers:consortium_member_confirm", args=[consortium.pk, member.pk])
    assert client.get(reverse("providers:consortium", args=[consortium.pk])).status_code == 200
    assert client.post(url).status_code == 403
    member.refresh_from_db()
    assert member.confirmed_at is None


def test_only_the_lead_manages(
    client, provider_member, provider, provider_org, partner_admin, partner_org
):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    for user in (provider_member, partner_admin):
        client.force_login(user)
        assert (
            client.get(reverse("providers:consortium_edit", args=[consortium.pk])).status_code
            == 403
        )
        response = client.post(
            reverse("providers:consortium_status", args=[consortium.pk]), {"status": "active"}
        )
        assert response.status_code == 403
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.FORMING


def test_get_on_post_only_urls(client, provider, provider_org, partner_org, partner_admin):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    member = consortium.members.get()
    client.force_login(provider)
    for url in (
        reverse("providers:consortium_status", args=[consortium.pk]),
        reverse("providers:consortium_member_confirm", args=[consortium.pk, member.pk]),
    ):
        assert client.get(url).status_code == 405


def test_a_wrong_agreement_file_is_refused(client, provider, provider_org):
    client.force_login(provider)
    response = client.post(
        reverse("providers:consortium_create"),
        {
            "lead": provider_org.pk,
            "name": "Riverside Advice Partnership",
            "lead_share": "100",
            "has_written_agreement": "on",
            "agreement_document": SimpleUploadedFile("agreement.pdf", b"not a pdf"),
        },
    )
    assert response.status_code == 200
    assert "its content is not PDF" in response.content.decode()
    assert not Consortium.objects.exists()


def test_the_agreement_is_for_the_consortiums_own_people(
    client,
    provider,
    provider_org,
    partner_org,
    partner_admin,
    outsider,
    commissioner,
    network_admin,
):
    consortium = form_consortium(
        provider,
        provider_org,
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile("agreement.pdf", PDF_BYTES),
    )
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal(60),
    )
    services.consortium_member_confirm(actor=partner_admin, member=member)
    services.consortium_status_change(
        actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
    )
    url = reverse("providers:consortium_document", args=[consortium.pk])
    for user in (provider, partner_admin, network_admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    # The consortium is public now, but its papers are not.
    for user in (outsider, commissioner):
        client.force_login(user)
        assert client.get(reverse("providers:consortium", args=[consortium.pk])).status_code == 200
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_forming_consortia_are_hidden_from_others(
    client, outsider, commissioner, provider, provider_org
):
    consortium = form_consortium(provider, provider_org)
    for user in (outsider, commissioner):
        client.force_login(user)
        assert client.get(reverse("providers:consortium", args=[consortium.pk])).status_code == 404
        page = client.get(reverse("providers:consortium_list")).content.decode()
        assert consortium.name not in page


def test_consortia_of_an_organisation(provider, provider_org, partner_org, partner_admin, outsider):
    consortium = ready_consortium(provider, provider_org, partner_org, partner_admin)
    assert list(services.consortia_of_organisation(partner_admin, partner_org)) == [consortium]
    assert list(services.consortia_of_organisation(outsider, partner_org)) == []
    services.consortium_status_change(
        actor=provider, consortium=consortium, to_status=ConsortiumStatus.ACTIVE
    )
    assert list(services.consortia_of_organisation(outsider, provider_org)) == [consortium]


def test_the_list_query_count_does_not_grow(client, provider, provider_org):
    def grow():
        consortium = form_consortium(provider, provider_org)
        for _ in range(2):
            services.consortium_member_add(
                actor=provider,
                consortium=consortium,
                organisation=OrganisationFactory(),
                role="Outreach",
                indicative_share=Decimal(10),
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("providers:consortium_list"))
        assert response.status_code == 200
        return len(queries)

    client.force_login(provider)
    grow()
    small = count()
    for _ in range(5):
        grow()
    assert count() == small


def test_unverified_organisations_are_not_offered(client, provider, provider_org):
    OrganisationFactory(
        name="Eastside Pending Group", verification_status=VerificationStatus.PENDING
    )
    OrganisationFactory(name="Eastside Verified Group")
    consortium = form_consortium(provider, provider_org)
    client.force_login(provider)
    page = client.get(
        reverse("providers:consortium_member_add", args=[consortium.pk]), {"q": "Eastside"}
    ).content.decode()
    assert "Eastside Verified Group" in page
    assert "Eastside Pending Group" not in page


# The agreement document

AGREEMENT_NAME = "Partnership agreement \u2013 signed.pdf"


def download(client, consortium):
    response = client.get(reverse("providers:consortium_document", args=[consortium.pk]))
    assert response.status_code == 200
    return response


def test_the_agreement_downloads_with_its_own_name_and_type(client, provider, provider_org):
    # Another consortium's agreement of the same name is already stored, so the storage gives this
    # one a different name on disk; the download still gives back the name it was uploaded with.
    form_consortium(
        provider,
        provider_org,
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile(AGREEMENT_NAME, PDF_BYTES),
    )
    consortium = form_consortium(
        provider,
        provider_org,
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile(AGREEMENT_NAME, PDF_BYTES, "text/html"),
    )
    consortium.refresh_from_db()
    assert consortium.agreement_original_name == AGREEMENT_NAME
    assert consortium.agreement_content_type == "application/pdf"
    assert not consortium.agreement_document.name.endswith("/" + AGREEMENT_NAME)

    client.force_login(provider)
    response = download(client, consortium)
    # The type is the one checked on upload, not what the browser claimed.
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Partnership%20agreement%20%E2%80%93%20signed.pdf"
        in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    page = client.get(reverse("providers:consortium_edit", args=[consortium.pk])).content.decode()
    assert AGREEMENT_NAME in page


def test_a_replaced_agreement_downloads_with_the_new_name_and_type(client, provider, provider_org):
    consortium = form_consortium(
        provider,
        provider_org,
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile("agreement.pdf", PDF_BYTES),
    )
    word = b"PK\x03\x04" + b"\x00" * 40
    client.force_login(provider)
    response = client.post(
        reverse("providers:consortium_edit", args=[consortium.pk]),
        {
            "name": consortium.name,
            "lead_share": "40",
            "has_written_agreement": "on",
            "agreement_document": SimpleUploadedFile(
                "Agreement v2.docx", word, "application/octet-stream"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consortium.refresh_from_db()
    assert consortium.agreement_original_name == "Agreement v2.docx"
    response = download(client, consortium)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="Agreement v2.docx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == word


def test_agreements_stored_before_the_name_was_kept_are_filled_in(client, provider, provider_org):
    migration = importlib.import_module(
        "providers.migrations.0006_consortium_agreement_name_and_type"
    )
    consortium = form_consortium(
        provider,
        provider_org,
        has_written_agreement=True,
        agreement_document=SimpleUploadedFile("agreement.pdf", PDF_BYTES),
    )
    without = form_consortium(provider, provider_org)
    Consortium.objects.update(agreement_original_name="", agreement_content_type="")

    migration.fill_agreement_name_and_type(django_apps, None)

    consortium.refresh_from_db()
    assert consortium.agreement_original_name == os.path.basename(
        consortium.agreement_document.name
    )
    assert consortium.agreement_content_type == "application/pdf"
    without.refresh_from_db()
    assert (without.agreement_original_name, without.agreement_content_type) == ("", "")
    client.force_login(provider)
    assert download(client, consortium)["Content-Type"] == "application/pdf"


# Asking a new member to confirm


def test_a_new_members_admins_are_asked_to_confirm(
    provider,
    provider_member,
    provider_org,
    partner_org,
    partner_admin,
    outsider,
    network_admin,
    settings,
    django_capture_on_commit_callbacks,
):
    second_admin = MembershipFactory(
        organisation=partner_org, role=MembershipRole.ADMIN, user__email="second@example.org"
    ).user
    MembershipFactory(
        organisation=partner_org, role=MembershipRole.MEMBER, user__email="colleague@example.org"
    )
    MembershipFactory(
        organisation=partner_org,
        role=MembershipRole.ADMIN,
        user__email="left@example.org",
        user__is_active=False,
    )
    consortium = form_consortium(provider, provider_org)
    with django_capture_on_commit_callbacks(execute=True):
        services.consortium_member_add(
            actor=provider,
            consortium=consortium,
            organisation=partner_org,
            role="Food parcels",
            indicative_share=Decimal("33.5"),
        )
    # Only the member's active admins, who can confirm; not its other people, nor the lead's.
    assert sorted(m.to for m in mail.outbox) == [[partner_admin.email], [second_admin.email]]
    message = mail.outbox[0]
    assert message.subject == (
        "Please confirm that Eastside Food Bank belongs to Riverside Advice Partnership"
    )
    consortium_url = settings.PORTAL_BASE_URL + reverse(
        "providers:consortium", args=[consortium.pk]
    )
    assert consortium_url in message.body
    assert "Riverside Advice has added Eastside Food Bank" in message.body
    assert "Role: Food parcels" in message.body
    assert "Indicative share: 33.50%" in message.body
    assert f'href="{consortium_url}"' in message.alternatives[0][0]


def test_adding_a_member_through_the_page_emails_its_admins(
    client, provider, provider_org, partner_org, partner_admin, django_capture_on_commit_callbacks
):
    consortium = form_consortium(provider, provider_org)
    client.force_login(provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("providers:consortium_member_add", args=[consortium.pk]),
            {"organisation": partner_org.pk, "role": "Food parcels", "indicative_share": "60"},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[partner_admin.email]]
    assert "Indicative share: 60%" in mail.outbox[0].body


def test_no_email_when_a_member_is_refused(
    provider, provider_org, partner_org, partner_admin, django_capture_on_commit_callbacks
):
    consortium = form_consortium(provider, provider_org)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.consortium_member_add(
            actor=provider,
            consortium=consortium,
            organisation=partner_org,
            role="Food parcels",
            indicative_share=Decimal(120),
        )
    assert mail.outbox == []


def test_the_request_to_confirm_is_not_sent_once_confirmed(
    provider, provider_org, partner_org, partner_admin
):
    consortium = form_consortium(provider, provider_org)
    member = services.consortium_member_add(
        actor=provider,
        consortium=consortium,
        organisation=partner_org,
        role="Food parcels",
        indicative_share=Decimal(60),
    )
    assert consortium_member_added_notify(member.pk) == 1
    services.consortium_member_confirm(actor=partner_admin, member=member)
    mail.outbox = []
    assert consortium_member_added_notify(member.pk) == 0
    assert mail.outbox == []
