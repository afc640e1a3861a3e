"""The filing wizard's draft: what the customer typed (in the session) and the files they chose
(in a private folder of the media storage, never served, named by random ids only).

Nothing here touches a claim. The draft becomes a claim only in ``portal.services.claim_submit``,
which deletes the draft files once that transaction has committed. Drafts that are never
submitted are removed by the ``portal.tasks.drafts_purge`` beat task.
"""

import contextlib
import datetime as dt
import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

DRAFTS_KEY = "portal.drafts"
DRAFT_DIR = "drafts"
DRAFT_MAX_AGE = dt.timedelta(days=2)


def draft_get(session, line_id: int) -> dict:
    return dict(session.get(DRAFTS_KEY, {}).get(str(line_id), {}))


def draft_put(session, line_id: int, **parts) -> dict:
    drafts = dict(session.get(DRAFTS_KEY, {}))
    draft = {**drafts.get(str(line_id), {}), **parts}
    drafts[str(line_id)] = draft
    session[DRAFTS_KEY] = drafts
    return draft


def draft_drop(session, line_id: int) -> None:
    drafts = dict(session.get(DRAFTS_KEY, {}))
    drafts.pop(str(line_id), None)
    session[DRAFTS_KEY] = drafts


def draft_file_save(*, data: bytes) -> str:
    """Keep a checked upload until submission; returns its random id."""
    file_id = uuid.uuid4().hex
    default_storage.save(f"{DRAFT_DIR}/{file_id}", ContentFile(data))
    return file_id


def _draft_path(file_id: str) -> str:
    if len(file_id) != 32 or not all(c in "0123456789abcdef" for c in file_id):
        raise ValueError("not a draft file id")
    return f"{DRAFT_DIR}/{file_id}"


def draft_file_read(file_id: str) -> bytes:
    with default_storage.open(_draft_path(file_id), "rb") as handle:
        return handle.read()


def draft_file_delete(file_id: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        default_storage.delete(_draft_path(file_id))


def drafts_purge(*, older_than: dt.timedelta = DRAFT_MAX_AGE) -> int:
    """Delete draft files nobody submitted. Returns how many."""
    root = default_storage.path(DRAFT_DIR)
    if not os.path.isdir(root):
        return 0
    cutoff = (timezone.now() - older_than).timestamp()
    removed = 0
    for entry in os.scandir(root):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            os.unlink(entry.path)
            removed += 1
    return removed
