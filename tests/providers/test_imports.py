"""Importing organisations from CSV: per-row reports, idempotence, refused rows and files, the
template, the Celery task and the progress page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import (
    AuditEvent,
    LegalForm,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from providers import tasks
from providers.models import ImportStatus, OrganisationImport, ProfileVersion, ProviderProfile
from providers.services import imports
from tests.factories import (
    CommissioningBodyFactory,
    OrganisationFactory,
    OrganisationImportFactory,
    ProviderProfileFactory,
)

pytestmark = pytest.mark.django_db

HEADER = list(imports.COLUMN_NAMES)


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


GOOD_ROWS = [
    {
        "name": "Lindenford Food Bank",
        "legal_form": "CIO",
        "charity_number": "1180001",
        "postcode": "e8 1dy",
        "address": "The Old Chapel, Mare Street",
        "website": "www.lindenford-foodbank.org.uk",
        "description": "Emergency food parcels.",
        "income_band": "Small",
        "year_founded": "2012",
        "contact_email": "hello@lindenford-foodbank.org.uk",
    },
    {
        "name": "Riverside Community Interest Company",
        "legal_form": "Community interest company (CIC)",
        "company_number": "9876543",
    },
]


def upload(client, content: bytes, name: str = "register.csv", *, callbacks):
    """Post the file, run what it queued on commit (as a real request's commit would), then
    follow the redirect to the import's page."""
    with callbacks(execute=True):
        response = client.post(
            reverse("providers:import_create"),
            {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        )
    if response.status_code != 302:
        return response
    page = client.get(response["Location"])
    page.redirect_url = response["Location"]
    return page


@pytest.fixture
def admin_client(client, network_admin):
    client.force_login(network_admin)
    return client


def latest_import() -> OrganisationImport:
    return OrganisationImport.objects.order_by("-pk").first()


def outcomes(job: OrganisationImport) -> dict[int, str]:
    return {entry["line"]: entry["outcome"] for entry in job.report}


def messages_for(job: OrganisationImport, line: int) -> str:
    return " ".join(next(e for e in job.report if e["line"] == line)["messages"])


# A good file


def test_a_good_file_creates_verified_organisations_and_reports_each_row(
    admin_client, network_admin, django_capture_on_commit_callbacks
):
    response = upload(
        admin_client, csv_bytes(GOOD_ROWS), callbacks=django_capture_on_commit_callbacks
    )

    job = latest_import()
    assert response.redirect_url == reverse("providers:import_detail", args=[job.pk])
    assert job.status == ImportStatus.DONE
    assert job.finished_at is not None
    assert (job.total_rows, job.processed_rows, job.percent_done) == (2, 2, 100)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.refused_count) == (
        2,
        0,
        0,
        0,
    )
    assert outcomes(job) == {2: "created", 3: "created"}
    assert job.uploaded_by == network_admin
    assert job.file.name.startswith("imports/")

    food_bank = Organisation.objects.get(charity_number="1180001")
    assert food_bank.name == "Lindenford Food Bank"
    assert food_bank.kind == OrganisationKind.THIRD_SECTOR
    assert food_bank.legal_form == LegalForm.CIO
    assert food_bank.verification_status == VerificationStatus.VERIFIED
    assert food_bank.verified_at is not None
    assert food_bank.postcode == "E8 1DY"
    profile = food_bank.profile
    assert profile.website == "https://www.lindenford-foodbank.org.uk"
    assert profile.income_band == "small"
    assert profile.year_founded == 2012
    assert profile.contact_email == "hello@lindenford-foodbank.org.uk"
    assert "Emergency food parcels" in profile.search_document

    cic = Organisation.objects.get(company_number="09876543")
    assert cic.legal_form == LegalForm.CIC
    assert cic.charity_number == ""

    imported = AuditEvent.objects.filter(action="organisation.imported")
    assert {e.organisation_id for e in imported} == {food_bank.pk, cic.pk}
    assert all(e.actor == network_admin for e in imported)
    assert AuditEvent.objects.filter(action="organisation_import.finished").count() == 1

    page = response.content.decode()
    assert "Lindenford Food Bank" in page
    assert "Created: <strong>2</strong>" in page
    assert 'http-equiv="refresh"' not in page


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    admin_client, django_capture_on_commit_callbacks
):
    content = csv_bytes(GOOD_ROWS)
    upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    before = {o.pk: (o.updated_at, o.profile.updated_at) for o in Organisation.objects.all()}
    events = AuditEvent.objects.exclude(action__startswith="organisation_import").count()

    upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)

    job = latest_import()
    assert outcomes(job) == {2: "unchanged", 3: "unchanged"}
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 2)
    after = {o.pk: (o.updated_at, o.profile.updated_at) for o in Organisation.objects.all()}
    assert after == before
    assert AuditEvent.objects.exclude(action__startswith="organisation_import").count() == events
    assert not ProfileVersion.objects.exists()


