from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from safety.exceptions import SafetyError
from safety.models import RecallSource, Regulator
from safety.recalls import recalls_import


class Command(BaseCommand):
    help = (
        "Import a recall list (the CPSC recall API's JSON, or a CSV) and act on every new "
        "product match: an alert, the open claims tagged, the customers told."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", choices=RecallSource.values, default=RecallSource.CPSC)
        parser.add_argument("--regulator", default="cpsc", help="regulator code, e.g. cpsc")
        parser.add_argument("--as", dest="username", required=True, help="staff user importing")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.has_perm("safety.import_recall"):
            raise CommandError("That user does not exist or may not import recall lists.")
        regulator = Regulator.objects.filter(code=options["regulator"]).first()
        if regulator is None:
            raise CommandError(f"Unknown regulator {options['regulator']!r}.")
        with open(options["path"], encoding="utf-8-sig") as handle:
            text = handle.read()
        try:
            result = recalls_import(
                text=text, source=options["format"], regulator=regulator, user=user
            )
        except SafetyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.recalls} recall(s) read, {result.new_recalls} new, "
            f"{len(result.matches)} new product match(es)."
        )
