class SafetyError(Exception):
    """A safety action refused, with a message for the person who tried it."""