def test_an_update_changes_only_what_differs_and_audits_the_fields(
    admin_client, network_admin, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(
        name="Lindenford Food Bank", charity_number="1180001", postcode="E8 1DY"
    )
    ProviderProfileFactory(organisation=organisation, website="https://old.example.org/")
    row = {
        # Only capitals differ: a register's upper-case name does not overwrite the one held.
        "name": "LINDENFORD FOOD BANK",
        "charity_number": "1180001",
        "company_number": "",
        "postcode": "E9 5LN",
        "website": "https://new.example.org/",
        "description": "",
    }
    upload(admin_client, csv_bytes([row]), callbacks=django_capture_on_commit_callbacks)

    job = latest_import()
    assert outcomes(job) == {2: "updated"}
    organisation.refresh_from_db()
    assert organisation.name == "Lindenford Food Bank"
    assert organisation.postcode == "E9 5LN"
    assert organisation.profile.website == "https://new.example.org/"
    # An empty cell leaves what the portal holds.
    assert organisation.profile.description == "A local charity offering practical help."
    event = AuditEvent.objects.get(action="organisation.updated_by_import")
    assert event.organisation == organisation
    assert event.actor == network_admin
    assert "postcode (E8 1DY → E9 5LN)" in event.note
    assert "website" in event.note
    assert "name" not in event.note
    version = ProfileVersion.objects.get(profile=organisation.profile)
    assert version.changed == {"website": ["https://old.example.org/", "https://new.example.org/"]}
    assert "postcode" in messages_for(job, 2)


def test_an_organisation_waiting_for_verification_is_updated_but_not_verified(
    admin_client, pending_org, django_capture_on_commit_callbacks
):
    row = {"name": pending_org.name, "charity_number": pending_org.charity_number}
    row["postcode"] = "N1 1AA"
    upload(admin_client, csv_bytes([row]), callbacks=django_capture_on_commit_callbacks)

    pending_org.refresh_from_db()
    assert pending_org.postcode == "N1 1AA"
    assert pending_org.verification_status == VerificationStatus.PENDING
    assert "waiting for verification" in messages_for(latest_import(), 2)


# Broken rows


def test_a_broken_file_imports_its_valid_rows_and_refuses_the_others_with_reasons(
    admin_client, django_capture_on_commit_callbacks
):
    rows = [
        {"name": "Good One", "charity_number": "1180001"},  # line 2
        {"name": "Bad Number", "charity_number": "12AB"},  # 3
        {"name": "Bad Year", "charity_number": "1180003", "year_founded": "abc"},  # 4
        {"name": "Bad Band", "charity_number": "1180004", "income_band": "enormous"},  # 5
        {"name": "CIO Without Number", "legal_form": "cio", "company_number": "01234567"},  # 6
        {"name": "CLG Without Number", "legal_form": "clg", "charity_number": "1180006"},  # 7
        {"name": "No Numbers"},  # 8
        {"name": "Odd Form", "charity_number": "1180008", "legal_form": "plc"},  # 9
        {"name": "Bad Postcode", "charity_number": "1180009", "postcode": "NOT A CODE"},  # 10
        {"name": "Bad Email", "charity_number": "1180010", "contact_email": "nobody"},  # 11
        {"name": "", "charity_number": "1180011"},  # 12
        {"name": "Good Two", "company_number": "SC123456"},  # 13
        {"name": "Old Year", "charity_number": "1180013", "year_founded": "1066"},  # 14
        {"name": "Bad Site", "charity_number": "1180014", "website": "not a web address"},  # 15
    ]
    upload(admin_client, csv_bytes(rows), callbacks=django_capture_on_commit_callbacks)

    job = latest_import()
    assert job.status == ImportStatus.DONE
    assert outcomes(job) == dict.fromkeys(range(3, 13), "refused") | {
        2: "created",
        13: "created",
        14: "refused",
        15: "refused",
    }
    assert (job.created_count, job.refused_count, job.processed_rows) == (2, 12, 14)
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Good One", "Good Two"}
    assert "charity_number: Enter a charity number using digits only" in messages_for(job, 3)
    assert "year_founded: “abc” is not a year" in messages_for(job, 4)
    assert "income_band: “enormous” is not an income band" in messages_for(job, 5)
    assert "charity_number:" in messages_for(job, 6)
    assert "needs its charity number" in messages_for(job, 6)
    assert "needs its company number" in messages_for(job, 7)
    assert "Give a charity number or a company number" in messages_for(job, 8)
    assert "legal_form: “plc” is not a legal form" in messages_for(job, 9)
    assert "postcode:" in messages_for(job, 10)
    assert "contact_email:" in messages_for(job, 11)
    assert "name: Every row needs the organisation's name" in messages_for(job, 12)
    assert "year_founded:" in messages_for(job, 14)
    assert "website:" in messages_for(job, 15)


def test_every_problem_in_a_row_is_reported_together(
    admin_client, django_capture_on_commit_callbacks
):
    row = {"name": "Many Problems", "charity_number": "x", "year_founded": "abc", "postcode": "?"}
    upload(admin_client, csv_bytes([row]), callbacks=django_capture_on_commit_callbacks)
    text = messages_for(latest_import(), 2)
    assert "charity_number:" in text
    assert "year_founded:" in text
    assert "postcode:" in text


def test_rows_that_name_two_organisations_or_a_public_body_are_refused(
    admin_client, django_capture_on_commit_callbacks
):
    charity = OrganisationFactory(name="Charity A", charity_number="1180001")
    company = OrganisationFactory(name="Company B", charity_number="", company_number="01234567")
    body = CommissioningBodyFactory(name="Council", company_number="07654321")
    numbered = OrganisationFactory(
        name="Has Company", charity_number="1180002", company_number="01111111"
    )
    rows = [
        {"name": "Mixed", "charity_number": "1180001", "company_number": "01234567"},
        {"name": "Council", "company_number": "07654321"},
        {"name": "Has Company", "charity_number": "1180002", "company_number": "02222222"},
    ]
    upload(admin_client, csv_bytes(rows), callbacks=django_capture_on_commit_callbacks)

    job = latest_import()
    assert outcomes(job) == {2: "refused", 3: "refused", 4: "refused"}
    assert "Charity A" in messages_for(job, 2)
    assert "Company B" in messages_for(job, 2)
    assert "not a third sector organisation" in messages_for(job, 3)
    assert "01111111" in messages_for(job, 4)
    for organisation in (charity, company, body, numbered):
        before = organisation.updated_at
        organisation.refresh_from_db()
        assert organisation.updated_at == before
    numbered.refresh_from_db()
    assert numbered.company_number == "01111111"


def test_a_row_whose_number_is_taken_at_the_same_moment_is_refused_alone(network_admin):
    """The row's savepoint rolls back; the next row still imports."""
    row = imports.CsvRow(line=2, values={"name": "Racer", "charity_number": "1180001"})
    clean, _ = imports.import_row_clean(row)
    OrganisationFactory(charity_number="1180001")
    with pytest.raises(imports.ValidationError):
        imports._row_create(clean, actor=network_admin, source="test")
    result = imports.import_row_process(
        imports.CsvRow(line=3, values={"name": "Next", "charity_number": "1180002"}),
        actor=network_admin,
        source="test",
    )
    assert result.outcome == "created"


def test_line_numbers_count_the_header_and_multi_line_cells(
    admin_client, django_capture_on_commit_callbacks
):
    content = (
        b"name,charity_number,address\n"
        b'First,1180001,"1 High Street\nLindenford"\n'
        b"\n"
        b"Second,nonsense,\n"
    )
    upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    job = latest_import()
    assert outcomes(job) == {2: "created", 5: "refused"}
    assert Organisation.objects.get(charity_number="1180001").address == "1 High Street\nLindenford"


def test_a_row_with_more_values_than_columns_is_refused(
    admin_client, django_capture_on_commit_callbacks
):
    content = b"name,charity_number,address\nComma Trouble,1180001,1 High Street, Lindenford\n"
    upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert "double quotes" in messages_for(latest_import(), 2)
    assert not Organisation.objects.exists()


def test_headings_are_read_loosely_and_unknown_columns_ignored(
    admin_client, django_capture_on_commit_callbacks
):
    content = b"Name;Charity Number;Notes\nSemicolon Trust;1180001;ignored\n"
    upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert outcomes(latest_import()) == {2: "created"}
    assert Organisation.objects.get(charity_number="1180001").name == "Semicolon Trust"


# Refused files: nothing is saved


def assert_refused(response, *phrases: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    for phrase in phrases:
        assert any(phrase in error for error in errors), (phrase, errors)
    assert not OrganisationImport.objects.exists()
    assert not Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR).exists()


def test_a_file_missing_required_columns_is_refused_naming_them(
    admin_client, django_capture_on_commit_callbacks
):
    content = b"organisation,charity_number\nNo Name Column,1180001\n"
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert_refused(response, "no name column", "nothing was imported")
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b"name,charity_number\n", "no rows"),
        (b"name,name\nTwice,1\n", "appears twice"),
    ],
)
def test_files_with_nothing_to_import_are_refused(
    admin_client, django_capture_on_commit_callbacks, content, phrase
):
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert_refused(response, phrase)


