"""Medical documents (GDPR art. 9, issue 16 point 6): a permission of their own to open them,
listed without a link for the others, every opening by staff logged once, and the log page."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from backoffice import views_medical
from claims import roles
from claims.actors import Actor
from claims.evidence import medical_access_record
from claims.models import ClaimStatus, EvidenceKind, MedicalAccess, MedicalAccessAction, Region
from claims.services import evidence_add
from tests.conftest import _staff
from tests.factories import certificate_pdf, claim_in

pytestmark = pytest.mark.django_db


def _png(blue: int = 200) -> bytes:
    """A small image; each ``blue`` is another file (the same bytes are one file on a claim)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, blue)).save(buffer, "PNG")
    return buffer.getvalue()


def _bill(claim, *, data=None, filename="er-bill-smith.png"):
    return evidence_add(
        claim=claim,
        data=data or _png(),
        filename=filename,
        kind=EvidenceKind.MEDICAL_BILL,
        actor=Actor.customer(claim.customer),
    )


@pytest.fixture
def claim(db):
    return claim_in(ClaimStatus.UNDER_REVIEW)


@pytest.fixture
def medical_agent(db):
    user = _staff("medical-agent", roles.AGENT)
    user.groups.add(Group.objects.get(name=roles.MEDICAL))
    return user


