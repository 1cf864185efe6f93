"""dbt model changes through column-level lineage, and how much a changed mart's rows move.

:func:`model_changes` compiles the old and new SQL of every changed dbt model, and the new SQL
of every model downstream of one, in one ``dbt compile --inline`` (the raw texts of both sides
rendered against the project's macros and refs). It compares the old and new lineage of each
changed model per output column (:mod:`semantic_models.lineage`): a column whose own expression
changed, every column when a clause deciding the rows changed (WHERE, JOIN, GROUP BY, QUALIFY,
DISTINCT), columns removed or retyped. It then follows the changed columns down the models
(staging -> intermediate -> marts): a downstream column is touched when it reads a changed
column, and every column is when a changed column decides its rows. Definitions are then
touched only when they read a touched column of the mart they name. Both sides compile against
erpml's dbt project (its macros, and the relations refs name): when dbt cannot compile a side
(a ref to a model only that side has), every reader of the changed models is touched instead.
Edits to macros are not compared.

:func:`compare_mart` runs the old and new SELECT of a changed mart side by side on the warehouse
and counts, by the mart's unique key, the rows whose changed columns differ, and rows added or
removed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError
from semantic_models.lineage import (
    Comparison,
    Lineage,
    changed_columns,
    columns_reading,
    model_lineage,
    split_version,
)

log = logging.getLogger(__name__)
SPLIT = "-- erpml-diff-split"
REF = re.compile(
    r"""ref\(\s*['"](?P<name>[a-z0-9_]+)['"]\s*(?:,\s*v(?:ersion)?\s*=\s*['"]?(?P<v>[0-9]+)['"]?)?\s*\)"""
)
CONFIG = re.compile(r"\{\{-?\s*config\(")


@dataclass(frozen=True)
class ModelChange:
    path: str
    model: str  # the name definitions use (no _v<n>)
    change: str  # equivalent, additive, value-changing, schema-breaking, added, removed
    reasons: tuple[str, ...]
    columns: tuple[str, ...] = ()  # contract or output columns removed or retyped
    changed: tuple[str, ...] = ()  # output columns whose values may move
    relation: str = ""  # the table name (with _v<n>)
    key: str | None = None  # the unique key, for comparing rows
    text_diff: str = ""  # unified diff of the model's file


@dataclass
class ModelReach:
    """What the changed dbt models touch: changed columns per relation (None: all)."""

    columns: dict[str, set[str] | None] = field(default_factory=dict)

    def touched_models(self, changed: set[str]) -> set[str]:
        return {r for r, c in self.columns.items() if r not in changed and (c is None or c)}


def strip_config(text: str) -> str:
    """A model's text without its ``{{ config(...) }}`` block (an inline node cannot take one)."""
    match = CONFIG.search(text)
    if match is None:
        return text
    depth, i, quote = 1, match.end(), ""
    while i < len(text) and depth:
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        i += 1
    end = text.find("}}", i)
    return text if end < 0 else text[: match.start()] + strip_config(text[end + 2 :])


def compile_inline(project: Path | None, texts: list[str]) -> list[str]:
    """Each dbt text (Jinja SQL) compiled against the project's dbt models, in one invocation.

    ``project`` names the warehouse (its relation names appear in the compiled SQL); without
    one, an empty DuckDB file stands in (compiling reads no data).
    """
    from dbt.cli.main import dbtRunner

    from mlops.build import DBT_PROJECT, _environment, _release_duckdb, one_line, warehouse_env

    if not texts:
        return []
    with tempfile.TemporaryDirectory(prefix="erpml-diff-dbt-") as scratch:
        if project is not None and project.exists():
            target, env = warehouse_env(project, None)
            # a target path kept from one report to the next: dbt reuses its saved parse
            # (partial_parse.msgpack) instead of parsing the whole project every time
            work = str(project.resolve().parent / ".erpml" / "dbt-diff")
        else:
            target, env = (
                "duckdb",
                {"ERPML_TARGET": "duckdb", "ERPML_WAREHOUSE": f"{scratch}/w.duckdb"},
            )
            work = scratch
        inline = f"\n{SPLIT}\n".join(strip_config(t) for t in texts)
        args = ["compile", "--inline", inline, "--quiet", "--target", target]
        args += ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT)]
        args += ["--target-path", f"{work}/target", "--log-path", f"{work}/logs"]
        with _environment(env), contextlib.redirect_stdout(io.StringIO()):
            try:
                res = dbtRunner().invoke(args)
            finally:
                if target == "duckdb":
                    _release_duckdb()
    if res.exception is not None or not res.success:
        raise MlopsError("dbt could not compile: " + one_line(str(res.exception or res.result)))
    result: Any = res.result
    parts = str(result.results[0].node.compiled_code).split(SPLIT)
    if len(parts) != len(texts):
        raise MlopsError("dbt returned an unexpected compiled text")
    return parts


