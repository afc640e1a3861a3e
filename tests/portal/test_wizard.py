"""Every wizard step: what it accepts, what it refuses, and that input is never lost."""

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimEvent, LossItem, Outbox
from tests.portal.helpers import (
    DECLARATIONS,
    fill_until_evidence,
    incident_data,
    losses_data,
    step_url,
)

pytestmark = pytest.mark.django_db


def test_wizard_requires_a_signed_in_customer(client, line):
    for step in ("incident", "losses", "evidence", "review"):
        response = client.get(step_url(line, step))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:sign-in"))


def test_wizard_unknown_step_is_404(customer_client, line):
    assert customer_client.get(f"/claim/new/{line.pk}/payment/").status_code == 404


def test_wizard_item_step_lists_product_seller_and_delivery(customer_client, line):
    html = customer_client.get(reverse("portal:new-claim")).content.decode()
    assert line.product.title in html
    assert line.seller.legal_name in html
    assert f'id="claim-line-{line.pk}"' in html


def test_wizard_steps_cannot_be_skipped(customer_client, line):
    # given: nothing filled in
    # when / then: later steps send the customer to the first unanswered one
    for step in ("losses", "evidence", "review"):
        response = customer_client.get(step_url(line, step))
        assert response["Location"] == step_url(line, "incident")
    customer_client.post(step_url(line, "incident"), incident_data(line))
    for step in ("evidence", "review"):
        assert customer_client.get(step_url(line, step))["Location"] == step_url(line, "losses")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incident_date": ""}, "Enter the date of the incident"),
        ({"incident_date": "31/05/2026"}, "year-month-day"),
        ({"incident_kind": ""}, "Choose whether a person"),
        ({"incident_kind": "alien_abduction"}, "Select a valid choice"),
        ({"description": "It broke."}, "a little more"),
        ({"description": ""}, "Tell us what happened"),
        ({"people_injured": "-1"}, "Enter a whole number from 0 to 99."),
        ({"people_injured": "2O"}, "Enter a whole number."),
        ({"incident_kind": "personal_injury", "people_injured": "0"}, "enter how many people"),
        ({"incident_kind": "property_damage", "people_injured": "2"}, "people were hurt"),
    ],
)
def test_incident_step_refuses_bad_input_and_keeps_the_rest(
    customer_client, line, overrides, message
):
    # when
    response = customer_client.post(step_url(line, "incident"), incident_data(line, **overrides))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Please check the highlighted answers" in html or "Please check this" in html
    if "description" not in overrides:
        assert "scorched the floor of the living room" in html
    assert customer_client.session.get("portal.drafts") is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_property": "abc"}, "“abc” is not an amount. Type an amount like 1,234.50"),
        # In English "." marks the decimals: three of them are too many, nothing ambiguous.
        ({"amount_property": "12.345"}, "Too many decimals: USD amounts have at most 2"),
        ({"amount_property": "12.3456"}, "Too many decimals: USD amounts have at most 2"),
        ({"amount_property": "-5"}, "cannot be negative"),
        # issue 19: an overflowing exponent was a 500, "1.000,00" was read as $1.00.
        ({"amount_property": "1e999999"}, "“1e999999” is not an amount"),
        ({"amount_property": "1.000,00"}, "If you meant $1,000.00, type 1,000.00."),
        ({"amount_property": "99999999999999999"}, "is too large"),
    ],
)
def test_losses_step_refuses_bad_amounts_and_keeps_the_rest(
    customer_client, line, overrides, message
):
    # given
    customer_client.post(step_url(line, "incident"), incident_data(line))
    # when
    response = customer_client.post(
        step_url(line, "losses"), losses_data(amount_medical="80.00", **overrides)
    )
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="80.00"' in html and 'value="Floor boards"' in html


