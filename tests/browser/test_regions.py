"""Issue 16: a claim filed end to end in every region, in its language, on a phone.

One case per region (Canada twice: Ontario in English, Quebec in Canadian French): the customer
signs in by the e-mailed link, walks the public wizard in their language, types the amount their
way; the review shows it in the region's currency format, the claim stores minor units, the
receipt e-mail is in the filing language, and when the claim reaches the seller their page
shows the seller's deadline on the region's calendar (a public holiday of the region, or of
Quebec, inside the window), in the region's zone. Data for every region is made once per module
(``_regions``); each case is a few seconds of browser.
"""

import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass

import holidays
import pytest
from django.core import mail
from PIL import Image

from claims import lifecycle
from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import deliver
from claims.services import claim_transition
from tests.browser.conftest import PHONE, axe_violations
from tests.factories import line_in_region

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "send_link": "E-mail me a sign-in link",
        "check_mail": "Check your e-mail",
        "signed_in": "You are signed in",
        "new_claim": "File a new claim",
        "continue": "Continue",
        "add_files": "Add these files",
        "see_claim": "See your claim",
        "received": "We received your claim.",
        "seller_by": "The seller must answer by",
        "story": "The heater overheated and burned the carpet.",
    },
    "es": {
        "send_link": "Enviarme un enlace de acceso",
        "check_mail": "Revise su correo",
        "signed_in": "Ha iniciado sesión",
        "new_claim": "Presentar una nueva reclamación",
        "continue": "Continuar",
        "add_files": "Añadir estos archivos",
        "see_claim": "Ver su reclamación",
        "received": "Hemos recibido su reclamación.",
        "seller_by": "El vendedor debe responder antes del",
        "story": "El calefactor se sobrecalentó y quemó la alfombra.",
    },
    "fr": {
        "send_link": "M’envoyer un lien de connexion",
        "check_mail": "Consultez vos e-mails",
        "signed_in": "Vous êtes connecté",
        "new_claim": "Déposer une nouvelle réclamation",
        "continue": "Continuer",
        "add_files": "Ajouter ces fichiers",
        "see_claim": "Voir votre réclamation",
        "received": "Nous avons reçu votre réclamation.",
        "seller_by": "Le vendeur doit répondre avant le",
        "story": "Le radiateur a surchauffé et brûlé le tapis.",
    },
    "de": {
        "send_link": "Anmeldelink per E-Mail senden",
        "check_mail": "Sehen Sie in Ihren E-Mails nach",
        "signed_in": "Sie sind angemeldet",
        "new_claim": "Neue Schadensmeldung einreichen",
        "continue": "Weiter",
        "add_files": "Diese Dateien hinzufügen",
        "see_claim": "Ihre Schadensmeldung ansehen",
        "received": "Wir haben Ihre Schadensmeldung erhalten.",
        "seller_by": "Der Verkäufer muss antworten bis",
        "story": "Das Gerät hat sich überhitzt und den Teppich verbrannt.",
    },
}
# Canadian French: France's words, but "courriel" where France writes "e-mail".
WORDS["fr-ca"] = {**WORDS["fr"], "check_mail": "Consultez vos courriels"}


@dataclass(frozen=True)
class Case:
    region: str
    language: str  # what the pages are in (the menu's choice, or the browser's)
    browser_locale: str  # the phone's language (Accept-Language) and Intl locale
    typed: str  # the amount as this reader types it
    shown: str  # as the review page writes it: the region's currency, the reader's way
    reached_seller: dt.date  # the day the claim reaches the seller: a holiday in the window
    subdivision: str = ""

    @property
    def id(self) -> str:
        return f"{self.region}{'-' + self.subdivision if self.subdivision else ''}-{self.language}"


NBSP, NNBSP = "\u00a0", "\u202f"
CASES = [
    Case("US", "en", "en-US", "1,234.50", "$1,234.50", dt.date(2027, 11, 24)),  # Thanksgiving
    Case("CA", "en", "en-CA", "1,234.50", "CA$1,234.50", dt.date(2027, 6, 30), "ON"),  # 1 July
    # Quebec: the phone asks for fr-CA; Saint-Jean-Baptiste (24 June) stops Quebec's clock only
    Case("CA", "fr-ca", "fr-CA", "1 234,50", f"1{NBSP}234,50{NBSP}$", dt.date(2027, 6, 23), "QC"),
    Case("GB", "en", "en-GB", "£1,234.50", "£1,234.50", dt.date(2027, 5, 28)),  # spring bank hol.
    Case("DE", "de", "de-DE", "1.234,50", f"1.234,50{NBSP}€", dt.date(2027, 5, 5)),  # Ascension
    Case("FR", "fr", "fr-FR", "1 234,50", f"1{NNBSP}234,50{NBSP}€", dt.date(2027, 7, 13)),
    Case("IT", "en", "it-IT", "1,234.50", "€1,234.50", dt.date(2027, 6, 1)),  # Republic Day
    Case("ES", "es", "es-ES", "1.234,50", f"1.234,50{NBSP}€", dt.date(2027, 10, 11)),
    Case("NL", "en", "nl-NL", "1,234.50", "€1,234.50", dt.date(2027, 4, 26)),  # King's Day
    Case("IE", "en", "en-IE", "€1,234.50", "€1,234.50", dt.date(2027, 3, 16)),  # St Patrick's
]


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "IMG_0002.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def region_phone(browser, live_server, request):
    """A phone in the region: its language and its time zone."""
    from claims.models import Region

    case: Case = request.param
    context = browser.new_context(
        base_url=live_server.url,
        locale=case.browser_locale,
        timezone_id=Region.objects.get(code=case.region).time_zone,
        **PHONE,
    )
    context.set_default_timeout(15_000)
    yield case, context.new_page()
    context.close()


