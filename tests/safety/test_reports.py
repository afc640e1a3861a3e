"""Report drafts: each regulator's field list, pre-filled from the product, the seller, the
incidents and their facts, the injuries and the evidence; completed by staff; filed with a
reference, a time and a sender; rendered as a PDF and a CSV."""

import csv
import datetime as dt
import io

import pikepdf
import pytest
from django.utils import timezone

from claims.actors import Actor
from claims.services import evidence_add
from safety.exceptions import SafetyError
from safety.models import AlertStatus, SafetyAlert
from safety.reports import FIELDS, report_csv_rows, report_missing, report_pdf, report_values
from safety.services import alert_draft_save, alert_file, safety_alerts_raise
from tests.factories import ProductFactory
from tests.portal.conftest import jpeg_bytes
from tests.safety.helpers import incident, safety_officer

pytestmark = pytest.mark.django_db

COMMON = [
    "product_name",
    "product_id",
    "product_model",
    "gtin",
    "batch_serial",
    "seller",
    "incidents",
    "injuries",
    "hazard",
    "kept",
    "evidence",
    "aware_at",
]
# The fields each regulator's report asks for (see safety/reports.py for the sources).
EXPECTED = {
    "cpsc": [
        "reporter_name",
        "reporter_contact",
        "manufacturer",
        *COMMON[:6],
        "units",
        *COMMON[6:],
        "defect",
        "corrective_action",
    ],
    "health-canada": [
        "reporter_name",
        "reporter_contact",
        "reporter_role",
        *COMMON[:6],
        "country",
        "incident_dates",
        *COMMON[6:],
        "measures",
        "similar_products",
    ],
    "eu-gpsr": [
        "operator",
        "reporter_contact",
        *COMMON[:6],
        "category",
        "member_states",
        "incident_dates",
        *COMMON[6:],
        "risk",
        "measures",
    ],
    "uk-opss": [
        "business",
        "reporter_contact",
        *COMMON[:6],
        "where_supplied",
        *COMMON[6:],
        "risk",
        "action",
    ],
}
STAFF_FIELDS = {
    "cpsc": ["reporter_name", "reporter_contact", "manufacturer", "defect", "corrective_action"],
    "health-canada": ["reporter_name", "reporter_contact", "reporter_role", "measures"],
    "eu-gpsr": ["operator", "reporter_contact", "risk", "measures"],
    "uk-opss": ["business", "reporter_contact", "risk", "action"],
}
# Asked for by Health Canada's written report (CCPSA 14(3)), not by the incident report.
WRITTEN_ONLY = {"health-canada": ["measures"]}
REGION_OF = {"cpsc": "US", "health-canada": "CA", "eu-gpsr": "IE", "uk-opss": "GB"}


def _alert(code: str) -> SafetyAlert:
    product = ProductFactory(
        title="Space heater 1500W", gtin="012345678905", model_number="HT-1500"
    )
    claim = incident(
        REGION_OF[code],
        product=product,
        hazard="electric_shock",
        medical_care="hospital_admission",
        death=True,
        child_hurt="under_5",
        product_model="HT-1500B",
        batch_serial="LOT-2411",
        kept_for_inspection=True,
    )
    evidence_add(
        claim=claim,
        data=jpeg_bytes(),
        filename="melted-plug.jpg",
        kind="damage_photo",
        actor=Actor.customer(claim.customer),
    )
    safety_alerts_raise()
    return SafetyAlert.objects.get(claims=claim, regulator__code=code)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_regulator_draft_has_its_fields_prefilled(code):
    alert = _alert(code)
    claim = alert.claims.get()
    rows = {row.field.code: row for row in report_values(alert)}
    # every field of the regulator's list, in its order
    assert [spec.code for spec in FIELDS[alert.regulator.report_form]] == EXPECTED[code]
    # pre-filled: product, seller, the incident with its facts, injuries, evidence
    assert rows["product_name"].value == "Space heater 1500W"
    assert rows["gtin"].value == "012345678905"
    assert rows["product_model"].value == "HT-1500, HT-1500B"
    assert rows["batch_serial"].value == "LOT-2411"
    assert alert.product.seller.legal_name in rows["seller"].value
    assert claim.reference in rows["incidents"].value
    assert "Electric shock" in rows["incidents"].value
    assert "Admitted to hospital" in rows["incidents"].value
    assert "a death" in rows["incidents"].value and "A child under 5" in rows["incidents"].value
    assert "1 death(s)" in rows["injuries"].value
    assert "1 hospital admission(s)" in rows["injuries"].value
    assert "melted-plug.jpg" in rows["evidence"].value
    assert claim.reference in rows["kept"].value
    # what only staff know is left to complete, and blocks filing (the written report's own
    # fields block only the written report)
    first = [c for c in STAFF_FIELDS[code] if c not in WRITTEN_ONLY.get(code, [])]
    assert sorted(report_missing(alert)) == sorted(str(rows[c].field.label) for c in first)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_regulator_draft_renders_to_pdf_and_csv(code):
    alert = _alert(code)
    officer = safety_officer()
    alert_draft_save(
        alert=alert, user=officer, answers={c: f"Staff answer {c}" for c in STAFF_FIELDS[code]}
    )
    # when
    pdf = pikepdf.open(io.BytesIO(report_pdf(alert)))
    # then: a real PDF whose text holds every label and value
    text = ""
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "Tj":
                text += bytes(operands[0]).decode("latin-1") + " "
            elif str(operator) == "TJ":
                text += (
                    "".join(
                        bytes(x).decode("latin-1")
                        for x in operands[0]
                        if isinstance(x, pikepdf.String)
                    )
                    + " "
                )
    flat = " ".join(text.split())
    for row in report_values(alert):
        assert " ".join(str(row.field.label).split())[:20] in flat
    for c in STAFF_FIELDS[code]:
        assert f"Staff answer {c}" in flat
    assert alert.claims.get().reference in flat
    # and the CSV has one row per field, then the incidents and the evidence
    rows = list(csv.reader(io.StringIO("".join(report_csv_rows(alert)))))
    assert rows[0] == ["section", "field", "label", "value"]
    assert [r[1] for r in rows if r[0] == "report"] == EXPECTED[code]
    assert any(r[0] == "evidence" and r[3] == "melted-plug.jpg" for r in rows)


def test_filing_needs_the_completed_report_a_reference_and_a_sane_time():
    alert = _alert("cpsc")
    officer = safety_officer()
    now = timezone.now()
    with pytest.raises(SafetyError, match="Complete the report first"):
        alert_file(alert=alert, user=officer, reference="CPSC-1", sent_at=now)
    alert_draft_save(alert=alert, user=officer, answers={c: "x" for c in STAFF_FIELDS["cpsc"]})
    with pytest.raises(SafetyError, match="reference"):
        alert_file(alert=alert, user=officer, reference="  ", sent_at=now)
    with pytest.raises(SafetyError, match="future"):
        alert_file(
            alert=alert, user=officer, reference="CPSC-1", sent_at=now + dt.timedelta(hours=2)
        )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    # when
    alert_file(alert=alert, user=officer, reference="CPSC-1", sent_at=now)
    # then
    alert.refresh_from_db()
    assert (alert.status, alert.filed_reference, alert.filed_by) == ("filed", "CPSC-1", officer)
    filed = alert.events.get(kind="filed")
    assert filed.data["on_time"] is True and filed.actor == officer
    assert list(alert.events.values_list("kind", flat=True)) == ["raised", "draft", "filed"]
    with pytest.raises(SafetyError):
        alert_draft_save(alert=alert, user=officer, answers={"defect": "changed"})