def test_going_back_shows_what_was_entered(customer_client, line):
    # given: the first two steps filled in
    customer_client.post(
        step_url(line, "incident"), incident_data(line, description="A very specific story " * 3)
    )
    customer_client.post(step_url(line, "losses"), losses_data(amount_medical="75.5"))
    # when: going back to each step
    incident = customer_client.get(step_url(line, "incident")).content.decode()
    losses = customer_client.get(step_url(line, "losses")).content.decode()
    # then
    assert "A very specific story" in incident
    assert 'value="250.00"' in losses and 'value="75.50"' in losses


def test_review_shows_everything_and_needs_every_declaration(customer_client, line):
    # given
    fill_until_evidence(customer_client, line)
    review = customer_client.get(step_url(line, "review")).content.decode()
    assert "$250.00" in review and "Floor boards" in review and line.product.title in review
    # when: one declaration is missing
    response = customer_client.post(
        step_url(line, "review"), {"declare_true": "on", "declare_share": "on"}
    )
    # then: refused with a message, nothing written, the draft kept
    assert response.status_code == 400
    assert "understand what is covered" in response.content.decode()
    assert not Claim.objects.exists() and not Outbox.objects.exists()
    assert customer_client.get(step_url(line, "review")).status_code == 200


def test_submit_files_the_claim_once_and_clears_the_draft(
    customer_client, line, django_capture_on_commit_callbacks
):
    # given
    fill_until_evidence(customer_client, line)
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then: one claim with its losses and event; follow-ups recorded and dispatched on commit
    claim = Claim.objects.get()
    assert response["Location"] == reverse("portal:claim-submitted", args=[claim.reference])
    assert LossItem.objects.get(claim=claim).claimed_minor == 25_000
    assert ClaimEvent.objects.filter(claim=claim, to_status="submitted").count() == 1
    assert set(Outbox.objects.values_list("topic", flat=True)) == {
        "claims.screen",
        "claims.notify_customer",
        "safety.weigh",  # the safety answers, weighed against the regulators' rules
    }
    assert claim.safety_facts.hazard == "fire_smoke" and claim.safety_facts.kept_for_inspection
    assert len(callbacks) >= 2
    assert str(line.pk) not in customer_client.session.get("portal.drafts", {})
    # and the confirmation page shows the reference
    page = customer_client.get(response["Location"]).content.decode()
    assert claim.reference in page and "receipt" in page
    # when: the same draft is posted again (double click, back button)
    again = customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then: no second claim
    assert again.status_code == 302
    assert Claim.objects.count() == 1


def test_submissions_are_rate_limited_per_customer_and_keep_the_draft(
    customer_client, line, settings
):
    # given
    settings.PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY = 0
    fill_until_evidence(customer_client, line)
    # when
    response = customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then
    assert response.status_code == 429
    assert "submitted several claims today" in response.content.decode()
    assert not Claim.objects.exists()
    assert customer_client.get(step_url(line, "review")).status_code == 200


def test_submissions_are_rate_limited_per_ip(client, settings):
    from tests.factories import OrderLineFactory
    from tests.portal.conftest import sign_in

    # given: two customers on one address, one submission allowed per address
    settings.PORTAL_SUBMISSIONS_PER_IP_PER_DAY = 1
    first, second = OrderLineFactory(), OrderLineFactory()
    for line, expected in ((first, 302), (second, 429)):
        sign_in(client, line.order.customer)
        fill_until_evidence(client, line)
        # when
        response = client.post(step_url(line, "review"), DECLARATIONS)
        # then
        assert response.status_code == expected
    assert Claim.objects.count() == 1


def test_wizard_post_only_actions_refuse_get(customer_client):
    assert customer_client.get(reverse("portal:sign-out")).status_code == 405


