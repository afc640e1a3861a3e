"""A second factor for staff (django-otp): an authenticator app (TOTP) with single-use backup
codes. Anyone on the staff may have one; supervisors must (they decide money, policy and
sellers), so a supervisor without a confirmed device cannot sign in at all until an
administrator sets one up (admin: *TOTP devices*, which shows the QR code).

The code goes in the same sign-in form as the password: six digits from the app, or an
eight-character backup code (admin: *Static devices*).
"""

import re

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims import roles

APP_CODE = re.compile(r"\d{6}")


def second_factor_required(user) -> bool:
    return user.groups.filter(name=roles.SUPERVISOR).exists()


def second_factor_devices(user) -> tuple[list, list]:
    """The user's confirmed authenticator apps and backup-code sets."""
    apps = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    backups = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    return apps, backups


class StaffLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_("Six digits, or one of your backup codes. Leave empty if you have none."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "code_needed": _("Enter the code from your authenticator app, or a backup code."),
        "code_wrong": _(
            "That code is not right or has been used. Check the time on your phone and "
            "enter the newest code, or use a backup code."
        ),
        "code_throttled": _(
            "Too many wrong codes in a row: wait a few seconds, then enter the newest code."
        ),
        "device_needed": _(
            "Supervisors sign in with a second factor, and none is set up for you yet. Ask an "
            "administrator to add an authenticator for your account (admin: TOTP devices)."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        apps, backups = second_factor_devices(user)
        if not apps and not backups:
            if second_factor_required(user):
                raise forms.ValidationError(
                    self.error_messages["device_needed"], code="device_needed"
                )
            return
        token = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if not token:
            raise forms.ValidationError(self.error_messages["code_needed"], code="code_needed")
        # The code's shape says which device it is for: a wrong code throttles only that one.
        devices = apps if APP_CODE.fullmatch(token) else backups
        throttled = False
        for device in devices:
            allowed, _extra = device.verify_is_allowed()
            throttled = throttled or not allowed
            if allowed and device.verify_token(token):
                user.otp_device = device  # django-otp records it in the session on login
                return
        code = "code_throttled" if throttled else "code_wrong"
        raise forms.ValidationError(self.error_messages[code], code=code)
