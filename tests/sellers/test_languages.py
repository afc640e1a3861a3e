"""Every string a seller or insurer reads (their pages, forms, inbox, e-mails) has Spanish."""

import re

from tests.portal.test_languages import _entries

SELLER_SOURCES = re.compile(
    r"templates/sellers/|templates/emails/(seller|insurer)-|sellers/(forms|views|views_inbox|selectors)\.py|claims/evidence\.py"
)


def _translated(block: str, text: str) -> bool:
    if "msgid_plural" in block:  # every plural form filled
        forms = re.findall(r'^msgstr\[\d\] "(.*)"', block, re.M)
        return bool(forms) and all(forms)
    return bool(text.replace('"', "").strip())


def test_languages_every_seller_string_has_a_spanish_translation():
    missing = [
        block.splitlines()[2 if "msgid_plural" in block else -2]
        for refs, block, text in _entries()
        if SELLER_SOURCES.search(refs) and not _translated(block, text)
    ]
    assert missing == []
