"""A submission that fails in the middle leaves nothing behind: no claim, no evidence, no file."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test import Client

from claims.models import Claim, ClaimEvent, Evidence, LossItem, Outbox
from tests.portal.conftest import jpeg_bytes, media_files, png_bytes, sign_in
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def refuse_last_evidence_insert():
    """A real PostgreSQL trigger: the database refuses to insert the evidence row named
    last.png, which is the last insert of the submission."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_last_evidence() RETURNS trigger AS $$
            BEGIN
              IF NEW.original_name = 'last.png' THEN
                RAISE EXCEPTION 'disk quota exceeded (test)';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_last_evidence BEFORE INSERT ON claims_evidence
              FOR EACH ROW EXECUTE FUNCTION refuse_last_evidence();
            """
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_last_evidence ON claims_evidence; "
            "DROP FUNCTION refuse_last_evidence();"
        )


def test_submit_database_refusing_the_last_insert_leaves_no_claim_and_no_orphan_file(
    line, customer, refuse_last_evidence_insert
):
    # given: a draft with two files, the second of which the database will refuse
    client = Client(raise_request_exception=False)
    sign_in(client, customer)
    fill_until_evidence(client, line)
    client.post(
        step_url(line, "evidence"),
        {
            "kind": "damage_photo",
            "files": [
                SimpleUploadedFile("first.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile("last.png", png_bytes(), "image/png"),
            ],
        },
    )
    drafts = media_files("drafts")
    assert len(drafts) == 2
    # when
    response = client.post(step_url(line, "review"), DECLARATIONS)
    # then: a friendly error page, without internals
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"quota" not in response.content and b"Traceback" not in response.content
    # and nothing of the claim exists: rows, follow-ups, stored evidence files
    assert not Claim.objects.exists()
    assert not LossItem.objects.exists()
    assert not ClaimEvent.objects.exists()
    assert not Evidence.objects.exists()
    assert not Outbox.objects.exists()
    assert media_files("evidence") == []
    # the customer's draft and its files are still there to try again
    assert media_files("drafts") == drafts
    assert client.get(step_url(line, "review")).status_code == 200


def test_submit_service_failure_raises_and_rolls_back_every_file(
    line, customer, refuse_last_evidence_insert
):
    from portal.drafts import draft_file_save
    from portal.services import claim_submit
    from tests.portal.helpers import incident_data

    # given
    files = [
        {"id": draft_file_save(data=jpeg_bytes()), "name": "first.jpg", "kind": "other"},
        {"id": draft_file_save(data=png_bytes()), "name": "last.png", "kind": "other"},
    ]
    data = incident_data(line)
    from claims.services import LossInput

    # when
    with pytest.raises(DatabaseError):
        claim_submit(
            customer=customer,
            order_line=line,
            incident_date=line.delivered_on,
            incident_kind=data["incident_kind"],
            description=data["description"],
            people_injured=0,
            losses=[LossInput(kind="property", amount_minor=100)],
            files=files,
        )
    # then
    assert not Claim.objects.exists()
    assert media_files("evidence") == []
    assert len(media_files("drafts")) == 2


def test_submit_with_a_draft_file_changed_since_it_was_accepted_files_nothing(line, customer):
    # given: a photo the evidence step accepted (and decoded, once), then changed where it waits
    client = Client()
    sign_in(client, customer)
    fill_until_evidence(client, line)
    client.post(
        step_url(line, "evidence"),
        {
            "kind": "damage_photo",
            "files": [
                SimpleUploadedFile("good.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile("changed.jpg", jpeg_bytes(size=(400, 300)), "image/jpeg"),
            ],
        },
    )
    entry = client.session["portal.drafts"][str(line.pk)]["files"][1]
    (Path(settings.MEDIA_ROOT) / "drafts" / entry["id"]).write_bytes(b"<script>x</script>")
    # when: submitting checks each kept file's hash (and decodes nothing)
    response = client.post(step_url(line, "review"), DECLARATIONS)
    # then: the review page names the file; nothing stored; the draft kept to try again
    assert response.status_code == 400
    assert "changed.jpg" in response.content.decode()
    assert "add it again" in response.content.decode()
    assert not Claim.objects.exists()
    assert media_files("evidence") == []
    assert len(client.session["portal.drafts"][str(line.pk)]["files"]) == 2
