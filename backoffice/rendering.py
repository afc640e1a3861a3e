"""The queue's table rows, rendered in Python.

The queue is the page staff load all day and the one measured at a million claims
(benchmarks/queue.py). Rendering its rows through the template language cost several times
the database work (about 36 variable lookups per row, each a chain of dict/attr/index tries);
building them with ``format_html`` (every value escaped) keeps the page's cost close to its
queries. Everything else on the page stays in templates.
"""

import datetime as dt
import html

from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from backoffice.models import SlaClock
from backoffice.sla import ClockState
from claims.models import ClaimStatus, RiskLevel
from claims.money import format_minor, reader_locale
from claims_site.dates import format_moment


class _Keep(dict):
    """format_map that leaves unknown fields (the per-row ones) in place."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def escape(value) -> str:
    """What django.utils.html.escape returns (it calls html.escape), without its lazy-string
    wrapper, which costs more than the escaping at a few hundred values a page."""
    return html.escape(str(value))


# The Django format characters the site's date formats use, read off a local datetime. A page
# of 50 rows shows about 120 moments; dateformat.format parses the format string and builds a
# formatter for each one (about 20 µs), these pieces cost a tenth of that.
_PIECES = {
    "j": lambda d, months: str(d.day),
    "d": lambda d, months: f"{d.day:02d}",
    "n": lambda d, months: str(d.month),
    "m": lambda d, months: f"{d.month:02d}",
    "M": lambda d, months: months[d.month],
    "Y": lambda d, months: str(d.year),
    "H": lambda d, months: f"{d.hour:02d}",
    "i": lambda d, months: f"{d.minute:02d}",
    "T": lambda d, months: d.tzname() or "",
}


class Dates:
    """The site's one date format (claims_site/formats) in the viewer's time zone, for a page:
    the formats and month names looked up once, each moment then put together from pieces.
    A format with a character not in ``_PIECES`` goes to ``format_moment`` as is; either way
    the zone is the moment's own (``tzname`` knows which of a repeated hour it is)."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.months = {m: dateformat.format(dt.date(2000, m, 1), "M") for m in range(1, 13)}
        self.moment = self._compile(get_format("DATETIME_FORMAT"))
        self.day = self._compile(get_format("MONTH_DAY_FORMAT"))

    @staticmethod
    def _compile(fmt: str):
        if "\\" in fmt or any(c.isalpha() and c not in _PIECES for c in fmt):
            return fmt
        return [_PIECES.get(c, c) for c in fmt]

    def __call__(self, moment, short: bool = False) -> str:
        local = moment.astimezone(self.zone)
        pieces = self.day if short else self.moment
        if isinstance(pieces, str):
            return format_moment(local, pieces)
        return "".join(p if isinstance(p, str) else p(local, self.months) for p in pieces)


def _badges(clocks: list[ClockState], words: dict[str, str], dates: Dates) -> str:
    return " ".join(
        '<span class="badge {0}" title="{1}: {2}">{1}: {3}</span>'.format(
            escape(c.state),
            escape(words[c.clock]),
            escape(dates(c.due)),
            escape(words.get(c.state) or dates(c.due, short=True)),
        )
        for c in clocks
    )


def queue_rows_html(
    rows: list[dict], *, claim_prefix: str, ticked: frozenset | set = frozenset()
) -> SafeString:
    """``<tr>`` elements for the queue table; ``rows`` as built by the queue view; the claims
    of ``ticked`` (ids) come ticked (a bulk action refused keeps what was ticked)."""
    labels = {
        "select": _("Select"),
        "claim": _("Claim"),
        "status": _("Status"),
        "submitted": _("Submitted"),
        "customer": _("Customer / product"),
        "seller": _("Seller"),
        "claimed": _("Claimed"),
        "risk": _("Risk"),
        "assignee": _("Assignee"),
        "sla": _("SLA"),
    }
    # Translated once per page, not once per row: each lazy label costs a catalogue lookup.
    statuses = {value: str(label) for value, label in ClaimStatus.choices}
    risks = {value: str(label) for value, label in RiskLevel.choices}
    words = {value: str(label) for value, label in SlaClock.choices}
    words.update({"breached": _("breached"), "at-risk": _("at risk")})
    # The row's markup with its (escaped) labels filled in once; per row only values remain.
    row_template = (
        '<tr class="sla-{sla}">'
        '<td data-label="{l_select}"><input type="checkbox" name="claims" value="{pk}"'
        ' form="bulk" aria-label="{l_select} {ref}"{checked}></td>'
        '<td data-label="{l_claim}"><a href="{prefix}{pk}/">{ref}</a>{tags}</td>'
        '<td data-label="{l_status}">{status}</td>'
        '<td data-label="{l_submitted}">{submitted}</td>'
        '<td data-label="{l_customer}">{customer}<br><small>{product}</small></td>'
        '<td data-label="{l_seller}">{seller}</td>'
        '<td data-label="{l_claimed}" class="num">{amount}</td>'
        '<td data-label="{l_risk}">{risk}</td>'
        '<td data-label="{l_assignee}">{assignee}</td>'
        '<td data-label="{l_sla}">{badges}</td></tr>'
    )
    fixed = {f"l_{key}": escape(value) for key, value in labels.items()}
    fixed["prefix"] = escape(claim_prefix)
    row_template = row_template.format_map(_Keep(fixed))
    dates = Dates()
    # The reader's Babel locale, parsed once for the page's amounts (each parse costs more than
    # the formatting it serves).
    locale = reader_locale()
    out = []
    for row in rows:
        c = row["claim"]
        tags = "".join(f' <span class="tag">{escape(name)}</span>' for name in c.tag_names)
        if c.risk_level:
            score = f" ({c.risk_score})" if c.risk_score is not None else ""
            level = escape(c.risk_level)
            risk = f'<span class="risk {level}">{escape(risks[c.risk_level])}{score}</span>'
        else:
            risk = "—"
        out.append(
            row_template.format(
                sla=escape(row["sla"]),
                pk=int(c.pk),
                checked=" checked" if c.pk in ticked else "",
                ref=escape(c.reference),
                tags=tags,
                status=escape(statuses[c.status]),
                submitted=escape(dates(c.submitted_at)),
                customer=escape(c.customer_name),
                product=escape(c.product_title),
                seller=escape(c.seller_name),
                amount=escape(format_minor(c.claimed_total_minor, c.currency, locale=locale)),
                risk=risk,
                assignee=escape(c.assignee_username) if c.assignee_username else "—",
                badges=_badges(row["clocks"], words, dates),
            )
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
