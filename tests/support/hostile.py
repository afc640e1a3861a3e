"""A corpus of hostile and awkward uploads, generated here (no binary files in the repository).

Each case is a file name, a function making its bytes, and the verdict the upload policy must
give on every upload path: refused with a reason (a fragment of the message), or accepted and
made safe (stored rewritten, with what was hostile gone). ``check_inert`` says whether stored
bytes are safe.
"""

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from PIL import Image

from claims.pdfs import pdf_active_parts


def jpeg(size=(64, 48), color=(180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def photo(seed: int = 3, size=(320, 240)) -> bytes:
    """A noisy photo: large enough that cutting it short leaves the decoder without data."""
    rnd = random.Random(seed)
    image = Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def png(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 130, 40)).save(out, "PNG")
    return out.getvalue()


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def bomb_png() -> bytes:
    # 12,000 x 12,000 one-bit pixels: a few kilobytes on disk, 144 megapixels decoded.
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def huge_bomb_png() -> bytes:
    # 20,000 x 20,000: past Pillow's own guard, which refuses it before telling its size.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 42.0, 46.0)}  # GPS IFD: where the photo was taken
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


# --- PDFs written by hand, token by token, as an attacker would --------------------------


def raw_pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A well-formed PDF (header, numbered objects, cross-reference table, trailer) around the
    given object bodies; object 1 is the catalog, 2 the page tree, 3 the page."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def pdf_with(catalog_extra: bytes = b"", page_extra: bytes = b"", *more: bytes, **kw) -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    page = PAGE[:-2] + page_extra + b" >>"
    return raw_pdf(catalog, PAGES, page, *more, **kw)


def clean_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_js_hex_names() -> bytes:
    # /J#61vaScript is /JavaScript, /J#53 is /JS: no byte string "JavaScript" in the file.
    return pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")


def pdf_js_name_tree_hex() -> bytes:
    return pdf_with(
        b"/Names << /J#61va#53cript << /Names [(run) 4 0 R] >> >>",
        b"",
        b"<< /S /JavaScript /JS (app.launchURL('http://evil.invalid/')) >>",
    )


def pdf_launch_hex() -> bytes:
    return pdf_with(
        b"",
        b"/Annots [4 0 R]",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 200 200] "
        b"/A << /S /L#61unch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>",
    )


