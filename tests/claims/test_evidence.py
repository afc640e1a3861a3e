import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from PIL import Image

from claims.actors import Actor
from claims.exceptions import EvidenceRejected
from claims.files import atomic_with_files
from claims.models import Evidence
from claims.services import evidence_add
from claims.uploads import display_name, evidence_check
from tests.factories import claim_new
from tests.support.hostile import clean_pdf

pytestmark = pytest.mark.django_db


def png_bytes(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 42.0, 46.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_image_is_reencoded_without_exif_location():
    raw = jpeg_with_gps()
    assert b"Exif" in raw
    clean = evidence_check(data=raw, filename="IMG_1.jpg")
    assert clean.content_type == "image/jpeg"
    assert b"Exif" not in clean.content
    assert clean.original_sha256 != clean.sha256


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00" + b"\x00" * 100, "not accepted"),
        (b"<svg onload=alert(1)>", "not accepted"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 10, "could not be read"),
        (b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>\n%%EOF", "damaged"),
    ],
)
def test_hostile_files_are_rejected_with_a_reason_naming_the_file(data, message):
    with pytest.raises(EvidenceRejected, match=message) as refused:
        evidence_check(data=data, filename="x<1>.jpg")
    assert str(refused.value).startswith("x_1_.jpg: ")


def test_oversized_file_is_rejected():
    with pytest.raises(EvidenceRejected, match="larger than"):
        evidence_check(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024), filename="a.png")


def test_display_name_never_carries_a_path():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\x\\photo<1>.jpg") == "photo_1_.jpg"
    assert display_name("") == "file"


def test_evidence_add_stores_file_under_a_random_name_with_hash():
    claim = claim_new()
    evidence = evidence_add(
        claim=claim,
        data=png_bytes(),
        filename="x y<1>.png",
        kind="damage_photo",
        actor=Actor.customer(claim.customer),
    )
    assert evidence.original_name == "x y_1_.png"
    assert "x y" not in evidence.file.name and evidence.file.name.startswith("evidence/")
    assert len(evidence.sha256) == 64
    assert os.path.exists(evidence.file.path)
    assert claim.events.filter(kind="evidence").count() == 1


def test_rejected_file_stores_nothing():
    claim = claim_new()
    with pytest.raises(EvidenceRejected):
        evidence_add(
            claim=claim,
            data=b"not an image",
            filename="a.jpg",
            kind="other",
            actor=Actor.customer(claim.customer),
        )
    assert not Evidence.objects.exists()
    assert _files() == []


def test_failure_after_the_file_is_written_leaves_no_orphan_file():
    claim = claim_new()
    with pytest.raises(RuntimeError), atomic_with_files():
        evidence_add(
            claim=claim,
            data=png_bytes(),
            filename="a.png",
            kind="other",
            actor=Actor.customer(claim.customer),
        )
        assert len(_files()) == 1
        raise RuntimeError("the database refused the last insert")
    assert not Evidence.objects.exists()
    assert _files() == []


def test_file_store_outside_a_files_transaction_is_a_programming_error():
    claim = claim_new()
    with pytest.raises(RuntimeError), transaction.atomic():
        from claims.files import file_store

        file_store(field_file=Evidence(claim=claim).file, content=b"x")


@pytest.mark.parametrize(
    ("filename", "make", "disposition"),
    [
        ("photo.png", png_bytes, "inline"),
        ("bill.pdf", clean_pdf, "attachment"),
    ],
)
def test_evidence_is_served_inert_with_the_type_the_policy_decided(
    client, supervisor, filename, make, disposition
):
    # given: a stored file, and a member of staff who may see it
    claim = claim_new()
    evidence = evidence_add(
        claim=claim, data=make(), filename=filename, kind="other", actor=Actor.system()
    )
    client.force_login(supervisor)
    # when
    response = client.get(reverse("claims:evidence-download", args=[evidence.pk]))
    # then: the decided type, never sniffed, sandboxed, and only a re-encoded image inline
    assert response.status_code == 200
    assert response["Content-Type"] == evidence.content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
