"""The portal's edges: CSRF failures, security headers, demo mail page, draft clean-up."""

import datetime as dt
import os
import time

import pytest
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


def test_outgoing_email_page_is_for_staff_in_demo_mode_only(client, agent, settings, tmp_path):
    # given: demo mode, with one e-mail sent through the demo backend
    settings.DEMO_MODE = True
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")
    message = EmailMultiAlternatives(
        "Your sign-in link", "Open http://127.0.0.1:8000/claim/sign-in/link/abc/", to=["a@b.test"]
    )
    message.attach_alternative("<p>hi</p>", "text/html")
    DemoCopyEmailBackend().send_messages([message])
    url = reverse("portal:outgoing-email")
    # when / then: a visitor is sent to the staff login
    assert client.get(url).status_code == 302
    # staff see the e-mail with a clickable link
    client.force_login(agent)
    html = client.get(url).content.decode()
    assert "Your sign-in link" in html
    assert 'href="http://127.0.0.1:8000/claim/sign-in/link/abc/"' in html
    # outside demo mode the page does not exist
    settings.DEMO_MODE = False
    assert client.get(url).status_code == 404


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
