"""The staff safety page's screenshot for the README (docs/staff-safety.png).

Against the demo (`make run`, or `manage.py runserver` on the seeded embedded database):

    .venv/bin/python docs/staff_screenshots.py [http://127.0.0.1:8000]

It signs in as the demo safety officer through the staff sign-in page (the officer has no
second factor) and photographs /staff/safety/ at a desktop width, in the demo reader's zone.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
OFFICER = ("safety", "claimdesk-demo")  # claims.demo.DEMO_USERS, DEMO_PASSWORD


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
        )
        context = browser.new_context(**DESKTOP, timezone_id="America/Chicago")
        context.add_cookies([{"name": "tz", "value": "America/Chicago", "url": base}])
        page = context.new_page()
        page.goto(f"{base}/staff/login/")
        page.fill("#id_username", OFFICER[0])
        page.fill("#id_password", OFFICER[1])
        page.click("form.staff-login button[type=submit]")
        page.wait_for_url("**/staff/")
        page.goto(f"{base}/staff/safety/")
        page.screenshot(path=str(ROOT / "docs" / "staff-safety.png"))
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
