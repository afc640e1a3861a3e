"""Issue 19: staff may sign in with a second factor (django-otp); supervisors must."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _sign_in(client, username, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": "pw", "otp_token": token, "next": "/admin/"},
    )


def test_staff_without_a_device_sign_in_with_a_password(client, agent):
    response = _sign_in(client, "agent")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_supervisor_without_a_device_cannot_sign_in(client, supervisor):
    response = _sign_in(client, "supervisor")
    assert response.status_code == 200
    assert "none is set up for you yet" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_supervisor_signs_in_with_password_and_authenticator_code(client, supervisor):
    # given
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    # when: the password alone, a wrong code, then the right one
    alone = _sign_in(client, "supervisor")
    wrong = _sign_in(client, "supervisor", "000000" if totp_now(device) != "000000" else "111111")
    throttled = _sign_in(client, "supervisor", totp_now(device))
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5)
    )
    right = _sign_in(client, "supervisor", totp_now(device))
    # then: each refusal says what to do; a wrong code slows the next try down
    assert alone.status_code == 200 and "Enter the code" in alone.content.decode()
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert "Too many wrong codes" in throttled.content.decode()
    assert right.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/staff/dashboard/").status_code == 200


def test_a_backup_code_works_once(client, supervisor):
    backup = StaticDevice.objects.create(user=supervisor, name="backup", confirmed=True)
    backup.token_set.create(token="abcd2345")
    assert _sign_in(client, "supervisor", "abcd2345").status_code == 302
    client.logout()
    again = _sign_in(client, "supervisor", "abcd2345")
    assert again.status_code == 200 and "has been used" in again.content.decode()


def test_an_agent_who_set_up_a_device_must_use_it(client, agent):
    TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    assert _sign_in(client, "agent").status_code == 200


def test_the_admin_shows_the_authenticator_key_as_a_qr_code(client, supervisor, admin_user):
    # given: an administrator setting up a supervisor's authenticator
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=False)
    client.force_login(admin_user)
    # when
    response = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))
    # then
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg")
