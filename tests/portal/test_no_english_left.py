"""Issue 16: every customer, seller and insurer page and every e-mail, rendered in each language,
has no English left: neither a catalogue string that stayed English nor text written in a
template or view without a translation (which a catalogue check cannot see)."""

import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.portal.conftest import sign_in

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
MARK = "Ω"  # what every context value renders as: never English, easy to take out

# Words that only English text has among these four languages; two of them in one sentence is
# English prose that escaped translation.
ENGLISH = {
    "the", "your", "you", "we", "our", "please", "is", "are", "with", "this", "that", "of",
    "to", "and", "for", "claim", "has", "have", "will", "not", "be", "by", "it", "what", "or",
}  # fmt: skip
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%[sd]|<[^>]+>")


@cache
def _catalogue(language: str) -> list[tuple[str, str]]:
    """(English, translation) of every string the language translates differently; a regional
    catalogue (fr_CA) is its parent's (fr) with its own entries on top."""
    from babel.messages.pofile import read_po

    pairs = list(_catalogue(language.split("-")[0])) if "-" in language else []
    folder = translation.to_locale(language)
    path = Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(i, s) for i, s in zip(ids, strings, strict=False) if s and s != i]
    return pairs


def _visible_text(html: str, *, remove: tuple[str, ...] = ()) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    # what people read in attributes too: labels, placeholders, titles, alternatives
    attributes = re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', text)
    text = re.sub(r"<[^>]+>", "\n", text) + "\n" + "\n".join(attributes)
    text = re.sub(r"https?://\S+|/[\w/.-]+/", " ", text)
    for value in remove:
        if value:
            text = text.replace(value, " ")
    import html as html_lib

    return html_lib.unescape(text).replace(MARK, " ")


def english_left(text: str, language: str) -> list[str]:
    """The English found in ``text`` (already in ``language``)."""
    found = []
    for english, translated in _catalogue(language):
        for chunk in PLACEHOLDER.split(english):
            chunk = chunk.strip(" .,:;")
            if len(chunk.split()) >= 3 and chunk in text and chunk not in translated:
                found.append(chunk)
    for line in re.split(r"[\n.!?;:]", text):
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", line)}
        if len(words & ENGLISH) >= 2:
            found.append(line.strip())
    return sorted(set(found))


def _email_context(names: set[str]) -> dict:
    return {name: [MARK] if name in {"losses", "evidence", "failures"} else MARK for name in names}


def _email_names() -> list[str]:
    return sorted(p.name.removesuffix("-subject.txt") for p in EMAILS.glob("*-subject.txt"))


def _variables(source: str) -> set[str]:
    names = set(re.findall(r"{{\s*(\w+)", source))
    names |= set(re.findall(r"{%\s*(?:el)?if\s+(?:not\s+)?(\w+)", source))
    names |= set(re.findall(r"{%\s*for\s+\w+\s+in\s+(\w+)", source))
    for include in re.findall(r'{%\s*include\s+"([^"]+)"', source):
        names |= _variables((Path(settings.BASE_DIR) / "templates" / include).read_text())
    return names


def test_english_left_finds_english_and_spares_translations():
    # The check itself: it must fail on English, whichever way it got onto the page.
    assert english_left("Nous avons reçu votre réclamation.", "fr") == []
    assert english_left("Please answer by Monday.", "fr") != []  # in the catalogue
    assert english_left("Thank you for the photos of your heater.", "de") != []  # hard-coded


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", _email_names())
def test_every_email_is_in_the_language_it_is_sent_in(name, language):
    # given: every variable the template reads, filled (so every branch of it shows)
    parts = [f"{name}-subject.txt", f"{name}-body.txt", f"{name}-body.html"]
    names = set().union(*(_variables((EMAILS / part).read_text()) for part in parts))
    context = {**_email_context(names), "SITE_URL": "https://claims.example"}
    # when
    with translation.override(language):
        rendered = [
            render_to_string(
                f"emails/{part}", context, **({} if part.endswith("html") else {"using": "text"})
            )
            for part in parts
        ]
    # then
    assert english_left(_visible_text("\n".join(rendered)), language) == []


