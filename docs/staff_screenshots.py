"""Desktop screenshots of the staff pages for the README (docs/staff-*.png), at 1280 px.

Against the demo (`make run`, or `manage.py runserver` on the seeded embedded database):

    .venv/bin/python docs/staff_screenshots.py [http://127.0.0.1:8000]

It signs in as the demo's `admin` by writing a session (as the sign-in form does after the
password and the second factor; the demo's approvals were asked by `supervisor`, so `admin`
may sign them) and takes the queue, a claim's workspace (the oldest US claim under review) and
the Decisions area with the approvals' filters open, and the Safety area (both of Health
Canada's clocks on its alert). Nothing is changed.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claims_site.settings.local")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from claims.models import Claim, ClaimStatus  # noqa: E402

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ZONE = "America/Chicago"


def _session_cookie() -> str:
    """A signed-in session of the demo's admin, in the demo's own session store."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client.cookies["sessionid"].value


def main(base: str) -> None:
    claim = (
        Claim.objects.filter(status=ClaimStatus.UNDER_REVIEW, region__code="US")
        .order_by("submitted_at", "pk")
        .first()
    )
    shots = {
        "staff-queue.png": ("/staff/", "", False),
        "staff-workspace.png": (f"/staff/claims/{claim.pk}/", "", False),
        "staff-decisions.png": ("/staff/decisions/", "#approvals details summary", True),
        "staff-safety.png": ("/staff/safety/", "", False),
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
        )
        context = browser.new_context(**DESKTOP, timezone_id=ZONE)
        # The reader's zone, as static/js/tz.js records it after their first page.
        context.add_cookies(
            [
                {"name": "sessionid", "value": _session_cookie(), "url": base},
                {"name": "tz", "value": ZONE, "url": base},
            ]
        )
        page = context.new_page()
        for name, (path, open_first, full) in shots.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if open_first:
                page.click(open_first)
            page.screenshot(path=str(ROOT / "docs" / name), full_page=full)
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
