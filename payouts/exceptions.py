from claims.exceptions import ClaimError


class DecisionRefused(ClaimError):
    """A decision the policy does not allow. The message is safe to show to the person acting."""


class AuthorityExceeded(DecisionRefused):
    pass


class FourEyesViolation(DecisionRefused):
    pass


class PayoutError(ClaimError):
    """A payout action refused (wrong state, missing payee details...)."""
