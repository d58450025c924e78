"""A task sent through the real Redis broker is run by a real worker."""

import os
import time
import uuid

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

    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    yield app
    app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_worker_consumes_a_task_from_redis_and_writes_an_audit_event(broker_app):
    # start_worker pings the worker with this task before it returns
    import celery.contrib.testing.tasks  # noqa: F401
    from celery.contrib.testing.worker import start_worker

    from accounts.tasks import audit_heartbeat

    note = f"checked through the broker {uuid.uuid4()}"
    # No result backend is needed: the worker's own write to the database is the proof.
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        audit_heartbeat.delay(note)
        event = None
        for _ in range(200):
            event = AuditEvent.objects.filter(note=note).first()
            if event:
                break
            time.sleep(0.1)

    assert event is not None, "the worker did not run the task within 20 seconds"
    assert event.action == "system.heartbeat"
    assert event.actor is None
