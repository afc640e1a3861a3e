from django.core.management.base import BaseCommand, CommandError

from claims.catalogues import catalogue_problems


class Command(BaseCommand):
    help = (
        "Fail on fuzzy entries and placeholder mismatches (%(name)s, %s, {name}) in every "
        "translation catalogue of LANGUAGES, and on regional entries their parent lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("languages", nargs="*", help="Language codes (default: LANGUAGES).")

    def handle(self, *args, languages=None, **options):
        problems = catalogue_problems(languages or None)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} catalogue problem(s).")
        self.stdout.write("Catalogues: no fuzzy entry, every placeholder kept.")
