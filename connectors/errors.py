"""The one error base of the connectors package, and its few subclasses.

Every message is one line that names the source, the table and, where there is one, the value.
"""


class ConnectorError(Exception):
    """An extraction that cannot be carried out."""


class ConfigError(ConnectorError):
    """The project file is malformed or names something that does not exist."""


class SourceError(ConnectorError):
    """The source cannot be reached, refuses the login, or lacks a table or permission."""


class DataError(ConnectorError):
    """The source holds data the landing cannot take losslessly (bad date, duplicate key, ...)."""


class SchemaDriftError(ConnectorError):
    """A landed column was dropped or retyped at the source."""
