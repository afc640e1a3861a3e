"""Staff add evidence they received by post or e-mail (a police report, a medical bill) from the
claim workspace: through the upload policy, all or none, recorded as staff's, internal until
shared, never screened for fraud, and refused at the field with every problem at once."""

import io
import pathlib

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from backoffice.exceptions import BackofficeError
from backoffice.services import claim_evidence_add
from claims import roles
from claims.actors import Actor
from claims.evidence import Looker, Viewer, evidence_share_with_customer, evidence_visible
from claims.exceptions import EvidenceRejected
from claims.models import ClaimEvent, ClaimStatus, EventKind, Evidence, EvidenceKind, Party
from claims.services import evidence_add
from claims.uploads import MAX_FILE_BYTES, MAX_FILES_PER_CLAIM
from tests.conftest import _staff
from tests.factories import certificate_pdf, claim_in

pytestmark = pytest.mark.django_db


def _png(shade: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (shade, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _pdf(name: str = "police-report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, certificate_pdf("Police report 42"), "application/pdf")


def _url(claim) -> str:
    return reverse("backoffice:claim-evidence-add", args=[claim.pk])


def _stored_files() -> list[pathlib.Path]:
    return [p for p in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.fixture
def claim(db):
    return claim_in(ClaimStatus.UNDER_REVIEW)


# --- the happy path ---------------------------------------------------------------------------


def test_workspace_offers_add_evidence_to_an_agent(client, agent, claim):
    client.force_login(agent)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert _url(claim) in page and "Add evidence…" in page


def test_form_offers_every_kind_and_says_the_files_stay_internal(client, agent, claim):
    # given
    client.force_login(agent)
    # when
    response = client.get(_url(claim))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    for _value, label in EvidenceKind.choices:
        assert str(label) in page
    assert "the customer sees a file only once staff share it" in page
    assert "you will not be able to open it afterwards" in page  # an agent without medical


def test_agent_adds_a_pdf_recorded_as_staff_evidence_on_the_timeline(client, agent, claim):
    # given
    client.force_login(agent)
    # when
    response = client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:claim", args=[claim.pk])
    evidence = Evidence.objects.get(claim=claim)
    assert (evidence.kind, evidence.uploaded_by_party) == (EvidenceKind.REPORT, Party.STAFF)
    assert evidence.uploaded_by == agent and evidence.original_name == "police-report.pdf"
    assert evidence.content_type == "application/pdf" and evidence.shared_with_customer_at is None
    event = ClaimEvent.objects.get(claim=claim, kind=EventKind.EVIDENCE)
    assert (event.actor_party, event.actor, event.reason) == (
        Party.STAFF,
        agent,
        "police-report.pdf",
    )
    assert event.data["evidence_id"] == evidence.pk
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW  # adding a file moves nothing
    page = client.get(response["Location"]).content.decode()
    assert "1 file added to claim" in page and "internal until you share it" in page
    assert "Open police-report.pdf (PDF)" in page
    assert reverse("claims:evidence-download", args=[evidence.pk]) in page


def test_several_files_at_once_are_added_together(client, supervisor, claim):
    client.force_login(supervisor)
    photo = SimpleUploadedFile("scan.png", _png(), "image/png")
    response = client.post(_url(claim), {"files": [_pdf(), photo], "kind": EvidenceKind.RECEIPT})
    assert response.status_code == 302
    assert list(
        Evidence.objects.filter(claim=claim).order_by("pk").values_list("original_name", "kind")
    ) == [("police-report.pdf", EvidenceKind.RECEIPT), ("scan.png", EvidenceKind.RECEIPT)]
    assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.EVIDENCE).count() == 2


def test_a_paid_claim_still_takes_staff_files(client, agent):
    # a paid claim is still staff's work (recovery, a payout that comes back, an appeal)
    claim = claim_in(ClaimStatus.PAID)
    client.force_login(agent)
    response = client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    assert response.status_code == 302
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_a_claim_held_by_another_agent_still_takes_a_file(client, agent, supervisor, claim):
    # like a note, adding a file is not acting on the claim: the mailroom files what arrives
    from claims.services import claim_assign

    claim_assign(claim=claim, assignee=supervisor, actor=Actor.staff(supervisor))
    client.force_login(agent)
    response = client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    assert response.status_code == 302
    assert Evidence.objects.filter(claim=claim, uploaded_by=agent).exists()


# --- bad input: every problem at its field, at once, nothing stored, the kind kept -----------


def _nothing_stored(claim) -> None:
    assert not Evidence.objects.filter(claim=claim).exists()
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.EVIDENCE).exists()
    assert _stored_files() == []


def _kept(page: str, kind: str) -> bool:
    return f'<option value="{kind}" selected>' in page


def test_no_file_is_refused_at_the_field_keeping_the_kind(client, agent, claim):
    client.force_login(agent)
    response = client.post(_url(claim), {"kind": EvidenceKind.MEDICAL_BILL})
    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == ["Choose at least one file."]
    assert _kept(page, EvidenceKind.MEDICAL_BILL)
    assert 'role="alert"' in page and "Traceback" not in page
    _nothing_stored(claim)


def test_wrong_type_is_refused_naming_the_file(client, agent, claim):
    client.force_login(agent)
    text = SimpleUploadedFile("report.txt", b"just words", "application/pdf")
    response = client.post(_url(claim), {"files": [_pdf(), text], "kind": EvidenceKind.REPORT})
    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert len(errors) == 1 and errors[0].startswith("report.txt: This type of file is not")
    assert _kept(response.content.decode(), EvidenceKind.REPORT)
    _nothing_stored(claim)  # the good PDF beside it is not stored either


def test_too_big_is_refused(client, agent, claim):
    client.force_login(agent)
    big = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES, "application/pdf")
    response = client.post(_url(claim), {"files": [big], "kind": EvidenceKind.REPORT})
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == ["huge.pdf: The file is larger than 10 MB."]
    _nothing_stored(claim)


def test_too_many_at_once_is_refused(client, agent, claim):
    client.force_login(agent)
    files = [
        SimpleUploadedFile(f"p{i}.png", _png(), "image/png") for i in range(MAX_FILES_PER_CLAIM + 1)
    ]
    response = client.post(_url(claim), {"files": files, "kind": EvidenceKind.DAMAGE_PHOTO})
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == ["Send at most 20 files at once."]
    assert _kept(response.content.decode(), EvidenceKind.DAMAGE_PHOTO)
    _nothing_stored(claim)


def test_every_problem_is_named_at_once(client, agent, claim):
    # given: no kind, an empty file and a file of the wrong type
    client.force_login(agent)
    empty = SimpleUploadedFile("blank.pdf", b"", "application/pdf")
    text = SimpleUploadedFile("notes.txt", b"words", "text/plain")
    # when
    response = client.post(_url(claim), {"files": [empty, text], "kind": ""})
    # then
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["kind"] == ["Choose what the files are."]
    assert errors["files"][0] == "blank.pdf: The file is empty."
    assert errors["files"][1].startswith("notes.txt: This type of file is not accepted.")
    _nothing_stored(claim)


def test_more_than_the_staff_files_left_on_the_claim_is_refused(client, agent, claim):
    # given: staff already added 19 files to the claim (the customer's do not count)
    for i in range(MAX_FILES_PER_CLAIM - 1):
        evidence_add(
            claim=claim,
            data=_png(i),
            filename=f"old{i}.png",
            kind=EvidenceKind.OTHER,
            actor=Actor.staff(agent),
        )
    before = set(Evidence.objects.values_list("pk", flat=True))
    stored = _stored_files()
    client.force_login(agent)
    # when: two more
    photo = SimpleUploadedFile("scan.png", _png(), "image/png")
    response = client.post(_url(claim), {"files": [_pdf(), photo], "kind": EvidenceKind.REPORT})
    # then
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [
        "You can add at most 20 files to a claim, and 1 more to this one: choose fewer files."
    ]
    assert set(Evidence.objects.values_list("pk", flat=True)) == before
    assert _stored_files() == stored


@pytest.mark.parametrize("status", [ClaimStatus.WITHDRAWN, ClaimStatus.CLOSED])
def test_a_finished_claim_takes_no_more_files(client, agent, status):
    # given: as the customer's page, staff add nothing to a withdrawn or closed claim
    claim = claim_in(status)
    client.force_login(agent)
    workspace = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    # when
    shown = client.get(_url(claim))
    posted = client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    # then
    assert _url(claim) not in workspace
    assert shown.status_code == posted.status_code == 302
    followed = client.get(posted["Location"]).content.decode()
    assert "files can no longer be added" in followed
    _nothing_stored(claim)


# --- the service, with the staff party ---------------------------------------------------------


def test_service_records_the_staff_user_and_refuses_without_permission(agent, claim):
    from tests.safety.helpers import safety_officer

    added = claim_evidence_add(
        claim=claim, user=agent, files=[("bill.pdf", certificate_pdf())], kind="medical_bill"
    )
    assert [(e.uploaded_by_party, e.uploaded_by) for e in added] == [(Party.STAFF, agent)]
    with pytest.raises(BackofficeError):
        claim_evidence_add(
            claim=claim,
            user=safety_officer(),
            files=[("x.pdf", certificate_pdf())],
            kind=EvidenceKind.REPORT,
        )
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_service_leaves_no_row_and_no_file_when_a_later_step_fails(agent, claim, monkeypatch):
    # given: the second file's outbox row fails, after both files were written to disk
    import claims.services

    real = claims.services.outbox_add
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(claims.services, "outbox_add", failing)
    # when
    with pytest.raises(RuntimeError):
        claim_evidence_add(
            claim=claim,
            user=agent,
            files=[("a.pdf", certificate_pdf()), ("b.png", _png())],
            kind=EvidenceKind.REPORT,
        )
    # then
    _nothing_stored(claim)


def test_service_refuses_no_file(agent, claim):
    with pytest.raises(EvidenceRejected, match="Choose at least one file"):
        claim_evidence_add(claim=claim, user=agent, files=[], kind=EvidenceKind.REPORT)


def test_staff_files_are_internal_until_shared_and_never_the_sellers(agent, claim):
    # given
    (added,) = claim_evidence_add(
        claim=claim, user=agent, files=[("report.pdf", certificate_pdf())], kind="report"
    )

    def sees(viewer):
        return evidence_visible(claim=claim, looker=Looker(viewer)).filter(pk=added.pk).exists()

    # then: neither the customer nor the seller's side sees it
    assert not sees(Viewer.CUSTOMER) and not sees(Viewer.SELLER)
    assert not evidence_visible(
        claim=claim, looker=Looker(Viewer.INSURER, handed_to_insurer=True)
    ).exists()
    # when staff share it, the customer does; the seller still does not
    evidence_share_with_customer(evidence=added, actor=Actor.staff(agent))
    assert sees(Viewer.CUSTOMER) and not sees(Viewer.SELLER)


# --- medical bills: anyone who works the claim may add one; only the medical role opens it ----


def test_agent_without_medical_role_adds_a_bill_then_sees_it_restricted(client, agent, claim):
    # given
    client.force_login(agent)
    bill = SimpleUploadedFile("er-bill-smith.pdf", certificate_pdf("ER bill"), "application/pdf")
    # when
    response = client.post(_url(claim), {"files": [bill], "kind": EvidenceKind.MEDICAL_BILL})
    # then: added, and told plainly that they cannot open it
    assert response.status_code == 302
    evidence = Evidence.objects.get(claim=claim)
    page = client.get(response["Location"]).content.decode()
    assert "Medical bills are health data: only staff with the medical-records" in page
    assert "Medical bill (restricted)" in page
    assert reverse("claims:evidence-download", args=[evidence.pk]) not in page
    assert "er-bill-smith.pdf" not in page  # not in the list nor on the timeline
    assert client.get(reverse("claims:evidence-download", args=[evidence.pk])).status_code == 404


def test_staff_with_the_medical_role_add_and_open_a_bill(client, claim):
    medical = _staff("medical-agent", roles.AGENT)
    medical.groups.add(Group.objects.get(name=roles.MEDICAL))
    client.force_login(medical)
    assert "you will not be able to open it" not in client.get(_url(claim)).content.decode()
    bill = SimpleUploadedFile("er-bill.pdf", certificate_pdf("ER bill"), "application/pdf")
    response = client.post(_url(claim), {"files": [bill], "kind": EvidenceKind.MEDICAL_BILL})
    evidence = Evidence.objects.get(claim=claim)
    page = client.get(response["Location"]).content.decode()
    assert "only staff with the medical-records permission" not in page
    assert reverse("claims:evidence-download", args=[evidence.pk]) in page


# --- who may: the region rule and the read-only role -------------------------------------------


def test_staff_of_another_region_get_404_and_add_nothing(client, claim):
    uk_agent = _staff("agent-gb", roles.AGENT, regions=["GB"])
    client.force_login(uk_agent)
    assert client.get(_url(claim)).status_code == 404
    response = client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    assert response.status_code == 404
    _nothing_stored(claim)


def test_the_safety_team_reads_the_claim_but_is_not_offered_the_action(client, claim):
    from tests.safety.helpers import safety_officer

    client.force_login(safety_officer())
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert _url(claim) not in page
    assert client.get(_url(claim)).status_code == 403


def test_form_page_query_count_is_pinned(client, agent, claim, django_assert_num_queries):
    client.force_login(agent)
    client.get(_url(claim))
    # the user with its profile, its permissions, the claim with its region and assignee, the
    # header's unread notifications
    with django_assert_num_queries(4):
        client.get(_url(claim))


def test_an_empty_post_is_refused_with_both_problems(client, agent, claim):
    client.force_login(agent)
    response = client.post(_url(claim))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"files", "kind"}
    _nothing_stored(claim)


