"""The fraud rules: each a code, a translatable name (``label``, shown wherever a rule is
named), a description, a default weight and default parameters, a function that looks at one
claim and returns a ``Finding`` (the facts it found, as JSON-able ``inputs``) or ``None``, and a
function that writes those facts as a sentence an analyst can read (``explains``). The sentence
is written again whenever a hit is shown (``explain``), in the reader's language and time zone;
the one stored at scoring time is the fallback for facts an older version did not keep.
Analysts change weights and parameters in the database (``fraud.Rule``); the code here only
provides the defaults.

Every lookup a rule makes is index-backed (see the indexes in ``fraud.models`` and
``claims.models``), so scoring takes the same time with ten thousand or a million claims.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

from claims_site.bounds import MAX_DAYS
from fraud.models import AttributeKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    inputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    code: str
    label: str  # lazy translation
    description: str
    weight: int
    params: dict
    evaluate: Callable[..., Finding | None]
    describe: Callable[[dict], str] | None = None


REGISTRY: dict[str, RuleSpec] = {}


def rule(*, code: str, label: str, description: str, weight: int, params: dict | None = None):
    def register(func: Callable[..., Finding | None]) -> Callable[..., Finding | None]:
        if code in REGISTRY:
            raise RuntimeError(f"Two fraud rules with code {code!r}")
        REGISTRY[code] = RuleSpec(code, label, description, weight, dict(params or {}), func)
        return func

    return register


def explains(code: str):
    """Register the function that writes rule ``code``'s facts as a sentence (in the language
    and time zone active when it is called)."""

    def register(func: Callable[[dict], str]) -> Callable[[dict], str]:
        REGISTRY[code] = replace(REGISTRY[code], describe=func)
        return func

    return register


def rule_label(code: str) -> str:
    spec = REGISTRY.get(code)
    return str(spec.label) if spec else code


def params_taken(code: str) -> dict:
    """The parameters rule ``code`` takes, with their defaults (none for a code no rule has)."""
    spec = REGISTRY.get(code)
    return spec.params if spec else {}


@dataclass(frozen=True)
class Param:
    """What one parameter of a rule means: its label, naming its unit, shown wherever the
    parameter is (the rules list, the edit form, the history), and the values it takes: a
    whole number from ``minimum`` to ``maximum``, or with ``choices`` a non-empty list of
    them. ``fraud.services.rule_params_problems`` checks a value against it."""

    label: str  # lazy translation
    minimum: int = 0
    maximum: int = MAX_DAYS  # days and counts: scoring's date arithmetic never overflows
    choices: tuple[tuple[str, str], ...] = ()


# Every parameter a rule takes (no parameter is an amount of money).
PARAMS = {
    "band_percent": Param(_("Band under the threshold (%)"), maximum=100),
    "days_after_purchase": Param(_("Days after the purchase")),
    "grace_days": Param(_("Days of grace")),
    "kinds": Param(_("Details compared"), choices=tuple(AttributeKind.choices)),
    "max_age_days": Param(_("Account younger than (days)")),
    # A photo's fingerprint has 64 bits.
    "max_distance": Param(_("Largest difference between photos (bits)"), maximum=64),
    "min_claims": Param(_("Claims at least"), minimum=1),
    "min_customers": Param(_("Customers at least"), minimum=1),
    "window_days": Param(_("Window (days)")),
}


def params_shown(params: dict) -> list[tuple[str, str]]:
    """A rule's parameters as (label, value) in the reader's language; an unknown key as is."""

    def value(key, v) -> str:
        if key == "kinds" and isinstance(v, list):
            return ", ".join(
                str(AttributeKind(k).label) if k in AttributeKind.values else str(k) for k in v
            )
        if isinstance(v, dict):
            return ", ".join(f"{k}: {value(k, w)}" for k, w in v.items())
        return ", ".join(map(str, v)) if isinstance(v, list) else str(v)

    if not isinstance(params, dict):  # not written by this code: shown as it is
        return [(str(_("Parameters")), value("", params))]
    return [
        (str(PARAMS[key].label) if key in PARAMS else key, value(key, v))
        for key, v in params.items()
    ]


def explain(code: str, inputs: dict, fallback: str = "") -> str:
    """Rule ``code``'s facts as a sentence in the reader's language; ``fallback`` (the sentence
    stored at scoring time) when the facts lack something the sentence needs."""
    spec = REGISTRY.get(code)
    if spec is None or spec.describe is None:
        return fallback
    try:
        return spec.describe(inputs)
    except (KeyError, TypeError, ValueError, IndexError):
        if not fallback:
            logger.warning("Fraud rule %s cannot explain its stored facts", code)
        return fallback


def refs(references: list[str], limit: int = 5) -> str:
    shown = ", ".join(references[:limit])
    return shown + (", …" if len(references) > limit else "")


# Register the rules (explicit modules, imported once).
from fraud.rules import identity, photos, timing  # noqa: E402, F401