def _deliver_outbox() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _seller_deadline(case: Case, region) -> tuple[dt.datetime, bool]:
    """The end of the region's seller-response window of business days after the claim reached
    the seller, by the `holidays` package's calendar for the region (with the customer's
    subdivision where the region keeps one: Quebec), in the region's zone; and whether a
    holiday fell inside the window (the calendar mattered)."""
    kept = case.subdivision in region.holiday_subdivisions.split(",") and case.subdivision
    closed = holidays.country_holidays(
        case.region, subdiv=kept or None, years=case.reached_seller.year
    )
    business_days, zone = region.seller_response_business_days, region.time_zone
    day, counted, skipped = case.reached_seller, 0, False
    while counted < business_days:
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        if day in closed:
            skipped = True
            continue
        counted += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(zone))
    return end, skipped


def _to_the_seller(claim: Claim, *, on: dt.date) -> None:
    """Screening and fraud scoring pass the claim on, on that day (noon in the region)."""
    noon = dt.datetime.combine(on, dt.time(12), tzinfo=zoneinfo.ZoneInfo(claim.region.time_zone))
    for step in (ClaimStatus.SCREENING, ClaimStatus.AWAITING_SELLER):
        claim = claim_transition(
            claim=claim,
            to=step,
            actor=Actor.system("screening"),
            via=min(lifecycle.owners(claim.status, step)),
            now=noon,
        )


@pytest.mark.parametrize("region_phone", CASES, ids=[c.id for c in CASES], indirect=True)
def test_a_claim_filed_end_to_end_in_each_region_in_its_language_on_a_phone(region_phone, photo):
    case, page = region_phone
    words = WORDS[case.language]
    # given: a customer in the region with a delivered item
    line = line_in_region(case.region, subdivision=case.subdivision)
    # when: they open the sign-in page (in their phone's language, else they choose theirs)
    page.goto("/claim/sign-in/")
    if page.get_attribute("html", "lang") != case.language:
        page.select_option("#language-select", case.language)
        page.click("form.language button[type=submit]")
    page.wait_for_selector(f"html[lang={case.language}]")
    # and sign in by the link in their e-mail
    page.fill("#id_order_number", line.order.number)
    page.fill("#id_email", line.order.customer.email)
    page.click(f"text={words['send_link']}")
    page.wait_for_selector(f"h1:has-text('{words['check_mail']}')")
    _deliver_outbox()
    link = re.search(r"https?://\S+(/claim/sign-in/link/\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.click("#sign-in-continue")
    page.wait_for_selector(f"text={words['signed_in']}")
    # and walk the wizard, typing the amount the way they write it
    page.click(f"text={words['new_claim']}")
    page.click(f"#claim-line-{line.pk}")
    page.fill("#id_incident_date", line.delivered_on.isoformat())
    page.check("input[name=incident_kind][value=property_damage]")
    page.fill("#id_people_injured", "0")
    page.fill("#id_description", words["story"])
    page.check("input[name=hazard][value=fire_smoke]")  # the safety question
    page.click(f"button:has-text('{words['continue']}')")
    # the purchase price comes filled in: only the property damage is claimed here
    page.fill("#id_amount_purchase_price", "")
    page.fill("#id_amount_property", case.typed)
    page.click(f"button:has-text('{words['continue']}')")
    page.set_input_files("#id_files", str(photo))
    page.click(f"text={words['add_files']}")
    page.wait_for_selector("text=IMG_0002.jpg")
    page.click("#to-review")
    # then: the review writes the amount in the region's currency, the reader's way
    assert case.shown in page.inner_text("main")
    assert _no_sideways_scroll(page)
    page.check("#id_declare_true")
    page.check("#id_declare_share")
    page.check("#id_declare_covered")
    page.click("#submit-claim")
    # and the confirmation repeats it; the claim is stored in minor units of the region's
    # currency, in the filing language
    assert case.shown in page.inner_text("#claimed-total")
    reference = page.inner_text("#claim-reference").strip()
    claim = Claim.objects.select_related("region").get(reference=reference)
    assert (claim.claimed_total_minor, claim.currency) == (123_450, claim.region.currency)
    assert (claim.region.code, claim.language) == (case.region, case.language)
    # and the receipt e-mail is in that language, with the amount written the same way
    _deliver_outbox()
    receipt = mail.outbox[-1]
    assert receipt.to == [line.order.customer.email] and reference in receipt.subject
    assert words["received"][:20] in receipt.body
    assert case.shown.replace(NNBSP, NBSP) in receipt.body.replace(NNBSP, NBSP)
    # when: the claim reaches the seller the day before a holiday of the region
    _to_the_seller(claim, on=case.reached_seller)
    # then: the customer's page shows the seller's deadline on the region's calendar, its zone
    expected, holiday_inside = _seller_deadline(case, claim.region)
    assert holiday_inside, "the case must put a holiday of the region inside the window"
    page.click(f"text={words['see_claim']}")
    deadline = page.wait_for_selector("#next-deadline")
    assert words["seller_by"] in deadline.inner_text() and "23:59" in deadline.inner_text()
    shown_at = dt.datetime.fromisoformat(page.get_attribute("#next-deadline time", "datetime"))
    assert shown_at == expected and shown_at.utcoffset() == expected.utcoffset()
    assert page.get_attribute("html", "lang") == case.language
    assert _no_sideways_scroll(page)
    assert axe_violations(page) == []
