from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.importer import ImportFailed, orders_import


class Command(BaseCommand):
    help = (
        "Import orders from the marketplace's order system (CSV or JSON Lines, one order line "
        "per row). Every row is validated first; if any row is bad, nothing is imported and "
        "each problem is reported with its line number. See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=["csv", "jsonl"],
            help="Defaults to the file's extension (.csv, .jsonl or .json).",
        )

    def handle(self, *args, file: Path, format: str | None, **options):
        fmt = format or {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}.get(
            file.suffix.lower()
        )
        if fmt is None:
            raise CommandError("Cannot tell the format from the extension; pass --format.")
        try:
            data = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = orders_import(data=data, fmt=fmt)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {file}; nothing was imported."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} order line(s): {result.orders} order(s), "
                f"{result.customers} customer(s), {result.products} product(s), "
                f"{result.sellers} seller(s)."
            )
        )