def test_the_customer_page_names_a_staff_file_only_once_it_is_shared(client, agent, claim):
    # given: an agent adds a report from the workspace
    from django.test import Client

    from tests.portal.conftest import sign_in

    client.force_login(agent)
    client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    evidence = Evidence.objects.get(claim=claim)
    customer = Client()
    sign_in(customer, claim.customer)
    portal = reverse("portal:claim-detail", args=[claim.reference])
    # then: not on the customer's page, neither listed nor on their timeline
    assert "police-report.pdf" not in customer.get(portal).content.decode()
    # when staff share it from the workspace, it is
    client.post(reverse("backoffice:claim-evidence-share", args=[claim.pk, evidence.pk]))
    assert "police-report.pdf" in customer.get(portal).content.decode()


# --- the same file again: same bytes are the same file, whatever the kind ---------------------


def _moment(evidence, user) -> str:
    """When ``evidence`` was added, as ``user`` reads it (their profile's zone, else the
    site's default)."""
    import zoneinfo

    from claims_site.dates import format_moment

    zone = zoneinfo.ZoneInfo(_zone_of(user))
    return format_moment(evidence.created_at.astimezone(zone))


def _zone_of(user) -> str:
    return user.staff_profile.time_zone or settings.DEFAULT_VIEWER_TIME_ZONE


