"""The audit trail is append-only, and network admins can read and filter it."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import audit_event_record

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_edited_or_deleted(network_admin, provider_org):
    event = audit_event_record(
        actor=network_admin, action="organisation.verified", obj=provider_org
    )
    event.note = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_the_database_refuses_edits_too(network_admin, provider_org):
    from django.db.utils import InternalError

    event = audit_event_record(
        actor=network_admin, action="organisation.verified", obj=provider_org
    )
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET note = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])


def test_the_audit_log_filters_by_actor_and_object(
    client, network_admin, provider, provider_org, outsider_org
):
    audit_event_record(actor=provider, action="organisation.registered", obj=provider_org)
    audit_event_record(actor=network_admin, action="organisation.verified", obj=outsider_org)
    client.force_login(network_admin)
    by_actor = client.get(reverse("accounts:audit_log"), {"actor": "provider@"}).content.decode()
    assert "organisation.registered" in by_actor
    assert "organisation.verified" not in by_actor
    by_object = client.get(
        reverse("accounts:audit_log"), {"object_id": outsider_org.pk}
    ).content.decode()
    assert "organisation.verified" in by_object
    assert "organisation.registered" not in by_object
