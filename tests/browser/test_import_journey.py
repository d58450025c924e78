"""A network admin imports organisations from a CSV file through the real pages and reads what
happened to each row: the good rows created, the broken ones refused with their reasons."""

import csv
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organisation, VerificationStatus
from providers.models import ImportStatus, OrganisationImport
from providers.services.imports import COLUMN_NAMES
from tests.browser.axe import CHECKED_PAGES, field, sign_in, sign_out, submit_and_check
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser

ROWS = [
    # line 2
    {
        "name": "Café Lindenford",
        "legal_form": "CIO",
        "charity_number": "1180001",
        "postcode": "e8 1dy",
        "contact_email": "hello@cafe-lindenford.example",
    },
    # line 3
    {"name": "Bad Number Trust", "charity_number": "12AB"},
    # line 4
    {"name": "Riverside Community Interest Company", "company_number": "09876543"},
    # line 5
    {"name": "No Numbers Group"},
]


def report_row(page: Page, line: int):
    """The row of the report table for one line of the file."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(line), exact=True))


def test_network_admin_imports_a_file_and_reads_the_report(page: Page, live_server, tmp_path):
    first_check = len(CHECKED_PAGES)
    admin = UserFactory(email="nia@network.example", full_name="Nia Network", is_network_admin=True)
    register = tmp_path / "charity-register.csv"
    with register.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(ROWS)

    # From the home page's network tasks to the upload form.
    sign_in(page, admin.email, PASSWORD)
    submit_and_check(page, page.get_by_role("link", name="Import organisations from a CSV file"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports of organisations")
    expect(page.get_by_role("main")).to_contain_text("No files have been imported yet.")
    submit_and_check(page, page.get_by_role("link", name="Import a file"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import organisations")

    # Pressing the button without a file says what to do, and imports nothing.
    submit_and_check(page, page.get_by_role("button", name="Upload and import"))
    expect(page.get_by_role("alert")).to_contain_text("Choose a CSV file to upload.")
    assert not OrganisationImport.objects.exists()

    page.get_by_label("CSV file").set_input_files(str(register))
    submit_and_check(page, page.get_by_role("button", name="Upload and import"))

    # Celery runs eagerly on commit, so the import has finished by the time its page loads.
    job = OrganisationImport.objects.get()
    assert urlsplit(page.url).path == f"/network/imports/{job.pk}/"
    assert job.status == ImportStatus.DONE
    main = page.get_by_role("main")
    expect(page.get_by_role("status")).to_contain_text(
        "“charity-register.csv” is uploaded: 4 rows."
    )
    # A UTF-8 file draws no warning about its encoding.
    expect(page.get_by_role("status")).not_to_contain_text("Windows-1252")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of charity-register.csv")
    expect(main).to_contain_text("Finished")
    expect(main).to_contain_text("4 of 4 rows processed (100%).")
    expect(main).to_contain_text("Created: 2")
    expect(main).to_contain_text("Refused: 2")
    expect(main).not_to_contain_text("This page refreshes every 3 seconds")

    # Each row of the file, with what happened to it and why.
    expect(report_row(page, 2)).to_contain_text("Created")
    expect(report_row(page, 2).get_by_role("link", name="Café Lindenford")).to_be_visible()
    expect(report_row(page, 3)).to_contain_text("Refused")
    expect(report_row(page, 3)).to_contain_text(
        "charity_number: Enter a charity number using digits only"
    )
    expect(report_row(page, 4)).to_contain_text("Created")
    expect(report_row(page, 5)).to_contain_text("Refused")
    expect(report_row(page, 5)).to_contain_text("Give a charity number or a company number")
    created = Organisation.objects.filter(name__in=[ROWS[0]["name"], ROWS[2]["name"]])
    assert created.count() == 2
    assert {o.verification_status for o in created} == {VerificationStatus.VERIFIED}
    assert not Organisation.objects.filter(
        name__in=["Bad Number Trust", "No Numbers Group"]
    ).exists()

    # Only the refused rows, to put the file right.
    field(page, "Show").select_option(label="Refused rows")
    submit_and_check(page, page.get_by_role("button", name="Filter"))
    expect(report_row(page, 3)).to_contain_text("Bad Number Trust")
    expect(report_row(page, 5)).to_contain_text("No Numbers Group")
    expect(main).not_to_contain_text("Café Lindenford")
    expect(main.get_by_role("link", name="Show all rows")).to_be_visible()

    # The list of imports shows it with its counts, and leads back to it.
    submit_and_check(
        page,
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Imports"),
    )
    listed = page.get_by_role("row").filter(has_text="charity-register.csv")
    expect(listed).to_contain_text("Finished")
    expect(listed).to_contain_text("Nia Network")
    submit_and_check(page, listed.get_by_role("link", name="charity-register.csv"))
    expect(report_row(page, 4)).to_contain_text("Riverside Community Interest Company")
    sign_out(page)

    # Every page on the way was checked with axe, including the ones reached by a form.
    checked = [urlsplit(check.url).path for check in CHECKED_PAGES[first_check:]]
    assert "/network/imports/new/" in checked
    assert checked.count(f"/network/imports/{job.pk}/") == 3
    assert re.search(r"outcome=refused", " ".join(c.url for c in CHECKED_PAGES[first_check:]))