def _relation(path: str) -> str:
    return Path(path).stem


def _reads(text: str, versions: dict[str, int]) -> set[str]:
    """Relations a model's Jinja text refs (an unpinned versioned ref reads the latest)."""
    out = set()
    for m in REF.finditer(text):
        name, v = m["name"], m["v"]
        if v is None and name in versions:
            v = str(versions[name])
        out.add(f"{name}_v{v}" if v else name)
    return out


def downstream_models(models: dict[str, str], roots: set[str]) -> list[str]:
    """Paths of models reading the relations ``roots``, directly or not (not the roots)."""
    versions: dict[str, int] = {}
    for path in models:
        name, v = split_version(_relation(path))
        if v is not None:
            versions[name] = max(versions.get(name, 0), v)
    reads = {p: _reads(t, versions) for p, t in models.items()}
    found: list[str] = []
    todo = set(roots)
    seen = set(roots)
    while todo:
        current = todo.pop()
        for path, rels in sorted(reads.items()):
            rel = _relation(path)
            if current in rels and rel not in seen:
                seen.add(rel)
                todo.add(rel)
                found.append(path)
    return found


@dataclass(frozen=True)
class Compiled:
    old: dict[str, str]  # relation -> compiled SQL (changed models, base side)
    new: dict[str, str]  # relation -> compiled SQL (changed and downstream models, head side)


def compile_sides(
    project: Path | None, old: dict[str, str], new: dict[str, str], changed: list[str]
) -> Compiled:
    """Old and new SQL of the ``changed`` model paths, and new SQL of their readers."""
    down = downstream_models(new, {_relation(p) for p in changed})
    olds = [p for p in changed if p in old]
    news = [p for p in changed if p in new] + down
    sqls = compile_inline(project, [old[p] for p in olds] + [new[p] for p in news])
    return Compiled(
        {_relation(p): s for p, s in zip(olds, sqls[: len(olds)], strict=True)},
        {_relation(p): s for p, s in zip(news, sqls[len(olds) :], strict=True)},
    )


def lineage_or_none(sql: str, dialect: str) -> Lineage | None:
    try:
        return model_lineage(sql, dialect)
    except Exception as exc:  # a model sqlglot cannot read: treated as changing every column
        log.warning("no column lineage (%s)", str(exc).splitlines()[0][:200])
        return None


def reach(compiled: Compiled, dialect: str, changed: dict[str, set[str] | None]) -> ModelReach:
    """Follow changed columns down the compiled head models until nothing more changes."""
    lineages = {rel: lineage_or_none(sql, dialect) for rel, sql in compiled.new.items()}
    out = ModelReach(dict(changed))
    moved = True
    while moved:
        moved = False
        for rel, lin in lineages.items():
            if rel in changed:
                continue
            cols = _touched(rel, lin, compiled.new[rel], out.columns)
            if cols != out.columns.get(rel, set()):
                out.columns[rel] = cols
                moved = True
    return out


def _touched(
    rel: str, lin: Lineage | None, sql: str, changed: dict[str, set[str] | None]
) -> set[str] | None:
    """Columns of model ``rel`` reading a changed column (None: all, lineage unknown)."""
    mine: set[str] = set()
    for upstream, cols in changed.items():
        if upstream == rel or cols == set():
            continue
        if lin is None:
            if re.search(rf"\b{re.escape(upstream)}\b", sql):
                return None
            continue
        mine |= columns_reading(lin, upstream, cols)
    return mine


def classify(
    old_sql: str | None, new_sql: str | None, dialect: str
) -> tuple[str, tuple[str, ...], set[str] | None, tuple[str, ...]]:
    """(class, reasons, changed columns (None: all), removed or retyped columns) of one model."""
    if old_sql is None or new_sql is None:
        kind = "added" if old_sql is None else "removed"
        return kind, (f"model {kind}",), None, ()
    old, new = lineage_or_none(old_sql, dialect), lineage_or_none(new_sql, dialect)
    if old is None or new is None:
        return "value-changing", ("SQL changed (no column lineage)",), None, ()
    return _classified(changed_columns(old, new), set(new.columns))


