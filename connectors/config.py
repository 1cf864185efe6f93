"""The ``sources`` and ``warehouse`` sections of the project file (``erpml.yml``).

pydantic v2 models, frozen and strict about unknown keys. Secrets never sit in the file: a
connection names the environment variable that holds the password (``password_env``).
:func:`load` reports errors with the file and line they come from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    ValidationError,
    model_validator,
)

from connectors.errors import ConfigError

NAME = r"^[a-z][a-z0-9_]{0,62}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Connection(Model):
    """How to reach a source: a SQLAlchemy URL or an ODBC connection string (not both)."""

    url: str | None = None
    odbc: str | None = None
    dialect: str | None = Field(
        None, description="sqlglot dialect of an ODBC source: tsql, oracle, postgres, mysql, sqlite"
    )
    password_env: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Connection:
        if (self.url is None) == (self.odbc is None):
            raise ValueError("give exactly one of url or odbc")
        if self.odbc is not None and self.dialect is None:
            raise ValueError(
                "an odbc connection needs dialect (tsql, oracle, postgres, mysql, ...)"
            )
        if self.odbc is not None and re.search(r"(?i)\b(pwd|password)\s*=", self.odbc):
            raise ValueError("put the password in the environment variable named by password_env")
        return self

    def password(self) -> SecretStr | None:
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConfigError(f"environment variable {self.password_env} (password_env) is not set")
        return SecretStr(value)


class SourceBase(Model):
    name: str = Field(pattern=NAME)
    connection: Connection
    tables: list[str] | None = None


class JdeSource(SourceBase):
    kind: Literal["jde"]
    data_schema: str | None = "PRODDTA"
    control_schema: str | None = "PRODCTL"
    database: str | None = Field(None, description="SQL Server database, e.g. JDE_PRODUCTION")
    lookback_days: int = Field(3, ge=0)
    reconcile_every_days: float = Field(7.0, ge=0)


class VistaSource(SourceBase):
    kind: Literal["vista"]
    database: str | None = Field(None, description="SQL Server database, usually Viewpoint")
    schema_: str | None = Field("dbo", alias="schema")
    read: Literal["base_tables", "views"] = "base_tables"
    open_months: int = Field(2, ge=1, description="months re-pulled for updates (Mth window)")


class NetSuiteRest(Model):
    """SuiteQL over REST: ``POST {base_url}/services/rest/query/v1/suiteql``.

    The bearer token (OAuth 2.0 access token) is read from the environment variable named by
    ``token_env``, never from the file, and never logged.
    """

    account: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="account id, e.g. 1234567_SB1")
    base_url: str | None = Field(
        None, description="default https://<account>.suitetalk.api.netsuite.com"
    )
    token_env: str = "NETSUITE_TOKEN"
    page_size: int = Field(1000, ge=1, le=1000)
    retries: int = Field(
        5, ge=0, le=20, description="retries of a page on 429, 5xx or network errors"
    )
    backoff_seconds: float = Field(1.0, ge=0, description="first retry delay, doubled each retry")
    timeout_seconds: float = Field(120.0, gt=0)

    def url(self) -> str:
        """The SuiteQL endpoint of the account."""
        host = f"https://{self.account.lower().replace('_', '-')}.suitetalk.api.netsuite.com"
        return f"{(self.base_url or host).rstrip('/')}/services/rest/query/v1/suiteql"

    def token(self) -> SecretStr:
        value = os.environ.get(self.token_env)
        if not value:
            raise ConfigError(f"environment variable {self.token_env} (rest.token_env) is not set")
        return SecretStr(value)


class NetSuiteSource(Model):
    """An Oracle NetSuite account: SuiteAnalytics Connect (``connection``) or SuiteQL (``rest``)."""

    kind: Literal["netsuite"]
    name: str = Field(pattern=NAME)
    connection: Connection | None = None
    rest: NetSuiteRest | None = None
    schema_: str | None = Field(None, alias="schema")
    tables: list[str] | None = None
    lookback_minutes: int = Field(60, ge=0)

    @model_validator(mode="after")
    def _one_way(self) -> NetSuiteSource:
        if (self.connection is None) == (self.rest is None):
            raise ValueError(
                "give exactly one of connection (SuiteAnalytics Connect) or rest (SuiteQL)"
            )
        return self


class OneStreamSource(Model):
    """A OneStream application: Data Management export files or the application database.

    ``column_map`` maps each header of the export files to the dimension (or ``Amount``) it
    holds and must name all 18 dimensions and ``Amount`` once; headers it does not name (e.g.
    ``Cube``) are not read. The default is the fixture's header, unconfirmed against a real
    export. See ``connectors/onestream/README.md``.
    """

    DIMENSIONS: ClassVar[tuple[str, ...]] = (
        *("Entity", "Parent", "Cons", "Scenario", "Time", "View", "Account", "Flow"),
        *("Origin", "IC", *(f"UD{i}" for i in range(1, 9))),
    )
    AMOUNT: ClassVar[str] = "Amount"

    kind: Literal["onestream"]
    name: str = Field(pattern=NAME)
    exports: Path | None = Field(None, description="folder of Data Management export files")
    connection: Connection | None = Field(None, description="the application database")
    column_map: dict[str, str] = Field(
        default_factory=lambda: {d: d for d in (*OneStreamSource.DIMENSIONS, "Amount")}
    )
    delimiter: str = Field(",", min_length=1, max_length=1)
    file_pattern: str = Field(
        r"^(?P<scenario>.+)_(?P<year>\d{4})\.csv$",
        description="export file names: a regex with the groups scenario and year",
    )
    version: Literal["v8", "v9"] = "v9"
    schema_: str | None = Field("dbo", alias="schema")
    reload_years: int | None = Field(
        None, ge=1, description="after the first load, re-read the last N years (default: all)"
    )
    tables: list[str] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> OneStreamSource:
        if (self.exports is None) == (self.connection is None):
            raise ValueError("give exactly one of exports (a folder) or connection (a database)")
        try:
            groups = re.compile(self.file_pattern).groupindex
        except re.error as exc:
            raise ValueError(f"file_pattern is not a regular expression: {exc}") from None
        if not {"scenario", "year"} <= set(groups):
            raise ValueError("file_pattern needs the groups (?P<scenario>...) and (?P<year>...)")
        self._check_column_map()
        return self

    def _check_column_map(self) -> None:
        known = {n.lower(): n for n in (*self.DIMENSIONS, self.AMOUNT)}
        seen: dict[str, str] = {}
        for header, target in self.column_map.items():
            name = known.get(target.lower())
            if name is None:
                raise ValueError(
                    f"column_map: {target!r} (header {header!r}) is not a OneStream dimension; "
                    f"use one of {', '.join(known.values())}"
                )
            if name in seen:
                raise ValueError(f"column_map: {seen[name]!r} and {header!r} both map to {name}")
            seen[name] = header
        missing = [n for n in known.values() if n not in seen]
        if missing:
            raise ValueError(f"column_map: no header maps to {missing[0]}")


Source = Annotated[
    JdeSource | VistaSource | NetSuiteSource | OneStreamSource, Field(discriminator="kind")
]


MEMORY = r"^\d+(\.\d+)?\s*([KMGT]i?B|%)$"


class DuckDBWarehouse(Model):
    kind: Literal["duckdb"] = "duckdb"
    path: Path = Path(".erpml/warehouse.duckdb")
    memory_limit: str = Field("512MB", pattern=MEMORY, description="DuckDB's limit in extraction")
    build_memory_limit: str = Field(
        "80%",
        pattern=MEMORY,
        description="DuckDB's limit in dbt builds (spills beyond it), e.g. 4GB or 50%",
    )


class PostgresWarehouse(Model):
    kind: Literal["postgres"]
    url: str = Field(
        description="SQLAlchemy URL without password, e.g. postgresql+psycopg://erpml@db/wh"
    )
    password_env: str | None = None

    def password(self) -> SecretStr | None:
        return Connection(url=self.url, password_env=self.password_env).password()


def _warehouse_kind(value: Any) -> str:
    kind = (
        value.get("kind", "duckdb") if isinstance(value, dict) else getattr(value, "kind", "duckdb")
    )
    return str(kind)


Warehouse = Annotated[
    Annotated[DuckDBWarehouse, Tag("duckdb")] | Annotated[PostgresWarehouse, Tag("postgres")],
    Discriminator(_warehouse_kind),
]


class Sources(Model):
    """The part of ``erpml.yml`` the connectors read."""

    warehouse: Warehouse = DuckDBWarehouse()
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Sources:
        seen: set[str] = set()
        for s in self.sources:
            if s.name in seen:
                raise ValueError(f"source name {s.name!r} is used twice")
            seen.add(s.name)
        return self

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} in the project (known: {known})")


def load(path: Path, sections: tuple[str, ...] = ("warehouse", "sources")) -> Sources:
    """Read and validate the connector sections of a project file, naming file and line on error."""
    data, lines = read_yaml(path)
    subset = {k: v for k, v in data.items() if k in sections}
    try:
        return Sources.model_validate(subset)
    except ValidationError as exc:
        raise ConfigError(describe(exc, path, lines)) from None


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """The YAML mapping in ``path`` and the line of every node, keyed by its path."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top")
    lines: dict[tuple[Any, ...], int] = {}
    _index(node, (), lines)
    return data, lines


def _index(
    node: yaml.Node | None, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]
) -> None:
    if node is None:
        return
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*path, key.value)] = key.start_mark.line + 1
            _index(value, (*path, key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def describe(exc: ValidationError, path: Path, lines: dict[tuple[Any, ...], int]) -> str:
    """The first validation error as ``file:line: where: message``."""
    err = exc.errors()[0]
    loc = tuple(
        p
        for p in err["loc"]
        if not (isinstance(p, str) and p in {"jde", "vista", "netsuite", "onestream"})
    )
    line = None
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            line = lines[loc[:cut]]
            break
    where = ".".join(str(p) for p in loc) or "top"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{path}:{line}: {where}: {msg}" if line else f"{path}: {where}: {msg}"
