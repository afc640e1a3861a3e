"""Every string a seller or insurer reads (their pages, forms, inbox, e-mails) has Spanish."""

import re

from tests.portal.test_languages import _entries, _field

SELLER_SOURCES = re.compile(
    r"templates/sellers/|templates/emails/(seller|insurer)-|sellers/(forms|views|views_inbox|selectors)\.py|claims/evidence\.py"
)


def _translated(block: str, text: str) -> bool:
    if "msgid_plural" in block:  # every plural form filled
        forms = [_field(block, f"msgstr[{n}]") for n in range(2)]
        return all(form.strip() for form in forms)
    return bool(text.replace('"', "").strip())


def test_languages_every_seller_string_has_a_spanish_translation():
    missing = [
        _field(block, "msgid")
        for refs, block, text in _entries()
        if SELLER_SOURCES.search(refs) and not _translated(block, text)
    ]
    assert missing == []
