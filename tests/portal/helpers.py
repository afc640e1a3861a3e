"""Walking the filing wizard through the Django test client."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone


def step_url(line, step: str) -> str:
    return reverse("portal:wizard", args=[line.pk, step])


def incident_data(line, **overrides) -> dict:
    data = {
        "incident_date": (line.delivered_on + dt.timedelta(days=1)).isoformat(),
        "incident_kind": "property_damage",
        "people_injured": "0",
        "description": "The heater caught fire and scorched the floor of the living room.",
        # The safety questions (issue 17).
        "hazard": "fire_smoke",
        "medical_care": "none",
        "death": "no",
        "child_hurt": "none",
        "product_model": "",
        "batch_serial": "",
        "kept_for_inspection": "yes",
    }
    data.update(overrides)
    return data


def losses_data(**overrides) -> dict:
    data = {"amount_property": "250.00", "note_property": "Floor boards"}
    data.update(overrides)
    return data


DECLARATIONS = {"declare_true": "on", "declare_share": "on", "declare_covered": "on"}


def fill_until_evidence(client, line) -> None:
    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    assert client.post(step_url(line, "losses"), losses_data()).status_code == 302


def file_claim(client, line, photo: bytes) -> list[int]:
    """Walk the wizard from the incident to the submission with one photo; the status code of
    every response (the caller decides what counts as an error)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("heater.jpg", photo, content_type="image/jpeg")
    return [
        client.post(step_url(line, "incident"), incident_data(line)).status_code,
        client.post(step_url(line, "losses"), losses_data()).status_code,
        client.post(
            step_url(line, "evidence"), {"kind": "damage_photo", "files": [upload]}
        ).status_code,
        client.get(step_url(line, "review")).status_code,
        client.post(step_url(line, "review"), DECLARATIONS).status_code,
    ]


def today():
    return timezone.now().date()
