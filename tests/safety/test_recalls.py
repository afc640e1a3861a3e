"""Recall lists matched to products: exact GTIN, model variants, full names, and no match on a
shared word; a match raises an alert, tags the open claims and tells their customers."""

from pathlib import Path

import pytest
from django.core import mail

from backoffice.models import ClaimTag
from claims.models import ClaimStatus
from safety.exceptions import SafetyError
from safety.models import Recall, RecallMatch, Regulator, SafetyAlert
from safety.recalls import RECALL_TAG, recalls_import
from tests.factories import ProductFactory, claim_in, claim_new
from tests.safety.helpers import deliver_safety_outbox, line_in, safety_officer

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "safety" / "samples"


@pytest.fixture
def officer(db):
    return safety_officer()


def _cpsc(officer):
    return recalls_import(
        text=(SAMPLES / "cpsc-recalls-sample.json").read_text(),
        source="cpsc_json",
        regulator=Regulator.objects.get(code="cpsc"),
        user=officer,
    )


def _matched() -> dict[str, tuple[str, str]]:
    return {
        m.product.title: (m.recall.number, m.matched_on)
        for m in RecallMatch.objects.select_related("product", "recall")
    }


def test_cpsc_sample_matches_gtin_model_variants_and_names_but_not_a_shared_word(officer):
    # given
    ProductFactory(title="Space heater 1500W", gtin="0012345678905")  # UPC as GTIN-14
    ProductFactory(title="Carbon monoxide detector", model_number="CO 100")  # variant spelling
    ProductFactory(title="Plug-in carbon monoxide alarm, 2 pack")  # the recall's full name
    ProductFactory(title="Space blanket for hiking", gtin="0098765432100")  # shares "space"
    ProductFactory(title="Patio heater", model_number="HT-15000")  # shares "heater"; near model
    ProductFactory(title="Smoke alarm", model_number="CO-1000")
    # when
    result = _cpsc(officer)
    # then
    assert (result.recalls, result.new_recalls) == (3, 3)
    assert _matched() == {
        "Space heater 1500W": ("26-901", "gtin"),
        "Carbon monoxide detector": ("26-903", "model"),
        "Plug-in carbon monoxide alarm, 2 pack": ("26-903", "title"),
    }
    recall = Recall.objects.get(number="26-901")
    assert recall.model_numbers == ["HT-1500", "HT-1500B"]
    assert "fire hazard" in recall.hazard and "refund" in recall.remedy


def test_importing_the_same_list_again_changes_nothing(officer):
    ProductFactory(title="Space heater 1500W", gtin="012345678905")
    _cpsc(officer)
    again = _cpsc(officer)
    assert (again.new_recalls, len(again.matches)) == (0, 0)
    assert RecallMatch.objects.count() == 1 and SafetyAlert.objects.count() == 1


def test_a_match_raises_an_alert_tags_open_claims_and_tells_customers(officer):
    # given: a product with an open claim and a finished (withdrawn) one
    product = ProductFactory(title="Space heater 1500W", model_number="ht1500")
    open_claim = claim_new(order_line=line_in("US", product=product))
    old = claim_in(ClaimStatus.WITHDRAWN, order_line=line_in("US", product=product))
    es = claim_new(order_line=line_in("US", product=product), language="es")
    # when
    _cpsc(officer)
    deliver_safety_outbox()
    # then: one recall alert on the product, holding its open claims
    alert = SafetyAlert.objects.get()
    assert (alert.product, alert.trigger, alert.recall.number) == (product, "recall", "26-901")
    assert set(alert.claims.all()) == {open_claim, es}
    # the open claims are flagged in the queue, the finished one is not
    tagged = set(ClaimTag.objects.filter(tag__name=RECALL_TAG).values_list("claim", flat=True))
    assert tagged == {open_claim.pk, es.pk}
    # and every customer with a claim on it is told what the recall says, in their language
    recall_mail = {m.to[0]: m for m in mail.outbox if m.to != ["officer@staff.test"]}
    assert set(recall_mail) == {c.customer.email for c in (open_claim, old, es)}
    english = recall_mail[open_claim.customer.email]
    assert "has been recalled" in english.body and "contact Example Co." in english.body
    assert "ha sido retirado" in recall_mail[es.customer.email].body


def test_csv_recall_list_for_another_regulator(officer):
    ProductFactory(title="Compact travel hair dryer", gtin="5012345678900")
    ProductFactory(title="Hair dryer", model_number="HD 220-E")
    ProductFactory(title="Garden hose")
    recalls_import(
        text=(SAMPLES / "recalls-sample.csv").read_text(),
        source="csv",
        regulator=Regulator.objects.get(code="health-canada"),
        user=officer,
    )
    assert _matched() == {
        "Compact travel hair dryer": ("RA-2026-11", "gtin"),
        "Hair dryer": ("RA-2026-11", "model"),
    }
    assert set(SafetyAlert.objects.values_list("regulator__code", flat=True)) == {"health-canada"}


@pytest.mark.parametrize(
    ("source", "text", "message"),
    [
        ("cpsc_json", "{not json", "not valid JSON"),
        ("cpsc_json", '[{"Title": "No number"}]', "no RecallNumber"),
        ("csv", "title\nSomething", "needs the columns: number"),
        ("csv", "number,title,published_on\nR-1,Heater,31/12/2026", "published_on"),
    ],
)
def test_a_bad_file_is_refused_whole(officer, source, text, message):
    ProductFactory(title="Space heater 1500W", gtin="012345678905")
    with pytest.raises(SafetyError, match=message):
        recalls_import(
            text=text, source=source, regulator=Regulator.objects.get(code="cpsc"), user=officer
        )
    assert not Recall.objects.exists() and not SafetyAlert.objects.exists()
