"""Domain errors of the seller journey. Messages are safe to show to the person acting."""

from claims.exceptions import ClaimError


class SellerError(ClaimError):
    pass


class ResponseLocked(SellerError):
    """The response deadline has passed: answers and evidence are locked."""


class ResponseRejected(SellerError):
    """The answer is incomplete or not allowed; nothing was saved."""


class RecoveryError(SellerError):
    pass


class CertificateError(SellerError):
    """The certificate cannot be verified or refused as asked; nothing changed."""
