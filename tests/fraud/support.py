"""Helpers for fraud tests: run outstanding outbox work, make photos with and without EXIF."""

import datetime as dt
import io
import random

from PIL import Image

from claims.models import Outbox
from claims.outbox import deliver


def outbox_run(*, topic_prefix: str = "") -> list[str]:
    """Deliver every outstanding message (in order) as a worker would; returns the topics run."""
    done = []
    while True:
        pending = list(
            Outbox.objects.filter(done_at__isnull=True, topic__startswith=topic_prefix)
            .exclude(topic__in=["claims.notify_customer"])
            .order_by("pk")
        )
        pending = [m for m in pending if m.pk not in {d[0] for d in done}]
        if not pending:
            return [topic for _pk, topic in done]
        for message in pending:
            deliver(message_id=message.pk)
            done.append((message.pk, message.topic))


def photo_bytes(*, seed: int = 1, taken_at: dt.datetime | None = None, noise: int = 0) -> bytes:
    """A distinctive JPEG (blocks of grey from ``seed``); ``noise`` perturbs a few pixels."""
    rng = random.Random(seed)
    image = Image.new("RGB", (256, 256))
    pixels = image.load()
    for bx in range(8):
        for by in range(8):
            shade = rng.randrange(256)
            for x in range(bx * 32, bx * 32 + 32):
                for y in range(by * 32, by * 32 + 32):
                    pixels[x, y] = (shade, shade, shade)
    # A near duplicate: the same picture with ``noise`` blocks a little brighter.
    for i in range(noise):
        bx, by = (i * 3) % 8, (i * 5) % 8
        for x in range(bx * 32, bx * 32 + 32):
            for y in range(by * 32, by * 32 + 32):
                shade = min(255, pixels[x, y][0] + 40)
                pixels[x, y] = (shade, shade, shade)
    out = io.BytesIO()
    exif = Image.Exif()
    if taken_at is not None:
        exif.get_ifd(0x8769)[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def customer_photo(claim, data: bytes, *, filename: str = "IMG_1.jpg"):
    """The customer adds a damage photo to ``claim`` (``claims.services.evidence_add``), and the
    fraud worker fingerprints it and re-scores the claim; returns the evidence."""
    from claims.actors import Actor
    from claims.models import EvidenceKind
    from claims.services import evidence_add

    evidence = evidence_add(
        claim=claim,
        data=data,
        filename=filename,
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    outbox_run(topic_prefix="fraud.evidence")
    return evidence
