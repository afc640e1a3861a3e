"""English and Spanish: every customer string translated, the compiled catalogue committed."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.portal.conftest import sign_in

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
CUSTOMER_SOURCES = re.compile(
    r"templates/(portal|emails|errors|base\.html|home\.html|privacy/customer_)|portal/"
    r"|claims/(uploads|pdfs|eligibility|links|money)|claims_site/bounds|privacy/export"
)


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        refs = " ".join(line[3:] for line in block.splitlines() if line.startswith("#: "))
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"((?:\n".*")*)', block, re.M)
        if msgid and refs:
            yield refs, block, (msgstr.group(1) + (msgstr.group(2) or "")) if msgstr else ""


def test_languages_every_customer_string_has_a_spanish_translation():
    missing = [
        block.splitlines()[-2]
        for refs, block, text in _entries()
        if CUSTOMER_SOURCES.search(refs) and not text.replace('"', "").strip()
    ]
    assert missing == []


def _field(block: str, name: str) -> str:
    import ast

    parts, inside = [], False
    for line in block.splitlines():
        if line.startswith(f"{name} "):
            inside, line = True, line[len(name) + 1 :]
        elif not line.startswith('"'):
            inside = False
        if inside:
            parts.append(ast.literal_eval(line))
    return "".join(parts)


def test_languages_compiled_catalogue_is_up_to_date():
    """The committed .mo holds every translation of the .po (compared by content, not mtime)."""
    import gettext

    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for _refs, block, text in _entries():
        if "msgid_plural" in block or not text.replace('"', "").strip():
            continue
        source, expected = _field(block, "msgid"), _field(block, "msgstr")
        if compiled.gettext(source) != expected:
            stale.append(source)
    assert stale == []


@pytest.mark.django_db
def test_languages_pages_switch_to_spanish(client):
    from tests.factories import claim_new

    # given
    claim = claim_new()
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    # when / then
    assert "Número de pedido" in client.get(reverse("portal:sign-in")).content.decode()
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert '<html lang="es">' in page
    assert "Hemos recibido su reclamación." in page
    assert "Queremos decidir antes del" in page


@pytest.mark.django_db
def test_languages_the_accepted_files_are_said_in_spanish(client):
    """Found by QA: "Se aceptan: JPEG, PNG, WebP or HEIC photos, or PDF documents…" on the
    Spanish claim page and wizard (the description was translated once, at import, in English)."""
    from tests.factories import claim_new

    # given
    claim = claim_new()
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    sign_in(client, claim.customer)
    # when
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    # then
    assert "fotos JPEG, PNG, WebP o HEIC, o documentos PDF" in page
    assert "HEIC photos" not in page


@pytest.mark.django_db
def test_languages_the_customer_data_page_is_in_spanish(client):
    """Found by QA: the header's "My data" and the whole data-export page were in English for a
    customer reading in Spanish."""
    from tests.factories import claim_new

    # given
    claim = claim_new()
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    sign_in(client, claim.customer)
    # when
    page = client.get(reverse("privacy:customer-export")).content.decode()
    # then
    assert "My data" not in page and "Your data" not in page
    assert "Descargar mis datos" in page
    assert "prevención del fraude" in page and "fraud prevention" not in page
