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
    """The upload policy refused a file. ``reasons`` holds one line per refused file, each
    naming the file, so a page can list them all; ``str()`` joins them."""

    def __init__(self, message: str = "", *, reasons: list[str] | None = None):
        self.reasons = list(reasons) if reasons else [message]
        super().__init__(" ".join(self.reasons))
