"""The upload policy: one function decides every file anyone uploads, on every path.

``evidence_check`` is called for the customer's wizard (at the evidence step), the claim page's
"add files" and answers to information requests, the seller's and insurer's answers, insurance
certificates, adjusters' reports and the admin's certificate form. It gives the same answer and
the same message wherever the file arrives, and returns the file as it will be stored:

- the name is a label only (files are stored under random names); a name that looks like a
  folder path, even percent-encoded, is refused;
- the type is decided by content (magic bytes), never by the name or the browser's header:
  JPEG, PNG, WebP, HEIC (stored as JPEG) and PDF;
- images are fully decoded and re-encoded, which drops EXIF (including location), anything
  after the image's end (an appended archive, a script) and defeats polyglots; a pixel budget,
  read from the header before decoding, stops decompression bombs; a damaged or truncated image
  is refused;
- PDFs are parsed and rewritten without scripts, automatic actions, launch actions and
  embedded files (``claims.pdfs``); encrypted or unreadable ones are refused.
"""

import datetime as dt
import hashlib
import io
import re
import urllib.parse
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from claims.exceptions import EvidenceRejected

MAX_FILE_BYTES = 10 * 1024 * 1024
# Files each party (customer, seller, insurer, adjuster, staff) may add to one claim.
MAX_FILES_PER_CLAIM = 20
MAX_IMAGE_PIXELS = 40_000_000  # ~ a 48-megapixel phone photo is refused only at 40 MP+
# Lazy: read in the language of whoever sees it, not the one active when the module loaded.
ALLOWED_TYPES = gettext_lazy("JPEG, PNG, WebP or HEIC photos, or PDF documents")


def _allowed_description() -> str:
    return _("%(types)s, up to %(mb)d MB each") % {
        "types": ALLOWED_TYPES,
        "mb": MAX_FILE_BYTES // (1024 * 1024),
    }


# The types and the size, for a file field's help (the size from ``MAX_FILE_BYTES``).
ALLOWED_DESCRIPTION = lazy(_allowed_description, str)()
# iPhone photos: HEIC/HEIF brands at bytes 8-12 of an ISO-BMFF "ftyp" box.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CleanFile:
    """A file the policy accepted, as it is stored: never the uploader's bytes for an image or
    a PDF, always the rewritten ones."""

    name: str  # the uploader's name for it, as a label (``display_name``)
    content: bytes
    content_type: str
    sha256: str
    original_sha256: str
    width: int | None = None
    height: int | None = None
    # The camera's date (EXIF DateTimeOriginal), read before re-encoding drops it: fraud rules
    # compare it with the purchase date.
    taken_at: dt.datetime | None = None
    # What was removed from a PDF ("scripts", "embedded files", ...), for the evidence event.
    removed: list[str] = field(default_factory=list)


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
    except Image.DecompressionBombError as exc:
        # Pillow's own guard, at twice its default budget, fires before the size is known.
        raise EvidenceRejected(_("The image is too large.")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise EvidenceRejected(_("The image could not be read; it may be damaged.")) from exc
    return out.getvalue(), width, height, taken_at


def _name_check(filename: str) -> None:
    """Refuse names that try to be paths, plain or percent-encoded. Browsers send bare names and
    Django strips folders from multipart names, so this is for every other way a name arrives.
    Names are never used as paths either way: files are stored under random names."""
    decoded = filename
    for _round in range(3):  # %252f is %2f is /
        decoded = urllib.parse.unquote(decoded)
    if any(bad in decoded for bad in ("/", "\\", "\x00")) or decoded.startswith(".."):
        raise EvidenceRejected(
            _("The file name “%(name)s” looks like a folder path; rename the file and try again.")
            % {"name": filename[:80]}
        )


def size_problem(size: int) -> str:
    """Why a file of ``size`` bytes is refused for its size, or "" when it is not: the one
    upload limit (``MAX_FILE_BYTES``) and its message, for the upload policy and every other
    form that takes a file (the safety team's recall import)."""
    if size > MAX_FILE_BYTES:
        return _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    return ""


def _size_and_type(data: bytes) -> str:
    if not data:
        raise EvidenceRejected(_("The file is empty."))
    if problem := size_problem(len(data)):
        raise EvidenceRejected(problem)
    content_type = sniff(data[:16])
    if content_type is None:
        raise EvidenceRejected(
            _("This type of file is not accepted. Accepted: %(types)s.") % {"types": ALLOWED_TYPES}
        )
    return content_type


def evidence_check(*, data: bytes, filename: str) -> CleanFile:
    """The upload policy for one file: accept it as it will be stored, or refuse it.

    Every upload path calls this (or ``evidence_check_each``) when the file arrives, before
    anything is written. Raises ``EvidenceRejected`` whose message starts with the file's name.
    """
    from claims.pdfs import pdf_clean

    _name_check(filename)
    name = display_name(filename)
    try:
        content_type = _size_and_type(data)
        width = height = taken_at = None
        removed: list[str] = []
        if content_type == "application/pdf":
            content, removed = pdf_clean(data)
        else:
            content, width, height, taken_at = _reencode_image(data, content_type)
            if content_type == "image/heic":
                content_type = "image/jpeg"  # HEIC is stored as JPEG
    except EvidenceRejected as exc:
        raise EvidenceRejected(f"{name}: {exc}") from exc
    return CleanFile(
        name=name,
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        taken_at=taken_at,
        removed=removed,
    )


def evidence_check_each(*, files: list[tuple[str, bytes]]) -> tuple[list[CleanFile], list[str]]:
    """The policy for each of a batch of (name, bytes): the files it accepted, and one reason
    per file it refused, for a caller that refuses the whole batch naming every refused file
    (the wizard's evidence step). Batches for a claim come through
    ``claims.duplicates.evidence_check_for_claim``, which adds the files already on the claim
    to the refusals."""
    cleaned, reasons = [], []
    for filename, data in files:
        try:
            cleaned.append(evidence_check(data=data, filename=filename))
        except EvidenceRejected as exc:
            reasons.extend(exc.reasons)
    return cleaned, reasons


def upload_problems(uploads) -> list[str]:
    """What the upload policy says of these uploaded files (Django's ``UploadedFile``), one
    line per refused file, for a form refused anyway: its page then names every problem at
    once. The files are rewound; a form that passes leaves the policy to the service."""
    reasons = []
    for upload in uploads:
        data = upload_read(upload)
        upload.seek(0)
        try:
            evidence_check(data=data, filename=upload.name)
        except EvidenceRejected as exc:
            reasons.extend(exc.reasons)
    return reasons


def upload_problems_add(form, field: str) -> None:
    """A form already refused for another reason also names, at ``field``, what the upload
    policy says of its files: the person sees every problem at once."""
    files = form.cleaned_data.get(field)
    if not form.errors or not files:
        return
    for reason in upload_problems(files if isinstance(files, list) else [files]):
        form.add_error(field, reason)


def upload_read(upload) -> bytes:
    """The bytes of one uploaded file (Django's ``UploadedFile``), never more than one byte past
    the limit: the policy refuses it for its size without the rest being read."""
    return upload.read(MAX_FILE_BYTES + 1)


def display_name(name: str) -> str:
    """A safe label for the uploader's file name: never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "file"
    return base[:120]