def _classified(
    diff: Comparison, every: set[str]
) -> tuple[str, tuple[str, ...], set[str] | None, tuple[str, ...]]:
    broken = tuple(sorted(diff.removed)) + tuple(sorted(diff.retyped))
    why = [f"{c} removed" for c in sorted(diff.removed)]
    why += [f"{c} {a} -> {b}" for c, (a, b) in sorted(diff.retyped.items())]
    touched = set(diff.changed) | set(diff.removed) | set(diff.retyped)
    if broken:
        return "schema-breaking", tuple(why), touched, broken
    if diff.rows_changed:
        why.append("rows change (FROM, JOIN, WHERE, GROUP BY, HAVING, QUALIFY or DISTINCT)")
        return "value-changing", tuple(why), every, ()
    if diff.changed:
        return (
            "value-changing",
            (f"columns change: {', '.join(sorted(diff.changed))}",),
            touched,
            (),
        )
    if diff.added:
        return "additive", (f"columns added: {', '.join(sorted(diff.added))}",), set(), ()
    return "equivalent", ("same normalized SQL per column",), set(), ()


def _count(condition: Any) -> Any:
    from sqlglot import exp

    one, zero = exp.Literal.number(1), exp.Literal.number(0)
    return exp.Sum(this=exp.If(this=condition, true=one, false=zero))


def _differs(column: str) -> Any:
    from sqlglot import exp

    return exp.NullSafeEQ(this=exp.column(column, "o"), expression=exp.column(column, "n")).not_()


def compare_mart(
    wh: Any, relation: str, key: str | None, changed: list[str], tables: tuple[str, str]
) -> dict[str, Any]:
    """Old and new rows of a changed model (materialized as ``tables``) joined on its key."""
    from sqlglot import exp

    old, new = (exp.to_table(t) for t in tables)
    counts = exp.select(
        exp.select(exp.Count(this=exp.Star())).from_(old).subquery(),
        exp.select(exp.Count(this=exp.Star())).from_(new).subquery(),
    )
    total = wh.rows(counts.sql(dialect=wh.dialect))[0]
    entry: dict[str, Any] = {"model": relation, "rows_old": int(total[0])}
    entry["rows_new"] = int(total[1])
    if key is None:
        return entry
    cols = [c for c in changed if c != key]
    in_old, in_new = exp.column(key, "o").is_(exp.null()), exp.column(key, "n").is_(exp.null())
    both = exp.and_(in_old.not_(), in_new.not_())
    moved = exp.or_(*(_differs(c) for c in cols)) if cols else exp.false()
    query = (
        exp.select(
            _count(exp.and_(both, moved)).as_("moved"),
            _count(in_old).as_("added"),
            _count(in_new).as_("removed"),
            *(_count(exp.and_(both, _differs(c))).as_(f"d_{i}") for i, c in enumerate(cols)),
        )
        .from_(old.as_("o"))
        .join(new.as_("n"), on=exp.column(key, "o").eq(exp.column(key, "n")), join_type="full")
    )
    row = [int(v or 0) for v in wh.rows(query.sql(dialect=wh.dialect))[0]]
    matched = entry["rows_old"] - row[2]
    entry.update(
        key=key,
        rows_changed=row[0],
        rows_added=row[1],
        rows_removed=row[2],
        share_changed=round(row[0] / matched, 6) if matched else 0.0,
        columns=dict(zip(cols, row[3:], strict=True)),
    )
    return entry


@contextlib.contextmanager
def temp_marts(
    wh: Any, selects: dict[str, tuple[str, str]]
) -> Iterator[dict[str, tuple[str, str]]]:
    """The old and new SELECT of each model as temp tables: relation -> (old, new) table."""
    out: dict[str, tuple[str, str]] = {}
    for i, (relation, (old, new)) in enumerate(sorted(selects.items())):
        names = (f"_erpml_model_old_{i}", f"_erpml_model_new_{i}")
        wh.execute(f'create temp table "{names[0]}" as {old}')
        wh.execute(f'create temp table "{names[1]}" as {new}')
        out[relation] = names
    yield out
