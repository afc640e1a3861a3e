"""The customer journey on the embedded defaults (SQLite, demo-mode e-mail, local settings):
what a person trying `make run` does, from the sign-in e-mail to a filed claim with a photo."""

from tests.support.embedded import embedded_env, manage

FLOW = r"""
import io, json, re
from pathlib import Path
from django.conf import settings
from django.db import connection
from django.test import Client
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from claims.models import Claim, Outbox
from claims.outbox import deliver
from tests.factories import OrderLineFactory
from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url

assert connection.vendor == "sqlite"
line = OrderLineFactory()
client = Client()
client.get("/claim/sign-in/")
order = line.order
client.post("/claim/sign-in/", {"order_number": order.number, "email": order.customer.email})
for message in Outbox.objects.filter(done_at__isnull=True):
    deliver(message_id=message.pk)
copies = sorted(Path(settings.DEMO_MAIL_DIR).glob("*.json"))
body = json.loads(copies[-1].read_text())["body"]
link = re.search(r"http://\S+?(/claim/sign-in/link/\S+)", body).group(1)
assert client.post(link).status_code == 302
assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
assert client.post(step_url(line, "losses"), losses_data()).status_code == 302
out = io.BytesIO(); Image.new("RGB", (80, 60), (200, 0, 0)).save(out, "JPEG")
photo = SimpleUploadedFile("p.jpg", out.getvalue(), "image/jpeg")
upload = client.post(step_url(line, "evidence"), {"kind": "damage_photo", "files": [photo]})
assert upload.status_code == 302
response = client.post(step_url(line, "review"), DECLARATIONS)
claim = Claim.objects.get()
assert response["Location"].endswith(f"/claim/c/{claim.reference}/submitted/"), response.status_code
assert claim.evidence.count() == 1
assert client.get(f"/claim/c/{claim.reference}/").status_code == 200
print("PORTAL SMOKE OK", claim.reference)
"""


def test_portal_journey_on_a_fresh_sqlite_database(tmp_path):
    # The embedded cache is a folder shared by every run: keep the limits out of the way.
    limits = (
        "SIGNIN_PER_IP_PER_HOUR",
        "SIGNIN_PER_ORDER_PER_HOUR",
        "SUBMISSIONS_PER_CUSTOMER_PER_DAY",
        "SUBMISSIONS_PER_IP_PER_DAY",
        "UPLOADS_PER_CUSTOMER_PER_DAY",
    )
    env = embedded_env(
        tmp_path,
        database="portal.sqlite3",
        DJANGO_DEBUG="0",
        **{f"PORTAL_{name}": "1000000" for name in limits},
    )

    manage(env, "migrate", "--noinput")
    assert "PORTAL SMOKE OK PL-US-" in manage(env, "shell", "--no-imports", "-c", FLOW)
