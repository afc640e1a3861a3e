from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim, Evidence
from tests.portal.conftest import jpeg_bytes
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url


def test_wizard_files_a_claim_with_a_photo(customer_client, line, customer):
    # given: the first steps are filled in
    fill_until_evidence(customer_client, line)
    # when: a photo is added and the claim submitted
    photo = SimpleUploadedFile("heater.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = customer_client.post(
        step_url(line, "evidence"), {"kind": "damage_photo", "files": [photo]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = customer_client.get(step_url(line, "review"))
    assert response.status_code == 200
    response = customer_client.post(step_url(line, "review"), DECLARATIONS)
    assert response.status_code == 302, response.content.decode()[:5000]
    # then
    claim = Claim.objects.get()
    assert response["Location"] == reverse("portal:claim-submitted", args=[claim.reference])
    assert Evidence.objects.filter(claim=claim).count() == 1
    page = customer_client.get(reverse("portal:claim-detail", args=[claim.reference]))
    assert page.status_code == 200
    assert claim.reference in page.content.decode()
