"""A task sent through the real Redis broker is run by a real worker."""

import os

import pytest

from accounts.models import AuditEvent

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs the real Redis broker (CI always sets REDIS_URL)",
    ),
]


@pytest.fixture
def broker_app():
    from config.celery import app

    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
        "result_backend": app.conf.result_backend,
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    app.conf.result_backend = os.environ["REDIS_URL"]
    yield app
    app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_worker_consumes_a_task_from_redis_and_writes_an_audit_event(broker_app):
    # start_worker pings the worker with this task before it returns
    import celery.contrib.testing.tasks  # noqa: F401
    from celery.contrib.testing.worker import start_worker

    from accounts.tasks import audit_heartbeat

    with start_worker(broker_app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        result = audit_heartbeat.delay("checked through the broker")
        event_id = result.get(timeout=20)

    event = AuditEvent.objects.get(pk=event_id)
    assert event.action == "system.heartbeat"
    assert event.note == "checked through the broker"
    assert event.actor is None
