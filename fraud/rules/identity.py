"""Who is claiming: velocity, shared attributes, watchlists, collusion."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from claims.models import Claim
from fraud.models import AttributeKind, WatchlistEntry
from fraud.rules import Finding, explains, refs, rule

KIND_LABELS = dict(AttributeKind.choices)


def _velocity(ctx, *, kind: str, params: dict) -> Finding | None:
    window = int(params.get("window_days", 60))
    minimum = int(params.get("min_claims", 3))
    since = ctx.now - dt.timedelta(days=window)
    for value in ctx.attributes.get(kind, []):
        rows = ctx.others_with(kind=kind, value=value, since=since)
        total = len({claim_id for claim_id, _r, _c in rows}) + 1
        if total >= minimum:
            references = [ref for _i, ref, _c in rows]
            return Finding(
                inputs={
                    "value": value,
                    "claims": total,
                    "window_days": window,
                    "references": references[:20],
                },
            )
    return None


def _counted(inputs: dict) -> dict:
    return {
        "n": inputs["claims"],
        "days": inputs["window_days"],
        "refs": refs(inputs["references"]),
    }


@rule(
    code="velocity_customer",
    label=gettext_lazy("Repeat claims by one customer"),
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
        inputs={"claims": total, "window_days": window, "references": references[:20]},
    )


@explains("velocity_customer")
def velocity_customer_explain(inputs: dict) -> str:
    return ngettext(
        "%(n)d claim from this customer in %(days)d days: %(refs)s",
        "%(n)d claims from this customer in %(days)d days: %(refs)s",
        inputs["claims"],
    ) % _counted(inputs)


@rule(
    code="velocity_address",
    label=gettext_lazy("Repeat claims from one address"),
    description=gettext_noop("Many claims from the same postal address in a window"),
    weight=25,
    params={"window_days": 60, "min_claims": 3},
)
def velocity_address(ctx, params: dict) -> Finding | None:
    return _velocity(ctx, kind=AttributeKind.ADDRESS, params=params)


@explains("velocity_address")
def velocity_address_explain(inputs: dict) -> str:
    return ngettext(
        "%(n)d claim from this address in %(days)d days: %(refs)s",
        "%(n)d claims from this address in %(days)d days: %(refs)s",
        inputs["claims"],
    ) % _counted(inputs)


@rule(
    code="velocity_payout",
    label=gettext_lazy("Repeat claims to one payout account"),
    description=gettext_noop("Many claims paid to the same payout account in a window"),
    weight=25,
    params={"window_days": 60, "min_claims": 3},
)
def velocity_payout(ctx, params: dict) -> Finding | None:
    return _velocity(ctx, kind=AttributeKind.PAYOUT, params=params)


@explains("velocity_payout")
def velocity_payout_explain(inputs: dict) -> str:
    return ngettext(
        "%(n)d claim to this payout account in %(days)d days: %(refs)s",
        "%(n)d claims to this payout account in %(days)d days: %(refs)s",
        inputs["claims"],
    ) % _counted(inputs)


@rule(
    code="shared_identity",
    label=gettext_lazy("Details shared with other customers"),
    description=gettext_noop(
        "E-mail, phone, address, payout account, device or IP shared with other customers"
    ),
    weight=25,
    params={"kinds": ["email", "phone", "address", "payout", "device", "ip"]},
)
def shared_identity(ctx, params: dict) -> Finding | None:
    kinds = set(params.get("kinds") or AttributeKind.values)
    shared = []
    for (kind, value), rows in ctx.linked.items():
        if kind not in kinds:
            continue
        others = [(ref, c) for _i, ref, c in rows if c != ctx.claim.customer_id]
        customers = {c for _ref, c in others}
        if not customers:
            continue
        references = [ref for ref, _c in others]
        shared.append(
            {
                "kind": kind,
                "value": value,
                "customers": len(customers),
                "references": references[:20],
            }
        )
    if not shared:
        return None
    return Finding(inputs={"shared": shared})


@explains("shared_identity")
def shared_identity_explain(inputs: dict) -> str:
    parts = [
        ngettext(
            "%(kind)s “%(value)s” with %(n)d other customer (%(refs)s)",
            "%(kind)s “%(value)s” with %(n)d other customers (%(refs)s)",
            item["customers"],
        )
        % {
            "kind": KIND_LABELS[item["kind"]],
            "value": item["value"],
            "n": item["customers"],
            "refs": refs(item["references"]),
        }
        for item in inputs["shared"]
    ]
    return _("Shares %(what)s.") % {"what": "; ".join(parts)}


@rule(
    code="watchlist",
    label=gettext_lazy("On the watchlist"),
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
    return Finding(
        inputs={
            "entries": [
                {"id": e.pk, "kind": e.kind, "value": e.value, "reason": e.reason} for e in entries
            ]
        },
    )


@explains("watchlist")
def watchlist_explain(inputs: dict) -> str:
    parts = [
        _("%(kind)s “%(value)s” (%(reason)s)")
        % {"kind": KIND_LABELS[e["kind"]], "value": e["value"], "reason": e["reason"]}
        for e in inputs["entries"]
    ]
    return _("On the watchlist: %(items)s.") % {"items": "; ".join(parts)}


@rule(
    code="seller_collusion",
    label=gettext_lazy("Linked customers against one seller"),
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
        inputs={
            "customers": len(customers),
            "seller_id": ctx.claim.seller_id,
            "seller": ctx.claim.seller.legal_name,
            "window_days": window,
            "references": references[:20],
        },
    )


@explains("seller_collusion")
def seller_collusion_explain(inputs: dict) -> str:
    return _(
        "%(n)d linked customers claimed against seller %(seller)s in %(days)d days: %(refs)s"
    ) % {
        "n": inputs["customers"],
        "seller": inputs["seller"],
        "days": inputs["window_days"],
        "refs": refs(inputs["references"]),
    }