def test_agent_without_permission_sees_the_bill_listed_without_link_or_name(client, agent, claim):
    # given: a medical bill and a product photo on the claim
    bill = _bill(claim)
    photo = evidence_add(
        claim=claim,
        data=_png(201),
        filename="heater.png",
        kind=EvidenceKind.PRODUCT_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    client.force_login(agent)
    # when
    body = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    # then: the photo opens; the bill is listed as restricted, saying why, with no link and no
    # name (a file's name can itself be health data)
    assert reverse("claims:evidence-download", args=[photo.pk]) in body
    assert reverse("claims:evidence-download", args=[bill.pk]) not in body
    assert "Medical bill (restricted)" in body
    assert "needs the medical-records permission" in body
    assert "er-bill-smith.png" not in body
    # and opening it anyway is refused, and not logged
    response = client.get(reverse("claims:evidence-download", args=[bill.pk]))
    assert response.status_code == 404
    assert not MedicalAccess.objects.exists()


def test_agent_with_medical_role_sees_the_link(client, medical_agent, claim):
    bill = _bill(claim)
    client.force_login(medical_agent)
    body = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert reverse("claims:evidence-download", args=[bill.pk]) in body
    assert "er-bill-smith.png" in body and "(restricted)" not in body


def test_fraud_workspace_lists_the_bill_without_link_for_analysts(client, analyst, claim):
    bill = _bill(claim)
    client.force_login(analyst)
    body = client.get(reverse("backoffice:fraud-claim", args=[claim.pk])).content.decode()
    assert reverse("claims:evidence-download", args=[bill.pk]) not in body
    assert "Medical bill (restricted)" in body


def test_each_view_of_a_medical_document_writes_one_log_row(client, medical_agent, claim):
    # given
    bill = _bill(claim)
    pdf = _bill(claim, data=certificate_pdf("Emergency room bill"), filename="er.pdf")
    client.force_login(medical_agent)
    page = reverse("backoffice:claim", args=[claim.pk])
    # when: the image opened twice from the workspace (a search in the query string), the PDF
    # downloaded once, and a HEAD (no content sent)
    url = reverse("claims:evidence-download", args=[bill.pk])
    referer = f"http://testserver{page}?q=smith"
    assert client.get(url, HTTP_REFERER=referer).status_code == 200
    assert client.get(url, HTTP_REFERER=referer).status_code == 200
    pdf_url = reverse("claims:evidence-download", args=[pdf.pk])
    assert client.get(pdf_url).status_code == 200
    assert client.head(url).status_code == 200
    # then: one row per view, with who, which file, from which page (no query string) and when
    rows = list(MedicalAccess.objects.order_by("id"))
    assert [(r.evidence_id, r.action, r.page) for r in rows] == [
        (bill.pk, MedicalAccessAction.VIEWED, page),
        (bill.pk, MedicalAccessAction.VIEWED, page),
        (pdf.pk, MedicalAccessAction.DOWNLOADED, ""),
    ]
    assert {r.user_id for r in rows} == {medical_agent.pk}
    assert {r.claim_id for r in rows} == {claim.pk}
    assert all(timezone.now() - r.at < dt.timedelta(minutes=1) for r in rows)


def test_opening_other_files_writes_no_log_row(client, agent, claim):
    photo = evidence_add(
        claim=claim,
        data=_png(),
        filename="heater.png",
        kind=EvidenceKind.PRODUCT_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    client.force_login(agent)
    assert client.get(reverse("claims:evidence-download", args=[photo.pk])).status_code == 200
    assert not MedicalAccess.objects.exists()


def test_the_log_is_append_only(supervisor, claim):
    # given
    medical_access_record(evidence=_bill(claim), user=supervisor, action=MedicalAccessAction.VIEWED)
    row = MedicalAccess.objects.get()
    # when / then: the model refuses, and so does the database
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalAccess.objects.filter(pk=row.pk).update(page="/elsewhere/")
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalAccess.objects.filter(pk=row.pk).delete()
    assert MedicalAccess.objects.get().page == ""


# The log page: supervisors only (claims.view_medicalaccess).
LOG_ROLES = {
    "supervisor": 200,
    "agent": 403,
    "medical_agent": 403,
    "analyst": 403,
    "outsider": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", list(LOG_ROLES))
def test_log_page_permissions(client, cast, medical_agent, role):
    users = {**cast, "medical_agent": medical_agent}
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(reverse("backoffice:medical-access"))
    assert response.status_code == LOG_ROLES[role]
    if role == "anonymous":
        assert reverse("backoffice:login") in response["Location"]


def test_log_page_refuses_post(client, supervisor):
    client.force_login(supervisor)
    assert client.post(reverse("backoffice:medical-access")).status_code == 405


@pytest.fixture
def log(supervisor, medical_agent):
    """Five openings: two claims, two readers, over three days."""
    first, second = claim_in(ClaimStatus.UNDER_REVIEW), claim_in(ClaimStatus.UNDER_REVIEW)
    bills = {first.pk: _bill(first), second.pk: _bill(second)}
    now = timezone.now()
    plan = [
        (first, medical_agent, 3),
        (first, supervisor, 2),
        (second, medical_agent, 2),
        (second, medical_agent, 1),
        (first, medical_agent, 0),
    ]
    for claim, user, days_ago in plan:
        medical_access_record(
            evidence=bills[claim.pk],
            user=user,
            action=MedicalAccessAction.VIEWED,
            page=f"/staff/claims/{claim.pk}/",
            now=now - dt.timedelta(days=days_ago),
        )
    return {"first": first, "second": second, "now": now}


def _rows(body: str) -> int:
    return body.count('<td data-label="When">')


def test_log_page_lists_newest_first_and_filters(client, supervisor, log):
    client.force_login(supervisor)
    url = reverse("backoffice:medical-access")
    # every row
    body = client.get(url).content.decode()
    assert _rows(body) == 5
    assert body.index(log["first"].reference) < body.index(log["second"].reference)
    # by claim, by staff member, by date (the reader's days), and all three
    assert _rows(client.get(url, {"claim": log["second"].reference}).content.decode()) == 2
    assert _rows(client.get(url, {"staff": "supervisor"}).content.decode()) == 1
    # The reader's day, in the reader's zone: the test's own zone (UTC) names another day for a
    # New York reader between midnight and five in the morning UTC.
    import zoneinfo

    from claims.models import StaffProfile

    StaffProfile.objects.update_or_create(
        user=supervisor, defaults={"time_zone": "America/New_York"}
    )
    reader = zoneinfo.ZoneInfo("America/New_York")
    day = timezone.localdate(log["now"] - dt.timedelta(days=2), reader)
    assert _rows(client.get(url, {"since": day, "until": day}).content.decode()) == 2
    both = {"claim": log["first"].reference, "staff": "medical-agent", "since": day}
    assert _rows(client.get(url, both).content.decode()) == 1


def test_log_page_pages_with_a_keyset_cursor(client, supervisor, log, monkeypatch):
    # given: two rows a page
    monkeypatch.setattr(views_medical, "PAGE_SIZE", 2)
    client.force_login(supervisor)
    url = reverse("backoffice:medical-access")
    seen = []
    # when: following "Older entries" to the end
    response = client.get(url)
    while True:
        seen.extend(r.pk for r in response.context["rows"])
        if not response.context["next_url"]:
            break
        response = client.get(url + response.context["next_url"].replace("&amp;", "&"))
    # then: every row once, newest first
    assert seen == list(MedicalAccess.objects.order_by("-at", "-id").values_list("pk", flat=True))
    assert len(seen) == 5


def test_log_page_bad_input_is_named_and_shows_nothing(client, supervisor, log):
    client.force_login(supervisor)
    url = reverse("backoffice:medical-access")
    # a date far out of range, the dates the wrong way round, a broken cursor
    response = client.get(url, {"until": "9999-12-31", "staff": "medical-agent"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a date between" in body and _rows(body) == 0
    assert 'value="medical-agent"' in body  # what was typed stays
    response = client.get(url, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "The first date is after the last one." in response.content.decode()
    response = client.get(url, {"after": "yesterday~x"})
    assert "no longer valid" in response.content.decode()


def test_log_page_shows_only_the_readers_regions(client, log):
    # given: a supervisor for Canada only; the second claim moves to Canada
    from claims.models import Claim

    Claim.objects.filter(pk=log["second"].pk).update(region=Region.objects.get(code="CA"))
    client.force_login(_staff("supervisor-ca", roles.SUPERVISOR, regions=["CA"]))
    # when
    body = client.get(reverse("backoffice:medical-access")).content.decode()
    # then
    assert _rows(body) == 2
    assert log["first"].reference not in body
