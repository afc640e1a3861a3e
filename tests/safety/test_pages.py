"""The safety staff pages through the test client: the alert list and its "new" count, an alert
opened and moved, the report draft saved and filed, facts corrected, recall lists imported,
the listings to suspend."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safety.models import AlertEvent, AlertStatus, IncidentFacts, Recall, SafetyAlert
from safety.services import safety_alerts_raise
from tests.factories import ProductFactory
from tests.safety.helpers import incident, safety_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return safety_officer()


@pytest.fixture
def alert(db):
    claim = incident("US", hazard="fire_smoke", medical_care="hospital_admission")
    safety_alerts_raise()
    return SafetyAlert.objects.get(claims=claim)


def test_the_list_counts_new_alerts_and_opening_one_is_recorded_once(client, officer, alert):
    client.force_login(officer)
    page = client.get(reverse("backoffice:safety")).content.decode()
    assert "1 new alert not opened yet." in page and alert.product.title in page
    # when: opened twice
    for _ in range(2):
        detail = client.get(reverse("backoffice:safety-alert", args=[alert.pk]))
    # then
    assert detail.status_code == 200
    assert "Consumer Product Safety Act section 15(b)" in detail.content.decode()
    assert AlertEvent.objects.filter(alert=alert, kind="opened", actor=officer).count() == 1
    assert (
        "0 new alerts not opened yet." in client.get(reverse("backoffice:safety")).content.decode()
    )


def test_an_agent_opening_an_alert_does_not_mark_it_seen(client, agent, alert):
    client.force_login(agent)
    assert client.get(reverse("backoffice:safety-alert", args=[alert.pk])).status_code == 200
    assert not AlertEvent.objects.filter(alert=alert, kind="opened").exists()


def test_dismissing_needs_a_reason_and_changes_nothing_without(client, officer, alert):
    client.force_login(officer)
    url = reverse("backoffice:safety-alert-move", args=[alert.pk])
    response = client.post(url, {"to": "dismissed", "reason": " "}, follow=True)
    assert "Say why the alert is dismissed." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    client.post(url, {"to": "dismissed", "reason": "Misuse: a candle on the heater."})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    event = alert.events.get(kind="status")
    assert (event.from_status, event.to_status, event.actor) == ("open", "dismissed", officer)


def test_the_draft_keeps_what_was_typed_and_filing_refuses_an_incomplete_report(
    client, officer, alert
):
    client.force_login(officer)
    url = reverse("backoffice:safety-report", args=[alert.pk])
    page = client.get(url).content.decode()
    assert alert.product.title in page and "Still to complete before filing" in page
    # when: filing before the draft is complete
    file_url = reverse("backoffice:safety-report-file", args=[alert.pk])
    response = client.post(file_url, {"reference": "CPSC-9", "sent_at": ""}, follow=True)
    assert "Give the date and time the report went out." in response.content.decode()
    # and saving part of the draft
    form = {row: "" for row in ("reporter_name",)}
    form["reporter_name"] = "Sam Safety"
    client.post(url, form)
    alert.refresh_from_db()
    assert alert.draft == {"reporter_name": "Sam Safety"}
    assert alert.status == AlertStatus.OPEN
    assert "Sam Safety" in client.get(url).content.decode()
    assert alert.events.filter(kind="draft").count() == 1


def test_pdf_and_csv_downloads(client, officer, alert):
    client.force_login(officer)
    pdf = client.get(reverse("backoffice:safety-report-pdf", args=[alert.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    csv = client.get(reverse("backoffice:safety-report-csv", args=[alert.pk]))
    assert b"product_name" in b"".join(csv.streaming_content)


def test_staff_correct_the_facts_with_history(client, officer, alert):
    claim = alert.claims.get()
    client.force_login(officer)
    url = reverse("backoffice:safety-facts", args=[claim.pk])
    data = {
        "hazard": "electric_shock",
        "medical_care": "emergency_room",
        "death": "no",
        "child_hurt": "under_5",
        "kept_for_inspection": "yes",
        "product_model": "HT-1500",
    }
    assert client.post(url, data).status_code == 302
    facts = IncidentFacts.objects.get(claim=claim)
    assert (facts.hazard, facts.child_hurt, facts.product_model) == (
        "electric_shock",
        "under_5",
        "HT-1500",
    )
    page = client.get(url).content.decode()
    assert "officer" in page and "Electric shock" in page and "Fire or smoke" in page


def test_recall_import_page_refuses_a_bad_file_and_imports_a_good_one(client, officer):
    ProductFactory(title="Hair dryer", model_number="HD-220")
    from safety.models import Regulator

    client.force_login(officer)
    url = reverse("backoffice:safety-recalls")
    cpsc = Regulator.objects.get(code="cpsc").pk
    bad = client.post(
        url,
        {"source": "cpsc_json", "regulator": cpsc, "file": SimpleUploadedFile("r.json", b"{oops")},
    )
    assert bad.status_code == 400 and "not valid JSON" in bad.content.decode()
    assert not Recall.objects.exists()

    good = client.post(
        url,
        {
            "source": "csv",
            "regulator": Regulator.objects.get(code="health-canada").pk,
            "file": SimpleUploadedFile("r.csv", b"number,title,models\nRA-1,Dryers,HD 220\n"),
        },
        follow=True,
    )
    assert "Read 1 recall(s), 1 new; 1 new product match(es)." in good.content.decode()


def test_recall_import_refuses_a_file_over_the_upload_limit_in_its_words(
    client, officer, monkeypatch
):
    # given: the project's one upload limit (claims.uploads), set lower for the test
    from safety.models import Regulator

    monkeypatch.setattr("claims.uploads.MAX_FILE_BYTES", 1024 * 1024)
    client.force_login(officer)
    big = b"number,title,models\n" + b"RA-1,Dryers,HD 220\n" * 60_000  # > 1 MB
    # when
    response = client.post(
        reverse("backoffice:safety-recalls"),
        {
            "source": "csv",
            "regulator": Regulator.objects.get(code="health-canada").pk,
            "file": SimpleUploadedFile("r.csv", big),
        },
    )
    # then: refused at the field with the limit the upload policy states, nothing imported
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MB."]
    assert not Recall.objects.exists()


def test_listings_page_lists_serious_alerts_and_recalls_not_a_cluster_alone(client, officer, alert):
    from safety.models import Regulator

    quiet = ProductFactory(title="Garden hose")
    SafetyAlert.objects.create(
        product=quiet,
        regulator=Regulator.objects.get(code="cpsc"),
        trigger="cluster",
        aware_at=alert.aware_at,
        report_due=alert.report_due,
    )
    client.force_login(officer)
    page = client.get(reverse("backoffice:safety-listings")).content.decode()
    assert alert.product.title in page and "Garden hose" not in page
    from safety.selectors import products_to_suspend

    assert list(products_to_suspend()) == [alert.product]


def test_the_alert_list_costs_the_same_queries_for_1_and_20_alerts(
    client, officer, django_assert_num_queries
):
    def alerts(n):
        for _ in range(n):
            incident("US", hazard="fire_smoke")
        safety_alerts_raise()

    client.force_login(officer)
    alerts(1)
    client.get(reverse("backoffice:safety"))  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("backoffice:safety"))
    alerts(19)
    assert SafetyAlert.objects.count() == 20
    with django_assert_num_queries(len(one)):
        client.get(reverse("backoffice:safety"))


def test_a_uk_only_officer_neither_lists_nor_opens_a_us_alert(client, alert):
    # given: a safety officer who covers the UK only, and a CPSC (US) alert
    from claims import roles
    from tests.conftest import _staff

    uk_only = _staff("uk-officer", roles.SAFETY, regions=["GB"])
    client.force_login(uk_only)
    # when / then: the list leaves it out and each of its pages answers 404 (need-to-know)
    page = client.get(reverse("backoffice:safety"))
    assert page.status_code == 200 and alert not in page.context["live"]
    for name in ("safety-alert", "safety-report", "safety-report-pdf", "safety-report-csv"):
        assert client.get(reverse(f"backoffice:{name}", args=[alert.pk])).status_code == 404, name
    claim = alert.claims.get()
    assert client.get(reverse("backoffice:safety-facts", args=[claim.pk])).status_code == 404
    # and an officer covering the US sees it
    client.force_login(safety_officer("us-officer"))
    assert alert in client.get(reverse("backoffice:safety")).context["live"]


def test_dismissing_without_a_reason_keeps_the_choice_and_says_why_beside_the_reason(
    client, officer, alert
):
    # given: the tester's report (point 2): the page came back with "Under investigation"
    client.force_login(officer)
    url = reverse("backoffice:safety-alert-move", args=[alert.pk])
    # when
    response = client.post(url, {"to": "dismissed", "reason": "  "})
    # then: the alert page again, "Dismissed" still chosen, the problem beside the reason
    assert response.status_code == 400
    form = response.context["move_form"]
    assert form["to"].value() == "dismissed"
    assert "Say why the alert is dismissed." in form.errors["reason"]
    page = response.content.decode()
    assert '<option value="dismissed" selected>' in page
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
