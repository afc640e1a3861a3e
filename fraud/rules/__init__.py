"""The fraud rules: each a code, a description, a default weight and default parameters, and a
function that looks at one claim and returns a ``Finding`` (the inputs it used and a sentence an
analyst can read) or ``None``. Analysts change weights and parameters in the database
(``fraud.Rule``); the code here only provides the defaults.

Every lookup a rule makes is index-backed (see the indexes in ``fraud.models`` and
``claims.models``), so scoring takes the same time with ten thousand or a million claims.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    explanation: str
    inputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    code: str
    description: str
    weight: int
    params: dict
    evaluate: Callable[..., Finding | None]


REGISTRY: dict[str, RuleSpec] = {}


def rule(*, code: str, description: str, weight: int, params: dict | None = None):
    def register(func: Callable[..., Finding | None]) -> Callable[..., Finding | None]:
        if code in REGISTRY:
            raise RuntimeError(f"Two fraud rules with code {code!r}")
        REGISTRY[code] = RuleSpec(code, description, weight, dict(params or {}), func)
        return func

    return register


def refs(references: list[str], limit: int = 5) -> str:
    shown = ", ".join(references[:limit])
    return shown + (", …" if len(references) > limit else "")


# Register the rules (explicit modules, imported once).
from fraud.rules import identity, photos, timing  # noqa: E402, F401
