"""Demo mode's e-mail: printed on the console as usual, and a copy kept under ``var/mail`` so
the superuser can open the demo customers' sign-in links from a page (``portal:outgoing-email``)
without a mailbox.

A copy keeps its links only when every recipient is a demo customer: a customer whose address
is at a domain reserved for examples (``example.com``, ``*.example``, ``*.test``; RFC 2606), as
``seed_demo`` creates. Anyone else's links (a customer imported with a real address, a seller,
an insurer, an adjuster) are blanked in the copy, so the page never lets a reader sign in as
them.

Only the settings of ``make run`` (DEMO_MODE) select this backend; production sends through
the relay configured with ``EMAIL_BACKEND``.
"""

import json
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

KEEP = 50
RESERVED_DOMAINS = re.compile(r"@(?:[\w.-]+\.)?(?:example\.com|example\.org|example|test|invalid)$")
URL = re.compile(r"https?://\S+")


def demo_customers_only(addresses: list[str]) -> bool:
    """True when every address is a demo customer's (a customer at a reserved domain)."""
    from marketplace.models import Customer

    wanted = {address.strip().lower() for address in addresses}
    if not wanted or not all(RESERVED_DOMAINS.search(address) for address in wanted):
        return False
    known = {
        e.lower()
        for e in Customer.objects.values_list("email", flat=True).filter(
            email__in=[a for a in addresses]
        )
    }
    return wanted <= known


def without_links(text: str) -> str:
    return URL.sub("[link hidden: not sent to a demo customer]", text)


def _folder() -> Path:
    return Path(settings.DEMO_MAIL_DIR)


class DemoCopyEmailBackend(ConsoleBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        for message in email_messages or []:
            html = next(
                (
                    body
                    for body, mime in getattr(message, "alternatives", [])
                    if mime == "text/html"
                ),
                "",
            )
            body = message.body
            if not demo_customers_only(list(message.to)):
                body = without_links(body)
            record = {
                "sent_at": now.isoformat(),
                "to": list(message.to),
                "subject": message.subject,
                "body": body,
                "has_html": bool(html),
            }
            name = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
            (folder / name).write_text(json.dumps(record), encoding="utf-8")
        for old in sorted(folder.glob("*.json"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return sent


def demo_mail_recent(limit: int = KEEP) -> list[dict]:
    """The latest copies, newest first."""
    import datetime as dt

    folder = _folder()
    if not folder.is_dir():
        return []
    emails = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        record["sent_at"] = dt.datetime.fromisoformat(record["sent_at"])
        emails.append(record)
    return emails
