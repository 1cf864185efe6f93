"""NetSuite extraction queries as sqlglot trees: rows, tombstones and key-set pages.

SuiteQL accepts Oracle syntax, so REST queries are rendered with sqlglot's Oracle dialect;
SuiteAnalytics Connect queries with the connection's dialect. Identifiers are always quoted
(``transaction`` is a keyword almost everywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.sql import col, ident, lit
from connectors.netsuite.codecs import STAMP_FORMAT, stamp_text
from connectors.netsuite.tables import Deletions

SUITEQL = "oracle"


def timestamp(stamp: datetime, dialect: str) -> exp.Expr:
    """A timestamp literal: ``TO_TIMESTAMP('...', 'YYYY-MM-DD HH24:MI:SS')`` for Oracle/SuiteQL
    (whose plain casts depend on session formats), ``CAST('...' AS TIMESTAMP)`` elsewhere."""
    text = exp.Literal.string(stamp_text(stamp))
    if dialect == SUITEQL:
        return exp.StrToTime(this=text, format=exp.Literal.string(STAMP_FORMAT))
    return exp.cast(text, exp.DataType.Type.TIMESTAMP)


def rows(
    columns: Sequence[LandingColumn],
    source: exp.Table,
    where: exp.Expr | None = None,
    *,
    dates_as_text: bool = False,
) -> exp.Select:
    """``SELECT`` of every column; with ``dates_as_text`` (REST) timestamps are selected as
    ``TO_CHAR("c", 'YYYY-MM-DD HH24:MI:SS') AS "c"`` so their time of day survives."""
    selects: list[exp.Expr] = []
    for c in columns:
        if dates_as_text and c.type == "TIMESTAMP":
            text = exp.TimeToStr(this=col(c.name), format=exp.Literal.string(STAMP_FORMAT))
            selects.append(exp.alias_(text, ident(c.name)))
        else:
            selects.append(col(c.name))
    query = exp.select(*selects).from_(source)
    return query.where(where) if where is not None else query


def keys(names: Sequence[str], source: exp.Table) -> exp.Select:
    """``SELECT`` of the key columns (primary-key reconciliation)."""
    return exp.select(*(col(n) for n in names)).from_(source)


def tombstones(
    deletions: Deletions, match: str, deleted_record: exp.Table, since: exp.Expr
) -> exp.Select:
    """``recordid`` of records deleted since ``since``, named as the column it is matched on."""
    if deletions.transactions:
        which: exp.Expr = col("istransaction").eq(lit("T"))
    else:
        which = col("type").isin(*(lit(t) for t in deletions.record_types))
    return (
        exp.select(exp.alias_(col("recordid"), ident(match)))
        .from_(deleted_record)
        .where(exp.and_(which, col("deleteddate") >= since))
    )


def keyset_page(query: exp.Select, key: Sequence[str], last: Sequence[object] | None) -> exp.Select:
    """``query`` ordered by ``key`` and, after the first page, restricted to rows after ``last``.

    Key columns are found among the query's output names (an alias such as ``recordid AS
    "transaction"`` pages on ``recordid``). A composite key compares as a row value, spelled
    out: ``(k1 > v1 OR (k1 = v1 AND k2 > v2))``.
    """
    by_name = {s.alias_or_name: s.unalias() for s in query.selects}
    exprs = [by_name[k].copy() for k in key]
    page = query.copy().order_by(*(e.copy() for e in exprs))
    if last is None:
        return page
    literals = [_literal(v) for v in last]
    after: list[exp.Expr] = []
    for i, e in enumerate(exprs):
        equal = [exprs[j].copy().eq(literals[j].copy()) for j in range(i)]
        after.append(exp.and_(*equal, exp.GT(this=e.copy(), expression=literals[i].copy())))
    return page.where(exp.paren(exp.or_(*after)) if len(after) > 1 else after[0])


def _literal(value: object) -> exp.Expr:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"key value {value!r} cannot page a SuiteQL query (int or text only)")
    return exp.Literal.number(value) if isinstance(value, int) else exp.Literal.string(value)
