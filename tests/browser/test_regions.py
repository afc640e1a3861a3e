"""Issue 16: a claim filed end to end in a region beside the US, in its language, on a phone:
the pages in that language, the amount typed the local way, the deadline in the region's zone."""

import io
import re

import pytest
from django.core import mail
from PIL import Image

from claims.models import Claim, Outbox
from claims.outbox import deliver
from tests.browser.conftest import axe_violations
from tests.factories import line_in_region

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "de": {
        "send_link": "Anmeldelink per E-Mail senden",
        "check_mail": "Sehen Sie in Ihren E-Mails nach",
        "signed_in": "Sie sind angemeldet",
        "new_claim": "Neue Reklamation einreichen",
        "continue": "Weiter",
        "add_files": "Diese Dateien hinzufügen",
        "see_claim": "Ihre Reklamation ansehen",
        "received": "Wir haben Ihre Reklamation erhalten.",
        "decide_by": "Wir wollen entscheiden bis",
        "amount": "1.234,50",
        "shown": "1.234,50\u00a0€",
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
        "decide_by": "Nous visons une décision avant le",
        "amount": "1 234,50",
        "shown": "1\u202f234,50\u00a0$",
    },
}


def _deliver_outbox() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("region", "language"), [("DE", "de"), ("CA", "fr")])
def test_a_claim_filed_end_to_end_in_the_regions_language_on_a_phone(
    phone_page, tmp_path, region, language
):
    # given: a customer in Germany, or in Quebec, with a delivered item and a photo
    words = WORDS[language]
    line = line_in_region(region, subdivision="QC" if region == "CA" else "")
    photo = tmp_path / "IMG_0002.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page = phone_page
    # when: they choose their language and sign in by the link in their e-mail
    page.goto("/claim/sign-in/")
    page.select_option("#language-select", language)
    page.click("form.language button[type=submit]")
    page.wait_for_selector(f"html[lang={language}]")
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
    page.fill("#id_description", "Das Gerät hat sich überhitzt und den Teppich verbrannt.")
    # the safety question (the other answers keep their initial values)
    page.check("input[name=hazard][value=fire_smoke]")
    page.click(f"button:has-text('{words['continue']}')")
    # the purchase price comes filled in: only the property damage is claimed here
    page.fill("#id_amount_purchase_price", "")
    page.fill("#id_amount_property", words["amount"])
    page.click(f"button:has-text('{words['continue']}')")
    page.set_input_files("#id_files", str(photo))
    page.click(f"text={words['add_files']}")
    page.wait_for_selector("text=IMG_0002.jpg")
    assert _no_sideways_scroll(page)
    page.click("#to-review")
    assert words["shown"] in page.inner_text("main")
    page.check("#id_declare_true")
    page.check("#id_declare_share")
    page.check("#id_declare_covered")
    page.click("#submit-claim")
    # then: stored in minor units, in the region's currency, filed in their language
    reference = page.inner_text("#claim-reference").strip()
    claim = Claim.objects.get(reference=reference)
    assert (claim.claimed_total_minor, claim.currency) == (123_450, line.currency)
    assert claim.language == language and claim.region.code == region
    # and their claim page speaks their language, on a phone, accessibly
    page.click(f"text={words['see_claim']}")
    page.wait_for_selector("#what-happened")
    assert words["received"] in page.inner_text("#what-happened")
    assert words["decide_by"] in page.inner_text("#next-deadline")
    assert _no_sideways_scroll(page)
    assert axe_violations(page) == []
    # the receipt e-mail is in their language too
    _deliver_outbox()
    assert reference in mail.outbox[-1].subject and words["received"][:20] in mail.outbox[-1].body
