"""Column-level lineage of a compiled dbt model: what each output column computes and reads.

``model_lineage(sql)`` walks the query's scopes (CTEs, derived tables, unions, subqueries) with
sqlglot and returns, per output column, a fingerprint of what it computes and the base
``(relation, column)`` pairs its value reads, plus a fingerprint and the reads of what decides
the model's *rows* (FROM and JOIN sources and conditions, WHERE, GROUP BY, HAVING, QUALIFY,
DISTINCT, LIMIT, set operations, at every scope feeding the output). Every column reference is
replaced by the fingerprint of the column it resolves to, and each expression is canonicalized
(:func:`semantic_models.sql.canonical`: case, formatting, parentheses, commutative order), so
renaming an alias or a CTE, reformatting or reordering terms leaves the prints unchanged.

``changed_columns(old, new)`` compares two lineages of the same model: columns whose value
print differs, every column when the rows print differs, and columns removed or retyped.
``columns_reading(lineage, relation, columns)`` says which output columns of a downstream model
read given columns of ``relation``: in their value, or in a clause deciding the rows (then all).

Example::

    >>> old = model_lineage("select a, b + 1 as b from t where c > 0")
    >>> new = model_lineage("select a, 1 + b as b from t where c > 0")
    >>> changed_columns(old, new).changed
    set()
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, build_scope

from semantic_models.sql import canonical

Read = tuple[str, str]  # (relation name, column); column "*" when it cannot be told
ANY = "*"
_ROW_CLAUSES = ("where", "group", "having", "qualify", "distinct", "limit", "offset")


@dataclass(frozen=True)
class Column:
    print: str
    reads: frozenset[Read]
    data_type: str | None = None  # the type of an outermost CAST, if any


@dataclass(frozen=True)
class Lineage:
    columns: dict[str, Column]  # output column (lower case) -> what it computes
    rows: Column  # what decides the rows
    relations: frozenset[str] = frozenset()  # every relation the model reads


@dataclass
class Comparison:
    changed: set[str] = field(default_factory=set)  # value-changing columns
    removed: set[str] = field(default_factory=set)
    retyped: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    added: set[str] = field(default_factory=set)
    rows_changed: bool = False


_VERSIONED = re.compile(r"^(.*)_v([0-9]+)$")


def split_version(relation: str) -> tuple[str, int | None]:
    """``fct_ar_invoice_v2`` -> (``fct_ar_invoice``, 2); an unversioned name -> (name, None)."""
    m = _VERSIONED.match(relation)
    return (m[1], int(m[2])) if m else (relation, None)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def model_lineage(sql: str, dialect: str = "duckdb") -> Lineage:
    """The lineage of one compiled SELECT (see the module docstring)."""
    tree = sqlglot.parse_one(sql, read=dialect)
    root = build_scope(tree)
    if root is None:
        raise ValueError("not a query")
    tracer = _Tracer(root, dialect)
    names = tracer.output_names(root)
    columns = {n: tracer.column(root, n) for n in names}
    relations = frozenset(t.name.lower() for t in tree.find_all(exp.Table) if t.name)
    return Lineage(columns, tracer.rows(root), relations)


def changed_columns(old: Lineage, new: Lineage) -> Comparison:
    out = Comparison(rows_changed=old.rows.print != new.rows.print)
    for name, col in old.columns.items():
        other = new.columns.get(name)
        if other is None:
            out.removed.add(name)
        elif col.data_type != other.data_type and col.data_type and other.data_type:
            out.retyped[name] = (col.data_type, other.data_type)
        elif col.print != other.print or out.rows_changed:
            out.changed.add(name)
    out.added = set(new.columns) - set(old.columns)
    return out


def columns_reading(lineage: Lineage, relation: str, columns: set[str] | None) -> set[str]:
    """Output columns of ``lineage`` that read ``columns`` of ``relation`` (None: any column)."""

    def hit(reads: Iterable[Read]) -> bool:
        for rel, col in reads:
            if rel == relation and (columns is None or col == ANY or col in columns):
                return True
        return False

    if hit(lineage.rows.reads):
        return set(lineage.columns)
    return {name for name, col in lineage.columns.items() if hit(col.reads)}


def _sources(scope: Scope) -> dict[str, object]:
    """The sources a scope selects from (FROM and JOINs), by alias."""
    return {alias: source for alias, (_, source) in scope.selected_sources.items()}


class _Tracer:
    """Resolves columns through scopes; memoized per (scope, column)."""

    def __init__(self, root: Scope, dialect: str) -> None:
        self.dialect = dialect
        self.scopes = {id(s.expression): s for s in root.traverse()}
        self.memo: dict[tuple[int, str], Column] = {}
        self.row_memo: dict[int, Column] = {}

    # -- output columns ----------------------------------------------------------------------
    def output_names(self, scope: Scope) -> list[str]:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            return self.output_names(self._branches(scope)[0])
        if not isinstance(expression, exp.Select):
            return []
        names: list[str] = []
        for projection in expression.selects:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                table = projection.table if isinstance(projection, exp.Column) else ""
                for alias, source in _sources(scope).items():
                    if table and alias != table:
                        continue
                    if isinstance(source, Scope):
                        names += [n for n in self.output_names(source) if n not in names]
                continue
            names.append(projection.alias_or_name.lower())
        return names

    def _branches(self, scope: Scope) -> list[Scope]:
        expression = scope.expression
        assert isinstance(expression, exp.SetOperation)
        return [self.scopes[id(expression.left)], self.scopes[id(expression.right)]]

    # -- a column's value ----------------------------------------------------------------------
    def column(self, scope: Scope, name: str) -> Column:
        key = (id(scope), name)
        if key not in self.memo:
            self.memo[key] = Column("cycle", frozenset())  # recursive CTEs: stop
            self.memo[key] = self._column(scope, name)
        return self.memo[key]

    def _column(self, scope: Scope, name: str) -> Column:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            left, right = self._branches(scope)
            position = (
                self.output_names(left).index(name) if name in self.output_names(left) else -1
            )
            right_names = self.output_names(right)
            other = right_names[position] if 0 <= position < len(right_names) else name
            a, b = self.column(left, name), self.column(right, other)
            kind = type(expression).__name__
            return Column(_digest(f"{kind}({a.print},{b.print})"), a.reads | b.reads, a.data_type)
        if not isinstance(expression, exp.Select):
            return Column(_digest(expression.sql()), frozenset())
        for projection in expression.selects:
            if isinstance(projection, exp.Star | exp.Column) and (
                isinstance(projection, exp.Star) or isinstance(projection.this, exp.Star)
            ):
                continue
            if projection.alias_or_name.lower() == name:
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                data_type = (
                    inner.args["to"].sql(self.dialect) if isinstance(inner, exp.Cast) else None
                )
                value = self.expression(scope, inner)
                if data_type is None and isinstance(inner, exp.Column):
                    data_type = self._passthrough_type(scope, inner)
                return Column(value.print, value.reads, data_type)
        # a star: the column comes from whichever source has it, under the same name
        stars = [
            p.table if isinstance(p, exp.Column) else ""
            for p in expression.selects
            if isinstance(p, exp.Star)
            or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
        ]
        sources = [
            (alias, source)
            for alias, source in _sources(scope).items()
            if any(not t or t == alias for t in stars)
        ]
        return self._from_sources(sources, name)

    def _passthrough_type(self, scope: Scope, column: exp.Column) -> str | None:
        sources = self._candidates(scope, column)
        found = [self.column(s, column.name.lower()) for _, s in sources if isinstance(s, Scope)]
        return found[0].data_type if len(found) == 1 else None

    def _from_sources(self, sources: list[tuple[str, object]], name: str) -> Column:
        known = [
            (a, s) for a, s in sources if isinstance(s, Scope) and name in self.output_names(s)
        ]
        chosen = known or sources
        if not chosen:
            return Column(_digest(f"unknown.{name}"), frozenset())
        parts = [self._source_column(s, name) for _, s in chosen]
        reads = frozenset().union(*(p.reads for p in parts))
        data_type = parts[0].data_type if len(parts) == 1 else None
        return Column(_digest("|".join(sorted(p.print for p in parts))), reads, data_type)

    def _source_column(self, source: object, name: str) -> Column:
        if isinstance(source, Scope):
            return self.column(source, name)
        table = source.name.lower() if isinstance(source, exp.Table) else "?"
        return Column(_digest(f"{table}.{name}"), frozenset({(table, name)}))

    def _candidates(self, scope: Scope, column: exp.Column) -> list[tuple[str, object]]:
        """The sources an unqualified or qualified column may come from (outer scopes too)."""
        current: Scope | None = scope
        while current is not None:
            visible = _sources(current)
            if column.table:
                if column.table in visible:
                    return [(column.table, visible[column.table])]
            elif visible:
                items = list(visible.items())
                if len(items) == 1:
                    return items
                known: list[tuple[str, object]] = [
                    (a, s)
                    for a, s in items
                    if isinstance(s, Scope) and column.name.lower() in self.output_names(s)
                ]
                if known:
                    return known
                unknown = [(a, s) for a, s in items if not isinstance(s, Scope)]
                if unknown:
                    return unknown
            current = current.parent
        return []

    # -- an expression -----------------------------------------------------------------------
    def expression(self, scope: Scope, node: exp.Expr) -> Column:
        """``node`` with every column replaced by the print of what it resolves to."""
        tree = node.copy()
        reads: set[Read] = set()
        replacements: list[tuple[exp.Expr, exp.Expr]] = []
        originals = list(node.walk(bfs=False))
        copies = list(tree.walk(bfs=False))
        skip: set[int] = set()
        for original, copy in zip(originals, copies, strict=True):
            if id(original) in skip:
                continue
            if isinstance(original, exp.Select | exp.SetOperation):
                inner = self.scopes.get(id(original))
                for sub in original.walk():
                    skip.add(id(sub))
                if inner is None:
                    continue
                rows = self.rows(inner)
                values = [self.column(inner, n) for n in self.output_names(inner)]
                text = "|".join([rows.print, *(v.print for v in values)])
                reads |= rows.reads.union(*(v.reads for v in values))
                replacements.append((copy, exp.column(f"q_{_digest(text)}")))
            elif isinstance(original, exp.Column) and not isinstance(original.this, exp.Star):
                sources = self._candidates(scope, original)
                resolved = self._from_sources(sources, original.name.lower())
                if not sources:  # not a column after all (a lateral alias, a keyword)
                    resolved = self._lateral(scope, original)
                reads |= resolved.reads
                replacements.append((copy, exp.column(f"c_{resolved.print}")))
        for copy, new in replacements:
            if copy is tree:
                tree = new
            else:
                copy.replace(new)
        text = tree.sql(dialect=self.dialect)
        try:
            text = canonical(text)
        except Exception:  # not an expression canonical() parses (a window, a subquery)
            text = " ".join(text.lower().split())
        return Column(_digest(text), frozenset(reads))

    def _lateral(self, scope: Scope, column: exp.Column) -> Column:
        expression = scope.expression
        if isinstance(expression, exp.Select):
            for projection in expression.selects:
                if (
                    isinstance(projection, exp.Alias)
                    and projection.alias.lower() == column.name.lower()
                ):
                    return self.expression(scope, projection.this)
        return Column(_digest(f"free.{column.name.lower()}"), frozenset())

    # -- the rows ------------------------------------------------------------------------------
    def rows(self, scope: Scope) -> Column:
        key = id(scope)
        if key not in self.row_memo:
            self.row_memo[key] = Column("cycle", frozenset())
            self.row_memo[key] = self._rows(scope)
        return self.row_memo[key]

    def _join(self, scope: Scope, join: exp.Join) -> Column:
        kind = " ".join(str(join.args.get(k) or "") for k in ("method", "side", "kind")).strip()
        texts, reads = [f"join:{kind.lower()}"], frozenset[Read]()
        for key in ("on", "using"):
            value = join.args.get(key)
            if isinstance(value, exp.Expr):
                part = self.expression(scope, value)
                texts.append(f"{key}:{part.print}")
                reads |= part.reads
        return Column(";".join(texts), reads)

    def _rows(self, scope: Scope) -> Column:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            parts = [self.rows(b) for b in self._branches(scope)]
            distinct = bool(expression.args.get("distinct"))
            text = f"{type(expression).__name__}:{distinct}:" + ",".join(p.print for p in parts)
            return Column(_digest(text), frozenset().union(*(p.reads for p in parts)))
        if not isinstance(expression, exp.Select):
            return Column(_digest(expression.sql()), frozenset())
        texts: list[str] = []
        reads: set[Read] = set()
        for alias, source in scope.selected_sources.items():
            del alias
            node, src = source
            del node
            if isinstance(src, Scope):
                part = self.rows(src)
                texts.append(f"from:{part.print}")
                reads |= part.reads
            elif isinstance(src, exp.Table):
                texts.append(f"from:{src.name.lower()}")
        for join in expression.args.get("joins") or []:
            part = self._join(scope, join)
            texts.append(part.print)
            reads |= part.reads
        for key in _ROW_CLAUSES:
            value = expression.args.get(key)
            if not isinstance(value, exp.Expr):
                continue
            if isinstance(value, exp.Where | exp.Having | exp.Qualify):
                items = [value.this]
            elif isinstance(value, exp.Group):
                items = list(value.expressions)  # grouping keys: their order does not matter
            else:
                items = [value]
            parts = [self.expression(scope, item) for item in items]
            texts.append(f"{key}:{','.join(sorted(p.print for p in parts))}")
            reads = reads.union(*(p.reads for p in parts))
        return Column(_digest(";".join(texts)), frozenset(reads))


def replace_relations(sql: str, replacements: dict[str, str], dialect: str = "duckdb") -> str:
    """``sql`` with each table named in ``replacements`` read from its replacement instead.

    A replacement is a SELECT (inlined as a subquery) or a table name; the table's alias (or its
    name) stays the alias, so the rest of the query reads the same columns.

    >>> replace_relations('select a from "db"."marts"."t" as x', {"t": "tmp_t"})
    'SELECT a FROM tmp_t AS x'
    """
    tree = sqlglot.parse_one(sql, read=dialect)
    for table in list(tree.find_all(exp.Table)):
        new = replacements.get(table.name.lower())
        if new is None or not table.name:
            continue
        alias = table.alias or table.name
        source = sqlglot.parse_one(new, read=dialect)
        if isinstance(source, exp.Query):
            table.replace(source.subquery(alias))
        else:
            table.replace(exp.to_table(new).as_(alias))
    return tree.sql(dialect=dialect)
