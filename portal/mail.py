"""Demo mode's e-mail: printed on the console as usual, and a copy kept under ``var/mail`` so
staff can open the sign-in links from a page (``portal:outgoing-email``) without a mailbox.

Only the settings of ``make run`` (DEMO_MODE) select this backend; production sends through
the relay configured with ``EMAIL_BACKEND``.
"""

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

KEEP = 50


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
            record = {
                "sent_at": now.isoformat(),
                "to": list(message.to),
                "subject": message.subject,
                "body": message.body,
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
