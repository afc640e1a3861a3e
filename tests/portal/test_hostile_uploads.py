"""A corpus of hostile uploads: each refused with a clear message, and nothing stored."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from claims.exceptions import EvidenceRejected
from claims.models import Claim, ClaimEvent, Evidence
from portal.services import Upload, claim_evidence_upload
from tests.factories import claim_new
from tests.portal.conftest import jpeg_bytes, media_files, sign_in
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url

pytestmark = pytest.mark.django_db


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def _bomb_png() -> bytes:
    # 12,000 x 12,000 one-bit pixels: a few kilobytes on disk, 144 megapixels decoded.
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _png_with_trailer() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue() + b"<script>alert(1)</script>"


HOSTILE = {
    "exe-renamed-jpg": ("photo.jpg", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "not accepted"),
    "html-with-script": (
        "receipt.jpg",
        lambda: b"<!doctype html><html><script>alert(document.cookie)</script></html>",
        "not accepted",
    ),
    "svg-with-script": (
        "damage.svg",
        lambda: (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>'
        ),
        "not accepted",
    ),
    "polyglot-jpeg-zip": ("photo.jpg", lambda: jpeg_bytes() + _zip(), "hides another file"),
    "png-with-trailing-script": ("photo.png", _png_with_trailer, "extra data after its end"),
    "decompression-bomb-png": ("bomb.png", _bomb_png, "too large"),
    "zero-byte": ("empty.jpg", lambda: b"", "empty"),
    "oversized": (
        "huge.jpg",
        lambda: b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024),
        "larger than 10 MB",
    ),
    "pdf-with-javascript": (
        "bill.pdf",
        lambda: (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
        ),
        "scripts",
    ),
    "truncated-jpeg": ("photo.jpg", lambda: b"\xff\xd8\xff\xe0" + b"garbage" * 50, "could not"),
}


def _nothing_stored() -> None:
    assert not Evidence.objects.exists()
    assert not ClaimEvent.objects.filter(kind="evidence").exists()
    assert media_files() == []


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_wizard_evidence_step_rejects_hostile_file_and_stores_nothing(customer_client, line, case):
    # given: a customer at the evidence step
    name, make, message = HOSTILE[case]
    fill_until_evidence(customer_client, line)
    # when: they upload the hostile file together with a good photo
    response = customer_client.post(
        step_url(line, "evidence"),
        {
            "kind": "damage_photo",
            "files": [
                SimpleUploadedFile("good.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile(name, make(), "image/jpeg"),
            ],
        },
    )
    # then: a clear message naming the file; nothing kept, not even the good photo
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert name.rsplit("/", 1)[-1] in html
    assert not customer_client.session["portal.drafts"][str(line.pk)].get("files")
    _nothing_stored()
    # and submitting afterwards files a claim without any file
    customer_client.post(step_url(line, "review"), DECLARATIONS)
    assert Claim.objects.count() == 1
    _nothing_stored()


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_claim_page_rejects_hostile_file_and_stores_nothing(client, case):
    # given: a filed claim
    name, make, message = HOSTILE[case]
    claim = claim_new()
    sign_in(client, claim.customer)
    # when
    response = client.post(
        reverse("portal:claim-evidence", args=[claim.reference]),
        {"kind": "other", "files": [SimpleUploadedFile(name, make(), "image/jpeg")]},
    )
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_stored()


def test_path_traversal_filename_is_rejected_by_the_service_and_never_a_path(tmp_path):
    # given
    claim = claim_new()
    outside = Path(settings.MEDIA_ROOT).parent / "etc"
    # when: a caller passes a name that climbs out of the media folder
    with pytest.raises(EvidenceRejected, match="folder path"):
        claim_evidence_upload(
            claim=claim,
            customer=claim.customer,
            uploads=[Upload(data=jpeg_bytes(), filename="../../etc/passwd.jpg", kind="other")],
        )
    # then
    _nothing_stored()
    assert not outside.exists()


def test_path_traversal_filename_over_http_is_stored_only_under_a_random_name(client):
    # given: Django's multipart parser strips folders from the name it receives
    claim = claim_new()
    sign_in(client, claim.customer)
    upload = SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg")
    upload.name = "../../../../etc/cron.d/evil.jpg"
    # when
    client.post(
        reverse("portal:claim-evidence", args=[claim.reference]),
        {"kind": "other", "files": [upload]},
    )
    # then: nothing outside the media folder, and the stored name is random
    evidence = Evidence.objects.get()
    assert evidence.original_name == "evil.jpg"
    assert "evil" not in evidence.file.name and evidence.file.name.startswith("evidence/")
    assert [p.name for p in media_files()] == [Path(evidence.file.name).name]


def test_heic_photo_is_accepted_and_stored_as_jpeg(customer_client, line):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "HEIF")
    # given
    fill_until_evidence(customer_client, line)
    # when
    customer_client.post(
        step_url(line, "evidence"),
        {"kind": "damage_photo", "files": [SimpleUploadedFile("IMG_1.HEIC", out.getvalue())]},
    )
    customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/jpeg" and evidence.file.name.endswith(".jpg")


def test_evidence_step_states_the_limits(customer_client, line):
    fill_until_evidence(customer_client, line)
    html = customer_client.get(step_url(line, "evidence")).content.decode()
    assert "HEIC" in html and "10 MB" in html and "20 files" in html
