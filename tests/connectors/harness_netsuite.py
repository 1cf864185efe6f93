"""NetSuite in the connector contract suite.

Engines: the fixture in SQLite, PostgreSQL and MariaDB read through SQLAlchemy (standing in for
SuiteAnalytics Connect); ``odbc-postgresql``: the fixture in PostgreSQL read through unixODBC and
Debian's "PostgreSQL Unicode" driver, the way Connect is read in production; ``rest``: the
fixture in SQLite served by the SuiteQL fake (:mod:`tests.connectors.suiteql_fake`) and read
over HTTP. The fake starts on first use for a database file; :func:`stop_all` stops every fake
(a pytest fixture calls it, and it runs at exit).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connectors.netsuite.tables import TABLES
from tests.connectors.harness import Harness
from tests.connectors.suiteql_fake import SuiteQLFake, serving

TOKEN_ENV = "ERPML_TEST_NETSUITE_TOKEN"
TOKEN = "test-token-4f1c"  # the fake's token, not a secret
_running: dict[Path, tuple[SuiteQLFake, contextlib.ExitStack]] = {}
_made: set[Path] = set()


def serve(database: Path) -> SuiteQLFake:
    """The fake serving ``database`` (started on first call), its token in ``TOKEN_ENV``."""
    os.environ[TOKEN_ENV] = TOKEN
    if database not in _running:
        stack = contextlib.ExitStack()
        _running[database] = (stack.enter_context(serving(database, TOKEN)), stack)
    return _running[database][0]


def stop_all() -> None:
    """Stop every fake; remove the SQLite files made for cases given a server database."""
    while _running:
        _, (_, stack) = _running.popitem()
        stack.close()
    while _made:
        _made.pop().unlink(missing_ok=True)


atexit.register(stop_all)


def _fixture_url(engine: str, url: str) -> str:
    """Where the fixture is generated: REST serves a SQLite file, whatever ``url`` was made."""
    if engine != "rest" or url.startswith("sqlite"):
        return url
    path = Path(tempfile.gettempdir()) / f"erpml-{sa.make_url(url).database or 'netsuite'}.sqlite"
    _made.add(path)
    return f"sqlite:///{path}"


def _entry(engine: str, url: str, tmp: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": "netsuite", "kind": "netsuite", "lookback_minutes": 60}
    if engine == "rest":
        fake = serve(Path(str(sa.make_url(_fixture_url(engine, url)).database)))
        rest = {"account": "TSTDRV1", "base_url": fake.url, "token_env": TOKEN_ENV,
                "backoff_seconds": 0.01}  # fmt: skip
        return {**entry, "rest": rest}
    if engine == "odbc-postgresql":
        database = sa.make_url(url).database
        odbc = (f"Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port=5432;Database={database};"
                "Uid=postgres;")  # fmt: skip
        return {**entry, "connection": {"odbc": odbc, "dialect": "postgres"}}
    return {**entry, "connection": {"url": url}}


def _tables(engine: str) -> list[tuple[str, str | None]]:
    return [(t.name, None) for t in TABLES]


HARNESS = Harness(
    "netsuite", ("sqlite", "postgresql", "mariadb", "odbc-postgresql", "rest"), _entry, _tables,
    fixture_url=_fixture_url, cleanup=stop_all,
)  # fmt: skip
