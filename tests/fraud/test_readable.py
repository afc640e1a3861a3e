"""The Fraud area reads in the analyst's language (tester's report, point 1): rules by a
translated name, never their code; the reasons a rule fired written when the page is shown, in
the reader's language, plural forms and date format; older hits keep their stored sentence."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from claims.models import ClaimStatus
from fraud.models import Assessment, Rule, RuleHit
from fraud.scoring import fraud_score_claim, rules_ensure
from tests.factories import claim_in, claim_new
from tests.fraud.support import customer_photo, photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_case():
    """A claim on hold whose photo was taken long before the purchase and also appears in
    another claim: duplicate_photo and photo_before_purchase fire."""
    first = claim_new()
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    taken = timezone.now() - dt.timedelta(days=400)
    customer_photo(first, photo_bytes(seed=7, taken_at=taken))
    customer_photo(held, photo_bytes(seed=7, taken_at=taken))
    fraud_score_claim(claim=held)
    assert {"duplicate_photo", "photo_before_purchase"} <= set(
        RuleHit.objects.filter(claim=held).values_list("rule__code", flat=True)
    )
    held.first = first
    return held


def test_a_case_names_its_rules_and_explains_them_in_the_readers_language(
    client, analyst, photo_case
):
    # given: the claim was scored (in English, by the worker, in UTC); the analyst reads
    # Kiribati time (UTC+14: most purchases fall on the next day there)
    analyst.staff_profile.time_zone = "Pacific/Kiritimati"
    analyst.staff_profile.save()
    client.force_login(analyst)
    # when: a Spanish-speaking analyst opens it
    page = client.get(
        reverse("backoffice:fraud-claim", args=[photo_case.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    # then: the rules by their Spanish names, the reasons in Spanish with Spanish dates
    assert "duplicate_photo" not in page and "photo_before_purchase" not in page
    assert "Foto duplicada" in page
    assert f"La misma foto aparece en 1 reclamación más: {photo_case.first.reference}" in page
    assert "The same photo appears" not in page and "taken before the purchase" not in page
    placed = timezone.localtime(
        photo_case.order_line.order.placed_at, zoneinfo.ZoneInfo("Pacific/Kiritimati")
    ).date()
    with translation.override("es"):
        spanish_date = formats.date_format(placed)
    assert f"1 foto tomada antes de la compra del {spanish_date}" in page


def test_a_hit_scored_before_rules_had_facts_keeps_its_stored_sentence(client, analyst):
    # given: a hit stored by an older version, with its sentence and no usable facts
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    rules = rules_ensure()
    assessment = Assessment.objects.create(
        claim=held, score=35, level="low", review_threshold=40, trigger="screening"
    )
    RuleHit.objects.create(
        assessment=assessment,
        claim=held,
        rule=rules["duplicate_photo"],
        rule_version=1,
        points=35,
        inputs={},
        explanation="An old sentence kept as it was stored.",
    )
    client.force_login(analyst)
    # when
    page = client.get(
        reverse("backoffice:fraud-claim", args=[held.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    # then
    assert "An old sentence kept as it was stored." in page
    assert "Doppeltes Foto" in page


def test_the_queue_filter_and_rule_performance_name_rules_in_the_readers_language(
    client, analyst, photo_case
):
    client.force_login(analyst)
    queue = client.get(reverse("backoffice:fraud-queue"), HTTP_ACCEPT_LANGUAGE="fr").content
    queue = queue.decode()
    # the Rule filter: the French name, the code only as the submitted value
    assert '<option value="duplicate_photo">Photo en double</option>' in queue
    assert ">duplicate_photo" not in queue and ">velocity_address" not in queue
    # "Unassigned only" reads as a question answered yes or no, never "Unknown"
    assert "Unknown" not in queue and "Inconnu" not in queue
    performance = client.get(
        reverse("backoffice:fraud-performance"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Photo en double" in performance and ">duplicate_photo<" not in performance


def test_every_rule_has_a_translated_name():
    rules_ensure()
    for rule in Rule.objects.all():
        with translation.override("de"):
            german = str(rule.label)
        assert german and german != rule.code
