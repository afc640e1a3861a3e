"""Report drafts, one field list per regulator's form, pre-filled from the alert's product,
seller, incidents (with their facts), injuries and the claims' evidence; staff complete the
rest. Rendered as a printable page, a PDF (fpdf2) and a CSV.

Field lists follow what each regulator asks for:

- CPSC: 16 CFR 1115.13(d) (the information a section 15(b) report gives);
- Health Canada: CCPSA section 14(2) (incident report) and 14(3) (written report);
- EU: GPSR article 20 and the Safety Business Gateway's accident notification;
- UK: GPSR 2005 regulation 9 and the Product Safety Database's business notification.
"""

import csv
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import Evidence
from claims_site.dates import format_moment
from claims_site.spreadsheets import Echo, csv_safe
from safety.models import IncidentFacts, ReportForm, SafetyAlert


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    prefill: Callable[["Facts"], str] | None = None
    required: bool = True
    multiline: bool = False
    # Asked for by the written report (Health Canada, CCPSA 14(3)): required to file that one,
    # not the incident report that goes out first.
    written: bool = False


@dataclass
class Facts:
    """Everything a draft is pre-filled from, read once."""

    alert: SafetyAlert
    incidents: list[dict]
    evidence: list[dict]
    zone: zoneinfo.ZoneInfo

    @property
    def product(self):
        return self.alert.product

    def when(self, moment: dt.datetime | None) -> str:
        return format_moment(moment.astimezone(self.zone), "Y-m-d H:i T") if moment else ""


def _join(values) -> str:
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return ", ".join(seen)


def _incidents_text(f: Facts) -> str:
    return "\n".join(
        _("%(ref)s, %(date)s, %(region)s: %(hazard)s; %(care)s%(death)s%(child)s. %(text)s")
        % {
            "ref": i["reference"],
            "date": i["date"],
            "region": i["region"],
            "hazard": i["hazard"],
            "care": i["care"],
            "death": "; " + _("a death") if i["death"] else "",
            "child": "; " + i["child"] if i["child_code"] != "none" else "",
            "text": i["description"],
        }
        for i in f.incidents
    )


def _injuries_text(f: Facts) -> str:
    people = sum(i["people_injured"] for i in f.incidents)
    deaths = sum(1 for i in f.incidents if i["death"])
    hospital = sum(1 for i in f.incidents if i["care_code"] == "hospital_admission")
    children = sum(1 for i in f.incidents if i["child_code"] != "none")
    return _(
        "%(incidents)d incident(s); %(people)d people hurt; %(deaths)d death(s); "
        "%(hospital)d hospital admission(s); %(children)d incident(s) with a child hurt."
    ) % {
        "incidents": len(f.incidents),
        "people": people,
        "deaths": deaths,
        "hospital": hospital,
        "children": children,
    }


def _units(f: Facts) -> str:
    total = f.product.order_lines.aggregate(n=Sum("quantity"))["n"] or 0
    return _("%(n)d unit(s) sold through the marketplace") % {"n": total}


def _seller(f: Facts) -> str:
    s = f.product.seller
    return _join([s.legal_name, s.contact_name, s.email, s.phone])


def _regions(f: Facts) -> str:
    return _join(i["region"] for i in f.incidents)


def _dates(f: Facts) -> str:
    return _join(i["date"] for i in f.incidents)


def _hazards(f: Facts) -> str:
    return _join(i["hazard"] for i in f.incidents)


def _models(f: Facts) -> str:
    return _join([f.product.model_number, *(i["model"] for i in f.incidents)])


def _batches(f: Facts) -> str:
    return _join(i["batch"] for i in f.incidents)


def _kept(f: Facts) -> str:
    kept = [i["reference"] for i in f.incidents if i["kept"]]
    return (
        _("Kept for inspection by the customer: %(refs)s") % {"refs": ", ".join(kept)}
        if kept
        else _("No product kept for inspection")
    )


def _evidence_text(f: Facts) -> str:
    return "\n".join(f"{e['reference']}: {e['name']} ({e['kind']})" for e in f.evidence)


