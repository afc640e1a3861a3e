"""Every language beside English (Spanish, French, German): every customer and seller string
translated, the compiled catalogue committed, the pages in each language."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.portal.conftest import sign_in

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Complete catalogues; fr_CA holds only what differs from fr (the rest falls back to it).
COMPLETE = [code for code in LANGUAGES if "-" not in code]
CUSTOMER_SOURCES = re.compile(
    r"templates/(portal|emails|errors|base\.html|_language_menu\.html|home\.html|privacy/customer)|portal/|claims/(uploads|pdfs|eligibility|links|money)|claims_site/bounds|privacy/export"
)
# Seller and insurer pages and what sellers are told (their e-mails follow their own language).
SELLER_SOURCES = re.compile(r"templates/sellers/|sellers/(views|forms|services|handlers|selectors)")


def _po(language: str) -> Path:
    folder = translation.to_locale(language)
    return Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po"


def _entries(language: str = "es"):
    for block in _po(language).read_text(encoding="utf-8").split("\n\n"):
        refs = " ".join(line[3:] for line in block.splitlines() if line.startswith("#: "))
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"((?:\n".*")*)', block, re.M)
        if msgid and (refs or _field(block, "msgid")):
            yield refs, block, (msgstr.group(1) + (msgstr.group(2) or "")) if msgstr else ""


def test_languages_every_language_is_offered():
    assert LANGUAGES == ["es", "fr", "fr-ca", "de"]


@pytest.mark.parametrize("language", COMPLETE)
@pytest.mark.parametrize("sources", [CUSTOMER_SOURCES, SELLER_SOURCES], ids=["customer", "seller"])
def test_languages_every_customer_and_seller_string_is_translated(language, sources):
    missing = [
        block.splitlines()[-2]
        for refs, block, text in _entries(language)
        if sources.search(refs) and (not text.replace('"', "").strip() or "#, fuzzy" in block)
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_languages_compiled_catalogue_is_up_to_date(language):
    """The committed .mo holds every translation of the .po (compared by content, not mtime)."""
    import gettext

    with _po(language).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for _refs, block, text in _entries(language):
        if "msgid_plural" in block or not text.replace('"', "").strip():
            continue
        source, expected = _field(block, "msgid"), _field(block, "msgstr")
        context = _field(block, "msgctxt")  # "claim action" and the like
        found = compiled.pgettext(context, source) if context else compiled.gettext(source)
        if found != expected:
            stale.append(source)
    assert stale == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "order_number", "received", "decide_by"),
    [
        ("es", "Número de pedido", "Hemos recibido su reclamación.", "Queremos decidir antes del"),
        ("fr", "Numéro de commande", "Nous avons reçu votre réclamation.", "Nous visons une"),
        (
            "de",
            "Bestellnummer",
            "Wir haben Ihre Schadensmeldung erhalten.",
            "Wir wollen entscheiden",
        ),
    ],
)
def test_languages_pages_switch_language(client, language, order_number, received, decide_by):
    from tests.factories import claim_new

    # given
    claim = claim_new()
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    # when / then
    assert order_number in client.get(reverse("portal:sign-in")).content.decode()
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert f'<html lang="{language}">' in page
    assert received in page
    assert decide_by in page


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


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_languages_every_staff_string_is_translated(language):
    """Issue #16: staff in Spain, France, Quebec and the German-speaking regions work in their
    language, so every entry of the Spanish, French and German catalogues, whatever it comes
    from (staff pages, fraud, safety, privacy, admin labels, model names), is translated, each
    plural form included, and none is fuzzy. fr-ca holds only the Canadian differences."""
    missing = [
        _field(block, "msgid")
        for _refs, block, _text in _entries(language)
        if re.search(r"^#,.*\bfuzzy\b", block, re.M)
        or not all(
            _field(block, key).strip()
            for key in (["msgstr[0]", "msgstr[1]"] if "msgid_plural" in block else ["msgstr"])
        )
    ]
    assert missing == []
