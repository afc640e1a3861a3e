"""With the production cache (Redis, also holding the session cache) down, nobody gets a 500:
customers sign in, file a claim with a photo and follow it; staff sign in and work the queue.
The sessions live in the database; the cache only makes reading them cheaper."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim, Evidence, Outbox
from claims.outbox import deliver
from portal.session import SESSION_KEY
from tests.factories import OrderLineFactory, claim_new
from tests.portal.conftest import jpeg_bytes
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url

pytestmark = pytest.mark.django_db


def _deliver_all() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _ask_for_link(client, line):
    return client.post(
        reverse("portal:sign-in"),
        {"order_number": line.order.number, "email": line.order.customer.email},
    )


def test_customer_signs_in_and_files_a_claim_with_redis_down(client, redis_cache, caplog):
    client.raise_request_exception = False
    # given: a customer who asked for a sign-in link while Redis was up
    line = OrderLineFactory()
    assert _ask_for_link(client, line).status_code == 302
    _deliver_all()
    link = re.search(r"/claim/sign-in/link/\S+/", mail.outbox[-1].body).group(0)
    # when: Redis goes away
    redis_cache.stop()
    # then: another link can be asked for (the rate limiter fails open)...
    assert _ask_for_link(client, line).status_code == 302
    # ...the link signs the customer in (the session is written to the database)...
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session[SESSION_KEY] == line.order.customer.pk
    # ...and they file a claim with a photo and see it
    assert client.get(reverse("portal:home")).status_code == 200
    fill_until_evidence(client, line)
    photo = SimpleUploadedFile("heater.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(step_url(line, "evidence"), {"kind": "damage_photo", "files": [photo]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(step_url(line, "review")).status_code == 200
    response = client.post(step_url(line, "review"), DECLARATIONS)
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get()
    assert Evidence.objects.filter(claim=claim).count() == 1
    page = client.get(reverse("portal:claim-detail", args=[claim.reference]))
    assert page.status_code == 200 and claim.reference in page.content.decode()
    # then: each error the cache ignored is one log line naming it, without a traceback
    ignored = [r for r in caplog.records if r.name == "claims_site.cache"]
    assert ignored
    assert all(r.exc_info is None and "ConnectionError" in r.getMessage() for r in ignored)
    # when: Redis is back, the same session still works
    redis_cache.start()
    assert client.get(reverse("portal:claim-detail", args=[claim.reference])).status_code == 200


def test_staff_sign_in_and_work_the_queue_with_redis_down(client, agent, redis_cache, settings):
    client.raise_request_exception = False
    settings.AXES_ENABLED = True  # the lockout's database handler needs no cache
    claim = claim_new()
    # given: Redis is down
    redis_cache.stop()
    # when: an agent signs in through the admin's sign-in page
    response = client.post(
        reverse("admin:login"),
        {"username": "agent", "password": "pw", "next": reverse("backoffice:queue")},
    )
    # then: signed in, and the queue and the admin open
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("backoffice:queue")).status_code == 200
    assert client.get(reverse("backoffice:claim", args=[claim.pk])).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
