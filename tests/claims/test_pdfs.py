"""PDFs read by a parser: what the rewrite removes, and what it refuses."""

import io

import pikepdf
import pytest

from claims.actors import Actor
from claims.exceptions import EvidenceRejected
from claims.pdfs import pdf_active_parts, pdf_clean
from claims.services import evidence_add
from tests.factories import claim_new
from tests.support import hostile


@pytest.mark.parametrize(
    ("make", "removed"),
    [
        (hostile.clean_pdf, []),
        (hostile.pdf_js_hex_names, ["automatic actions", "scripts"]),
        (hostile.pdf_js_name_tree_hex, ["scripts"]),
        (hostile.pdf_js_in_object_stream, ["automatic actions", "scripts"]),
        (hostile.pdf_launch_hex, ["launch actions"]),
        (hostile.pdf_embedded_file_hex, ["embedded files"]),
        (hostile.pdf_page_aa_uri_on_open, ["automatic actions"]),
        (hostile.pdf_xfa, ["XFA forms"]),
    ],
)
def test_pdf_clean_removes_active_parts_found_through_decoded_names(make, removed):
    # given: a PDF whose active parts are written with #xx escapes or compressed away
    data = make()
    # when
    content, what = pdf_clean(data)
    # then: named, removed, and the rewrite parses with nothing active left
    assert what == removed
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf_active_parts(pdf) == set()
        assert len(pdf.pages) == 1


def test_pdf_clean_rewrites_the_same_file_to_the_same_bytes():
    data = hostile.pdf_js_hex_names()
    assert pdf_clean(data)[0] == pdf_clean(data)[0]


def test_pdf_clean_refuses_what_it_finds_left_after_rewriting():
    with pytest.raises(EvidenceRejected, match="scripts, embedded files or automatic actions"):
        pdf_clean(hostile.pdf_launch_under_unknown_key())


@pytest.mark.django_db
def test_evidence_event_records_what_was_removed_from_a_pdf():
    claim = claim_new()
    evidence = evidence_add(
        claim=claim,
        data=hostile.pdf_embedded_file_hex(),
        filename="invoice.pdf",
        kind="receipt",
        actor=Actor.customer(claim.customer),
    )
    event = claim.events.get(kind="evidence")
    assert event.data["removed"] == ["embedded files"]
    assert event.data["sha256"] == evidence.sha256 != event.data["original_sha256"]
