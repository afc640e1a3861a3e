"""The portal's edges: CSRF failures, security headers, demo mail page, draft clean-up."""

import datetime as dt
import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from portal.drafts import draft_file_save, drafts_purge
from portal.mail import DemoCopyEmailBackend, demo_mail_recent
from tests.portal.conftest import media_files

pytestmark = pytest.mark.django_db


def test_csrf_failure_gets_a_friendly_page(db):
    # given: a browser whose form has no CSRF token
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.post(reverse("portal:sign-in"), {"order_number": "1", "email": "a@b.test"})
    # then
    assert response.status_code == 403
    html = response.content.decode()
    assert "form expired" in html and "CSRF" not in html and "Traceback" not in html


def test_portal_pages_send_a_strict_csp(client):
    response = client.get(reverse("portal:sign-in"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style=" not in response.content.decode()  # no inline style attributes
    assert "<script>" not in response.content.decode()


def _send_copy(to: str, link: str) -> None:
    message = EmailMultiAlternatives("Your sign-in link", f"Open {link}", to=[to])
    message.attach_alternative("<p>hi</p>", "text/html")
    DemoCopyEmailBackend().send_messages([message])


@pytest.mark.parametrize("role", ["agent", "analyst", "supervisor", "outsider"])
def test_outgoing_email_page_is_for_the_superuser_only(client, cast, role, settings, tmp_path):
    # given: issue 19 found every staff role reading live customer sign-in links there
    settings.DEMO_MODE = True
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")
    _send_copy("jamie@example.com", "http://127.0.0.1:8000/claim/sign-in/link/abc/")
    url = reverse("portal:outgoing-email")
    # when / then: a visitor is sent to the login, any staff role but the superuser refused
    assert client.get(url).status_code == 302
    client.force_login(cast[role])
    response = client.get(url)
    assert response.status_code == 403
    assert "sign-in/link" not in response.content.decode()
    assert "outgoing-email" not in client.get(reverse("backoffice:queue")).content.decode()


def test_outgoing_email_page_shows_links_for_demo_customers_only(client, settings, tmp_path):
    # given: demo mode, a demo customer, a customer with a real address, and an adjuster
    from tests.factories import CustomerFactory

    settings.DEMO_MODE = True
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")
    CustomerFactory(email="jamie@example.com")
    CustomerFactory(email="real.person@gmail.com")
    _send_copy("jamie@example.com", "http://127.0.0.1:8000/claim/sign-in/link/demo/")
    _send_copy("real.person@gmail.com", "http://127.0.0.1:8000/claim/sign-in/link/real/")
    _send_copy("expert@adjusters.example", "http://127.0.0.1:8000/fraud/adjuster/adj/")
    root = get_user_model().objects.create_superuser("root", "root@staff.test", "pw")
    client.force_login(root)
    # when
    html = client.get(reverse("portal:outgoing-email")).content.decode()
    # then: the demo customer's link works, the others are hidden, even on disk
    assert 'href="http://127.0.0.1:8000/claim/sign-in/link/demo/"' in html
    assert "link/real/" not in html and "adjuster/adj/" not in html
    assert html.count("link hidden: not sent to a demo customer") == 2
    on_disk = "".join(p.read_text() for p in (tmp_path / "mail").glob("*.json"))
    assert "link/real/" not in on_disk and "adjuster/adj/" not in on_disk
    # outside demo mode the page does not exist
    settings.DEMO_MODE = False
    assert client.get(reverse("portal:outgoing-email")).status_code == 404


def test_demo_mail_backend_keeps_only_the_latest_copies(settings, tmp_path):
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")
    backend = DemoCopyEmailBackend()
    for i in range(55):
        backend.send_messages([EmailMultiAlternatives(f"m{i}", "body", to=["a@b.test"])])
    recent = demo_mail_recent()
    assert len(recent) == 50 and recent[0]["subject"] == "m54"
    assert mail.outbox == []  # the console backend printed them; nothing else sent


def test_drafts_purge_removes_only_old_draft_files():
    # given: an old and a fresh draft file
    old, fresh = draft_file_save(data=b"old"), draft_file_save(data=b"new")
    old_path = next(p for p in media_files("drafts") if p.name == old)
    past = time.time() - dt.timedelta(days=3).total_seconds()
    os.utime(old_path, (past, past))
    # when
    removed = drafts_purge()
    # then
    assert removed == 1
    assert [p.name for p in media_files("drafts")] == [fresh]