PRODUCT = [
    Field("product_name", gettext_lazy("Product name"), lambda f: f.product.title),
    Field("product_id", gettext_lazy("Marketplace product id"), lambda f: f.product.marketplace_id),
    Field("product_model", gettext_lazy("Model number(s)"), _models),
    Field("gtin", gettext_lazy("UPC / GTIN"), lambda f: f.product.gtin, required=False),
    Field("batch_serial", gettext_lazy("Batch or serial numbers"), _batches, required=False),
    Field("seller", gettext_lazy("Seller (name and contact)"), _seller),
]
INCIDENTS = [
    Field("incidents", gettext_lazy("Incidents"), _incidents_text, multiline=True),
    Field("injuries", gettext_lazy("Injuries"), _injuries_text),
    Field("hazard", gettext_lazy("Hazard"), _hazards),
    Field("kept", gettext_lazy("Product available for inspection"), _kept, required=False),
    Field("evidence", gettext_lazy("Evidence on the claims"), _evidence_text, False, True),
    Field("aware_at", gettext_lazy("Aware since"), lambda f: f.when(f.alert.aware_at)),
]
REPORTER = [
    Field("reporter_name", gettext_lazy("Person filing the report")),
    Field("reporter_contact", gettext_lazy("Their phone and e-mail")),
]

FIELDS: dict[str, list[Field]] = {
    ReportForm.CPSC: [
        *REPORTER,
        Field("manufacturer", gettext_lazy("Manufacturer or importer (name and address)")),
        *PRODUCT,
        Field("units", gettext_lazy("Units in commerce"), _units),
        *INCIDENTS,
        Field("defect", gettext_lazy("Nature of the defect or risk"), None, multiline=True),
        Field(
            "corrective_action", gettext_lazy("Corrective action taken or planned"), multiline=True
        ),
    ],
    ReportForm.HEALTH_CANADA: [
        *REPORTER,
        Field("reporter_role", gettext_lazy("Reporter is the manufacturer, importer or seller")),
        *PRODUCT,
        Field("country", gettext_lazy("Where the incidents happened"), _regions),
        Field("incident_dates", gettext_lazy("Incident dates"), _dates),
        *INCIDENTS,
        Field(
            "measures",
            gettext_lazy("Measures proposed (written report, 14(3))"),
            multiline=True,
            written=True,
        ),
        Field(
            "similar_products",
            gettext_lazy("Other products that could be involved in a similar incident"),
            required=False,
            multiline=True,
            written=True,
        ),
    ],
    ReportForm.EU_GPSR: [
        Field("operator", gettext_lazy("Economic operator (name, address)")),
        Field("reporter_contact", gettext_lazy("Contact person, phone and e-mail")),
        *PRODUCT,
        Field("category", gettext_lazy("Product category"), lambda f: f.product.category),
        Field("member_states", gettext_lazy("Where the product was made available"), _regions),
        Field("incident_dates", gettext_lazy("Date(s) of the accident"), _dates),
        *INCIDENTS,
        Field("risk", gettext_lazy("Description of the risk"), multiline=True),
        Field("measures", gettext_lazy("Measures taken or planned"), multiline=True),
    ],
    ReportForm.UK: [
        Field("business", gettext_lazy("Business name and address")),
        Field("reporter_contact", gettext_lazy("Contact person, phone and e-mail")),
        *PRODUCT,
        Field("where_supplied", gettext_lazy("Where the product was supplied"), _regions),
        *INCIDENTS,
        Field("risk", gettext_lazy("Risk assessment"), multiline=True),
        Field("action", gettext_lazy("Action taken to protect consumers"), multiline=True),
    ],
}


def completable_codes(form: str) -> set[str]:
    return {field.code for field in FIELDS[form]}


