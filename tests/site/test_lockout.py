"""Issue 19: the staff sign-in lockout cannot be aimed at someone. Wrong passwords lock a
user name from one address only; a slower limit per user name counts every address."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

A, B, C = "203.0.113.1", "203.0.113.2", "198.51.100.3"


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_FAILURES_PER_USERNAME = 6


@pytest.fixture
def staff(db):
    users = get_user_model().objects
    return [
        users.create_user(username=name, password="right-pass-1", is_staff=True)
        for name in ("pat", "sam")
    ]


def _sign_in(client, username, password, ip):
    client.logout()
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_wrong_passwords_lock_that_user_name_from_that_address(client, staff):
    # given: three wrong passwords for pat from address A (the third one pauses)
    assert [_sign_in(client, "pat", "wrong", A).status_code for _ in range(3)] == [200, 200, 429]
    # when: pat tries again from A, even with the right password
    response = _sign_in(client, "pat", "right-pass-1", A)
    # then: the project's own lockout page, saying what to do
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html and "What to do" in html and "15 minutes" in html
    assert '<html lang="en">' in html  # the site's layout, not bare text


def test_the_same_user_still_signs_in_from_another_address(client, staff):
    for _ in range(4):
        _sign_in(client, "pat", "wrong", A)
    # when / then: pat at their own desk (address B) is not locked out
    response = _sign_in(client, "pat", "right-pass-1", B)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_another_user_behind_the_same_address_still_signs_in(client, staff):
    for _ in range(4):
        _sign_in(client, "pat", "wrong", A)
    response = _sign_in(client, "sam", "right-pass-1", A)
    assert response.status_code == 302


def test_a_slower_limit_per_user_name_counts_every_address(client, staff):
    # given: six wrong passwords for pat, two from each of three addresses (none locked alone)
    for ip in (A, B, C):
        for _ in range(2):
            assert _sign_in(client, "pat", "wrong", ip).status_code == 200
    # when: pat from a fourth address, with the right password
    response = _sign_in(client, "pat", "right-pass-1", "192.0.2.44")
    # then: paused everywhere until the cool-off ends; another user is not affected
    assert response.status_code == 429
    assert _sign_in(client, "sam", "right-pass-1", "192.0.2.44").status_code == 302


def test_a_user_name_with_a_nul_byte_is_refused_not_a_500(client, staff):
    response = _sign_in(client, "pat\x00", "wrong", A)
    assert response.status_code == 200
