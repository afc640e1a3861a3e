"""Under `make run` (local settings, their own defaults, `manage.py runserver`), a customer who
opens a claim that is not theirs gets the project's own 404 page, not Django's technical page
listing every URL pattern; static files, the favicon included, are still served."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.support.embedded import ROOT, embedded_env, manage

SETUP = r"""
from django.contrib.sessions.backends.cached_db import SessionStore
from portal.session import SESSION_KEY
from tests.factories import claim_new, CustomerFactory

other = claim_new()  # someone else's claim
me = CustomerFactory()
session = SessionStore()
session[SESSION_KEY] = me.pk
session.save()
print("SESSION", session.session_key, other.reference)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, cookie: str = "") -> tuple[int, str, str]:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a local URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (a local URL)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"runserver did not answer {url}")


def test_make_run_shows_the_projects_own_404_and_still_serves_static_files(tmp_path):
    # given: the embedded defaults exactly as `make run` has them (no DJANGO_DEBUG set), a
    # signed-in customer and another customer's claim
    env = embedded_env(tmp_path, database="run.sqlite3")
    assert "DJANGO_DEBUG" not in env
    manage(env, "migrate", "--noinput")
    session, reference = manage(env, "shell", "--no-imports", "-c", SETUP).split()[-2:]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz", time.monotonic() + 60)
        # when: the customer opens the other claim, and anyone opens a page that does not exist
        claim_status, _type, claim_page = _get(
            f"{base}/claim/c/{reference}/", f"sessionid={session}"
        )
        missing_status, _type, missing_page = _get(f"{base}/no-such-page/")
        css = _get(f"{base}/static/css/portal.css")
        icon = _get(f"{base}/static/img/favicon-32.png")
    finally:
        server.terminate()
        server.wait(timeout=20)
    # then: the project's page, with nothing of the technical one
    for status, page in ((claim_status, claim_page), (missing_status, missing_page)):
        html = page.decode()
        assert status == 404
        assert "Page not found" in html and "We could not find that page" in html
        assert "URLconf" not in html and "urlpatterns" not in html and "DEBUG" not in html
        assert "claim/c/&lt;str:reference&gt;" not in html and "admin/" not in html
        assert 'rel="icon"' in html and "Product Safety Guarantee" in html
    # and the static files the page needs are served (whitenoise, no collectstatic)
    assert css[0] == 200 and css[1].startswith("text/css") and b".tracker" in css[2]
    assert icon[0] == 200 and icon[1] == "image/png" and icon[2][:4] == b"\x89PNG"
