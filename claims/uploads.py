"""Evidence files that cannot hurt anyone.

The type is decided by content (magic bytes), never by the name or the browser's header. Images
are fully decoded and re-encoded, which drops EXIF (including location) and defeats polyglots;
a pixel budget stops decompression bombs. PDFs are checked for structure and active content.
"""

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from claims.exceptions import EvidenceRejected

MAX_FILE_BYTES = 10 * 1024 * 1024
# Files each party (customer, seller, insurer, adjuster, staff) may add to one claim.
MAX_FILES_PER_CLAIM = 20
MAX_IMAGE_PIXELS = 40_000_000  # ~ a 48-megapixel phone photo is refused only at 40 MP+
ALLOWED_DESCRIPTION = _("JPEG, PNG, WebP or HEIC photos, or PDF documents, up to 10 MB each")
# iPhone photos: HEIC/HEIF brands at bytes 8-12 of an ISO-BMFF "ftyp" box.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# A ZIP archive ends with its end-of-central-directory record, at most 64 KiB + 22 bytes from
# the end: a photo with one there is a polyglot (an image that is also an archive).
_ZIP_EOCD = b"PK\x05\x06"
_ZIP_TAIL = 65_536 + 22
_PNG_END = b"IEND\xaeB`\x82"

_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction|AA)\b")


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    sha256: str
    original_sha256: str
    width: int | None = None
    height: int | None = None
    # The camera's date (EXIF DateTimeOriginal), read before re-encoding drops it: fraud rules
    # compare it with the purchase date.
    taken_at: dt.datetime | None = None


_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME = 306


def exif_taken_at(image: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal (or DateTime) as UTC; None when absent or unreadable."""
    try:
        exif = image.getexif()
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if not raw:
            return None
        taken = dt.datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, TypeError, OSError, KeyError):
        return None
    return taken.replace(tzinfo=dt.UTC)


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def _heif_register() -> None:
    """HEIC decoding comes from pillow-heif (libheif wheels on PyPI); loaded on first use."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _check_polyglot(data: bytes, content_type: str) -> None:
    if _ZIP_EOCD in data[-_ZIP_TAIL:]:
        raise EvidenceRejected(
            _("The file hides another file (an archive) inside it and is not accepted.")
        )
    if content_type == "image/png" and not data.rstrip(b"\x00").endswith(_PNG_END):
        raise EvidenceRejected(_("The image has extra data after its end and is not accepted."))


def _probe_image(data: bytes, content_type: str) -> tuple[int, int]:
    """Read the image header only: the format must match and the pixel count stay in budget."""
    fmt = _FORMATS[content_type]
    if content_type == "image/heic":
        _heif_register()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt:
                raise EvidenceRejected(_("The file's content does not match an image type."))
            width, height = probe.size
    except EvidenceRejected:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise EvidenceRejected(_("The image could not be read; it may be damaged.")) from exc
    if width * height > MAX_IMAGE_PIXELS:
        raise EvidenceRejected(
            _("The image is too large (%(w)d × %(h)d pixels).") % {"w": width, "h": height}
        )
    return width, height


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}


def _reencode_image(data: bytes, content_type: str) -> tuple[bytes, int, int, dt.datetime | None]:
    fmt = _FORMATS[content_type]
    if content_type == "image/heic":
        _heif_register()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt:
                raise EvidenceRejected(_("The file's content does not match an image type."))
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise EvidenceRejected(
                    _("The image is too large (%(w)d × %(h)d pixels).") % {"w": width, "h": height}
                )
            taken_at = exif_taken_at(probe)
            probe.load()  # full decode: truncated or corrupt data fails here
            image = ImageOps.exif_transpose(probe)
            if image.mode not in ("RGB", "RGBA", "L"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            out = io.BytesIO()
            # HEIC is stored as JPEG: every reviewer's browser can show it.
            if fmt in ("JPEG", "HEIF"):
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=False)
            else:
                image.save(out, fmt)
    except EvidenceRejected:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise EvidenceRejected(_("The image could not be read; it may be damaged.")) from exc
    return out.getvalue(), width, height, taken_at


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise EvidenceRejected(_("The PDF is incomplete or damaged."))
    if _PDF_ACTIVE.search(data):
        raise EvidenceRejected(
            _("PDFs with scripts, embedded files or automatic actions are not accepted.")
        )
    if b"/Encrypt" in data:
        raise EvidenceRejected(
            _("Password-protected PDFs cannot be reviewed; upload an unprotected copy.")
        )


def evidence_precheck(*, data: bytes) -> str:
    """The cheap checks, without decoding pixels: size, type by content, hidden archives,
    the image header's pixel budget, PDF active content. Returns the content type.

    The customer's wizard runs this at the evidence step, so a hostile file is refused there and
    never written; ``evidence_clean`` runs it again before the full decode at submission."""
    if not data:
        raise EvidenceRejected(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceRejected(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    content_type = sniff(data[:16])
    if content_type is None:
        raise EvidenceRejected(
            _("This type of file is not accepted. Accepted: %(types)s.")
            % {"types": ALLOWED_DESCRIPTION}
        )
    _check_polyglot(data, content_type)
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        _probe_image(data, content_type)
    return content_type


def evidence_clean(*, data: bytes) -> CleanFile:
    """Validate and normalise one uploaded file. Raises ``EvidenceRejected`` with the reason."""
    content_type = evidence_precheck(data=data)
    original_sha = hashlib.sha256(data).hexdigest()
    width = height = taken_at = None
    if content_type == "application/pdf":
        content = data
    else:
        content, width, height, taken_at = _reencode_image(data, content_type)
        if content_type == "image/heic":
            content_type = "image/jpeg"
    return CleanFile(
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        original_sha256=original_sha,
        width=width,
        height=height,
        taken_at=taken_at,
    )


def display_name(name: str) -> str:
    """A safe label for the uploader's file name: never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "file"
    return base[:120]
