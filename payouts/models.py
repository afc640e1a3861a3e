"""Approval policy, approval requests, QA samples, payee details, payouts and the ledger.

Every money row carries integer minor units and an ISO 4217 currency. Ledger rows and payee
events are append-only (the models refuse updates; on PostgreSQL triggers refuse them too).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims import roles
from claims.models import AppendOnly, Claim, Funding
from claims.money import CURRENCY_CHOICES, format_minor
from payouts.crypto import EncryptedCharField
from payouts.four_eyes import decider_is_not_requester

# --- decisions ----------------------------------------------------------------


class ApprovalPolicy(models.Model):
    """Per-region decision policy: four-eyes limit, automatic approval, QA sampling."""

    region = models.OneToOneField(
        "claims.Region", on_delete=models.CASCADE, related_name="approval_policy"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    four_eyes_above_minor = models.BigIntegerField(
        _("second approver needed above (minor units)"),
        help_text=_("An approval above this total needs a second, independent approver."),
    )
    auto_approve_enabled = models.BooleanField(_("automatic approval"), default=False)
    auto_approve_when_seller_accepts = models.BooleanField(
        _("auto-approve when the seller accepts"), default=True
    )
    auto_approve_when_deadline_passes = models.BooleanField(
        _("auto-approve when the seller's deadline passes"), default=True
    )
    qa_sample_percent = models.PositiveSmallIntegerField(
        _("QA sample of automatic approvals (%)"), default=10
    )
    payee_cooling_off_hours = models.PositiveIntegerField(
        _("cooling-off for payee details changed by staff (hours)"),
        default=72,
        help_text=_(
            "Payouts to payment details that staff changed wait this long, unless the customer "
            "confirms the details on their own page."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(four_eyes_above_minor__gte=0), name="policy_four_eyes_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(qa_sample_percent__lte=100), name="policy_sample_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.code} approval policy"

    def snapshot(self) -> dict:
        """The values in force, as recorded on every decision event."""
        return {
            "currency": self.currency,
            "four_eyes_above_minor": self.four_eyes_above_minor,
            "threshold_minor": self.region.threshold_minor,
            "auto_approve_enabled": self.auto_approve_enabled,
            "qa_sample_percent": self.qa_sample_percent,
            "authority": {limit.role: limit.limit_minor for limit in self.authority_limits.all()},
        }


ROLE_CHOICES = [(r, r) for r in (roles.AGENT, roles.ANALYST, roles.SUPERVISOR)]


class AuthorityLimit(models.Model):
    """How much a role may approve on its own signature. Empty limit: no limit."""

    policy = models.ForeignKey(
        ApprovalPolicy, on_delete=models.CASCADE, related_name="authority_limits"
    )
    role = models.CharField(_("role"), max_length=40, choices=ROLE_CHOICES)
    limit_minor = models.BigIntegerField(
        _("approval limit (minor units)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "role"], name="authority_one_per_role"),
            models.CheckConstraint(
                condition=Q(limit_minor__isnull=True) | Q(limit_minor__gte=0),
                name="authority_limit_non_negative",
            ),
        ]

    def __str__(self) -> str:
        if self.limit_minor is None:
            return f"{self.role}: no limit"
        return f"{self.role}: {format_minor(self.limit_minor, self.policy.currency)}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting second approver")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ApprovalRequest(models.Model):
    """A first approval above the four-eyes limit, waiting for a second approver."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="approval_requests"
    )
    items = models.JSONField(_("approved per loss item"), encoder=DjangoJSONEncoder)
    # Why an item was reduced, by loss item id: the customer reads it once approved.
    item_reasons = models.JSONField(_("why reduced, per loss item"), default=dict, blank=True)
    total_minor = models.BigIntegerField(_("total (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    funding = models.CharField(_("funding"), max_length=16, choices=Funding)
    note = models.TextField(_("note"), blank=True)
    policy = models.JSONField(_("policy in force"), encoder=DjangoJSONEncoder)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="approvalrequest_status_valid"
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status="pending"),
                name="approvalrequest_one_pending_per_claim",
            ),
            # Four-eyes in the database too (payouts.four_eyes): the second approver is never
            # the first.
            models.CheckConstraint(
                condition=decider_is_not_requester(), name="approvalrequest_second_is_not_first"
            ),
        ]
        indexes = [
            # The Decisions area's list (backoffice.lists): pending requests by age.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="pending"),
                name="approval_pending_age_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {format_minor(self.total_minor, self.currency)} ({self.status})"

    @property
    def total_display(self) -> str:
        return format_minor(self.total_minor, self.currency)


class QAVerdict(models.TextChoices):
    PENDING = "", _("Not reviewed")
    CORRECT = "correct", _("Correct")
    WRONG = "wrong", _("Wrong")


class QAReason(models.TextChoices):
    NONE = "", _("—")
    AMOUNT = "amount", _("Wrong amount")
    NOT_COVERED = "not_covered", _("Loss not covered")
    NO_PROOF = "no_proof", _("No proof of loss")
    FRAUD_MISSED = "fraud_missed", _("Fraud missed")
    SELLER_LIABLE = "seller_liable", _("Seller should have paid")
    OTHER = "other", _("Other")


class QASample(models.Model):
    """An automatic approval drawn at random for after-the-fact review by staff."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="qa_sample")
    sampled_at = models.DateTimeField(default=timezone.now)
    sample_percent = models.PositiveSmallIntegerField()
    verdict = models.CharField(max_length=8, choices=QAVerdict, blank=True, default="")
    reason = models.CharField(max_length=16, choices=QAReason, blank=True, default="")
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sampled_at"]
        verbose_name = _("QA sample")
        permissions = [("review_qa", _("Can review automatic approvals"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=QAVerdict.values), name="qasample_verdict_valid"
            ),
            # A wrong approval always says why; a correct one never carries a reason.
            models.CheckConstraint(
                condition=(Q(verdict="wrong") & ~Q(reason=""))
                | (~Q(verdict="wrong") & Q(reason="")),
                name="qasample_reason_iff_wrong",
            ),
        ]
        indexes = [
            # The Decisions area's list (backoffice.lists): samples to review by age.
            models.Index(
                fields=["sampled_at", "id"], condition=Q(verdict=""), name="qasample_open_age_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"QA {self.claim}"


# --- payee details ----------------------------------------------------------------


class PayeeKind(models.TextChoices):
    BANK_ACCOUNT = "bank_account", _("Bank account")
    CARD_TOKEN = "card_token", _("Card token")


class PayeeScheme(models.TextChoices):
    """How the bank account is identified (the national checks in ``payouts.bank_details``)."""

    LEGACY = "", _("Not stated")
    US_ABA = "us_aba", _("US routing and account number")
    CA_EFT = "ca_eft", _("Canadian transit, institution and account number")
    UK_SORT = "uk_sort", _("UK sort code and account number")
    IBAN = "iban", _("IBAN")


class PayeeDetails(models.Model):
    """Where a customer's money goes: only what the payment adapter needs, never shown in full.

    The account number and card token are encrypted at rest (``payouts.crypto``); pages show
    ``masked`` (kind and last four, kept in ``last4``) and the fraud rules compare
    ``fingerprint`` (a keyed hash), so nothing but the payout sender opens them.

    ``hold_until``: payouts to these details wait until then (staff changed them and the
    customer has not confirmed them on their own page).
    """

    customer = models.OneToOneField(
        "marketplace.Customer", on_delete=models.PROTECT, related_name="payee"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PayeeKind)
    scheme = models.CharField(
        _("scheme"), max_length=8, choices=PayeeScheme, blank=True, default=""
    )
    holder_name = models.CharField(_("account holder"), max_length=140)
    # Bank account: routing / sort code / CPA routing / BIC and the account number or IBAN.
    bank_code = models.CharField(_("routing number or BIC"), max_length=34, blank=True)
    account_number = EncryptedCharField(_("account number or IBAN"), max_length=34, blank=True)
    # Card: the card network's token, never the card number.
    card_token = EncryptedCharField(_("card token"), max_length=64, blank=True)
    last4 = models.CharField(_("last four"), max_length=4, blank=True)
    fingerprint = models.CharField(_("account fingerprint"), max_length=64, blank=True)
    confirmed_by_customer = models.BooleanField(
        _("given or confirmed by the customer"), default=False
    )
    hold_until = models.DateTimeField(_("payouts held until"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payee details")
        verbose_name_plural = _("payee details")
        permissions = [("set_payee", _("Can ask for a change of customers' payee details"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="bank_account")
                    & ~Q(account_number="")
                    & ~Q(bank_code="")
                    & Q(card_token="")
                )
                | (Q(kind="card_token") & ~Q(card_token="") & Q(account_number="")),
                name="payee_fields_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.masked}"

    @property
    def masked(self) -> str:
        return payee_masked(kind=self.kind, last4=self.last4 or self._last4_from_secret())

    def _last4_from_secret(self) -> str:
        secret = self.account_number or self.card_token or ""
        return secret[-4:]

    def held_at(self, now) -> bool:
        return self.hold_until is not None and self.hold_until > now


def payee_masked(*, kind: str, last4: str) -> str:
    """``Bank account ••••1234``: the only form in which payee details are ever shown."""
    return f"{PayeeKind(kind).label} ••••{last4}"


class PayeeChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a second staff member")
    APPROVED = "approved", _("Approved and in effect")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by the customer")


class PayeeChange(models.Model):
    """A change of a customer's payee details asked for by staff: it takes effect only when a
    second staff member approves it (never the one who asked; a database check too), and then
    payouts to it wait for the region's cooling-off period unless the customer confirms it."""

    customer = models.ForeignKey(
        "marketplace.Customer", on_delete=models.PROTECT, related_name="payee_changes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PayeeKind)
    scheme = models.CharField(
        _("scheme"), max_length=8, choices=PayeeScheme, blank=True, default=""
    )
    holder_name = models.CharField(_("account holder"), max_length=140)
    bank_code = models.CharField(_("routing number or BIC"), max_length=34, blank=True)
    account_number = EncryptedCharField(_("account number or IBAN"), max_length=34, blank=True)
    card_token = EncryptedCharField(_("card token"), max_length=64, blank=True)
    last4 = models.CharField(_("last four"), max_length=4)
    reason = models.TextField(_("why the change"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=PayeeChangeStatus, default=PayeeChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("payee change request")
        permissions = [
            ("approve_payee_change", _("Can approve another staff member's payee change"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayeeChangeStatus.values), name="payeechange_status_valid"
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="pending"),
                name="payeechange_one_pending_per_customer",
            ),
            # Four-eyes in the database too (payouts.four_eyes): the approver is never the one
            # who asked.
            models.CheckConstraint(
                condition=decider_is_not_requester(), name="payeechange_second_is_not_first"
            ),
        ]
        indexes = [
            # The Money area's list (backoffice.lists): pending changes by age.
            models.Index(
                fields=["requested_at", "id"],
                condition=Q(status="pending"),
                name="payeechange_pending_age_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.masked} ({self.status})"

    @property
    def masked(self) -> str:
        return payee_masked(kind=self.kind, last4=self.last4)


class PayeeReminder(models.Model):
    """One reminder e-mail that an approved claim still waits for payment details (the
    sweeper sends each number once per claim: the unique constraint)."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="payee_reminders"
    )
    number = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="payeereminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} reminder {self.number}"


class PayeeEvent(AppendOnly):
    """Every change of payee details, masked: who, when, from what to what."""

    customer = models.ForeignKey(
        "marketplace.Customer", on_delete=models.PROTECT, related_name="payee_events"
    )
    actor_label = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.before or '∅'} → {self.after}"


# --- payouts ----------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed: needs staff")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


# Money that went, or is going, to the customer (a returned or cancelled payout may be followed
# by a new payout after the claim is decided again).
ACTIVE_PAYOUT_STATUSES = ("pending", "sending", "paid", "failed")
# A claim has at most one payout on its way. Paid payouts add up to the approved total: one,
# or more when an appeal raised a paid partial approval and the difference was sent on top.
UNSETTLED_PAYOUT_STATUSES = ("pending", "sending", "failed")


class Payout(models.Model):
    """The one money movement to the customer for an approved claim."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="payouts")
    number = models.PositiveSmallIntegerField(_("payout number for the claim"), default=1)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    funding = models.CharField(_("funding"), max_length=16, choices=Funding)
    status = models.CharField(
        _("status"), max_length=12, choices=PayoutStatus, default=PayoutStatus.PENDING
    )
    adapter = models.CharField(_("payment adapter"), max_length=40, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=80, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("release_payout", _("Can resend, cancel and record returned payouts"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(fields=["claim", "number"], name="payout_claim_number_unique"),
            # At most one payout on its way per claim, whoever asks twice.
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status__in=UNSETTLED_PAYOUT_STATUSES),
                name="payout_one_unsettled_per_claim",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | ~Q(provider_reference=""),
                name="payout_paid_has_reference",
            ),
        ]
        indexes = [
            # The send job: pending payouts that are due, and sending ones whose lease ran out.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="payout_due_idx",
            ),
            models.Index(
                fields=["locked_until"], condition=Q(status="sending"), name="payout_lease_idx"
            ),
            # The Money area's lists (backoffice.lists): failed and returned payouts by age.
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(status="failed"),
                name="payout_failed_age_idx",
            ),
            models.Index(
                fields=["returned_at", "id"],
                condition=Q(status="returned"),
                name="payout_returned_age_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} {format_minor(self.amount_minor, self.currency)}"

    @property
    def failure_reason(self) -> str:
        """Why it failed or came back, as staff read it (``payouts.failures``)."""
        from payouts.failures import failure_reason

        return failure_reason(self.failure_code, self.failure_message)

    @property
    def status_reason(self) -> str:
        """Why it is in its state, when that is a failure: failed or returned, or pending while
        it waits for the payee (``payouts.services.payees.WAITING_CODES``). A payout resent
        after a failure is pending again: that failure is only its ``last_failure``."""
        from payouts.services.payees import WAITING_CODES

        if self.status in (PayoutStatus.FAILED, PayoutStatus.RETURNED) or (
            self.status == PayoutStatus.PENDING and self.failure_code in WAITING_CODES
        ):
            return self.failure_reason
        return ""

    @property
    def last_failure(self) -> str:
        """An earlier failure, as history, when it is not the payout's state."""
        if not self.failure_code or self.status_reason:
            return ""
        return self.failure_reason

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount_minor, self.currency)


class ProviderRecord(models.Model):
    """The payment provider's own memory, for the adapters that live on this machine.

    The sandbox provider keeps one row per idempotency key it paid (as a real provider does);
    the bank-file adapter one row per credit transfer it put into a batch file.
    """

    adapter = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=64)
    reference = models.CharField(max_length=80)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The sandbox keeps the holder and last four; the bank-file adapter the whole transfer,
    # sealed (payouts.crypto) until its file is written.
    payee = models.TextField()
    calls = models.PositiveIntegerField(default=1)
    batch_file = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["adapter", "idempotency_key"], name="provider_one_payment_per_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["adapter", "created_at"],
                condition=Q(batch_file=""),
                name="provider_unbatched_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.adapter}:{self.idempotency_key}"


# --- ledger ----------------------------------------------------------------


class Account(models.TextChoices):
    CONCESSION_EXPENSE = "concession_expense", _("Concession expense")
    CUSTOMER_PAYABLE = "customer_payable", _("Customer payable")
    CASH = "cash", _("Cash")
    SELLER_RECEIVABLE = "seller_receivable", _("Seller receivable")
    INSURER_RECEIVABLE = "insurer_receivable", _("Insurer receivable")


class TransactionKind(models.TextChoices):
    ACCRUAL = "accrual", _("Payout approved")
    PAYOUT = "payout", _("Payout sent")
    REVERSAL = "reversal", _("Reversal")
    RECOVERY = "recovery", _("Recovery from seller")
    WITHHOLDING = "withholding", _("Withheld from seller disbursement")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerTransaction(AppendOnly):
    """One balanced posting: its entries' debits equal their credits, in one currency."""

    kind = models.CharField(max_length=16, choices=TransactionKind)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    idempotency_key = models.CharField(max_length=120, unique=True)
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    memo = models.CharField(max_length=200, blank=True)
    amount_minor = models.BigIntegerField(help_text=_("Sum of the debits (= sum of the credits)."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger transaction")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TransactionKind.values), name="ledgertx_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="ledgertx_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {format_minor(self.amount_minor, self.currency)}"


class LedgerEntry(AppendOnly):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(max_length=24, choices=Account)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    debit_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["transaction", "id"]
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(account__in=Account.values), name="entry_account_valid"
            ),
            # One side only, and positive.
            models.CheckConstraint(
                condition=(Q(debit_minor__gt=0) & Q(credit_minor=0))
                | (Q(debit_minor=0) & Q(credit_minor__gt=0)),
                name="entry_one_positive_side",
            ),
        ]
        indexes = [models.Index(fields=["currency", "account"], name="entry_balance_idx")]

    def __str__(self) -> str:
        side = "Dr" if self.debit_minor else "Cr"
        amount = format_minor(self.debit_minor or self.credit_minor, self.currency)
        return f"{side} {self.account} {amount}"


class ClaimToDecide(Claim):
    """Claims seen from the decision desk (an admin list of its own; no table)."""

    class Meta:
        proxy = True
        verbose_name = _("claim to decide")
        verbose_name_plural = _("claims to decide")
