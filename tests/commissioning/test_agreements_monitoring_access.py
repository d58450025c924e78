"""Who may do what with monitoring returns: this part's rows of the access table, walked here on
their own, and the writes refused to those who may only read."""

import pytest
from django.urls import reverse

from commissioning.models import ReturnStatus
from tests.access.access_table import ROLES
from tests.factories.commissioning_agreements import (
    AgreementFactory,
    MonitoringReturnFactory,
    ReturnEvidenceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role_as_the_access_table_says(
    client, role, role_users, provider_org, commissioning_body
):
    # Imported here: access_table imports every rows module itself, so it must load first.
    from tests.access import rows_agreements_monitoring as rows

    kwargs = rows.build(
        {
            "users": role_users,
            "provider_org": provider_org,
            "commissioning_body": commissioning_body,
        }
    )
    if role != "anonymous":
        client.force_login(role_users[role])
    wrong = []
    for name, expected in rows.ROWS.items():
        url = reverse(name, kwargs=kwargs.get(name, {}))
        got = client.get(url).status_code
        if got != expected[role]:
            wrong.append(f"{name} {url}: expected {expected[role]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_only_the_lead_provider_removes_evidence(client, commissioner, provider, provider_org):
    agreement = AgreementFactory(provider=provider_org)
    evidence = ReturnEvidenceFactory(
        monitoring_return=MonitoringReturnFactory(agreement=agreement), uploaded_by=provider
    )
    client.force_login(commissioner)
    url = reverse("commissioning:return_evidence_delete", args=[evidence.pk])
    assert client.post(url).status_code == 403
    assert evidence.monitoring_return.evidence.count() == 1


def test_a_consortium_member_reads_the_return_but_does_not_submit_it(client, provider_org):
    from accounts.models import MembershipRole
    from tests.factories import MembershipFactory, UserFactory
    from tests.factories.commissioning_agreements import AgreementMemberFactory

    agreement = AgreementFactory()
    AgreementMemberFactory(agreement=agreement, organisation=provider_org)
    member = UserFactory()
    MembershipFactory(user=member, organisation=provider_org, role=MembershipRole.ADMIN)
    monitoring_return = MonitoringReturnFactory(agreement=agreement)
    client.force_login(member)
    assert (
        client.get(reverse("commissioning:return", args=[monitoring_return.pk])).status_code == 200
    )
    response = client.get(reverse("commissioning:return_submit", args=[monitoring_return.pk]))
    assert response.status_code == 403


def test_a_commissioner_of_another_body_reads_but_does_not_review(client, commissioner):
    monitoring_return = MonitoringReturnFactory(status=ReturnStatus.SUBMITTED)
    client.force_login(commissioner)
    assert (
        client.get(reverse("commissioning:return", args=[monitoring_return.pk])).status_code == 200
    )
    response = client.get(reverse("commissioning:return_review", args=[monitoring_return.pk]))
    assert response.status_code == 403
