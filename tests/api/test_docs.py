"""The schema and the interactive docs: served here, no CDN, within the site's CSP."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_schema_is_public_openapi_3(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert body["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert "Problem" in body["components"]["schemas"]
    assert client.head("/api/v1/schema/").status_code == 200


def test_docs_load_only_vendored_files_under_a_strict_csp(client):
    # when
    response = client.get("/api/v1/docs/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "script-src 'self' 'unsafe-inline'" not in csp
    assert "<script>" not in html  # no inline script: the start script has its own URL
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    start = next(s for s in sources if "script=" in s)
    script = client.get(start)
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert client.head("/api/v1/docs/").status_code == 200


def test_the_rest_of_the_site_keeps_its_strict_csp(client):
    response = client.get("/")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