def test_a_file_not_in_utf8_or_windows_1252_is_refused(
    admin_client, django_capture_on_commit_callbacks
):
    # 0x81 and 0x9d are not characters in UTF-8 nor in Windows-1252.
    content = b"name,charity_number\nGood,1180001\nBad \x81\x9d Name,1180002\n"
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert_refused(response, "not in the UTF-8 text encoding", "line 3", "CSV UTF-8")


def test_utf8_with_a_byte_order_mark_is_read(admin_client, django_capture_on_commit_callbacks):
    content = "name,charity_number\nCafé Ñoño,1180001\n".encode("utf-8-sig")
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert outcomes(latest_import()) == {2: "created"}
    assert Organisation.objects.get().name == "Café Ñoño"
    assert "Windows-1252" not in response.content.decode()


def test_excel_windows_1252_is_read_with_a_warning(
    admin_client, django_capture_on_commit_callbacks
):
    content = "name,charity_number,description\nCafé Ltd,1180001,Costs £5\n".encode("cp1252")
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    organisation = Organisation.objects.get()
    assert organisation.name == "Café Ltd"
    assert organisation.profile.description == "Costs £5"
    assert "read as Windows-1252" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("register.xlsx", b"PK\x03\x04rest", "is not a CSV file"),
        ("register.csv", b"PK\x03\x04rest of a workbook", "Excel workbook"),
        ("register.csv", b"%PDF-1.4 ...", "PDF"),
        ("register.csv", "name\nX\n".encode("utf-16"), "UTF-16"),
        ("register.csv", b"name,charity_number\nNul\x00,1\n", "binary"),
    ],
)
def test_a_file_that_is_not_a_csv_is_refused(
    admin_client, django_capture_on_commit_callbacks, name, content, phrase
):
    response = upload(admin_client, content, name, callbacks=django_capture_on_commit_callbacks)
    assert_refused(response, phrase)


