"""SQL fragments of definitions: parsed, canonicalized and inspected with sqlglot.

``canonical(sql)`` is the text a fingerprint hashes: parsed as DuckDB SQL, identifiers
lower-cased, whitespace and keyword case normalized, parentheses around atoms dropped, and the
operands of commutative operators (AND, OR, +, *, =, <>) put in a fixed order, so formatting,
aliases and reordered terms (and IN lists) do not change what a definition computes.
"""

from __future__ import annotations

from functools import reduce

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from semantic_models.errors import DefinitionError

READ = "duckdb"
_FLAT = (exp.And, exp.Or, exp.Add, exp.Mul)
_SYMMETRIC = (exp.EQ, exp.NEQ)
_ATOMS = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Boolean, exp.Null)


def parse(sql: str) -> exp.Expr:
    """One SQL expression; a one-line error naming the fragment when it does not parse."""
    try:
        tree = sqlglot.parse_one(sql, read=READ)
    except ParseError as exc:
        first = str(exc).splitlines()[0]
        raise DefinitionError(f"SQL does not parse: {sql!r}: {first}") from None
    if tree is None:
        raise DefinitionError(f"SQL is empty: {sql!r}")
    return tree


def canonical(sql: str | None) -> str:
    """The canonical text of a SQL expression ('' for none)."""
    if sql is None or not sql.strip():
        return ""
    tree = _canon(normalize_identifiers(parse(sql), dialect=READ))
    while isinstance(tree, exp.Paren):  # parentheses around the whole expression
        tree = tree.this
    return tree.sql(dialect=READ, normalize=True)


def columns_of(sql: str | None) -> set[str]:
    """The column names a SQL expression reads (lower-cased)."""
    if sql is None or not sql.strip():
        return set()
    return {c.name.lower() for c in parse(sql).find_all(exp.Column)}


def _canon(node: exp.Expr) -> exp.Expr:
    """Children first (post-order), then this node."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expr):
            node.set(key, _canon(value))
        elif isinstance(value, list):
            node.set(key, [_canon(v) if isinstance(v, exp.Expr) else v for v in value])
    return _order(_unwrap(node))


def _unwrap(node: exp.Expr) -> exp.Expr:
    """Drop parentheses that cannot change precedence: around atoms and around parentheses."""
    if isinstance(node, exp.Paren) and isinstance(node.this, _ATOMS):
        return node.this
    return node


def _order(node: exp.Expr) -> exp.Expr:
    if isinstance(node, _FLAT):
        kind = type(node)
        terms = sorted(_flatten(node, kind), key=lambda t: t.sql(dialect=READ))
        return reduce(lambda a, b: kind(this=a, expression=b), terms)
    if isinstance(node, exp.In) and node.args.get("expressions"):
        items = sorted(node.args["expressions"], key=lambda t: t.sql(dialect=READ))
        node.set("expressions", items)
        return node
    if isinstance(node, _SYMMETRIC):
        left, right = sorted((node.this, node.expression), key=lambda t: t.sql(dialect=READ))
        return type(node)(this=left, expression=right)
    return node


def _flatten(node: exp.Expr, kind: type[exp.Expr]) -> list[exp.Expr]:
    if isinstance(node, kind):
        return _flatten(node.this, kind) + _flatten(node.expression, kind)
    return [node]
