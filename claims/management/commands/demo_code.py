from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Demo mode only: print the current authenticator code of a demo user (supervisor)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="supervisor")

    def handle(self, *args, username: str, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Only in demo mode: real accounts read codes from their own app.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator (run seed_demo).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
