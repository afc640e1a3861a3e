"""Browser tests: Playwright driving Debian's /usr/bin/chromium against a live server.

Never `playwright install`: browsers cannot be downloaded here; `make test` installs Debian's
chromium (.ci/browser.sh).
"""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, live_server, device):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="America/Chicago", **device
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, live_server):
    context = _context(browser, live_server, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = _context(browser, live_server, PHONE)
    yield context.new_page()
    context.close()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[str]:
    """Serious and critical axe-core violations on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in impacts:
            targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def staff_login(page, username: str, password: str = "pw", code: str = "") -> None:
    """Sign in as staff do: at /staff/login/, landing on the queue (issue 13)."""
    page.goto("/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if code:
        page.fill("#id_otp_token", code)
    page.click("form.staff-login button[type=submit]")
    page.wait_for_url("**/staff/")
