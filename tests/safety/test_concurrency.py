"""Several workers sweeping at the same moment, on real PostgreSQL: each alert is raised once,
each reminder and escalation sent once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from claims.models import Outbox
from safety.clocks import safety_clocks_sweep
from safety.models import AlertEvent, SafetyAlert
from safety.services import safety_alerts_raise
from tests.factories import ProductFactory
from tests.safety.helpers import incident

pytestmark = pytest.mark.django_db(transaction=True)


def _together(func, n: int = 6) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = func()
        except Exception as exc:  # noqa: BLE001 - the test asserts none happened
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_sweeps_raise_each_alert_once_and_send_each_step_once():
    # given: two reportable incidents on one product (one live CPSC alert to share)
    product = ProductFactory()
    incident("US", product=product, hazard="fire_smoke")
    incident("US", product=product, hazard="electric_shock")
    # when: six workers sweep at once
    raised = _together(safety_alerts_raise)
    # then
    assert not [r for r in raised if isinstance(r, Exception)], raised
    assert sum(raised) == 1
    alert = SafetyAlert.objects.get()
    assert alert.claims.count() == 2
    assert AlertEvent.objects.filter(alert=alert, kind="raised").count() == 1
    # and the clock's steps, swept at once by six workers at the edge of the deadline
    at = alert.report_due - timezone.timedelta(minutes=30)
    results = _together(lambda: safety_clocks_sweep(now=at))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["reminded"] for r in results) == 1
    assert sum(r["escalated"] for r in results) == 1
    assert Outbox.objects.filter(topic="safety.alert_email").count() == 3  # raised, 1+1
