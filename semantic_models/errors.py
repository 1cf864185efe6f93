"""The one error base of the semantic_models package."""


class DefinitionError(Exception):
    """A definition file or the catalog breaks a rule; the message is one line."""
