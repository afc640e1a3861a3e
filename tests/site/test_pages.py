import pytest
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_home_and_healthz(client):
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "healthz", "portal:sign-in", "portal:home"])
def test_head_is_answered_wherever_get_is(client, name):
    # issue 19: HEAD answered 405 on every page, /healthz included (load balancers use it).
    get = client.get(reverse(name))
    head = client.head(reverse(name))
    assert head.status_code == get.status_code != 405
    assert head.content == b""


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_custom_404_page_has_no_internals(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_dates_follow_the_viewer_time_zone_cookie(client):
    from django.utils import timezone

    client.cookies["tz"] = "Europe/Madrid"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert str(timezone.get_current_timezone()) != "Europe/Madrid"  # reset after the request
    client.cookies["tz"] = "Not/AZone"
    assert client.get(reverse("home")).status_code == 200


def test_error_500_template_renders_without_context():
    from claims_site.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_error_500_page_has_the_favicon_and_the_product_name():
    # found in the tryout: every other page has the mark as its favicon and beside the name,
    # the 500 page had neither (the browser then asks for /favicon.ico, which does not exist)
    from claims_site.views import server_error

    html = server_error(None).content.decode()
    assert '<link rel="icon" href="/static/img/mark.svg" type="image/svg+xml">' in html
    assert 'href="/static/img/favicon-32.png"' in html
    assert "Product Safety Guarantee" in html and 'src="/static/img/mark.svg"' in html


def test_error_500_page_is_in_the_readers_language():
    # given: a French reader (LocaleMiddleware has activated the language before any view runs)
    from django.utils import translation

    from claims_site.views import server_error

    # when
    with translation.override("fr"):
        html = server_error(None).content.decode()
    # then: their words and language, and no promise about what was kept
    assert '<html lang="fr">' in html
    assert "Something went wrong" not in html
    assert "lost on purpose" not in html


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_mark(client):
    # found in the tryout: a PDF or photo opened on its own makes the browser ask for
    # /favicon.ico, which answered 404
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon-32.png")
    assert client.head("/favicon.ico").status_code == 301