def test_an_oversized_file_is_refused(admin_client, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_MAX_UPLOAD_BYTES = 100
    content = csv_bytes(
        [{"name": f"Org {i}", "charity_number": str(1180000 + i)} for i in range(10)]
    )
    assert len(content) > 100
    response = upload(admin_client, content, callbacks=django_capture_on_commit_callbacks)
    assert_refused(response, "Files can be up to 100")


def test_posting_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(reverse("providers:import_create"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not OrganisationImport.objects.exists()


def test_only_network_admins_may_upload(client, commissioner, django_capture_on_commit_callbacks):
    client.force_login(commissioner)
    response = upload(client, csv_bytes(GOOD_ROWS), callbacks=django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not OrganisationImport.objects.exists()
    with pytest.raises(imports.PermissionDenied):
        imports.organisation_import_create(
            actor=commissioner, original_name="x.csv", data=csv_bytes(GOOD_ROWS)
        )


# The upload page and the template


def test_the_upload_page_documents_every_column(admin_client):
    response = admin_client.get(reverse("providers:import_create"))
    page = response.content.decode()
    for column in imports.IMPORT_COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert page.count(">Required<") == len(imports.REQUIRED_COLUMNS)
    assert reverse("providers:import_template") in page
    assert 'enctype="multipart/form-data"' in page


def test_the_template_downloads_and_imports_cleanly(
    admin_client, django_capture_on_commit_callbacks
):
    response = admin_client.get(reverse("providers:import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert len(rows) == 2

    upload(admin_client, content, "template.csv", callbacks=django_capture_on_commit_callbacks)
    job = latest_import()
    assert outcomes(job) == {2: "created"}, job.report
    organisation = Organisation.objects.get(charity_number="1234567")
    assert organisation.company_number == "01234567"


# The task, and progress


def test_the_task_runs_the_import_by_id_and_does_nothing_to_a_finished_one(network_admin):
    from django.db import transaction

    with transaction.atomic():
        job = imports.organisation_import_create(
            actor=network_admin, original_name="register.csv", data=csv_bytes(GOOD_ROWS)
        )
        # Queued, not run, until the transaction commits.
        assert OrganisationImport.objects.get(pk=job.pk).status == ImportStatus.QUEUED

    assert tasks.organisation_import_run.delay(job.pk).get() == ImportStatus.DONE
    job.refresh_from_db()
    assert job.created_count == 2
    report = job.report
    events = AuditEvent.objects.count()

    assert tasks.organisation_import_run.delay(job.pk).get() == ImportStatus.DONE
    job.refresh_from_db()
    assert job.report == report
    assert job.created_count == 2
    assert AuditEvent.objects.count() == events
    assert Organisation.objects.count() == 2


def test_the_upload_queues_the_task_once_the_transaction_commits(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            reverse("providers:import_create"),
            {"file": SimpleUploadedFile("register.csv", csv_bytes(GOOD_ROWS))},
        )
    job = latest_import()
    assert job.status == ImportStatus.QUEUED
    assert job.total_rows == 2
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_a_job_left_running_by_a_lost_worker_runs_again(network_admin):
    job = OrganisationImportFactory(
        uploaded_by=network_admin,
        status=ImportStatus.RUNNING,
        file__data=csv_bytes(GOOD_ROWS),
        report=[],
        refused_count=0,
    )
    imports.organisation_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_count == 2


def test_a_stored_file_that_cannot_be_read_fails_the_job_with_its_reason(network_admin):
    job = OrganisationImportFactory(
        uploaded_by=network_admin, status=ImportStatus.QUEUED, file__data=b"nothing,useful\n1,2\n"
    )
    imports.organisation_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "no name column" in job.error
    # A failed job stays failed.
    imports.organisation_import_run(import_id=job.pk)
    assert OrganisationImport.objects.get(pk=job.pk).finished_at == job.finished_at


def test_progress_is_written_as_the_rows_go(network_admin, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    rows = [{"name": f"Org {i}", "charity_number": str(1180000 + i)} for i in range(5)]
    job = OrganisationImportFactory(
        uploaded_by=network_admin, status=ImportStatus.QUEUED, file__data=csv_bytes(rows)
    )
    seen = []
    process = imports.import_row_process

    def watching(row, **kwargs):
        seen.append(
            OrganisationImport.objects.values_list("status", "processed_rows", "total_rows").get(
                pk=job.pk
            )
        )
        return process(row, **kwargs)

    monkeypatch.setattr(imports, "import_row_process", watching)
    imports.organisation_import_run(import_id=job.pk)

    assert [s[0] for s in seen] == [ImportStatus.RUNNING] * 5
    assert [s[1] for s in seen] == [0, 0, 2, 2, 4]
    assert all(s[2] == 5 for s in seen[2:])
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.total_rows) == (ImportStatus.DONE, 5, 5)


def test_the_page_shows_progress_and_refreshes_itself_while_running(admin_client):
    job = OrganisationImportFactory(
        status=ImportStatus.RUNNING, total_rows=10, processed_rows=4, report=[]
    )
    url = reverse("providers:import_detail", args=[job.pk])
    page = admin_client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress class="w-100" max="10" value="4"' in page
    assert "4 of 10 rows processed (40%)" in page
    assert "Stop refreshing" in page

    stopped = admin_client.get(url, {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in stopped
    assert "4 of 10 rows processed" in stopped

    job.status = ImportStatus.DONE
    job.save()
    assert 'http-equiv="refresh"' not in admin_client.get(url).content.decode()


def test_a_failed_job_shows_its_error(admin_client):
    job = OrganisationImportFactory(status=ImportStatus.FAILED, error="The file vanished.")
    page = admin_client.get(reverse("providers:import_detail", args=[job.pk])).content.decode()
    assert "The import did not finish" in page
    assert "The file vanished." in page


# The report


def test_the_report_can_show_refused_rows_only(admin_client, django_capture_on_commit_callbacks):
    rows = [
        {"name": "Kept", "charity_number": "1180001"},
        {"name": "Dropped", "charity_number": "bad"},
    ]
    upload(admin_client, csv_bytes(rows), callbacks=django_capture_on_commit_callbacks)
    url = reverse("providers:import_detail", args=[latest_import().pk])

    everything = admin_client.get(url).content.decode()
    assert "Kept" in everything and "Dropped" in everything
    refused = admin_client.get(url, {"outcome": "refused"})
    assert [r["name"] for r in refused.context["page"].object_list] == ["Dropped"]
    page = refused.content.decode()
    assert "Dropped" in page and ">Kept<" not in page
    assert "Enter a charity number" in page


def test_the_report_downloads_as_csv_without_formulas(
    admin_client, django_capture_on_commit_callbacks
):
    rows = [{"name": '=HYPERLINK("http://evil")', "charity_number": "bad"}]
    upload(admin_client, csv_bytes(rows), callbacks=django_capture_on_commit_callbacks)
    response = admin_client.get(reverse("providers:import_report", args=[latest_import().pk]))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == ["line", "outcome", "name", "organisation_id", "messages"]
    assert lines[1][:3] == ["2", "refused", '\'=HYPERLINK("http://evil")']


def test_the_list_shows_imports_newest_first_in_pages(admin_client, network_admin):
    older = OrganisationImportFactory(uploaded_by=network_admin, original_name="older.csv")
    newer = OrganisationImportFactory(uploaded_by=network_admin, original_name="newer.csv")
    response = admin_client.get(reverse("providers:import_list"))
    assert list(response.context["page"].object_list) == [newer, older]
    page = response.content.decode()
    assert page.index("newer.csv") < page.index("older.csv")

    for _ in range(24):
        OrganisationImportFactory(uploaded_by=network_admin)
    response = admin_client.get(reverse("providers:import_list"), {"page": 2})
    assert response.context["page"].paginator.num_pages == 2
    assert list(response.context["page"].object_list) == [older]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_import_pages_issue_a_fixed_number_of_queries(admin_client, network_admin):
    job = OrganisationImportFactory(uploaded_by=network_admin)
    list_url = reverse("providers:import_list")
    detail_url = reverse("providers:import_detail", args=[job.pk])
    small = (_queries(admin_client, list_url), _queries(admin_client, detail_url))

    for _ in range(10):
        OrganisationImportFactory()
    job.report = job.report * 50
    job.save()
    large = (_queries(admin_client, list_url), _queries(admin_client, detail_url))
    assert small == large
    # Session, user and memberships, then the page's own: the count and page of imports with
    # their uploaders; the import, then its uploader.
    assert large == (5, 5)


def test_profiles_are_made_for_organisations_the_import_matches(
    admin_client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(charity_number="1180001")
    assert not ProviderProfile.objects.filter(organisation=organisation).exists()
    row = {"name": organisation.name, "charity_number": "1180001", "year_founded": "1990"}
    upload(admin_client, csv_bytes([row]), callbacks=django_capture_on_commit_callbacks)
    assert outcomes(latest_import()) == {2: "updated"}
    assert ProviderProfile.objects.get(organisation=organisation).year_founded == 1990
