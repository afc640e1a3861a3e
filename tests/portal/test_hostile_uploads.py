"""The hostile corpus through every upload path, by the real pages (Django test client).

Every file of ``tests.support.hostile.CORPUS`` is sent through every page that takes files: the
customer's wizard (evidence step), the claim page's "add files", the customer's answer to an
information request, the seller's answer, the insurer's answer, the seller's insurance
certificate and the adjuster's report. Each path must give the
upload policy's verdict with the policy's own message, word for word:

- refused: the page says why (naming the file), nothing is stored (no row, no file on disk, no
  draft file), nothing else moved, and what the person typed is still on the page;
- accepted: what is stored is the policy's rewrite (the same bytes on every path), with the
  hostile part gone.
"""

import datetime as dt
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from claims.actors import Actor
from claims.exceptions import EvidenceRejected
from claims.links import link_issue
from claims.models import ClaimEvent, ClaimStatus, Evidence, LinkPurpose
from claims.services import claim_request_info
from claims.uploads import evidence_check, sniff
from fraud.models import Referral
from fraud.referrals import fraud_refer
from portal.services import Upload, claim_evidence_upload
from sellers.models import InsuranceCertificate, SellerResponse
from tests.factories import OrderLineFactory, claim_in, claim_new
from tests.portal.conftest import jpeg_bytes, media_files, sign_in
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url
from tests.sellers.helpers import LINK, awaiting
from tests.support.hostile import CORPUS, check_inert

pytestmark = pytest.mark.django_db

TYPED = "Typed by hand, and kept when a file is refused."


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's content type is a lie on purpose: the policy never reads it.
    return SimpleUploadedFile(name, data, "image/jpeg")


@dataclass
class Path_:
    """One upload path, arranged: how to send a file, and what it stored."""

    upload: Callable[[str, bytes], object]
    finish: Callable[[], None]  # after an accepted upload: whatever completes the action
    stored: Callable[[], list[tuple[bytes, str]]]  # what the path stored: (bytes, type)
    unchanged: Callable[[], None]  # after a refusal: the path's own state did not move


def _evidence_stored() -> list[tuple[bytes, str]]:
    return [(e.file.read(), e.content_type) for e in Evidence.objects.all()]


def _certificate_stored() -> list[tuple[bytes, str]]:
    out = []
    for certificate in InsuranceCertificate.objects.exclude(document=""):
        data = certificate.document.read()
        out.append((data, sniff(data[:16])))
    return out


def _wizard(client, **_) -> Path_:
    line = OrderLineFactory()
    sign_in(client, line.order.customer)
    fill_until_evidence(client, line)

    def upload(name, data):
        return client.post(
            step_url(line, "evidence"), {"kind": "damage_photo", "files": [_file(name, data)]}
        )

    def finish():
        assert client.post(step_url(line, "review"), DECLARATIONS).status_code == 302

    def unchanged():
        assert not client.session["portal.drafts"][str(line.pk)].get("files")
        # the answers typed at the earlier steps are all still in the draft
        assert client.session["portal.drafts"][str(line.pk)]["incident"]["description"]

    return Path_(upload, finish, _evidence_stored, unchanged)


def _claim_page(client, **_) -> Path_:
    claim = claim_new()
    sign_in(client, claim.customer)

    def upload(name, data):
        return client.post(
            reverse("portal:claim-evidence", args=[claim.reference]),
            {"kind": "other", "files": [_file(name, data)]},
        )

    return Path_(upload, lambda: None, _evidence_stored, lambda: None)


def _answer(client, agent, **_) -> Path_:
    claim = claim_request_info(
        claim=claim_in(ClaimStatus.UNDER_REVIEW), actor=Actor.staff(agent), message="The bill?"
    )
    sign_in(client, claim.customer)

    def upload(name, data):
        return client.post(
            reverse("portal:claim-answer", args=[claim.reference]),
            {"message": TYPED, "kind": "medical_bill", "files": [_file(name, data)]},
        )

    def unchanged():
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.NEEDS_INFO

    return Path_(upload, lambda: None, _evidence_stored, unchanged)


def _seller_answer(client, party: str) -> Path_:
    claim, path = awaiting()
    url = path
    if party == "insurer":
        _link, token = link_issue(
            purpose=LinkPurpose.INSURER_RESPONSE,
            email="claims@insurer.test",
            expires_in=dt.timedelta(days=30),
            claim=claim,
            seller=claim.seller,
        )
        url = reverse("sellers:insurer-respond", args=[claim.reference, token])

    def upload(name, data):
        return client.post(
            url, {"decision": "dispute", "reasons": TYPED, "files": [_file(name, data)]}
        )

    def unchanged():
        assert not SellerResponse.objects.exists()
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.AWAITING_SELLER

    return Path_(upload, lambda: None, _evidence_stored, unchanged)


