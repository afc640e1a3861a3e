"""The e-mail relay comes from the environment: EMAIL_URL, or the individual EMAIL_ variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from claims.models import Outbox
from tests.factories import OrderLineFactory
from tests.support import workers
from tests.support.embedded import PRODUCTION_TEST_KEY
from tests.support.smtp import SmtpRelay

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "claims_site.settings.production",
    "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8" * 4,
    "FIELD_ENCRYPTION_KEYS": PRODUCTION_TEST_KEY,
    "ALLOWED_HOSTS": "claims.example.com",
    "SITE_URL": "https://claims.example.com",
}


def _manage(env: dict[str, str], code: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


_SHOW = (
    "from django.conf import settings as s;"
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER,"
    " s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT)"
)


def test_email_url_configures_the_whole_relay():
    shown = _manage(
        {"EMAIL_URL": "smtp+tls://claims%40example.com:s3cret@smtp.example.com:587"}, _SHOW
    )
    assert shown.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "claims@example.com",
        "s3cret",
        "True",
        "False",
        "10",
    ]


def test_email_variables_configure_the_relay_and_override_the_url():
    shown = _manage(
        {
            "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587",
            "EMAIL_HOST": "relay.internal",
            "EMAIL_PORT": "465",
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "true",
            "EMAIL_HOST_PASSWORD": "rotated",
            "EMAIL_TIMEOUT": "5",
        },
        _SHOW,
    )
    assert shown.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "relay.internal",
        "465",
        "u",
        "rotated",
        "False",
        "True",
        "5",
    ]


@pytest.mark.django_db(transaction=True)
def test_signin_link_goes_out_through_the_relay_from_email_url(client):
    # given: a customer asked for a sign-in link; the job is waiting in the outbox
    line = OrderLineFactory()
    client.post(
        reverse("portal:sign-in"),
        {"order_number": line.order.number, "email": line.order.customer.email},
    )
    message = Outbox.objects.get(topic="portal.signin_email")
    with SmtpRelay() as relay:
        # when: a production process with EMAIL_URL runs the job
        _manage(
            {
                "DATABASE_URL": workers.test_database_url(),
                "EMAIL_URL": f"smtp://relay-user:relay-pass@127.0.0.1:{relay.port}",
            },
            f"from claims.outbox import deliver; print(deliver(message_id={message.pk}))",
        )
    # then: the relay was signed in to and given the e-mail with the link
    assert relay.received.logins == [("relay-user", "relay-pass")]
    assert [m["to"] for m in relay.received.messages] == [[line.order.customer.email]]
    assert "https://claims.example.com/claim/sign-in/link/" in relay.received.messages[0]["data"]
