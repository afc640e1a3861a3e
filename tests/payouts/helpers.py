"""Shared steps for payout tests: approved claims with payee details, the outbox delivered."""

from claims.actors import Actor
from claims.models import ClaimStatus, Outbox
from claims.outbox import deliver
from claims.services import claim_approve
from payouts.services import payee_set
from tests.factories import claim_in

GOOD_ACCOUNT = "12345678"


def with_payee(customer, account: str = GOOD_ACCOUNT):
    return payee_set(
        customer=customer,
        actor=Actor.system("test"),
        kind="bank_account",
        holder_name=customer.name,
        bank_code="021000021",
        account_number=account,
    )


def approved_claim(*, amount_minor: int = 25_000, account: str | None = GOOD_ACCOUNT, **kwargs):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=amount_minor, **kwargs)
    if account:
        with_payee(claim.customer, account)
    return claim_approve(
        claim=claim,
        actor=Actor.system("test"),
        approved={item.pk: item.claimed_minor for item in claim.losses.all()},
        funding="concession",
    )


def deliver_payout_messages() -> int:
    done = 0
    for message in Outbox.objects.filter(topic="payouts.create", done_at__isnull=True).order_by(
        "id"
    ):
        deliver(message_id=message.pk)
        done += 1
    return done


def approve_as_staff(claim, user, approved: dict[int, int], **kwargs):
    """Approve through the decision service as ``user``; above the four-eyes limit a second
    supervisor signs too. Returns the claim, refreshed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from claims import roles
    from payouts.services.decisions import approval_second, decision_approve

    kwargs.setdefault("reasons", {pk: "Only what the receipts on file show." for pk in approved})
    result = decision_approve(claim=claim, actor=Actor.staff(user), approved=approved, **kwargs)
    if result.request is not None:
        second, _created = get_user_model().objects.get_or_create(
            username="second-approver", defaults={"is_staff": True}
        )
        second.groups.add(Group.objects.get(name=roles.SUPERVISOR))
        approval_second(request=result.request, actor=Actor.staff(second))
    claim.refresh_from_db()
    return claim
