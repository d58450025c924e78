"""The provider's return form: a value of the wrong kind gets a clear message beside its field,
a draft keeps values without submitting, a double submit makes one submission, an oversized
file is refused on the page with nothing typed lost, and evidence comes and goes until the
return is submitted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import MonitoringReturn, ReturnEvidence, ReturnStatus
from tests.commissioning.agreements_monitoring_setup import (
    agreement_with_measures,
    due_return,
    good_post,
    pdf,
    submit,
)
from tests.factories.commissioning_agreements import ReturnEvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client, commissioning_body, provider_org, provider):
    agreement, measures = agreement_with_measures(commissioning_body, provider_org)
    client.force_login(provider)
    monitoring_return = due_return(agreement)
    return {
        "measures": measures,
        "return": monitoring_return,
        "url": reverse("commissioning:return_submit", args=[monitoring_return.pk]),
        "evidence_url": reverse("commissioning:return_evidence", args=[monitoring_return.pk]),
    }


def page_of(response) -> str:
    return response.content.decode()


def test_the_form_shows_each_measure_with_its_target_and_evidence(client, world):
    page = page_of(client.get(world["url"]))
    assert "People supported" in page
    assert "Target a period" in page
    assert "A list of sessions with attendance, anonymised." in page
    assert "Payment depends on this measure" in page
    assert "Overdue by" in page or "overdue by" in page


@pytest.mark.parametrize(
    ("index", "typed", "message"),
    [
        (0, "4.5", "“4.5” is not a whole number"),
        (0, "lots", "“lots” is not a whole number"),
        (0, "-3", "a count cannot be negative"),
        (1, "120", "“120” is not a percentage from 0 to 100"),
        (1, "high", "“high” is not a percentage"),
        (2, "£twelve", "is not an amount of money"),
        (2, "12.345", "at most two decimal places"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_beside_its_field(
    client, world, index, typed, message
):
    measure = world["measures"][index]
    response = client.post(
        world["url"],
        good_post(world["measures"], action="submit", **{f"value_{measure.pk}": typed}),
    )
    assert response.status_code == 400
    page = page_of(response)
    assert message in page
    assert f'href="#id_value_{measure.pk}"' in page  # the error summary links to the field
    assert "We ran the weekly drop-ins and the phone line." in page  # nothing typed is lost
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.DUE
    assert not world["return"].values.exists()


def test_figures_are_taken_as_people_type_them(client, world):
    measures = world["measures"]
    post = good_post(
        measures,
        action="submit",
        **{
            f"value_{measures[0].pk}": "1,204",
            f"value_{measures[1].pk}": "85%",
            f"value_{measures[2].pk}": "£2,600.50",
        },
    )
    response = client.post(world["url"], post)
    assert response.status_code == 302
    values = dict(world["return"].values.values_list("measure_id", "value"))
    assert values == {
        measures[0].pk: Decimal("1204"),
        measures[1].pk: Decimal("85"),
        measures[2].pk: Decimal("2600.50"),
    }


def test_save_draft_keeps_the_values_without_submitting(client, world):
    measures = world["measures"]
    post = good_post(measures, action="save", narrative="", **{f"value_{measures[1].pk}": ""})
    response = client.post(world["url"], post)
    assert response.status_code == 302
    assert response.url == world["url"]
    monitoring_return = MonitoringReturn.objects.get(pk=world["return"].pk)
    assert monitoring_return.status == ReturnStatus.DUE
    assert monitoring_return.values.count() == 2
    page = page_of(client.get(world["url"]))
    assert "Your draft is saved" in page
    assert 'value="42"' in page


def test_submitting_without_the_narrative_or_a_figure_says_what_is_missing(client, world):
    measures = world["measures"]
    post = good_post(measures, action="submit", narrative="", **{f"value_{measures[2].pk}": ""})
    response = client.post(world["url"], post)
    assert response.status_code == 400
    page = page_of(response)
    assert "Write the narrative" in page
    assert "Enter a figure for “Volunteer time given” before you submit." in page
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.DUE


def test_submit_goes_to_the_return_page(client, world):
    response = client.post(world["url"], good_post(world["measures"], action="submit"))
    assert response.status_code == 302
    assert response.url == reverse("commissioning:return", args=[world["return"].pk])
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.SUBMITTED
    assert "Your return is submitted" in page_of(client.get(response.url))


def test_a_double_submit_makes_one_submission_and_says_so(client, world):
    post = good_post(world["measures"], action="submit", version="0")
    client.post(world["url"], post)
    world["return"].refresh_from_db()
    first = (world["return"].submitted_at, world["return"].version)
    response = client.post(world["url"], post, follow=True)
    world["return"].refresh_from_db()
    assert (world["return"].submitted_at, world["return"].version) == first
    assert "This return was already submitted" in page_of(response)


def test_a_stale_second_tab_is_told_the_return_was_already_submitted(client, world):
    stale = good_post(world["measures"], action="submit", version="0", narrative="Tab two")
    client.post(world["url"], good_post(world["measures"], action="submit", version="0"))
    response = client.post(world["url"], stale, follow=True)
    assert "This return was already submitted" in page_of(response)
    world["return"].refresh_from_db()
    assert world["return"].narrative == "We ran the weekly drop-ins and the phone line."


def test_a_returned_return_can_be_filled_in_and_submitted_again(
    client, world, provider, commissioner
):
    from tests.commissioning.agreements_monitoring_setup import review

    submitted = submit(world["return"], provider, world["measures"])
    review(
        submitted,
        commissioner,
        decision="return",
        ratings={},
        overall="",
        returned_reason="Send the attendance register for March.",
    )
    page = page_of(client.get(world["url"]))
    assert "What more is needed" in page
    assert "Send the attendance register for March." in page
    response = client.post(
        world["url"],
        good_post(world["measures"], action="submit", narrative="The register is attached."),
    )
    assert response.status_code == 302
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.SUBMITTED
    assert world["return"].narrative == "The register is attached."


# Evidence


def test_an_oversized_file_is_refused_on_the_page_and_nothing_typed_is_lost(
    client, world, settings
):
    settings.PORTAL_MAX_EVIDENCE_UPLOAD_BYTES = 1024
    post = good_post(world["measures"], narrative="Typed but not yet saved")
    post["file"] = pdf("register.pdf", size=4096)
    response = client.post(world["evidence_url"], post)
    assert response.status_code == 400
    page = page_of(response)
    assert "“register.pdf” is 4.0\xa0KB, which is too large. Files can be up to 1.0\xa0KB" in page
    assert 'href="#id_file"' in page
    assert "Typed but not yet saved" in page
    assert 'value="81.5"' in page
    assert not ReturnEvidence.objects.exists()
    world["return"].refresh_from_db()
    assert world["return"].narrative == ""  # all or nothing: the draft waits for a good file


def test_an_oversized_file_with_submit_submits_nothing(client, world, settings):
    settings.PORTAL_MAX_EVIDENCE_UPLOAD_BYTES = 1024
    post = good_post(world["measures"], action="submit")
    post["file"] = pdf("register.pdf", size=4096)
    response = client.post(world["url"], post)
    assert response.status_code == 400
    assert "too large" in page_of(response)
    world["return"].refresh_from_db()
    assert world["return"].status == ReturnStatus.DUE


def test_a_file_of_the_wrong_type_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = good_post(world["measures"])
    post["file"] = SimpleUploadedFile("photo.exe", b"MZ\x90\x00", content_type="image/png")
    response = client.post(world["evidence_url"], post)
    assert response.status_code == 400
    assert "is not a type of file we accept" in page_of(response)


def test_attaching_a_file_saves_the_draft_with_it(client, world):
    measure = world["measures"][0]
    post = good_post(world["measures"], evidence_title="March register")
    post["evidence_measure"] = str(measure.pk)
    post["file"] = pdf()
    response = client.post(world["evidence_url"], post)
    assert response.status_code == 302
    evidence = ReturnEvidence.objects.get()
    assert (evidence.title, evidence.measure, evidence.original_name) == (
        "March register",
        measure,
        "register.pdf",
    )
    world["return"].refresh_from_db()
    assert world["return"].narrative == "We ran the weekly drop-ins and the phone line."
    assert world["return"].status == ReturnStatus.DUE
    download = client.get(reverse("commissioning:return_evidence_file", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_file_posted_on_its_own_is_attached(client, world):
    response = client.post(world["evidence_url"], {"file": pdf("alone.pdf")})
    assert response.status_code == 302
    assert ReturnEvidence.objects.get().original_name == "alone.pdf"


def test_the_upload_needs_a_file(client, world):
    response = client.post(world["evidence_url"], good_post(world["measures"]))
    assert response.status_code == 400
    assert "Choose a file to upload." in page_of(response)


def test_evidence_can_be_removed_until_the_return_is_submitted(
    client, world, provider, django_capture_on_commit_callbacks
):
    evidence = ReturnEvidenceFactory(monitoring_return=world["return"], uploaded_by=provider)
    stored, storage = evidence.file.name, evidence.file.storage
    assert storage.exists(stored)
    url = reverse("commissioning:return_evidence_delete", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not ReturnEvidence.objects.filter(pk=evidence.pk).exists()
    assert not storage.exists(stored)  # the file goes once the removal commits
    kept = ReturnEvidenceFactory(monitoring_return=world["return"], uploaded_by=provider)
    client.post(world["url"], good_post(world["measures"], action="submit"))
    response = client.post(
        reverse("commissioning:return_evidence_delete", args=[kept.pk]), follow=True
    )
    assert ReturnEvidence.objects.filter(pk=kept.pk).exists()
    assert "This return was already submitted" in page_of(response)


def test_removing_a_file_from_the_form_keeps_what_was_typed(client, world, provider):
    evidence = ReturnEvidenceFactory(monitoring_return=world["return"], uploaded_by=provider)
    url = reverse("commissioning:return_evidence_delete", args=[evidence.pk])
    response = client.post(url, good_post(world["measures"], narrative="Typed before removing"))
    assert response.status_code == 302
    world["return"].refresh_from_db()
    assert world["return"].narrative == "Typed before removing"
    assert not ReturnEvidence.objects.exists()


def test_a_submitted_return_sends_its_form_back_to_the_return_page(client, world):
    client.post(world["url"], good_post(world["measures"], action="submit"))
    response = client.get(world["url"])
    assert response.status_code == 302
    assert response.url == reverse("commissioning:return", args=[world["return"].pk])


def test_a_file_chosen_before_save_draft_is_attached_not_dropped(client, world):
    post = good_post(world["measures"], action="save")
    post["file"] = pdf("chosen.pdf")
    response = client.post(world["url"], post, follow=True)
    assert "with “chosen.pdf” attached" in page_of(response)
    assert ReturnEvidence.objects.get().original_name == "chosen.pdf"
