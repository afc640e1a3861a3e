"""Phone screenshots of the customer pages for the README (docs/portal-*.png).

Against the demo (`make run`, or `manage.py runserver` on the seeded embedded database):

    .venv/bin/python docs/portal_screenshots.py [http://127.0.0.1:8000]

It signs in as demo customers by writing a session (as the sign-in link does), opens a claim
waiting on the seller, and walks the demo customer's free order line to the review step with a
photo chosen and *Continue to review* pressed. Nothing is submitted.
"""

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claims_site.settings.local")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.contrib.sessions.backends.cached_db import SessionStore  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from claims.models import Claim, ClaimStatus  # noqa: E402
from marketplace.models import Customer  # noqa: E402
from portal.session import SESSION_KEY  # noqa: E402

PHONE = {"viewport": {"width": 360, "height": 900}, "is_mobile": True, "has_touch": True}
DEMO_CUSTOMER = "jamie.rivera@example.com"


def _session(customer: Customer) -> str:
    session = SessionStore()
    session[SESSION_KEY] = customer.pk
    session.save()
    return session.session_key


def main(base: str) -> None:
    waiting = (
        Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER, seller_respond_by__isnull=False)
        .select_related("customer")
        .order_by("seller_respond_by")
        .first()
    )
    jamie = Customer.objects.get(email=DEMO_CUSTOMER)
    photo = io.BytesIO()
    Image.new("RGB", (1200, 900), (190, 60, 30)).save(photo, "JPEG")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
        )
        for customer, shoot, scale in ((waiting.customer, _tracker, 2), (jamie, _review, 1)):
            context = browser.new_context(
                **PHONE, device_scale_factor=scale, timezone_id="America/Chicago"
            )
            # The reader's zone, as static/js/tz.js records it after their first page.
            context.add_cookies(
                [
                    {"name": "sessionid", "value": _session(customer), "url": base},
                    {"name": "tz", "value": "America/Chicago", "url": base},
                ]
            )
            shoot(context.new_page(), base, waiting=waiting, photo=photo.getvalue())
            context.close()
        browser.close()


def _tracker(page, base: str, *, waiting: Claim, **_) -> None:
    page.goto(f"{base}/claim/c/{waiting.reference}/")
    page.screenshot(path=str(ROOT / "docs" / "portal-tracker.png"))


def _review(page, base: str, *, photo: bytes, **_) -> None:
    page.goto(f"{base}/claim/new/")
    page.click("a[id^=claim-line-]")
    page.fill("#id_incident_date", page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.check("input[name=incident_kind][value=property_damage]")
    page.fill("#id_description", "The detector overheated and scorched the wall behind it.")
    page.check("input[name=hazard][value=fire_smoke]")  # the safety question (issue 17)
    page.click("button:has-text('Continue')")
    page.fill("#id_amount_property", "180.25")
    page.click("button:has-text('Continue')")
    page.set_input_files(
        "#id_files", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.click("#to-review")
    page.wait_for_selector("#submit-claim")
    page.screenshot(path=str(ROOT / "docs" / "portal-review.png"), full_page=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