def _seller(client, **_) -> Path_:
    return _seller_answer(client, "seller")


def _insurer(client, **_) -> Path_:
    return _seller_answer(client, "insurer")


CERTIFICATE = {
    "insurer_name": "Harbor Mutual",
    "policy_number": "HM-" + TYPED[:20],
    "occurrence_based": "1",
    "per_occurrence": "1,000,000.00",
    "aggregate": "2,000,000.00",
    "deductible": "1,000.00",
    "insurer_rating": "A",
    "marketplace_additional_insured": "on",
    "cancellation_notice_days": "30",
    "effective_date": "2026-01-01",
    "expiry_date": "2030-12-31",
}


def _certificate(client, **_) -> Path_:
    claim, path = awaiting()
    token = LINK.search(path).group("token")
    url = reverse("sellers:insurance", args=[claim.reference, token])

    def upload(name, data):
        return client.post(url, {**CERTIFICATE, "document": _file(name, data)})

    def unchanged():
        assert not InsuranceCertificate.objects.exists()

    return Path_(upload, lambda: None, _certificate_stored, unchanged)


def _adjuster(client, analyst, mailoutbox, django_capture_on_commit_callbacks, **_) -> Path_:
    with django_capture_on_commit_callbacks(execute=True):
        referral = fraud_refer(
            claim=claim_in(ClaimStatus.FRAUD_HOLD),
            actor=Actor.staff(analyst),
            adjuster_email="e@adj.test",
            label="valuable_alert",
            note="n",
        )
    token = mailoutbox[-1].body.split("/fraud/adjuster/")[1].split("/")[0]

    def upload(name, data):
        return client.post(
            reverse("fraud:adjuster", args=[token]),
            {"report": _file(name, data), "recommendation": "clear", "summary": TYPED},
        )

    def unchanged():
        assert Referral.objects.get(pk=referral.pk).reported_at is None

    return Path_(upload, lambda: None, _evidence_stored, unchanged)


PATHS = {
    "wizard-evidence-step": _wizard,
    "claim-page-add-files": _claim_page,
    "answer-to-information-request": _answer,
    "seller-answer": _seller,
    "insurer-answer": _insurer,
    "seller-insurance-certificate": _certificate,
    "adjuster-report": _adjuster,
}
# (The admin holds no upload of its own: certificates are inspected there, never added.)


@pytest.fixture
def arrange(
    request, client, admin_client, agent, analyst, mailoutbox, django_capture_on_commit_callbacks
):
    def make(path: str) -> Path_:
        return PATHS[path](
            client=client,
            admin_client=admin_client,
            agent=agent,
            analyst=analyst,
            mailoutbox=mailoutbox,
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )

    return make


def _policy_answer(filename: str, data: bytes):
    """What the upload policy itself says: the message every page must show word for word,
    or the file as every path must store it."""
    try:
        return evidence_check(data=data, filename=filename)
    except EvidenceRejected as exc:
        return str(exc)


def _page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("case", list(CORPUS))
def test_every_upload_path_gives_the_policy_verdict(
    arrange, django_capture_on_commit_callbacks, case, path
):
    # given: the page that takes files, reached as its user reaches it
    corpus = CORPUS[case]
    data = corpus.make()
    answer = _policy_answer(corpus.filename, data)
    route = arrange(path)
    # when: the file is uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = route.upload(corpus.filename, data)
    # then
    if corpus.refused:
        assert isinstance(answer, str) and corpus.refused in answer
        # the page says why, in the policy's words, and keeps what was typed
        assert response.status_code in (200, 400), response.status_code
        page = _page_text(response)
        assert answer in page
        if path not in ("wizard-evidence-step", "claim-page-add-files"):
            assert TYPED in page or ("HM-" + TYPED[:20]) in page
        # and nothing is stored: no row, no event, no file on disk (draft files included)
        assert not Evidence.objects.exists()
        assert not ClaimEvent.objects.filter(kind="evidence").exists()
        assert not InsuranceCertificate.objects.exists()
        assert media_files() == []
        route.unchanged()
    else:
        assert not isinstance(answer, str), answer
        assert response.status_code == 302, _page_text(response)[:2000]
        with django_capture_on_commit_callbacks(execute=True):
            route.finish()
        stored = route.stored()
        assert len(stored) == 1
        content, content_type = stored[0]
        # the policy's rewrite, byte for byte, whichever path it came by
        assert (content, content_type) == (answer.content, answer.content_type)
        check_inert(corpus, content, content_type)
        assert len(media_files()) == 1  # no draft file, no orphan


