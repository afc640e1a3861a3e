"""Signing in with the order number and e-mail, by a one-time link."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from claims.models import AccessLink, Outbox
from claims.outbox import deliver
from portal.session import SESSION_KEY
from tests.factories import OrderLineFactory

pytestmark = pytest.mark.django_db


def _deliver_all() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://\S+/claim/sign-in/link/\S+", body).group(0)


def _path(url: str) -> str:
    return url.split("http://127.0.0.1:8000", 1)[-1]


def test_signin_request_answers_the_same_whether_or_not_the_order_exists(client):
    # given: one real order
    line = OrderLineFactory()
    order, customer = line.order, line.order.customer
    # when: asking with the right details, a wrong e-mail, and an order that does not exist
    right = client.post(
        reverse("portal:sign-in"), {"order_number": order.number, "email": customer.email}
    )
    wrong_email = client.post(
        reverse("portal:sign-in"), {"order_number": order.number, "email": "x@example.test"}
    )
    no_order = client.post(
        reverse("portal:sign-in"), {"order_number": "999-NOPE", "email": customer.email}
    )
    # then: the same redirect to the same page, the same work recorded for each request...
    assert right.status_code == wrong_email.status_code == no_order.status_code == 302
    assert right["Location"] == wrong_email["Location"] == no_order["Location"]
    assert Outbox.objects.filter(topic="portal.signin_email").count() == 3
    # ...and the worker sends a link only for the match, to the customer's own address
    _deliver_all()
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert AccessLink.objects.filter(customer=customer).count() == 1
    page = client.get(right["Location"])
    assert "If the order number and e-mail address match" in page.content.decode()


def test_signin_link_is_sent_by_the_worker_and_signs_in_once(client):
    # given: a request for a link (order number and e-mail in another case and with spaces)
    line = OrderLineFactory()
    customer = line.order.customer
    client.post(
        reverse("portal:sign-in"),
        {"order_number": f" {line.order.number.lower()} ", "email": customer.email.upper()},
    )
    assert mail.outbox == []  # nothing is sent inside the request
    # when: the worker runs the outbox message
    _deliver_all()
    # then: one e-mail, text and HTML, with a link to a single-use, short-lived AccessLink
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert message.alternatives and "sign-in/link/" in message.alternatives[0][0]
    link = AccessLink.objects.get()
    assert link.single_use and link.customer == customer
    assert link.expires_at <= timezone.now() + dt.timedelta(minutes=31)
    assert not Outbox.objects.filter(payload__has_key="token").exists()
    url = _path(_link_from_mail())
    # when: the link is opened (GET, or HEAD as some scanners do) the link is not used yet
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    assert client.session.get(SESSION_KEY) is None
    # when: the customer presses the button
    response = client.post(url)
    # then: signed in, on their home page
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == customer.pk
    # and the link cannot be used again
    client.post(reverse("portal:sign-out"))
    again = client.post(url)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_signin_link_expired_or_tampered_is_refused_with_a_message(client):
    # given
    line = OrderLineFactory()
    client.post(
        reverse("portal:sign-in"),
        {"order_number": line.order.number, "email": line.order.customer.email},
    )
    _deliver_all()
    url = _path(_link_from_mail())
    # when: tampered
    tampered = client.post(url[:-3] + "abc/")
    # then
    assert tampered.status_code == 400
    assert "not valid" in tampered.content.decode()
    # when: expired
    AccessLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.post(url)
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_signin_link_returns_to_the_page_asked_for_but_never_off_site(client):
    # given: a customer who asked for their claim page while signed out
    line = OrderLineFactory()
    customer = line.order.customer
    detail = client.get(reverse("portal:new-claim"))
    assert detail.status_code == 302 and "next=" in detail["Location"]
    for next_path, expected in [
        (reverse("portal:new-claim"), reverse("portal:new-claim")),
        ("//evil.example/", reverse("portal:home")),
        ("https://evil.example/", reverse("portal:home")),
    ]:
        mail.outbox.clear()
        client.post(
            reverse("portal:sign-in"),
            {"order_number": line.order.number, "email": customer.email, "next": next_path},
        )
        _deliver_all()
        # when
        response = client.post(_path(_link_from_mail()))
        # then
        assert response["Location"] == expected
        client.post(reverse("portal:sign-out"))


def test_signin_requests_are_rate_limited_per_order_with_a_friendly_message(client, settings):
    # given
    settings.PORTAL_SIGNIN_PER_ORDER_PER_HOUR = 2
    line = OrderLineFactory()
    data = {"order_number": line.order.number, "email": line.order.customer.email}
    # when
    statuses = [client.post(reverse("portal:sign-in"), data).status_code for _ in range(3)]
    # then: the third is refused, kindly, and sends nothing
    assert statuses == [302, 302, 429]
    response = client.post(reverse("portal:sign-in"), data)
    assert "several sign-in links" in response.content.decode()
    assert Outbox.objects.filter(topic="portal.signin_email").count() == 2


def test_signin_requests_are_rate_limited_per_ip(client, settings):
    # given
    settings.PORTAL_SIGNIN_PER_IP_PER_HOUR = 3
    # when: many different orders from one address
    statuses = [
        client.post(
            reverse("portal:sign-in"), {"order_number": f"N-{i}", "email": f"p{i}@example.test"}
        ).status_code
        for i in range(4)
    ]
    # then
    assert statuses == [302, 302, 302, 429]
    # and another address is not affected
    other = client.post(
        reverse("portal:sign-in"),
        {"order_number": "N-9", "email": "p9@example.test"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert other.status_code == 302


def test_signin_form_rejects_a_bad_email_and_keeps_the_order_number(client):
    response = client.post(reverse("portal:sign-in"), {"order_number": "112-1", "email": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="112-1"' in html and "valid email" in html.lower()
    assert not Outbox.objects.exists()


def test_sign_out_is_post_only_and_forgets_the_customer(client):
    line = OrderLineFactory()
    session = client.session
    session[SESSION_KEY] = line.order.customer.pk
    session.save()
    assert client.get(reverse("portal:sign-out")).status_code == 405
    client.post(reverse("portal:sign-out"))
    assert client.session.get(SESSION_KEY) is None
    assert client.get(reverse("portal:home")).status_code == 302