def test_sending_the_form_again_after_back_adds_nothing_and_says_why(client, agent, claim):
    # given: an agent added a police report, then pressed Back and sends the form again
    client.force_login(agent)
    client.post(_url(claim), {"files": [_pdf()], "kind": EvidenceKind.REPORT})
    first = Evidence.objects.get(claim=claim)
    stored = _stored_files()
    events = ClaimEvent.objects.filter(claim=claim).count()
    # when: the same file, and a new one beside it
    photo = SimpleUploadedFile("scan.png", _png(), "image/png")
    response = client.post(_url(claim), {"files": [_pdf(), photo], "kind": EvidenceKind.REPORT})
    # then: refused at the field naming the file, what it is already and when; nothing added
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [
        f"police-report.pdf: This file is already on the claim, added as Report on "
        f"{_moment(first, agent)}."
    ]
    assert _kept(response.content.decode(), EvidenceKind.REPORT)
    assert list(Evidence.objects.filter(claim=claim)) == [first]
    assert ClaimEvent.objects.filter(claim=claim).count() == events
    assert _stored_files() == stored


def test_the_same_bytes_under_another_kind_are_still_the_same_file(client, agent, claim):
    # given: a scan added as a receipt
    client.force_login(agent)
    client.post(_url(claim), {"files": [_pdf("scan.pdf")], "kind": EvidenceKind.RECEIPT})
    # when: the same bytes, named otherwise, as a medical bill
    response = client.post(
        _url(claim), {"files": [_pdf("bill.pdf")], "kind": EvidenceKind.MEDICAL_BILL}
    )
    # then
    assert response.status_code == 400
    (error,) = response.context["form"].errors["files"]
    assert error.startswith("bill.pdf: This file is already on the claim, added as Receipt on ")
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_the_same_file_twice_in_one_form_is_refused_with_every_other_problem(client, agent, claim):
    # given: two copies of one photo and a file of the wrong type
    client.force_login(agent)
    files = [
        SimpleUploadedFile("a.png", _png(), "image/png"),
        SimpleUploadedFile("notes.txt", b"words", "text/plain"),
        SimpleUploadedFile("b.png", _png(), "image/png"),
    ]
    # when
    response = client.post(_url(claim), {"files": files, "kind": EvidenceKind.DAMAGE_PHOTO})
    # then: both problems at once, nothing stored
    errors = response.context["form"].errors["files"]
    assert response.status_code == 400
    assert errors[0].startswith("notes.txt: This type of file is not accepted.")
    assert errors[1] == "b.png: This is the same file as a.png: choose it once."
    _nothing_stored(claim)


def test_a_file_the_customer_sent_is_not_added_again_by_staff(agent, claim):
    # given: the customer's own photo of the damage
    evidence_add(
        claim=claim,
        data=_png(),
        filename="IMG_1.png",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    # when / then: staff receive the same photo by e-mail
    with pytest.raises(EvidenceRejected, match="added as Photo of the injury or damage on"):
        claim_evidence_add(
            claim=claim, user=agent, files=[("mail.png", _png())], kind=EvidenceKind.OTHER
        )
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_the_refusal_is_written_in_the_readers_language(agent, claim):
    from django.utils import timezone, translation

    (first,) = claim_evidence_add(
        claim=claim, user=agent, files=[("r.pdf", certificate_pdf())], kind=EvidenceKind.REPORT
    )
    with translation.override("fr"), timezone.override(_zone_of(agent)):
        with pytest.raises(EvidenceRejected) as refused:
            claim_evidence_add(
                claim=claim, user=agent, files=[("r.pdf", certificate_pdf())], kind="report"
            )
        when = _moment(first, agent)
    assert refused.value.reasons == [
        f"r.pdf: Ce fichier figure déjà dans la réclamation, ajouté comme « Rapport » le {when}."
    ]