def report_facts(alert: SafetyAlert) -> Facts:
    claims = list(
        alert.claims.select_related("region", "safety_facts").order_by("submitted_at", "pk")
    )
    zone = zoneinfo.ZoneInfo(alert.regulator.time_zone)
    incidents = []
    for claim in claims:
        facts = getattr(claim, "safety_facts", None) or IncidentFacts(hazard="other")
        incidents.append(
            {
                "reference": claim.reference,
                "date": claim.incident_date.isoformat(),
                "region": claim.region.display_name,
                "kind": claim.get_incident_kind_display(),
                "people_injured": claim.people_injured,
                "hazard": facts.get_hazard_display(),
                "care": facts.get_medical_care_display(),
                "care_code": facts.medical_care,
                "death": facts.death,
                "child": facts.get_child_hurt_display(),
                "child_code": facts.child_hurt,
                "model": facts.product_model,
                "batch": facts.batch_serial,
                "kept": facts.kept_for_inspection,
                "description": " ".join(claim.description.split()),
            }
        )
    evidence = [
        {
            "reference": e.claim.reference,
            "name": e.original_name,
            "kind": e.get_kind_display(),
            "size": e.size,
            "sha256": e.sha256,
        }
        for e in Evidence.objects.filter(claim__in=claims)
        .select_related("claim")
        .order_by("claim__submitted_at", "created_at")
    ]
    return Facts(alert=alert, incidents=incidents, evidence=evidence, zone=zone)


@dataclass(frozen=True)
class Value:
    field: Field
    value: str
    prefilled: str
    missing: bool


def report_values(alert: SafetyAlert, facts: Facts | None = None) -> list[Value]:
    """Each field of the regulator's form: what staff typed, else the pre-filled value, and
    whether it is missing for the next filing (the written report's own fields only once the
    incident report went out)."""
    facts = facts or report_facts(alert)
    written_next = not alert.is_live
    rows = []
    for field in FIELDS[alert.regulator.report_form]:
        prefilled = field.prefill(facts) if field.prefill else ""
        value = alert.draft.get(field.code) or prefilled
        needed = field.required and (written_next or not field.written)
        rows.append(Value(field, value, prefilled, needed and not value.strip()))
    return rows


def report_missing(alert: SafetyAlert) -> list[str]:
    """The fields to complete before the next filing (the incident report, then the written
    report)."""
    return [str(v.field.label) for v in report_values(alert) if v.missing]


# --- renderings ---------------------------------------------------------------------------------

_PDF_REPLACE = {"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "→": "->"}


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1 (Spanish and French fit); anything else becomes '?'."""
    for a, b in _PDF_REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def report_pdf(alert: SafetyAlert) -> bytes:
    from fpdf import FPDF

    facts = report_facts(alert)
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"{alert.regulator.get_report_form_display()}: {alert.product.title}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(width, 7, _latin1(str(alert.regulator.get_report_form_display())))
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        width,
        5,
        _latin1(
            _("%(law)s. File through: %(channel)s. Report due: %(due)s.")
            % {
                "law": alert.regulator.law,
                "channel": alert.regulator.channel,
                "due": facts.when(alert.report_due),
            }
        ),
    )
    pdf.ln(3)
    for row in report_values(alert, facts):
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(width, 6, _latin1(str(row.field.label)))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5, _latin1(row.value or _("(to complete)")))
        pdf.ln(1)
    if alert.status == "filed":
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            width,
            6,
            _latin1(
                _("Filed: reference %(ref)s, sent %(at)s by %(by)s.")
                % {
                    "ref": alert.filed_reference,
                    "at": facts.when(alert.filed_at),
                    "by": alert.filed_by.get_username() if alert.filed_by else "",
                }
            ),
        )
    return bytes(pdf.output())


def report_csv_rows(alert: SafetyAlert) -> Iterator[str]:
    """CSV lines: one row per field, then one per incident and one per evidence file."""
    writer = csv.writer(Echo())
    facts = report_facts(alert)
    yield writer.writerow(["section", "field", "label", "value"])
    for row in report_values(alert, facts):
        yield writer.writerow(
            [csv_safe(x) for x in ("report", row.field.code, row.field.label, row.value)]
        )
    for i in facts.incidents:
        for key in (
            "reference",
            "date",
            "region",
            "hazard",
            "care",
            "death",
            "child",
            "model",
            "batch",
            "kept",
            "description",
        ):
            yield writer.writerow([csv_safe(x) for x in ("incident", key, i["reference"], i[key])])
    for e in facts.evidence:
        yield writer.writerow(
            [csv_safe(x) for x in ("evidence", e["reference"], e["kind"], e["name"])]
        )
