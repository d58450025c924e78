"""A charity lists a service and uploads a passport document, a network admin accepts it, and a member
of the public finds the charity by the service's category in its ward."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import MembershipRole
from providers.models import Passport, PassportDocument, PassportDocumentStatus, Service
from providers.reference_data import reference_data_ensure
from tests.browser.axe import field, sign_in, sign_out, submit_and_check, visit
from tests.factories import (
    AreaFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.accounts import PASSWORD
from tests.factories.providers import PDF_BYTES

pytestmark = pytest.mark.browser


def test_service_passport_and_public_search(page: Page, tmp_path):
    reference_data_ensure()
    borough = AreaFactory(name="Lindenford", ons_code="E09900001")
    ward = WardFactory(name="Millbrook", ons_code="E05900007", parent=borough)
    WardFactory(name="Eastgate", ons_code="E05900003", parent=borough)
    charity = OrganisationFactory(name="Millbrook Money Advice", charity_number="1170001")
    other = OrganisationFactory(name="Eastgate Lunch Club", charity_number="1170002")
    admin_user = UserFactory(email="nia@network.example", is_network_admin=True)
    worker = UserFactory(email="dee@millbrook-money.example", full_name="Dee Okafor")
    MembershipFactory(user=worker, organisation=charity, role=MembershipRole.ADMIN)
    del other

    # The charity adds a service through its organisation pages.
    sign_in(page, worker.email, PASSWORD)
    submit_and_check(page, page.get_by_role("link", name="Your organisation"))
    submit_and_check(page, page.get_by_role("link", name="Services", exact=True))
    submit_and_check(page, page.get_by_role("link", name="Add a service"))
    field(page, "Name").fill("Debt Clinic")
    field(page, "Description").fill("Face-to-face casework for people in problem debt.")
    submit_and_check(page, page.get_by_role("button", name="Add the service"))
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one category")
    expect(field(page, "Name")).to_have_value("Debt Clinic")
    page.get_by_label("Debt advice").check()
    page.get_by_role("group", name="Areas it covers").get_by_label("Millbrook").check()
    submit_and_check(page, page.get_by_role("button", name="Add the service"))
    expect(page.get_by_role("main")).to_contain_text("“Debt Clinic” is added")
    assert Service.objects.get(name="Debt Clinic").areas.get() == ward

    # ...and uploads its safeguarding policy to its passport: first a file of the wrong kind.
    submit_and_check(page, page.get_by_role("link", name="Passport", exact=True))
    bad = tmp_path / "policy.exe"
    bad.write_bytes(b"MZ\x90\x00not a document")
    field(page, "Which document is this?").select_option(label="Safeguarding policy")
    page.get_by_label("The document").set_input_files(str(bad))
    submit_and_check(page, page.get_by_role("button", name="Upload for review"))
    expect(page.get_by_role("alert")).to_contain_text(re.compile("type|kind", re.IGNORECASE))
    assert not PassportDocument.objects.exists()
    good = tmp_path / "safeguarding-policy.pdf"
    good.write_bytes(PDF_BYTES)
    field(page, "Which document is this?").select_option(label="Safeguarding policy")
    page.get_by_label("The document").set_input_files(str(good))
    submit_and_check(page, page.get_by_role("button", name="Upload for review"))
    document = PassportDocument.objects.get(organisation=charity)
    assert document.status == PassportDocumentStatus.SUBMITTED
    sign_out(page)

    # A network admin accepts it.
    sign_in(page, admin_user.email, PASSWORD)
    submit_and_check(page, page.get_by_role("link", name="Review passport documents"))
    submit_and_check(
        page, page.get_by_role("link", name=re.compile("Millbrook Money Advice")).first
    )
    page.get_by_label("Accept it").check()
    submit_and_check(page, page.get_by_role("button", name="Record the decision"))
    document.refresh_from_db()
    assert document.status == PassportDocumentStatus.ACCEPTED
    assert not Passport.objects.filter(organisation=charity).exists()  # six more kinds to go
    sign_out(page)

    # A member of the public finds the charity by the category, in its ward.
    visit(page, "/")
    submit_and_check(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory")
    )
    field(page, "Service category").select_option(label="Advice and information: Debt advice")
    field(page, "Area").select_option(label="Millbrook (ward in Lindenford)")
    submit_and_check(page, page.get_by_role("button", name="Search"))
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name="Millbrook Money Advice")).to_be_visible()
    expect(results).not_to_contain_text("Eastgate Lunch Club")
    submit_and_check(page, results.get_by_role("link", name="Millbrook Money Advice"))
    expect(page.get_by_role("main")).to_contain_text("Debt Clinic")
    expect(page.get_by_role("main")).not_to_contain_text("dee@millbrook-money.example")
