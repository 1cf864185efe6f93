"""The one error base of the mlops package."""


class MlopsError(Exception):
    """A user-facing failure; the message is one line."""