# --- the evidence step decides once; submitting only re-checks the hash --------------------


@pytest.fixture
def at_evidence(customer_client, line):
    fill_until_evidence(customer_client, line)
    return customer_client


def test_truncated_jpeg_is_refused_at_the_evidence_step_not_at_submission(at_evidence, line):
    # given
    truncated = CORPUS["truncated-jpeg"].make()
    # when
    response = at_evidence.post(
        step_url(line, "evidence"),
        {
            "kind": "damage_photo",
            "files": [_file("good.jpg", jpeg_bytes()), _file("photo.jpg", truncated)],
        },
    )
    # then: refused there and then, the good photo of the same batch not kept either
    assert response.status_code == 400
    assert "photo.jpg: The image could not be read; it may be damaged." in _page_text(response)
    assert not at_evidence.session["portal.drafts"][str(line.pk)].get("files")
    assert media_files() == []


def test_submission_does_not_decode_files_again(at_evidence, line, monkeypatch):
    # given: a photo accepted at the evidence step
    photo = {"kind": "damage_photo", "files": [_file("a.jpg", jpeg_bytes())]}
    at_evidence.post(step_url(line, "evidence"), photo)
    [entry] = at_evidence.session["portal.drafts"][str(line.pk)]["files"]
    assert len(entry["sha256"]) == 64 and entry["content_type"] == "image/jpeg"

    def no_decoding(*args, **kwargs):
        raise AssertionError("submission decoded the file again")

    monkeypatch.setattr("claims.uploads._reencode_image", no_decoding)
    monkeypatch.setattr("claims.pdfs.pdf_clean", no_decoding)
    # when
    response = at_evidence.post(step_url(line, "review"), DECLARATIONS)
    # then: filed, with the file as accepted
    assert response.status_code == 302
    assert Evidence.objects.get().sha256 == entry["sha256"]


# --- names, HEIC, limits ----------------------------------------------------------------------


def test_path_traversal_filename_is_refused_by_the_service_and_never_a_path():
    # given
    claim = claim_new()
    outside = Path(settings.MEDIA_ROOT).parent / "etc"
    # when: a caller passes a name that climbs out of the media folder
    with pytest.raises(EvidenceRejected, match="folder path"):
        claim_evidence_upload(
            claim=claim,
            customer=claim.customer,
            uploads=[Upload(data=jpeg_bytes(), filename="../../etc/passwd.jpg", kind="other")],
        )
    # then
    assert not Evidence.objects.exists()
    assert media_files() == []
    assert not outside.exists()


def test_path_traversal_filename_over_http_is_stored_only_under_a_random_name(client):
    # given: Django's multipart parser strips folders from the name it receives
    claim = claim_new()
    sign_in(client, claim.customer)
    upload = _file("x.jpg", jpeg_bytes())
    upload.name = "../../../../etc/cron.d/evil.jpg"
    # when
    client.post(
        reverse("portal:claim-evidence", args=[claim.reference]),
        {"kind": "other", "files": [upload]},
    )
    # then: nothing outside the media folder, and the stored name is random
    evidence = Evidence.objects.get()
    assert evidence.original_name == "evil.jpg"
    assert "evil" not in evidence.file.name and evidence.file.name.startswith("evidence/")
    assert [p.name for p in media_files()] == [Path(evidence.file.name).name]


def test_heic_photo_is_accepted_and_stored_as_jpeg(customer_client, line):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "HEIF")
    # given
    fill_until_evidence(customer_client, line)
    # when
    customer_client.post(
        step_url(line, "evidence"),
        {"kind": "damage_photo", "files": [SimpleUploadedFile("IMG_1.HEIC", out.getvalue())]},
    )
    customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/jpeg" and evidence.file.name.endswith(".jpg")


def test_evidence_step_states_the_limits(customer_client, line):
    fill_until_evidence(customer_client, line)
    html_page = customer_client.get(step_url(line, "evidence")).content.decode()
    assert "HEIC" in html_page and "10 MB" in html_page and "20 files" in html_page
    # each limit said once: the size was in the types' description and after it
    assert html_page.count("10 MB") == 1
