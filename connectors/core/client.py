"""Open a configured SQL source as a SQLAlchemy or ODBC reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from connectors.config import Connection
from connectors.core.sources import SqlSource
from connectors.errors import ConfigError

if TYPE_CHECKING:  # the ODBC reader imports pyarrow and arrow-odbc: only ODBC sources need them
    from connectors.core.odbc import OdbcSource


def open_source(name: str, connection: Connection) -> SqlSource | OdbcSource:
    """The reader for ``connection``; the password comes from ``password_env``, never the file."""
    password = connection.password()
    if connection.odbc is not None:
        from connectors.core.odbc import OdbcSource

        text = connection.odbc
        if password is not None:
            text = f"{text.rstrip(';')};PWD={{{password.get_secret_value()}}}"
        return OdbcSource(name, text, str(connection.dialect))
    try:
        url = sa.make_url(str(connection.url))
    except sa.exc.ArgumentError:
        raise ConfigError(f"source {name}: malformed connection url {connection.url!r}") from None
    if password is not None:
        url = url.set(password=password.get_secret_value())
    try:
        engine = sa.create_engine(url, pool_pre_ping=True)
    except sa.exc.NoSuchModuleError:
        raise ConfigError(f"source {name}: no SQLAlchemy driver for {url.drivername!r}") from None
    return SqlSource(name, engine)