def _get(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    return response.content.decode()


def _pages(client, language: str):
    """Every customer, seller and insurer page a person meets, in ``language``; yields (name,
    html, values that are data rather than wording)."""
    from claims.models import ClaimStatus
    from tests.factories import OrderLineFactory, claim_in
    from tests.sellers.helpers import awaiting, link_path, run_outbox

    client.post(reverse("set_language"), {"language": language, "next": "/"})
    yield "home", _get(client, reverse("portal:home")), ()
    yield "sign-in", _get(client, reverse("portal:sign-in")), ()
    yield "sign-in sent", _get(client, reverse("portal:sign-in-sent")), ()
    yield "not found", _get(client, "/no-such-page/"), ()
    line = OrderLineFactory()
    customer = line.order.customer
    data = (line.product.title, line.seller.legal_name, customer.name, customer.email)
    sign_in(client, customer)
    yield "orders", _get(client, reverse("portal:home")), data
    yield "new claim", _get(client, reverse("portal:new-claim")), data
    from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url

    yield "incident", _get(client, step_url(line, "incident")), data
    client.post(step_url(line, "incident"), incident_data(line))
    yield "losses", _get(client, step_url(line, "losses")), data
    refused = client.post(step_url(line, "losses"), losses_data(amount_property="1.234,567"))
    yield "losses refused", refused.content.decode(), data
    from claims.money import amount_input

    amount = amount_input(250_00, line.currency, locale=language)
    client.post(step_url(line, "losses"), losses_data(amount_property=amount))
    yield "evidence", _get(client, step_url(line, "evidence")), data
    story = incident_data(line)["description"]
    yield "review", _get(client, step_url(line, "review")), (*data, story, "Floor boards")
    response = client.post(step_url(line, "review"), DECLARATIONS, follow=True).content.decode()
    yield "submitted", response, (*data, story, "Floor boards")
    for status in (ClaimStatus.NEEDS_INFO, ClaimStatus.DENIED, ClaimStatus.APPROVED):
        claim = claim_in(status)
        sign_in(client, claim.customer)
        values = (
            claim.order_line.product.title,
            claim.seller.legal_name,
            claim.customer.name,
            claim.description,
        )
        detail = _get(client, reverse("portal:claim-detail", args=[claim.reference]))
        yield f"claim {status}", detail, values
        for page in ("portal:claim-withdraw", "portal:claim-payee"):
            html = _get(client, reverse(page, args=[claim.reference]))
            yield f"{page} {status}", html, values
    claim, path = awaiting()
    values = (claim.seller.legal_name, claim.order_line.product.title, claim.description)
    yield "seller answer", _get(client, path), values
    statement = path.replace("/respond/", "/statement/")
    yield "seller statement", _get(client, statement), values
    from claims.links import link_resolve
    from claims.models import LinkPurpose
    from sellers.services.responses import seller_response_submit
    from tests.sellers.helpers import LINK

    seller_response_submit(
        link=link_resolve(
            token=LINK.search(path).group("token"), purpose=LinkPurpose.SELLER_RESPONSE
        ),
        decision="insurer",
        insurer_name="Harbor Mutual",
        insurer_email="claims@harbor.test",
    )
    run_outbox("sellers.notify_insurer")
    insurer = link_path(mail.outbox[-1].body)
    yield "insurer answer", _get(client, insurer), (*values, "Harbor Mutual")
    yield "link refused", _get(client, path[:-5] + "xxxx/"), ()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_customer_seller_and_insurer_page_is_in_the_readers_language(client, language):
    left = {}
    for name, html, data in _pages(client, language):
        assert f'<html lang="{language}"' in html, name
        found = english_left(_visible_text(html, remove=data), language)
        if found:
            left[name] = found
    assert left == {}
