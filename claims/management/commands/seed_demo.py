from django.core.management.base import BaseCommand

from claims.demo import (
    DEMO_BACKUP_CODES,
    DEMO_CUSTOMER_EMAIL,
    DEMO_ORDER_NUMBER,
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_second_factor,
    demo_seed,
    is_seeded,
)
from claims.demo_access import demo_regional_logins


class Command(BaseCommand):
    help = "Build the deterministic demo data set (once) and print the demo logins."

    def handle(self, *args, **options):
        if is_seeded():
            self.stdout.write("Demo data is already there.")
        else:
            summary = demo_seed()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {summary['claims']} claims, {summary['orders']} orders, "
                    f"{summary['sellers']} sellers."
                )
            )
        self.stdout.write(
            "\nDemo logins (staff pages: http://127.0.0.1:8000/staff/login/; "
            "the admin, for inspecting and correcting data: /admin/):"
        )
        for username, role, superuser in DEMO_USERS:
            label = role or ("superuser" if superuser else "")
            self.stdout.write(f"  {username:<11} / {DEMO_PASSWORD}   ({label})")
        for username, codes in demo_regional_logins():
            self.stdout.write(
                f"  {username:<11} / {DEMO_PASSWORD}   (Claims agent, only region {codes})"
            )
        app = demo_second_factor()
        self.stdout.write(
            "\nThe supervisor signs in with a second factor too. The code for the form:\n"
            "  python manage.py demo_code        (prints the current six digits)\n"
            f"  or add this to an authenticator app: {app.config_url}\n"
            f"  or a backup code (each works once a run): {', '.join(DEMO_BACKUP_CODES[:3])} …"
        )
        self.stdout.write(
            f"\nDemo customer: order {DEMO_ORDER_NUMBER}, e-mail {DEMO_CUSTOMER_EMAIL}\n"
        )
        from api.demo import demo_api_clients

        self.stdout.write("Demo API keys (http://127.0.0.1:8000/api/v1/docs/):")
        for client, secret in demo_api_clients():
            self.stdout.write(f"  {client.name:<18} {secret}   ({client.get_kind_display()})")
        self.stdout.write("")
