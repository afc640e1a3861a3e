"""PDFs read by a parser (pikepdf, on qpdf), rewritten without their active parts.

PDF names are tokens, not bytes: ``/J#61vaScript`` is ``/JavaScript`` and an object may sit
compressed inside an object stream, so no search over the raw bytes can tell what a PDF does.
qpdf decodes both. Every object of the file (object streams included) is walked, and what could
act on its own or carry another file is removed:

- scripts: the document's ``/JavaScript`` name tree and every ``/JS``;
- automatic actions: ``/OpenAction`` (the catalog's) and every ``/AA`` (pages, annotations,
  form fields), whatever they do (script, launch, opening a web address);
- actions that run or fetch something when a link is clicked: ``/Launch``, ``/JavaScript``,
  ``/SubmitForm``, ``/ImportData``, ``/GoToR``, ``/GoToE``, ``/RichMediaExecute``,
  ``/Rendition``, ``/Movie``, ``/Sound`` (plain web links and page links stay);
- embedded files: the ``/EmbeddedFiles`` name tree, every ``/EF`` of a file specification and
  file-attachment annotations;
- XFA forms (``/XFA``), rich media, 3D, movie, sound and screen annotations.

The result is written again by qpdf (only what is still reachable from the document is
written) and parsed a second time: if anything of the above is still there, the file is
refused. Encrypted PDFs, files that do not parse, files with no page and files cut short are
refused.
"""

import io
import logging

import pikepdf
from django.utils.translation import gettext as _

from claims.exceptions import EvidenceRejected

logger = logging.getLogger(__name__)

N = pikepdf.Name
# Keys whose value is active content (or carries a file), whatever it holds.
_ACTIVE_KEYS = {
    "/JS": "scripts",
    "/JavaScript": "scripts",
    "/OpenAction": "automatic actions",
    "/AA": "automatic actions",
    "/EmbeddedFiles": "embedded files",
    "/EF": "embedded files",
    "/XFA": "XFA forms",
    "/RichMediaContent": "rich media",
}
# Action types (the ``/S`` of an action dictionary) that run or fetch something.
_ACTIVE_ACTIONS = {
    N.JavaScript: "scripts",
    N.Launch: "launch actions",
    N.SubmitForm: "external actions",
    N.ImportData: "external actions",
    N.GoToR: "external actions",
    N.GoToE: "embedded files",
    N.RichMediaExecute: "rich media",
    N.Rendition: "rich media",
    N.Movie: "rich media",
    N.Sound: "rich media",
}
# Annotation subtypes that carry a file or play media.
_ACTIVE_ANNOTATIONS = {
    N.FileAttachment: "embedded files",
    N.RichMedia: "rich media",
    N.Screen: "rich media",
    N.Movie: "rich media",
    N.Sound: "rich media",
    N("/3D"): "rich media",
}


def _dictionaries(pdf: pikepdf.Pdf):
    """Every dictionary of the file (stream dictionaries too), direct ones included."""
    for obj in pdf.objects:
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
                yield item
                values = list(item.values())
            elif isinstance(item, pikepdf.Array):
                values = list(item)
            else:
                continue
            # Indirect objects are visited from pdf.objects; descend into direct ones only.
            stack.extend(
                value
                for value in values
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect
            )


def _action(value) -> str | None:
    """What an action (or a chain of them in an array) does that is not allowed, if anything."""
    items = list(value) if isinstance(value, pikepdf.Array) else [value]
    for item in items:
        if isinstance(item, pikepdf.Dictionary) and item.get("/S") in _ACTIVE_ACTIONS:
            return _ACTIVE_ACTIONS[item.get("/S")]
    return None


def _findings(dictionary) -> set[str]:
    found = {label for key, label in _ACTIVE_KEYS.items() if key in dictionary}
    if dictionary.get("/S") in _ACTIVE_ACTIONS:
        found.add(_ACTIVE_ACTIONS[dictionary.get("/S")])
    if dictionary.get("/Type") == N.EmbeddedFile:
        found.add("embedded files")
    if dictionary.get("/Subtype") in _ACTIVE_ANNOTATIONS and "/Rect" in dictionary:
        found.add(_ACTIVE_ANNOTATIONS[dictionary.get("/Subtype")])
    return found


def pdf_active_parts(pdf: pikepdf.Pdf) -> set[str]:
    """The kinds of active content anywhere in the file; empty for an inert document."""
    found: set[str] = set()
    for dictionary in _dictionaries(pdf):
        found |= _findings(dictionary)
    return found


def _strip(pdf: pikepdf.Pdf) -> set[str]:
    removed: set[str] = set()
    for dictionary in list(_dictionaries(pdf)):
        for key, label in _ACTIVE_KEYS.items():
            if key in dictionary:
                del dictionary[key]
                removed.add(label)
        for key in ("/A", "/Next"):
            label = _action(dictionary[key]) if key in dictionary else None
            if label:
                del dictionary[key]
                removed.add(label)
        annots = dictionary.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            keep = [a for a in annots if a.get("/Subtype") not in _ACTIVE_ANNOTATIONS]
            if len(keep) != len(annots):
                removed |= {
                    _ACTIVE_ANNOTATIONS[a.get("/Subtype")]
                    for a in annots
                    if a.get("/Subtype") in _ACTIVE_ANNOTATIONS
                }
                dictionary["/Annots"] = pikepdf.Array(keep)
    return removed


def _damaged() -> EvidenceRejected:
    return EvidenceRejected(_("The PDF is incomplete or damaged."))


def pdf_clean(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF rewritten without active content, and what was removed (sorted labels).

    Raises ``EvidenceRejected`` for encrypted, unreadable, empty or cut-short files, and for a
    file whose rewrite still holds active content.
    """
    if b"%%EOF" not in data[-2048:]:
        raise _damaged()  # cut short (an interrupted upload): qpdf would rebuild a part of it
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise pikepdf.PasswordError("encrypted")
            if len(pdf.pages) == 0:
                raise _damaged()
            removed = _strip(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                # Streams are copied as they are: nothing is decompressed that need not be.
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                deterministic_id=True,
            )
        with pikepdf.open(io.BytesIO(out.getvalue())) as again:
            left = pdf_active_parts(again)
    except pikepdf.PasswordError as exc:
        raise EvidenceRejected(
            _("Password-protected PDFs cannot be reviewed; upload an unprotected copy.")
        ) from exc
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise _damaged() from exc
    if left:
        logger.warning("PDF refused: active content left after rewriting: %s", sorted(left))
        raise EvidenceRejected(
            _("PDFs with scripts, embedded files or automatic actions are not accepted.")
        )
    return out.getvalue(), sorted(removed)