def test_evidence_step_keeps_accepted_files_and_removes_one_on_request(customer_client, line):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.conftest import jpeg_bytes, media_files

    # given: two photos added
    fill_until_evidence(customer_client, line)
    customer_client.post(
        step_url(line, "evidence"),
        {
            "kind": "product_photo",
            "files": [
                SimpleUploadedFile("a.jpg", jpeg_bytes()),
                SimpleUploadedFile("b.jpg", jpeg_bytes(color=(9, 9, 9))),
            ],
        },
    )
    drafts = customer_client.session["portal.drafts"][str(line.pk)]["files"]
    assert [f["name"] for f in drafts] == ["a.jpg", "b.jpg"] and len(media_files("drafts")) == 2
    # when: one is removed
    customer_client.post(step_url(line, "evidence"), {"remove": drafts[0]["id"]})
    # then: the other stays, on the page, in the draft and on disk
    html = customer_client.get(step_url(line, "evidence")).content.decode()
    assert "Removed a.jpg." in html
    assert 'aria-label="Remove b.jpg"' in html and 'aria-label="Remove a.jpg"' not in html
    assert [p.name for p in media_files("drafts")] == [drafts[1]["id"]]


def test_evidence_step_refuses_more_files_than_a_claim_may_have(customer_client, line, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.conftest import jpeg_bytes, media_files

    # given
    fill_until_evidence(customer_client, line)
    photo = jpeg_bytes()
    files = [SimpleUploadedFile(f"p{i}.jpg", photo) for i in range(21)]
    # when
    response = customer_client.post(
        step_url(line, "evidence"), {"kind": "damage_photo", "files": files}
    )
    # then
    assert response.status_code == 400
    assert "at most 20 files" in response.content.decode()
    assert media_files() == []


def test_evidence_step_without_a_file_says_so(customer_client, line):
    fill_until_evidence(customer_client, line)
    response = customer_client.post(step_url(line, "evidence"), {"kind": "damage_photo"})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


def test_submit_records_ip_and_a_device_id_for_the_fraud_rules(customer_client, line):
    from fraud.models import AttributeKind, ClaimAttribute
    from portal.session import DEVICE_COOKIE

    # given: a browser that has never been given a device id
    fill_until_evidence(customer_client, line)
    # when
    response = customer_client.post(
        step_url(line, "review"), DECLARATIONS, REMOTE_ADDR="203.0.113.9"
    )
    # then: the claim carries both, and the browser keeps its id for next time
    claim = Claim.objects.get()
    device = response.cookies[DEVICE_COOKIE].value
    assert response.cookies[DEVICE_COOKIE]["httponly"]
    attributes = dict(ClaimAttribute.objects.filter(claim=claim).values_list("kind", "value"))
    assert attributes[AttributeKind.IP] == "203.0.113.9"
    assert attributes[AttributeKind.DEVICE] == device


def test_evidence_step_refuses_a_photo_already_kept_for_the_claim(customer_client, line):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.conftest import jpeg_bytes, media_files

    # given: a photo kept at the evidence step
    fill_until_evidence(customer_client, line)
    url = step_url(line, "evidence")
    customer_client.post(
        url, {"kind": "product_photo", "files": [SimpleUploadedFile("a.jpg", jpeg_bytes())]}
    )
    kept = media_files("drafts")
    # when: the customer goes Back and sends it again, as another kind, beside a new one
    response = customer_client.post(
        url,
        {
            "kind": "damage_photo",
            "files": [
                SimpleUploadedFile("a-again.jpg", jpeg_bytes()),
                SimpleUploadedFile("b.jpg", jpeg_bytes(color=(9, 9, 9))),
                SimpleUploadedFile("b-copy.jpg", jpeg_bytes(color=(9, 9, 9))),
            ],
        },
    )
    # then: both problems named, none of the three kept
    html = response.content.decode()
    assert response.status_code == 400
    assert "a-again.jpg: This file is already added to your claim, as Photo of the product." in (
        html
    )
    assert "b-copy.jpg: This is the same file as b.jpg: choose it once." in html
    drafts = customer_client.session["portal.drafts"][str(line.pk)]["files"]
    assert [f["name"] for f in drafts] == ["a.jpg"]
    assert media_files("drafts") == kept
