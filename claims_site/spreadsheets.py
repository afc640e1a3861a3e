"""CSV that is safe to open in a spreadsheet, streamed row by row."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ tab or CR as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class Echo:
    """A write-only buffer for csv.writer whose writes return the line (streaming responses)."""

    def write(self, value: str) -> str:
        return value
