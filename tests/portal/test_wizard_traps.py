"""The wizard without traps (issue 14, point 2), through the Django test client: files chosen on
the evidence step are kept whichever button is pressed, the purchase price comes from the order,
the running total is drawn with the page, each declaration is its own labelled checkbox."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrderLineFactory
from tests.portal.conftest import jpeg_bytes, media_files
from tests.portal.helpers import fill_until_evidence, incident_data, losses_data, step_url

pytestmark = pytest.mark.django_db


def _photo(name: str = "kitchen.jpg", color=(180, 40, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(color=color), content_type="image/jpeg")


def _draft_files(client, line) -> list[str]:
    return [f["name"] for f in client.session["portal.drafts"][str(line.pk)].get("files", [])]


@pytest.mark.parametrize("go", ["review", "losses"])
def test_files_chosen_are_kept_when_the_customer_moves_on(customer_client, line, go):
    # given: the evidence step, a photo chosen but *Add these files* not pressed
    fill_until_evidence(customer_client, line)
    # when: *Continue to review* (or *Back*) is pressed
    response = customer_client.post(
        step_url(line, "evidence"), {"kind": "damage_photo", "files": [_photo()], "go": go}
    )
    # then: the photo is kept, and the customer is where they asked to go
    assert response.status_code == 302
    assert response["Location"] == step_url(line, go)
    assert _draft_files(customer_client, line) == ["kitchen.jpg"]
    assert len(media_files("drafts")) == 1
    if go == "review":
        review = customer_client.get(response["Location"]).content.decode()
        assert "kitchen.jpg" in review and "No files yet" not in review


def test_continue_without_files_goes_to_the_review(customer_client, line):
    fill_until_evidence(customer_client, line)
    response = customer_client.post(
        step_url(line, "evidence"), {"kind": "damage_photo", "go": "review"}
    )
    assert response["Location"] == step_url(line, "review")
    assert _draft_files(customer_client, line) == []


def test_a_refused_file_keeps_the_customer_on_the_evidence_step(customer_client, line):
    # given
    fill_until_evidence(customer_client, line)
    fake = SimpleUploadedFile("receipt.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    # when: they press *Continue to review* with a file the policy refuses
    response = customer_client.post(
        step_url(line, "evidence"), {"kind": "receipt", "files": [fake], "go": "review"}
    )
    # then: told why, here, and nothing kept
    assert response.status_code == 400
    html = response.content.decode()
    assert "receipt.jpg:" in html and 'id="to-review"' in html
    assert _draft_files(customer_client, line) == []
    assert media_files("drafts") == []


def test_removing_a_file_keeps_the_files_chosen_meanwhile(customer_client, line):
    # given: one photo kept
    fill_until_evidence(customer_client, line)
    customer_client.post(step_url(line, "evidence"), {"kind": "damage_photo", "files": [_photo()]})
    kept = customer_client.session["portal.drafts"][str(line.pk)]["files"][0]["id"]
    # when: another is chosen, then *Remove* pressed for the first
    response = customer_client.post(
        step_url(line, "evidence"),
        {"kind": "product_photo", "files": [_photo("label.jpg", (1, 2, 3))], "remove": kept},
    )
    # then
    assert response["Location"] == step_url(line, "evidence")
    assert _draft_files(customer_client, line) == ["label.jpg"]
    assert len(media_files("drafts")) == 1


def test_every_button_of_the_evidence_step_submits_the_upload_form(customer_client, line):
    # given
    fill_until_evidence(customer_client, line)
    customer_client.post(step_url(line, "evidence"), {"kind": "damage_photo", "files": [_photo()]})
    # when
    html = customer_client.get(step_url(line, "evidence")).content.decode()
    # then: one form holds the file field and every way off the step
    forms = re.findall(r"<form\b[^>]*>(.*?)</form>", html, re.S)
    upload = [f for f in forms if 'type="file"' in f]
    assert len(upload) == 1
    for button in ('id="add-files"', 'id="to-review"', 'id="to-losses"', 'name="remove"'):
        assert button in upload[0]
    assert 'href="/claim/new/' not in upload[0].split('id="add-files"')[1]


def test_the_purchase_price_is_filled_in_from_the_order(customer_client):
    # given: two of an item at $124.99
    line = OrderLineFactory(unit_price_minor=12_499, quantity=2)
    from tests.portal.conftest import sign_in

    sign_in(customer_client, line.order.customer)
    customer_client.post(step_url(line, "incident"), incident_data(line))
    # when
    html = customer_client.get(step_url(line, "losses")).content.decode()
    # then: the purchase price row holds what the line cost, and the total says so
    assert re.search(r'name="amount_purchase_price"[^>]*value="249.98"', html)
    assert re.search(r'id="losses-total"[^>]*>\$249.98</output>', html)


def test_the_kept_amounts_win_over_the_order_price(customer_client, line):
    # given: the customer cleared the purchase price and claimed property damage only
    fill_until_evidence(customer_client, line)
    # when
    html = customer_client.get(step_url(line, "losses")).content.decode()
    # then
    assert not re.search(r'name="amount_purchase_price"[^>]*value=', html)
    assert re.search(r'id="losses-total"[^>]*>\$250.00</output>', html)


def test_the_total_drawn_after_a_refusal_adds_the_amounts_that_read(customer_client, line):
    customer_client.post(step_url(line, "incident"), incident_data(line))
    response = customer_client.post(
        step_url(line, "losses"),
        losses_data(amount_medical="80.00", amount_lost_earnings="abc"),
    )
    assert response.status_code == 200
    assert re.search(r'id="losses-total"[^>]*>\$330.00</output>', response.content.decode())


def test_each_declaration_checkbox_comes_before_its_own_sentence(customer_client, line):
    # given
    fill_until_evidence(customer_client, line)
    # when
    html = customer_client.get(step_url(line, "review")).content.decode()
    # then: box, then the label for that box, in each row of its own
    rows = re.findall(r'<div class="check">(.*?)</div>', html, re.S)
    assert len(rows) == 3
    for row, name in zip(rows, ("declare_true", "declare_share", "declare_covered"), strict=True):
        box = row.index(f'id="id_{name}"')
        label = row.index(f'<label for="id_{name}">')
        assert box < label
        assert row.count("<label") == 1 and row.count("<input") == 1


@pytest.mark.parametrize(
    ("typed", "kept_minor"),
    [("$249.99", 24_999), ("$ 1,249.99", 124_999), ("249.99 $", 24_999), ("USD 20", 2_000)],
)
def test_an_amount_written_with_its_currency_is_accepted(customer_client, line, typed, kept_minor):
    # given: the losses step (found by QA: "$249.99" was refused with "Enter an amount like
    # $120.50.", while the running total on the same page read it)
    customer_client.post(step_url(line, "incident"), incident_data(line))
    # when
    response = customer_client.post(step_url(line, "losses"), losses_data(amount_property=typed))
    # then
    assert response.status_code == 302, response.content.decode()
    losses = customer_client.session["portal.drafts"][str(line.pk)]["losses"]
    assert [(loss["kind"], loss["amount_minor"]) for loss in losses] == [("property", kept_minor)]


# "12.345" in English: "." marks the decimals, so three are too many (not "ambiguous").
@pytest.mark.parametrize("typed", ["12.3456", "$0.001", "12.345", "19.999"])
def test_too_many_decimals_are_named_as_such(customer_client, line, typed):
    customer_client.post(step_url(line, "incident"), incident_data(line))
    response = customer_client.post(step_url(line, "losses"), losses_data(amount_property=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "USD amounts have at most 2 decimal places." in html
    assert "Enter an amount like" not in html
    assert "ambiguous" not in html


@pytest.mark.parametrize("typed", ["€20", "٣٣", "$$20"])
def test_another_currency_or_other_digits_are_refused(customer_client, line, typed):
    # "٣٣" (Arabic-Indic digits) was accepted as 33 while the running total counted it as 0.
    customer_client.post(step_url(line, "incident"), incident_data(line))
    response = customer_client.post(step_url(line, "losses"), losses_data(amount_property=typed))
    assert response.status_code == 200
    assert "portal.drafts" not in customer_client.session or "losses" not in (
        customer_client.session["portal.drafts"].get(str(line.pk), {})
    )


def test_back_from_what_happened_keeps_what_was_typed(customer_client, line):
    # given: found by QA, *Back* on this step was a link: what was typed was lost
    typed = incident_data(line, description="It burst into flames")  # too short to continue
    # when: *Back* is pressed, then the customer returns to the step
    response = customer_client.post(step_url(line, "incident"), {**typed, "go": "back"})
    # then
    assert response.status_code == 302 and response["Location"] == reverse("portal:new-claim")
    html = customer_client.get(step_url(line, "incident")).content.decode()
    assert "It burst into flames" in html
    assert f'value="{typed["incident_date"]}"' in html
    assert "errorlist" not in html


def test_back_from_the_losses_keeps_the_amounts_typed(customer_client, line):
    # given
    customer_client.post(step_url(line, "incident"), incident_data(line))
    # when: amounts typed, one of them not yet right, then *Back*
    typed = {"amount_property": "120.00", "note_property": "Counter top", "amount_medical": "1,5"}
    response = customer_client.post(step_url(line, "losses"), {**typed, "go": "back"})
    # then
    assert response["Location"] == step_url(line, "incident")
    html = customer_client.get(step_url(line, "losses")).content.decode()
    assert re.search(r'name="amount_property"[^>]*value="120.00"', html)
    assert re.search(r'name="amount_medical"[^>]*value="1,5"', html)
    assert "Counter top" in html
    assert not re.search(r'name="amount_purchase_price"[^>]*value=', html)


@pytest.mark.parametrize("step", ["incident", "losses"])
def test_enter_in_a_field_continues_rather_than_going_back(customer_client, line, step):
    # The browser submits with the form's first submit button when Enter is pressed.
    customer_client.post(step_url(line, "incident"), incident_data(line))
    html = customer_client.get(step_url(line, step)).content.decode()
    form = re.search(r'<form method="post".*?</form>', html, re.S).group(0)
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="go"' not in first or 'value="back"' not in first
    assert re.search(r'<button type="submit" name="go" value="back"', form)


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "Added 1 file. Add more, or continue.", "Added 2 files. Add more, or continue."),
        ("es", "Se añadió 1 archivo.", "Se añadieron 2 archivos."),
    ],
)
def test_files_added_are_counted_in_words(customer_client, line, language, one, two):
    # given: found by QA, "Added 1 file(s)."
    customer_client.cookies["django_language"] = language
    # "250" reads the same in every language ("250.00" is refused in Spanish: "," marks decimals).
    assert customer_client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    losses = losses_data(amount_property="250")
    assert customer_client.post(step_url(line, "losses"), losses).status_code == 302
    url = step_url(line, "evidence")
    # when / then
    first = customer_client.post(
        url, {"kind": "receipt", "files": [_photo()], "go": "evidence"}, follow=True
    )
    assert one in first.content.decode()
    photos = [_photo("a.jpg", (1, 2, 3)), _photo("b.jpg", (4, 5, 6))]
    second = customer_client.post(
        url, {"kind": "receipt", "files": photos, "go": "evidence"}, follow=True
    )
    assert two in second.content.decode() and "(s)" not in second.content.decode()
