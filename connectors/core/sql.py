"""Extraction SQL as sqlglot expression trees, rendered for the source's dialect.

Identifiers are always quoted (JDE has ``GLREG#``, NetSuite ``transaction``); no SQL is built
by string concatenation.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

SQLALCHEMY_TO_SQLGLOT = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "oracle": "oracle",
    "mssql": "tsql",
    "duckdb": "duckdb",
}


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(ident(name), table=ident(table) if table else None)


def table(name: str, schema: str | None = None, catalog: str | None = None) -> exp.Table:
    return exp.Table(
        this=ident(name),
        db=ident(schema) if schema else None,
        catalog=ident(catalog) if catalog else None,
    )


def select(
    columns: Sequence[str],
    source: exp.Table,
    where: exp.Expr | None = None,
    order_by: Sequence[str] = (),
) -> exp.Select:
    """``SELECT "a", "b" FROM source [WHERE ...] [ORDER BY ...]``."""
    query = exp.select(*(col(c) for c in columns)).from_(source)
    if where is not None:
        query = query.where(where)
    if order_by:
        query = query.order_by(*(col(c) for c in order_by))
    return query


def render(expression: exp.Expr, dialect: str) -> str:
    """The expression as SQL text for ``dialect`` (a sqlglot dialect name)."""
    return expression.sql(dialect=dialect)


def lit(value: object) -> exp.Expr:
    """A literal for a Python value (numbers, strings, booleans, None)."""
    return exp.convert(value)
