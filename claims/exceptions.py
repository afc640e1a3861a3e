class ClaimError(Exception):
    """A domain rule refused the action. The message is safe to show to the person acting."""


class InvalidTransition(ClaimError):
    pass


class ConcurrentTransition(InvalidTransition):
    """Someone else moved the claim first; the caller's view of it is stale."""


class TransitionNotPermitted(InvalidTransition):
    pass


class IneligibleClaim(ClaimError):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(reasons))


class EvidenceRejected(ClaimError):
    pass
