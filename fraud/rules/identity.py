"""Who is claiming: velocity, shared attributes, watchlists, collusion."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from claims.models import Claim
from fraud.models import AttributeKind, WatchlistEntry
from fraud.rules import Finding, refs, rule

KIND_LABELS = dict(AttributeKind.choices)


def _velocity(ctx, *, kind: str, params: dict, sentence: str) -> Finding | None:
    window = int(params.get("window_days", 60))
    minimum = int(params.get("min_claims", 3))
    since = ctx.now - dt.timedelta(days=window)
    for value in ctx.attributes.get(kind, []):
        rows = ctx.others_with(kind=kind, value=value, since=since)
        total = len({claim_id for claim_id, _r, _c in rows}) + 1
        if total >= minimum:
            references = [ref for _i, ref, _c in rows]
            return Finding(
                explanation=sentence
                % {"n": total, "days": window, "refs": refs(references), "value": value},
                inputs={
                    "value": value,
                    "claims": total,
                    "window_days": window,
                    "references": references[:20],
                },
            )
    return None


@rule(
    code="velocity_customer",
    description=gettext_noop("Many claims from the same customer in a window"),
    weight=20,
    params={"window_days": 60, "min_claims": 3},
)
def velocity_customer(ctx, params: dict) -> Finding | None:
    window = int(params.get("window_days", 60))
    minimum = int(params.get("min_claims", 3))
    since = ctx.now - dt.timedelta(days=window)
    references = list(
        Claim.objects.filter(customer_id=ctx.claim.customer_id, submitted_at__gte=since)
        .exclude(pk=ctx.claim.pk)
        .order_by("-submitted_at")
        .values_list("reference", flat=True)[:50]
    )
    total = len(references) + 1
    if total < minimum:
        return None
    return Finding(
        explanation=_("%(n)d claims from this customer in %(days)d days: %(refs)s")
        % {"n": total, "days": window, "refs": refs(references)},
        inputs={"claims": total, "window_days": window, "references": references[:20]},
    )


@rule(
    code="velocity_address",
    description=gettext_noop("Many claims from the same postal address in a window"),
    weight=25,
    params={"window_days": 60, "min_claims": 3},
)
def velocity_address(ctx, params: dict) -> Finding | None:
    return _velocity(
        ctx,
        kind=AttributeKind.ADDRESS,
        params=params,
        sentence=_("%(n)d claims from this address in %(days)d days: %(refs)s"),
    )


@rule(
    code="velocity_payout",
    description=gettext_noop("Many claims paid to the same payout account in a window"),
    weight=25,
    params={"window_days": 60, "min_claims": 3},
)
def velocity_payout(ctx, params: dict) -> Finding | None:
    return _velocity(
        ctx,
        kind=AttributeKind.PAYOUT,
        params=params,
        sentence=_("%(n)d claims to this payout account in %(days)d days: %(refs)s"),
    )


@rule(
    code="shared_identity",
    description=gettext_noop(
        "E-mail, phone, address, payout account, device or IP shared with other customers"
    ),
    weight=25,
    params={"kinds": ["email", "phone", "address", "payout", "device", "ip"]},
)
def shared_identity(ctx, params: dict) -> Finding | None:
    kinds = set(params.get("kinds") or AttributeKind.values)
    parts, shared = [], []
    for (kind, value), rows in ctx.linked.items():
        if kind not in kinds:
            continue
        others = [(ref, c) for _i, ref, c in rows if c != ctx.claim.customer_id]
        customers = {c for _ref, c in others}
        if not customers:
            continue
        references = [ref for ref, _c in others]
        parts.append(
            ngettext(
                "%(kind)s “%(value)s” with %(n)d other customer (%(refs)s)",
                "%(kind)s “%(value)s” with %(n)d other customers (%(refs)s)",
                len(customers),
            )
            % {
                "kind": KIND_LABELS[kind],
                "value": value,
                "n": len(customers),
                "refs": refs(references),
            }
        )
        shared.append(
            {
                "kind": kind,
                "value": value,
                "customers": len(customers),
                "references": references[:20],
            }
        )
    if not parts:
        return None
    return Finding(
        explanation=_("Shares %(what)s.") % {"what": "; ".join(parts)}, inputs={"shared": shared}
    )


@rule(
    code="watchlist",
    description=gettext_noop("An attribute of the claim is on a watchlist"),
    weight=40,
)
def watchlist(ctx, params: dict) -> Finding | None:
    from django.db.models import Q

    pairs = [(k, v) for k, values in ctx.attributes.items() for v in values]
    if not pairs:
        return None
    match = Q()
    for kind, value in pairs:
        match |= Q(kind=kind, value=value)
    entries = list(
        WatchlistEntry.objects.filter(match)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=ctx.now))
        .order_by("kind", "value")[:20]
    )
    if not entries:
        return None
    parts = [
        _("%(kind)s “%(value)s” (%(reason)s)")
        % {"kind": KIND_LABELS[e.kind], "value": e.value, "reason": e.reason}
        for e in entries
    ]
    return Finding(
        explanation=_("On the watchlist: %(items)s.") % {"items": "; ".join(parts)},
        inputs={"entries": [{"id": e.pk, "kind": e.kind, "value": e.value} for e in entries]},
    )


@rule(
    code="seller_collusion",
    description=gettext_noop("Several linked customers claiming against the same seller"),
    weight=30,
    params={"window_days": 180, "min_customers": 3},
)
def seller_collusion(ctx, params: dict) -> Finding | None:
    window = int(params.get("window_days", 180))
    minimum = int(params.get("min_customers", 3))
    linked = ctx.linked_customer_ids
    if len(linked) + 1 < minimum:
        return None
    rows = list(
        Claim.objects.filter(
            seller_id=ctx.claim.seller_id,
            customer_id__in=sorted(linked),
            submitted_at__gte=ctx.now - dt.timedelta(days=window),
        )
        .exclude(pk=ctx.claim.pk)
        .values_list("reference", "customer_id")[:50]
    )
    customers = {c for _r, c in rows} | {ctx.claim.customer_id}
    if len(customers) < minimum:
        return None
    references = [r for r, _c in rows]
    return Finding(
        explanation=_(
            "%(n)d linked customers claimed against seller %(seller)s in %(days)d days: %(refs)s"
        )
        % {
            "n": len(customers),
            "seller": ctx.claim.seller.legal_name,
            "days": window,
            "refs": refs(references),
        },
        inputs={
            "customers": len(customers),
            "seller_id": ctx.claim.seller_id,
            "window_days": window,
            "references": references[:20],
        },
    )