def pdf_embedded_file_hex() -> bytes:
    return pdf_with(
        b"/Names << /E#6dbeddedFiles << /Names [(invoice.exe) 4 0 R] >> >>",
        b"",
        b"<< /Type /Filespec /F (invoice.exe) /E#46 << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    )


def pdf_page_aa_uri_on_open() -> bytes:
    # Opening the page fetches a web address (a tracking pixel for PDFs).
    return pdf_with(b"", b"/AA << /O << /S /URI /URI (http://tracker.invalid/open) >> >>")


def pdf_xfa() -> bytes:
    return pdf_with(
        b"/AcroForm << /Fields [] /X#46A 4 0 R >>",
        b"",
        b"<< /Length 9 >>\nstream\n<xdp:xdp>\nendstream",
    )


def pdf_js_in_object_stream() -> bytes:
    """The script lives only inside a compressed object stream: no trace in the raw bytes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.OpenAction = pdf.make_indirect(action)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    data = out.getvalue()
    assert b"JavaScript" not in data and b"OpenAction" not in data
    return data


def pdf_encrypted() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    return out.getvalue()


def pdf_encrypted_no_user_password() -> bytes:
    """Opens without a password (restrictions only), but is encrypted all the same."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=""))
    return out.getvalue()


def pdf_encrypt_hex() -> bytes:
    # An /Encrypt dictionary whose name is written /E#6ecrypt, with no usable key.
    return pdf_with(trailer=b"/E#6ecrypt << /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >> ")


def pdf_launch_under_unknown_key() -> bytes:
    """A launch action hung where no viewer looks for one: nothing to remove it from, so the
    check of the rewritten file finds it and the file is refused."""
    return pdf_with(b"/Foo 4 0 R", b"", b"<< /S /L#61unch /F (cmd.exe) >>")


def html_as_pdf() -> bytes:
    return b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"


def html_with_pdf_header() -> bytes:
    return b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"


def pdf_cut_short() -> bytes:
    data = clean_pdf()
    return data[: len(data) // 2]


# --- verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    filename: str
    make: Callable[[], bytes]
    refused: str = ""  # a fragment of the refusal's reason; empty when accepted and cleaned
    # For an accepted file: bytes that must not survive into what is stored.
    gone: tuple[bytes, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.refused


CORPUS: dict[str, Case] = {
    # Refused: not a file the policy can make safe.
    "exe-renamed-jpg": Case("photo.jpg", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "not accepted"),
    "html-renamed-jpg": Case("receipt.jpg", html_as_pdf, "not accepted"),
    "svg-with-script": Case(
        "damage.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        "not accepted",
    ),
    "gifar": Case("photo.gif", lambda: b"GIF89a\x01\x00\x01\x00" + zip_archive(), "not accepted"),
    "tiff": Case("scan.tif", lambda: b"II*\x00" + b"\x00" * 64, "not accepted"),
    "decompression-bomb-png": Case("bomb.png", bomb_png, "too large"),
    "decompression-bomb-png-400-megapixels": Case("bomb.png", huge_bomb_png, "too large"),
    "zero-byte": Case("empty.jpg", lambda: b"", "empty"),
    "oversized": Case(
        "huge.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024), "larger than 10 MB"
    ),
    "jpeg-header-garbage": Case(
        "photo.jpg", lambda: b"\xff\xd8\xff\xe0" + b"garbage" * 50, "could not be read"
    ),
    "truncated-jpeg": Case("photo.jpg", lambda: photo()[: len(photo()) // 2], "could not be read"),
    "path-like-name": Case("..%2f..%2fetc%2fpasswd.jpg", jpeg, "looks like a folder path"),
    "path-like-name-double-encoded": Case("a%252f..%252f.bashrc.jpg", jpeg, "folder path"),
    "html-named-pdf": Case("bill.pdf", html_as_pdf, "not accepted"),
    "html-with-pdf-header": Case("bill.pdf", html_with_pdf_header, "incomplete or damaged"),
    "pdf-cut-short": Case("bill.pdf", pdf_cut_short, "incomplete or damaged"),
    "pdf-encrypted": Case("bill.pdf", pdf_encrypted, "Password-protected"),
    "pdf-encrypted-no-user-password": Case(
        "bill.pdf", pdf_encrypted_no_user_password, "Password-protected"
    ),
    "pdf-encrypt-hex-name": Case("bill.pdf", pdf_encrypt_hex, "Password-protected"),
    "pdf-launch-under-unknown-key": Case(
        "bill.pdf", pdf_launch_under_unknown_key, "scripts, embedded files or automatic actions"
    ),
    # Accepted and made safe: re-encoded or rewritten without the hostile part.
    "plain-jpeg": Case("photo.jpg", jpeg),
    "plain-pdf": Case("bill.pdf", clean_pdf),
    "jpeg-with-appended-zip": Case(
        "photo.jpg", lambda: jpeg() + zip_archive(), gone=(b"PK\x05\x06", b"<script")
    ),
    "png-with-trailing-script": Case(
        "photo.png", lambda: png() + b"<script>alert(1)</script>", gone=(b"<script",)
    ),
    "jpeg-with-gps-exif": Case("photo.jpg", jpeg_with_gps, gone=(b"Exif",)),
    "pdf-js-hex-escaped-names": Case("bill.pdf", pdf_js_hex_names, gone=(b"app.alert",)),
    "pdf-js-name-tree-hex": Case("bill.pdf", pdf_js_name_tree_hex, gone=(b"launchURL",)),
    "pdf-launch-hex": Case("bill.pdf", pdf_launch_hex, gone=(b"cmd.exe",)),
    "pdf-embedded-file-hex": Case("bill.pdf", pdf_embedded_file_hex, gone=(b"invoice.exe",)),
    "pdf-uri-on-open": Case("bill.pdf", pdf_page_aa_uri_on_open, gone=(b"tracker.invalid",)),
    "pdf-xfa": Case("form.pdf", pdf_xfa, gone=(b"xdp:xdp",)),
    "pdf-js-only-in-object-stream": Case("bill.pdf", pdf_js_in_object_stream),
}


def check_inert(case: Case, stored: bytes, content_type: str) -> None:
    """What is stored for an accepted case: no trace of the hostile part, and a PDF with no
    active content when parsed again."""
    for trace in case.gone:
        assert trace not in stored, trace
    if content_type == "application/pdf":
        with pikepdf.open(io.BytesIO(stored)) as pdf:
            assert pdf_active_parts(pdf) == set()
            assert len(pdf.pages) == 1
    else:
        with Image.open(io.BytesIO(stored)) as image:
            image.load()
            assert not image.getexif()
