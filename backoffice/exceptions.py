class BackofficeError(Exception):
    """A back-office action refused, with a message for the person acting."""


class BulkRefused(BackofficeError):
    """A bulk action refused before it touched any claim; ``field`` names what it is about
    (the queue's form says it beside that field; None: the action as a whole)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
