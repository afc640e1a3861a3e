import re
from collections import Counter
import pytest
from tests.sellers.helpers import awaiting, LINK
from tests.factories import certificate_form_data
from django.urls import reverse
pytestmark = pytest.mark.django_db

def test_probe(client):
    claim, path = awaiting()
    body = client.get(path).content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', body))
    print({k: v for k, v in ids.items() if v > 1})
    token = LINK.search(path).group("token")
    r = client.post(reverse("sellers:insurance", args=[claim.reference, token]), certificate_form_data(policy_number="GL-4711"))
    body = r.content.decode()
    open("/tmp/si/cert.html","w").write(body)
    ids = Counter(re.findall(r'\bid="([^"]+)"', body))
    print({k: v for k, v in ids.items() if v > 1})
    r = client.post(path, {"decision": "dispute"})
    body = r.content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', body))
    print(r.status_code, {k: v for k, v in ids.items() if v > 1})
