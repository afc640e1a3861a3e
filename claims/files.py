"""Files that live and die with a database transaction.

Django has no on-rollback hook, so ``atomic_with_files`` keeps a list of the files written inside
it and deletes them if the block raises. Nested blocks hand their files to the enclosing one on
success, so a failure anywhere up to the outermost block removes every file of that attempt.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("written", default=None)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    parent = _written.get()
    mine: list = []
    token = _written.set(mine)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in mine:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)
    if parent is not None:
        parent.extend(mine)


def file_store(*, field_file: FieldFile, content: bytes) -> str:
    """Write ``content`` under the field's ``upload_to`` name; tracked for rollback."""
    tracked = _written.get()
    if tracked is None:
        raise RuntimeError("file_store() must run inside atomic_with_files()")
    field_file.save("upload", ContentFile(content), save=False)
    tracked.append((field_file.storage, field_file.name))
    return field_file.name


# Types a browser may show inline: images the upload policy decoded and re-encoded itself.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def evidence_response(evidence) -> FileResponse:
    """Stream an evidence file to someone the caller has already checked may see it.

    Inert whatever it holds: the type is the one the upload policy decided (stored on the row,
    never the uploader's), never sniffed as another type, never cached, sandboxed if opened in
    the browser; anything but a re-encoded image is a download, never rendered inline.
    """
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=evidence.content_type not in INLINE_TYPES,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
