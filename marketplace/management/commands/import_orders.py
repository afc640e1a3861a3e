from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.importer import ImportFailed, orders_import

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}


def _read(file: Path, fmt: str | None) -> tuple[str, str]:
    fmt = fmt or FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise CommandError(f"Cannot tell the format of {file} from its extension; pass --format.")
    try:
        return file.read_text(encoding="utf-8-sig"), fmt
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {file}: {exc}") from exc


class Command(BaseCommand):
    help = (
        "Import orders from the marketplace's order system (CSV or JSON Lines, one order line "
        "per row), and/or the sellers' monthly gross proceeds (--gross, one row per seller and "
        "month). Every row is validated first; if any row is bad, nothing is imported and "
        "each problem is reported with its line number. See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", help="The order lines.")
        parser.add_argument(
            "--format",
            choices=["csv", "jsonl"],
            help="Defaults to the file's extension (.csv, .jsonl or .json).",
        )
        parser.add_argument(
            "--gross",
            type=Path,
            help="The sellers' monthly gross proceeds (seller_id, month, currency, "
            "gross_proceeds); its format follows its extension.",
        )

    def handle(self, *args, file: Path | None, format: str | None, gross: Path | None, **options):
        if file is None and gross is None:
            raise CommandError("Give an orders file, --gross FILE, or both.")
        data, fmt = _read(file, format) if file else (None, format or "csv")
        gross_data, gross_fmt = _read(gross, None) if gross else (None, None)
        try:
            result = orders_import(data=data, fmt=fmt, gross=gross_data, gross_fmt=gross_fmt)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            names = " and ".join(str(f) for f in (file, gross) if f)
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {names}; nothing was imported."
            ) from None
        if file:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {result.rows} order line(s): {result.orders} order(s), "
                    f"{result.customers} customer(s), {result.products} product(s), "
                    f"{result.sellers} seller(s)."
                )
            )
        if gross:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {result.gross_months} seller month(s) of gross proceeds."
                )
            )
