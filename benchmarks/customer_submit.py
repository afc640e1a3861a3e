"""Benchmark `customer_submit`: what a customer's submission costs beside the essential work.

1. A claim with three 4 MB photos, through the Django test client: the evidence-step request
   that carries the photos plus the submit request that files the claim (the wizard's two
   requests that do work on the files), against the floor of the essential work: Pillow alone
   decoding and re-encoding the same three photos, plus SHA-256 of each before and after.
   Target: within 1.5x of the floor.
2. The submission (review) page with no files: median request time against a minimal Django
   view returning the same template with the same context. Target: within 1.5x. The real page
   goes through the whole wizard view: the customer's session, the draft (which also keeps the
   item shown, so this page reads nothing from the database; see portal.drafts.WizardItem),
   the step guard, and the context built from the draft.

Runs on its own PostgreSQL database (bench_customer_submit, created and dropped here;
BENCH_DB_SUFFIX is appended to its name, see benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE)
and a temporary media folder. Ratios are measured side by side, interleaved, in one run. Prints
one JSON line.
`make bench ONLY=customer_submit`. Smaller runs: BENCH_SUBMISSIONS (5 timed submissions),
BENCH_PAGE_REQUESTS (300 requests of each page), BENCH_PHOTO_PIXELS (4000x3000).
"""

import hashlib
import io
import os
import random
import re
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

from benchmarks._testdb import django_setup, run_and_print  # noqa: E402

MEDIA = django_setup(database="bench_customer_submit")

from django.conf import settings  # noqa: E402

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "5"))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "300"))
PHOTO_PIXELS = tuple(int(n) for n in os.environ.get("BENCH_PHOTO_PIXELS", "4000x3000").split("x"))


def photo(seed: int) -> bytes:
    """A 12-megapixel JPEG of about 4 MB: smooth shapes plus sensor-like grain."""
    from PIL import Image, ImageChops

    rnd = random.Random(seed)
    w, h = PHOTO_PIXELS
    small = (w // 40, h // 40)
    base = Image.frombytes("RGB", small, rnd.randbytes(small[0] * small[1] * 3)).resize(
        (w, h), Image.BICUBIC
    )
    grain = Image.frombytes("L", (w, h), rnd.randbytes(w * h)).point(lambda v: v * 22 // 255)
    out = io.BytesIO()
    ImageChops.add(base, grain.convert("RGB")).save(out, "JPEG", quality=90)
    return out.getvalue()


def floor(photos: list[bytes]) -> float:
    """The essential work alone: decode, re-encode, hash (what any safe pipeline must do)."""
    from PIL import Image, ImageOps

    started = time.perf_counter()
    for data in photos:
        hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=88)
        hashlib.sha256(out.getvalue()).hexdigest()
    return time.perf_counter() - started


def submit_once(client, line, photos: list[bytes]) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url

    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    assert client.post(step_url(line, "losses"), losses_data()).status_code == 302
    files = [
        SimpleUploadedFile(f"IMG_{i}.jpg", data, "image/jpeg") for i, data in enumerate(photos)
    ]
    started = time.perf_counter()
    upload = client.post(step_url(line, "evidence"), {"kind": "damage_photo", "files": files})
    submit = client.post(step_url(line, "review"), DECLARATIONS)
    elapsed = time.perf_counter() - started
    assert upload.status_code == 302, upload.content[:500]
    assert submit.status_code == 302 and "/submitted/" in submit["Location"], submit.status_code
    return elapsed


def page_setup(client, customer):
    """A draft at the review step with no files, and a minimal view rendering the same page."""
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    import claims_site.urls
    from portal.forms import DeclarationsForm
    from portal.views import wizard
    from tests.factories import OrderLineFactory
    from tests.portal.helpers import incident_data, losses_data, step_url

    line = OrderLineFactory(order__customer=customer)
    client.post(step_url(line, "incident"), incident_data(line))
    client.post(step_url(line, "losses"), losses_data())
    response = client.get(step_url(line, "review"))
    assert response.status_code == 200
    keys = ("item", "steps", "step", "form", "incident", "incident_date", "incident_kind")
    keys += ("losses", "total", "files", "facts")  # facts: the safety questions (issue 17)
    context = {key: response.context[key] for key in keys}

    def minimal(request):
        # What any view rendering this page does: a fresh (unbound) form, the same template,
        # for the same signed-in customer (the layout shows their account links).
        request.customer, request.customer_id = customer, customer.pk
        return render(request, "portal/wizard_review.html", {**context, "form": DeclarationsForm()})

    urls = types.ModuleType("bench_customer_submit_urls")
    urls.urlpatterns = [path("bench/minimal/", minimal), *claims_site.urls.urlpatterns]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()
    minimal_html = client.get("/bench/minimal/").content
    assert wizard  # the real view is what step_url reaches
    # The same page, byte for byte, but for the CSRF tokens and the page's own address.
    same = re.compile(rb'value="[^"]*"')
    page_html = client.get(step_url(line, "review")).content
    assert same.sub(b"", page_html) == same.sub(b"", minimal_html), "the two pages differ"
    return step_url(line, "review"), "/bench/minimal/", minimal_html


def timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


def run() -> dict:
    from django.test import Client

    from portal.session import SESSION_KEY
    from tests.factories import CustomerFactory, OrderLineFactory

    settings.PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY = 10_000
    settings.PORTAL_SUBMISSIONS_PER_IP_PER_DAY = 10_000
    settings.PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY = 10_000
    customer = CustomerFactory()
    client = Client()
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    photos = [photo(seed) for seed in range(3)]
    sizes = [len(p) for p in photos]

    # Warm up both paths once (imports, template loading, connections).
    floor(photos)
    submit_once(client, OrderLineFactory(order__customer=customer), photos)
    submissions, floors = [], []
    for _ in range(SUBMISSIONS):
        line = OrderLineFactory(order__customer=customer)
        submissions.append(submit_once(client, line, photos))
        floors.append(floor(photos))

    review_url, minimal_url, _html = page_setup(client, customer)
    for _ in range(20):
        timed_get(client, review_url)
        timed_get(client, minimal_url)
    pages, minimals = [], []
    for _ in range(PAGE_REQUESTS):  # alternate, so both see the same machine load
        pages.append(timed_get(client, review_url))
        minimals.append(timed_get(client, minimal_url))

    submit_ms = statistics.median(submissions) * 1000
    floor_ms = statistics.median(floors) * 1000
    page_ms = statistics.median(pages) * 1000
    minimal_ms = statistics.median(minimals) * 1000
    return {
        "bench": "customer_submit",
        "figures": {
            "photo_bytes": sizes,
            "submissions": SUBMISSIONS,
            "submit_with_3_photos_median_ms": round(submit_ms, 1),
            "floor_decode_reencode_hash_median_ms": round(floor_ms, 1),
            "page_requests": PAGE_REQUESTS,
            "submission_page_median_ms": round(page_ms, 2),
            "minimal_view_same_template_median_ms": round(minimal_ms, 2),
        },
        "ratios": {
            "submit_vs_floor": round(submit_ms / floor_ms, 2),
            "page_vs_minimal_view": round(page_ms / minimal_ms, 2),
        },
        "targets": {"submit_vs_floor": "<=1.5", "page_vs_minimal_view": "<=1.5"},
    }


def main() -> None:
    run_and_print(run, media=MEDIA)


if __name__ == "__main__":
    main()
