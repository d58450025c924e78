"""The business case pages: the list and its filters, writing and changing a case with its
options, the case page, approving and reopening, the PDF, and the contract thresholds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MembershipRole
from commissioning.models import (
    BusinessCase,
    BusinessCaseStatus,
    CommissioningRoute,
    ContractThreshold,
)
from commissioning.services import business_cases as services
from tests.factories import CommissioningBodyFactory, MembershipFactory, UserFactory
from tests.factories.commissioning_business_cases import (
    BCOutcomeFactory,
    make_business_case,
    option_data,
    sub_central,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(commissioning_body):
    user = UserFactory(email="second.admin@example.org")
    MembershipFactory(user=user, organisation=commissioning_body, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def other_commissioner(db):
    user = UserFactory(email="other.commissioner@example.org")
    MembershipFactory(
        user=user,
        organisation=CommissioningBodyFactory(name="Children's Services"),
        role=MembershipRole.ADMIN,
    )
    return user


@pytest.fixture
def outcome(db):
    return BCOutcomeFactory(name="BC fewer people in problem debt")


@pytest.fixture
def case(commissioner, commissioning_body, outcome):
    return make_business_case(actor=commissioner, body=commissioning_body, outcomes=[outcome])


def form_data(*, body=None, outcomes=(), options=(), existing=0, **fields) -> dict:
    """What the browser posts: the template's fields and the options formset."""
    data = {
        "title": "Debt advice for Lindenford",
        "need": "Rising problem debt among working-age adults.",
        "evidence": "Referrals doubled.",
        "estimated_annual_value": "240000",
        "term_months": "36",
        "route": CommissioningRoute.CONTRACT,
        "threshold": str(sub_central().pk),
        "social_value_considered": "Local jobs.",
        "local_assessment": "",
        "outcomes": [str(o.pk) for o in outcomes],
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": str(existing),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    if body is not None:
        data["body"] = str(body.pk)
    for i, option in enumerate(options):
        for name, value in option.items():
            if isinstance(value, bool):
                if value:
                    data[f"options-{i}-{name}"] = "on"
            elif value is not None:
                data[f"options-{i}-{name}"] = str(value)
    data.update({k: v for k, v in fields.items() if v is not None})
    for key in [k for k, v in fields.items() if v is None]:
        data.pop(key, None)
    return data


def starting_options(*filled) -> list[dict]:
    """The create page's three option forms: in-house and third sector pre-titled, one blank."""
    forms = [
        {"title": "Deliver it in-house", "in_house": True},
        {"title": "Commission it from the third sector"},
        {},
    ]
    for i, values in enumerate(filled):
        forms[i] = {**forms[i], **values}
    return forms


def page_text(response) -> str:
    return response.content.decode()


# The list


def test_the_list_shows_every_bodys_cases_most_recently_changed_first(
    client, commissioner, case, other_commissioner, outcome
):
    other = make_business_case(
        actor=other_commissioner,
        body=other_commissioner.memberships.get().organisation,
        title="Youth clubs in Hillside",
        outcomes=[outcome],
    )
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case_list"))
    assert response.status_code == 200
    titles = [c.title for c in response.context["page"].object_list]
    assert titles == [other.title, case.title]
    BusinessCase.objects.filter(pk=case.pk).update(updated_at=timezone.now() + timedelta(1))
    response = client.get(reverse("commissioning:business_case_list"))
    assert [c.title for c in response.context["page"].object_list] == [case.title, other.title]


def test_the_list_filters_by_body_status_route_and_outcome(
    client, commissioner, second_admin, commissioning_body, case, other_commissioner
):
    other_body = other_commissioner.memberships.get().organisation
    other_outcome = BCOutcomeFactory(name="BC young people thrive")
    grant = make_business_case(
        actor=other_commissioner,
        body=other_body,
        title="Youth grant",
        route=CommissioningRoute.GRANT,
        social_value_considered="",
        outcomes=[other_outcome],
    )
    services.business_case_approve(actor=second_admin, case=case)
    client.force_login(commissioner)
    url = reverse("commissioning:business_case_list")

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [c.title for c in response.context["page"].object_list]

    assert titles(body=other_body.pk) == [grant.title]
    assert titles(body=commissioning_body.pk) == [case.title]
    assert titles(status="approved") == [case.title]
    assert titles(status="draft") == [grant.title]
    assert titles(route="grant") == [grant.title]
    assert titles(outcome=other_outcome.pk) == [grant.title]
    assert titles(q="youth") == [grant.title]
    assert titles(route="contract", status="draft") == []


def test_the_list_pages_on_the_server(client, commissioner, commissioning_body, outcome):
    for i in range(27):
        make_business_case(
            actor=commissioner, body=commissioning_body, title=f"Case {i}", outcomes=[outcome]
        )
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case_list"), {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert "Page 2 of 2" in page_text(response)


# Writing a case


def test_the_new_case_page_offers_in_house_and_third_sector_options(client, commissioner):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case_create"))
    assert response.status_code == 200
    text = page_text(response)
    assert 'value="Deliver it in-house"' in text
    assert 'value="Commission it from the third sector"' in text
    assert 'name="options-TOTAL_FORMS"' in text


def test_a_commissioner_writes_a_case_with_options(
    client, commissioner, commissioning_body, outcome
):
    client.force_login(commissioner)
    data = form_data(
        body=commissioning_body,
        outcomes=[outcome],
        options=starting_options(
            {
                "description": "Our own advice team.",
                "direct_costs": "180000",
                "overhead_costs": "70000",
            },
            {
                "description": "A contract with a local charity.",
                "direct_costs": "190000",
                "overhead_costs": "38000",
                "preferred": True,
            },
        ),
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    case = BusinessCase.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("commissioning:business_case", args=[case.pk])
    assert case.body == commissioning_body
    assert case.created_by == commissioner
    assert case.social_value_applies is True
    options = {o.title: o for o in case.options.all()}
    assert set(options) == {"Deliver it in-house", "Commission it from the third sector"}
    assert options["Deliver it in-house"].in_house
    assert options["Deliver it in-house"].full_cost == Decimal("250000")
    assert options["Commission it from the third sector"].preferred
    assert AuditEvent.objects.filter(action="business_case.created").count() == 1


def test_a_case_with_no_outcome_is_refused_with_a_clear_message(
    client, commissioner, commissioning_body
):
    client.force_login(commissioner)
    data = form_data(
        body=commissioning_body,
        options=starting_options({"description": "Team.", "direct_costs": "1"}),
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    assert response.status_code == 200
    assert "Choose at least one outcome from the outcomes framework" in page_text(response)
    assert not BusinessCase.objects.exists()


def test_a_case_with_no_option_is_refused(client, commissioner, commissioning_body, outcome):
    client.force_login(commissioner)
    # The starting options posted as they were offered are not options.
    data = form_data(body=commissioning_body, outcomes=[outcome], options=starting_options())
    response = client.post(reverse("commissioning:business_case_create"), data)
    assert response.status_code == 200
    assert "Give at least one option for meeting the need" in page_text(response)
    assert not BusinessCase.objects.exists()


def test_two_preferred_options_are_refused(client, commissioner, commissioning_body, outcome):
    client.force_login(commissioner)
    data = form_data(
        body=commissioning_body,
        outcomes=[outcome],
        options=starting_options(
            {"description": "A.", "preferred": True}, {"description": "B.", "preferred": True}
        ),
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    assert response.status_code == 200
    assert "Mark only one option as preferred." in page_text(response)
    assert not BusinessCase.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"nationally_driven": "on"}, "must still be informed by a local assessment of need"),
        ({"estimated_annual_value": "-5"}, "Enter an amount of £0 or more."),
        ({"term_months": "0"}, "Enter a term of at least 1 month."),
        ({"threshold": ""}, "Choose the kind of body letting the contract"),
        ({"social_value_considered": ""}, "the Social Value Act applies. Say what was considered"),
    ],
)
def test_bad_input_gets_a_clear_message(
    client, commissioner, commissioning_body, outcome, fields, message
):
    client.force_login(commissioner)
    data = form_data(
        body=commissioning_body,
        outcomes=[outcome],
        options=starting_options({"description": "Team.", "preferred": True}),
        **fields,
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not BusinessCase.objects.exists()


def test_save_and_add_another_option_goes_to_the_change_page(
    client, commissioner, commissioning_body, outcome
):
    client.force_login(commissioner)
    data = form_data(
        body=commissioning_body,
        outcomes=[outcome],
        options=starting_options({"description": "Team.", "preferred": True}),
        then="add_option",
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    case = BusinessCase.objects.get()
    assert response.url == reverse("commissioning:business_case_edit", args=[case.pk])
    response = client.get(response.url)
    # The saved option and one blank form for the next.
    assert response.context["formset"].total_form_count() == 2


def test_a_commissioner_cannot_write_for_another_body(client, commissioner, outcome):
    client.force_login(commissioner)
    other_body = CommissioningBodyFactory()
    data = form_data(
        body=other_body,
        outcomes=[outcome],
        options=starting_options({"description": "Team.", "preferred": True}),
    )
    response = client.post(reverse("commissioning:business_case_create"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not BusinessCase.objects.exists()


# Changing a case


def edit_data(case, **fields) -> dict:
    options = [
        {
            "id": option.pk,
            "title": option.title,
            "description": option.description,
            "in_house": option.in_house,
            "direct_costs": option.direct_costs,
            "overhead_costs": option.overhead_costs,
            "benefits": option.benefits,
            "risks": option.risks,
            "preferred": option.preferred,
        }
        for option in case.options.all()
    ]
    extra = fields.pop("options", [])
    return form_data(
        outcomes=list(case.outcomes.all()),
        options=options + extra,
        existing=len(options),
        **fields,
    )


def test_a_member_changes_a_draft_and_removes_an_option(client, commissioner, case):
    client.force_login(commissioner)
    url = reverse("commissioning:business_case_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    data = edit_data(
        case,
        title="Debt and money advice",
        options=[{"title": "Shared service", "description": "With a neighbour."}],
    )
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Debt and money advice"
    assert case.options.count() == 2
    shared = case.options.get(title="Shared service")
    data = edit_data(case)
    index = [o.pk for o in case.options.all()].index(shared.pk)
    data[f"options-{index}-DELETE"] = "on"
    client.post(url, data)
    assert list(case.options.values_list("title", flat=True)) == [
        "Commission it from the third sector"
    ]


def test_a_commissioner_of_another_body_cannot_change_it(client, other_commissioner, case):
    client.force_login(other_commissioner)
    url = reverse("commissioning:business_case_edit", args=[case.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(case, title="Hijacked")).status_code == 403
    case.refresh_from_db()
    assert case.title != "Hijacked"


def test_changing_an_approved_case_is_refused_with_a_message(
    client, commissioner, second_admin, case
):
    services.business_case_approve(actor=second_admin, case=case)
    client.force_login(commissioner)
    url = reverse("commissioning:business_case_edit", args=[case.pk])
    response = client.post(url, edit_data(case, title="Changed"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("commissioning:business_case", args=[case.pk])
    assert "it cannot be changed" in page_text(response)
    case.refresh_from_db()
    assert case.title == "Debt advice for Lindenford"


# The case page


def test_the_case_page_compares_the_options_and_shows_the_check(
    client, commissioner, commissioning_body, outcome
):
    case = make_business_case(
        actor=commissioner,
        body=commissioning_body,
        outcomes=[outcome],
        options=[
            option_data(
                title="In-house team",
                in_house=True,
                preferred=False,
                direct_costs=Decimal("150000"),
                overhead_costs=Decimal("60000.50"),
            ),
            option_data(title="Third sector contract"),
        ],
    )
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case", args=[case.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "£210,000.50" in text  # full cost a year of the in-house team
    assert "£630,001.50" in text  # and over three years
    assert "£720,000" in text  # the third sector contract over three years
    assert (
        "Estimated value £720,000 over 3 years is above the £214,904 threshold for other "
        "public bodies" in text
    )
    assert "BC fewer people in problem debt" in text
    assert "Written" in text  # the history


def test_the_author_who_is_the_only_admin_is_told_they_may_approve(client, commissioner, case):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case", args=[case.pk]))
    assert "you are the only admin" in page_text(response)
    assert reverse("commissioning:business_case_approve", args=[case.pk]) in page_text(response)


def test_the_author_is_told_another_admin_must_approve(client, commissioner, second_admin, case):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case", args=[case.pk]))
    assert "another admin of Adult Social Care must approve it" in page_text(response)
    assert reverse("commissioning:business_case_approve", args=[case.pk]) not in page_text(response)


def test_a_changed_threshold_marks_the_recorded_check_out_of_date(
    client, commissioner, case, network_admin
):
    services.contract_threshold_update(
        actor=network_admin,
        threshold=sub_central(),
        amount=Decimal("800000"),
        effective_from=timezone.localdate(),
    )
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case", args=[case.pk]))
    assert "The threshold has changed since this case was saved" in page_text(response)


# Approving and reopening


def test_another_admin_approves_from_the_page(client, second_admin, case):
    client.force_login(second_admin)
    response = client.post(
        reverse("commissioning:business_case_approve", args=[case.pk]), follow=True
    )
    assert "is approved" in page_text(response)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.APPROVED
    assert case.approved_by == second_admin


def test_an_incomplete_case_is_not_approved_and_says_why(client, second_admin, case):
    BusinessCase.objects.filter(pk=case.pk).update(social_value_checked_at=None)
    client.force_login(second_admin)
    response = client.post(
        reverse("commissioning:business_case_approve", args=[case.pk]), follow=True
    )
    assert "cannot be approved yet" in page_text(response)
    assert "Complete the social value check" in page_text(response)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT


def test_the_author_cannot_approve_when_another_admin_could(
    client, commissioner, second_admin, case
):
    client.force_login(commissioner)
    response = client.post(reverse("commissioning:business_case_approve", args=[case.pk]))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT


def test_a_commissioner_of_another_body_cannot_approve(client, other_commissioner, case):
    client.force_login(other_commissioner)
    response = client.post(reverse("commissioning:business_case_approve", args=[case.pk]))
    assert response.status_code == 403


def test_approve_and_reopen_are_post_only_and_hidden_from_providers(client, provider, case):
    client.force_login(provider)
    for name in ("business_case_approve", "business_case_reopen"):
        url = reverse(f"commissioning:{name}", args=[case.pk])
        assert client.get(url).status_code == 405
        assert client.post(url, {"reason": "x"}).status_code == 404


def test_an_admin_reopens_an_approved_case_with_a_reason(client, commissioner, second_admin, case):
    services.business_case_approve(actor=second_admin, case=case)
    client.force_login(commissioner)
    url = reverse("commissioning:business_case_reopen", args=[case.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why the business case is being reopened." in page_text(response)
    response = client.post(url, {"reason": "The budget changed."}, follow=True)
    assert "reopened as a draft" in page_text(response)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.DRAFT
    assert "The budget changed." in page_text(response)  # in the history


def test_a_member_who_is_not_an_admin_cannot_reopen(client, commissioning_body, second_admin, case):
    member = UserFactory()
    MembershipFactory(user=member, organisation=commissioning_body, role=MembershipRole.MEMBER)
    services.business_case_approve(actor=second_admin, case=case)
    client.force_login(member)
    response = client.post(
        reverse("commissioning:business_case_reopen", args=[case.pk]), {"reason": "Because"}
    )
    assert response.status_code == 403


# The PDF


def test_the_pdf_is_a_pdf(client, commissioner, case):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:business_case_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert "business-case-" in response["Content-Disposition"]


def test_a_planner_of_another_body_and_a_network_admin_may_download_the_pdf(
    client, other_commissioner, network_admin, case
):
    for user in (other_commissioner, network_admin):
        client.force_login(user)
        response = client.get(reverse("commissioning:business_case_pdf", args=[case.pk]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")


def test_the_pdf_is_not_for_providers_or_the_public(client, provider, case):
    url = reverse("commissioning:business_case_pdf", args=[case.pk])
    assert client.get(url).status_code == 302
    client.force_login(provider)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_the_pdf_of_a_missing_case_is_404(client, commissioner):
    client.force_login(commissioner)
    assert client.get(reverse("commissioning:business_case_pdf", args=[999999])).status_code == 404


def test_the_pdf_template_uses_its_own_stylesheet_and_fetches_nothing(case):
    from commissioning.selectors.business_cases import business_case_detail

    detail = business_case_detail(case)
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string

    css = open(finders.find("css/business-case-pdf.css"), encoding="utf-8").read()  # noqa: SIM115
    html = render_to_string(
        "commissioning/business_cases/pdf.html", {"detail": detail, "case": case, "css": css}
    )
    assert "@page" in html
    assert "<link" not in html
    assert "http://" not in html and "https://" not in html


# Contract thresholds


def test_network_admins_see_the_thresholds_and_where_they_come_from(client, network_admin):
    client.force_login(network_admin)
    response = client.get(reverse("commissioning:thresholds"))
    assert response.status_code == 200
    text = page_text(response)
    assert "£214,904" in text
    assert "£139,688" in text
    assert "£663,540" in text
    assert "1 January 2024" in text
    assert "Where the numbers come from" in text


def test_a_network_admin_changes_a_threshold_and_it_is_audited(client, network_admin):
    threshold = sub_central()
    client.force_login(network_admin)
    url = reverse("commissioning:threshold_edit", args=[threshold.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "221000", "effective_from": "2026-01-01"})
    assert response.status_code == 302
    threshold.refresh_from_db()
    assert threshold.amount == Decimal("221000")
    assert threshold.effective_from.isoformat() == "2026-01-01"
    event = AuditEvent.objects.get(action="contract_threshold.updated")
    assert event.actor == network_admin
    assert "£214,904 from 1 January 2024" in event.note
    assert "£221,000 from 1 January 2026" in event.note


@pytest.mark.parametrize("amount", ["-1", "0", "lots"])
def test_a_bad_threshold_gets_a_clear_message(client, network_admin, amount):
    threshold = sub_central()
    client.force_login(network_admin)
    response = client.post(
        reverse("commissioning:threshold_edit", args=[threshold.pk]),
        {"amount": amount, "effective_from": "2026-01-01"},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "more than £0" in text or "amount in pounds" in text
    threshold.refresh_from_db()
    assert threshold.amount == Decimal("214904")
    assert not AuditEvent.objects.filter(action="contract_threshold.updated").exists()


def test_commissioners_cannot_change_thresholds(client, commissioner):
    client.force_login(commissioner)
    threshold = ContractThreshold.objects.first()
    response = client.post(
        reverse("commissioning:threshold_edit", args=[threshold.pk]),
        {"amount": "1", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 403
