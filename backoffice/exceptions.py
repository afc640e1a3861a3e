class BackofficeError(Exception):
    """A back-office action refused, with a message for the person acting."""
