"""Clarification questions: asked while questions are open (to the second), answered by the
opportunity's commissioners, published to everyone and emailed once to every interested or bidding
organisation, never naming who asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.models import BidStatus, Clarification, OpportunityStatus
from commissioning.services import sourcing_clarifications as services
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.commissioning_sourcing import BidFactory, OpportunityFactory
from tests.factories.commissioning_sourcing_clarifications import (
    ClarificationFactory,
    InterestFactory,
)

pytestmark = pytest.mark.django_db

ASKER_NAME = "Zephyrine Quillfeather Trust"


@pytest.fixture
def opportunity(commissioning_body, commissioner):
    return OpportunityFactory(body=commissioning_body, created_by=commissioner)


@pytest.fixture
def asker():
    organisation = OrganisationFactory(name=ASKER_NAME)
    user = UserFactory(email="asker@zephyrine.example.org", full_name="Ottoline Asker")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.ADMIN)
    return user


def url(opportunity) -> str:
    return reverse("commissioning:clarifications", args=[opportunity.pk])


# Asking, to the second


def test_a_question_one_second_before_the_close_is_taken(opportunity, asker):
    organisation = asker.memberships.get().organisation
    now = opportunity.clarifications_close_at - timedelta(seconds=1)
    clarification = services.clarification_ask(
        actor=asker,
        opportunity=opportunity,
        organisation=organisation,
        question="Is TUPE expected to apply?",
        now=now,
    )
    assert clarification.asked_by == asker
    assert clarification.asked_for == organisation
    assert AuditEvent.objects.filter(action="clarification.asked").count() == 1


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1)])
def test_a_question_at_or_after_the_close_is_refused(opportunity, asker, after):
    organisation = asker.memberships.get().organisation
    with pytest.raises(ValidationError, match="closed on"):
        services.clarification_ask(
            actor=asker,
            opportunity=opportunity,
            organisation=organisation,
            question="Is TUPE expected to apply?",
            now=opportunity.clarifications_close_at + after,
        )
    assert not Clarification.objects.exists()


def test_the_page_refuses_a_question_after_the_close_with_a_clear_message(
    client, opportunity, asker
):
    opportunity.clarifications_close_at = timezone.now() - timedelta(seconds=1)
    opportunity.save()
    client.force_login(asker)
    page = client.get(url(opportunity))
    assert page.status_code == 200
    assert "Questions about this opportunity closed" in page.content.decode()
    assert b"Send the question" not in page.content
    response = client.post(url(opportunity), {"question": "Late question"})
    assert response.status_code == 200
    assert not Clarification.objects.exists()


def test_a_provider_asks_through_the_page(client, opportunity, provider, provider_org):
    client.force_login(provider)
    response = client.post(
        url(opportunity), {"organisation": provider_org.pk, "question": "What is the TUPE list?"}
    )
    assert response.status_code == 302
    clarification = Clarification.objects.get()
    assert clarification.asked_for == provider_org
    assert clarification.asked_by == provider


@pytest.mark.parametrize("who", ["commissioner", "pending_provider", "network_admin"])
def test_only_verified_third_sector_members_ask(client, opportunity, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(opportunity), {"question": "May I ask?"})
    assert response.status_code == 403
    assert not Clarification.objects.exists()


def test_an_anonymous_question_is_sent_to_sign_in(client, opportunity):
    response = client.post(url(opportunity), {"question": "May I ask?"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_question_on_a_closed_opportunity_is_refused(opportunity, asker):
    opportunity.status = OpportunityStatus.CLOSED
    opportunity.save()
    with pytest.raises(ValidationError):
        services.clarification_ask(
            actor=asker,
            opportunity=opportunity,
            organisation=asker.memberships.get().organisation,
            question="Too late?",
        )


def test_a_person_cannot_ask_for_an_organisation_they_do_not_belong_to(opportunity, asker):
    with pytest.raises(PermissionDenied):
        services.clarification_ask(
            actor=asker,
            opportunity=opportunity,
            organisation=OrganisationFactory(),
            question="On behalf of someone else?",
        )


# Answering, publishing and emailing


def _interested_world(opportunity):
    """One organisation that registered interest, one that started a draft bid, one that
    withdrew its bid, one that did neither; each with an active and an inactive member."""
    orgs = {}
    for name in ("interested", "drafting", "withdrawn", "bystander"):
        organisation = OrganisationFactory(name=f"{name.title()} Org")
        MembershipFactory(user=UserFactory(email=f"{name}@example.org"), organisation=organisation)
        MembershipFactory(
            user=UserFactory(email=f"{name}.gone@example.org", is_active=False),
            organisation=organisation,
        )
        orgs[name] = organisation
    InterestFactory(opportunity=opportunity, organisation=orgs["interested"])
    BidFactory(opportunity=opportunity, organisation=orgs["drafting"])
    BidFactory(opportunity=opportunity, organisation=orgs["withdrawn"], status=BidStatus.WITHDRAWN)
    return orgs


def test_an_answer_is_emailed_once_to_each_interested_or_bidding_organisation(
    opportunity, commissioner, asker, django_capture_on_commit_callbacks
):
    _interested_world(opportunity)
    InterestFactory(opportunity=opportunity, organisation=asker.memberships.get().organisation)
    clarification = ClarificationFactory(
        opportunity=opportunity,
        asked_by=asker,
        asked_for=asker.memberships.get().organisation,
        question="Will the successful provider inherit the current premises?",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.clarification_answer(
            actor=commissioner, clarification=clarification, answer="No: premises are separate."
        )
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "asker@zephyrine.example.org",
        "drafting@example.org",
        "interested@example.org",
        "withdrawn@example.org",
    ]
    for message in mail.outbox:
        text = message.body + message.alternatives[0][0]
        assert "inherit the current premises" in text
        assert "premises are separate" in text
        assert ASKER_NAME not in text
        assert "Ottoline" not in text
        assert "asker@zephyrine" not in text
    # A second run, or a retry, sends nothing more.
    assert services.clarification_answer_emails_send(clarification_id=clarification.pk) == 0
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action=services.ANSWER_EMAILED).count() == 1


def test_an_unanswered_question_is_never_emailed(opportunity):
    clarification = ClarificationFactory(opportunity=opportunity)
    InterestFactory(opportunity=opportunity)
    assert services.clarification_answer_emails_send(clarification_id=clarification.pk) == 0
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=services.ANSWER_EMAILED).exists()


def test_only_the_opportunitys_commissioners_answer(opportunity, provider):
    clarification = ClarificationFactory(opportunity=opportunity)
    with pytest.raises(PermissionDenied):
        services.clarification_answer(actor=provider, clarification=clarification, answer="Yes")
    clarification.refresh_from_db()
    assert clarification.answered_at is None


def test_a_question_is_answered_once(opportunity, commissioner):
    clarification = ClarificationFactory(opportunity=opportunity)
    services.clarification_answer(actor=commissioner, clarification=clarification, answer="Yes")
    with pytest.raises(ValidationError):
        services.clarification_answer(actor=commissioner, clarification=clarification, answer="No")
    clarification.refresh_from_db()
    assert clarification.answer == "Yes"


def test_the_answer_page_publishes_and_the_public_page_never_names_the_asker(
    client, opportunity, commissioner, asker, outsider, django_capture_on_commit_callbacks
):
    clarification = ClarificationFactory(
        opportunity=opportunity,
        asked_by=asker,
        asked_for=asker.memberships.get().organisation,
        question="Is there a mobilisation budget?",
    )
    client.force_login(commissioner)
    page = client.get(url(opportunity)).content.decode()
    assert "Questions waiting for an answer (1)" in page
    assert "Is there a mobilisation budget?" in page
    assert ASKER_NAME not in page and "Ottoline" not in page
    answer_url = reverse("commissioning:clarification_answer", args=[clarification.pk])
    assert ASKER_NAME not in client.get(answer_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer_url, {"answer": "Yes, £20,000 in the first quarter."})
    assert response.status_code == 302
    for user in (None, outsider, asker, commissioner):
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(url(opportunity)).content.decode()
        assert "Is there a mobilisation budget?" in page
        assert "£20,000 in the first quarter" in page
        if user is asker:
            # The asker's own page names their organisation in the header and the form; the
            # published answers do not.
            page = page[page.index('id="answers-heading"') : page.index('id="ask-heading"')]
        assert ASKER_NAME not in page
        assert "Ottoline" not in page


def test_an_unanswered_question_is_not_public(client, opportunity, outsider):
    ClarificationFactory(opportunity=opportunity, question="A question still waiting")
    client.force_login(outsider)
    assert "A question still waiting" not in client.get(url(opportunity)).content.decode()


def test_a_draft_opportunitys_questions_are_hidden(client, commissioning_body, outsider):
    draft = OpportunityFactory(body=commissioning_body, status=OpportunityStatus.DRAFT)
    client.force_login(outsider)
    assert client.get(url(draft)).status_code == 404
    client.logout()
    assert client.get(url(draft)).status_code == 404
