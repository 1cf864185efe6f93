"""Point-in-time feature retrieval: training snapshots and scoring use the same lookup.

A feature set's features are compiled into timeline tables (``features.feat_<name>__v<n>``:
entity, valid_from, valid_to, value). :func:`pit_sql` joins a spine of (entity, as_of) rows to
each timeline, taking the value valid at ``as_of`` (DuckDB: ``ASOF LEFT JOIN``; PostgreSQL:
``LEFT JOIN LATERAL ... ORDER BY valid_from DESC LIMIT 1`` on the timeline's index), then
computes derived features over those columns. On DuckDB, snapshots and scoring look the values
up in numpy instead (:mod:`mlops.pit`; same values, a fraction of the ASOF joins' CPU time)
and apply the same defaults and derived expressions in SQL: :func:`point_in_time`.
:func:`create_snapshot` runs it over the feature set's default spine (with the label, only where
it was settled by the cutoff) into a ``snapshots`` table with a manifest row;
:func:`get_features` runs it over the entities asked for, at one time, for scoring. Same
definitions, same lookup, same values.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlops.errors import MlopsError
from mlops.warehouse import Dialect, Warehouse, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

    from semantic_models.catalog import Catalog
    from semantic_models.schema import Entity, FeatureSet

MARTS = "marts"
SNAPSHOTS = "snapshots"
# DuckDB's own default is 80% of RAM; a snapshot's joins hold about 5 GiB at 1M spine rows x 20
# features without a cap and spill past this one at no measurable cost (bench/RESULTS.md)
SNAPSHOT_MEMORY_LIMIT = "3GB"
META = "_erpml"
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Column:
    """One output (or hidden input) column of a feature set."""

    name: str
    ref: str
    table: str | None  # timeline table of a plain feature; None for a derived one
    spine_key: str | None  # spine column holding the feature's entity key
    default: str
    expression: str | None = None  # derived: SQL over other columns
    hidden: bool = False


@dataclass(frozen=True)
class Plan:
    feature_set: str
    entity_key: str
    mart: str
    reference_keys: tuple[str, ...]
    columns: tuple[Column, ...]


def plan(catalog: Catalog, fset: FeatureSet) -> Plan:
    """The columns of ``fset``: its features, plus hidden inputs of its derived features."""
    from semantic_models.compile import default_value, model_name

    entity = catalog.entity(fset.entity)
    names = [ref.split("@")[0] for ref in fset.features]
    columns: dict[str, Column] = {}

    def label(ref: str, hidden: bool) -> str:
        name, version = ref.split("@")
        if hidden:
            return f"_in_{name}__v{version}"
        return name if names.count(name) == 1 else f"{name}__v{version}"

    def add(ref: str, hidden: bool) -> Column:
        if ref in columns:
            return columns[ref]
        if ref in catalog.derived_features:
            d = catalog.derived_features[ref]
            inputs = {r.split("@")[0]: f'"{add(r, True).name}"' for r in d.inputs}
            inputs["as_of"] = "as_of"
            expr = PLACEHOLDER.sub(lambda m: inputs[m.group(1)], d.expression)
            col = Column(
                label(ref, hidden), ref, None, None, "null", expression=expr, hidden=hidden
            )
        else:
            f = catalog.features[ref]
            target = catalog.entity(f.entity)
            key = entity.key if f.entity == entity.name else entity.references[f.entity]
            del target
            col = Column(
                label(ref, hidden),
                ref,
                f"features.{model_name(ref)}",
                key,
                default_value(f),
                hidden=hidden,
            )
        columns[ref] = col
        return col

    # Plain features first, so a derived feature's input that the set also shows is shared.
    for ref in sorted(fset.features, key=lambda r: r in catalog.derived_features):
        add(ref, False)
    ordered = sorted(columns.values(), key=lambda c: (c.expression is not None, c.hidden))
    return Plan(
        fset.ref, entity.key, entity.relation, tuple(entity.references.values()), tuple(ordered)
    )


def pit_sql(p: Plan, spine: str, dialect: Dialect, extra: Sequence[str] = ()) -> str:
    """Feature values of every spine row at its ``as_of``; ``extra``: spine columns to keep."""
    keep = [f's."{p.entity_key}"', "s.as_of", *(f's."{c}"' for c in extra)]
    joins, values = [], []
    plain = [c for c in p.columns if c.table is not None]
    if dialect == "duckdb" and plain:
        inner = _duckdb_pit(spine, keep, plain)
    else:
        for i, c in enumerate(plain):
            alias = f"f{i}"
            joins.append(
                f"left join lateral (select t.value, t.valid_to from {c.table} as t "
                f'where t.entity_key = s."{c.spine_key}" and t.valid_from <= s.as_of '
                f"order by t.valid_from desc limit 1) as {alias} on true"
            )
            values.append(
                f"coalesce(case when {alias}.valid_to is null or s.as_of < {alias}.valid_to "
                f'then {alias}.value end, {c.default}) as "{c.name}"'
            )
        inner = (
            f"select {', '.join(keep + values)} from {spine} as s\n" + "\n".join(joins)
            if values
            else f"select {', '.join(keep)} from {spine} as s"
        )
    return _with_derived(p, inner, extra)


@contextmanager
def point_in_time(wh: Warehouse, p: Plan, spine: str, extra: Sequence[str] = ()) -> Iterator[str]:
    """A query of :func:`pit_sql`'s rows, valid inside the ``with`` block.

    On DuckDB the timelines' values are looked up in numpy (:func:`mlops.pit.asof_lookup`) and
    registered as ``_erpml_pit`` for the block; the query applies the defaults and the derived
    features to them. Elsewhere it is :func:`pit_sql`. Spine rows keep their order and count.

    >>> with point_in_time(wh, p, "(select ...)") as sql:  # doctest: +SKIP
    ...     wh.execute(f"create table snapshots.t as {sql}")
    """
    from mlops.pit import Lookup, asof_lookup

    plain = [c for c in p.columns if c.table is not None]
    if wh.dialect != "duckdb" or not plain:
        yield pit_sql(p, spine, wh.dialect, extra)
        return
    lookups = [Lookup(str(c.table), str(c.spine_key)) for c in plain]
    with wh.registered("_erpml_pit", asof_lookup(wh.duckdb(), spine, lookups)):
        keep = [f's."{p.entity_key}"', "s.as_of", *(f's."{c}"' for c in extra)]
        named = [
            f'coalesce(s."_erpml_v{i}", {c.default}) as "{c.name}"' for i, c in enumerate(plain)
        ]
        yield _with_derived(p, f"select {', '.join(keep + named)} from _erpml_pit as s", extra)


def _with_derived(p: Plan, inner: str, extra: Sequence[str]) -> str:
    """``inner``'s rows with the derived features computed and the hidden inputs dropped."""
    derived = [c for c in p.columns if c.expression is not None]
    shown = [c for c in p.columns if not c.hidden]
    outer = [f'"{p.entity_key}"', "as_of", *(f'"{c}"' for c in extra)]
    for c in shown:
        outer.append(f'({c.expression}) as "{c.name}"' if c.expression else f'"{c.name}"')
    if not derived:
        return f"select {', '.join(outer)} from (\n{inner}\n) as pit"
    hidden_derived = [f'({c.expression}) as "{c.name}"' for c in derived if c.hidden]
    mid = f"select *{''.join(', ' + h for h in hidden_derived)} from (\n{inner}\n) as pit0"
    return f"select {', '.join(outer)} from (\n{mid}\n) as pit"


def _duckdb_pit(spine: str, keep: list[str], plain: list[Column]) -> str:
    """DuckDB: one narrow ``ASOF LEFT JOIN`` per timeline, put together on a spine row number.

    Chaining the ASOF joins (``spine asof join t1 asof join t2 ...``) re-sorts the whole
    widening row at every join: 1M spine rows x 20 features took 20 CPU-s and 7.2 GiB. Here each
    join sorts only the spine's (row number, key hash, as_of) against one timeline and the
    values are joined back on the row number: 13 CPU-s, 3.1 GiB (bench/RESULTS.md, issue 5).
    The joins match on a 64-bit hash of the key (integers sort at half the cost of strings);
    the key itself is compared on the matched row, so two keys sharing a hash stop the query
    with an error instead of giving a wrong value. That check also keeps each value computed
    right after its join (DuckDB otherwise pulls the expression above the row-number joins and
    carries value, valid_to and as_of through all of them: 17 CPU-s, 7.9 GiB). The spine is
    materialized once, in key-hash order, which the ASOF sorts then find nearly in order.
    """
    keys = list(dict.fromkeys(str(c.spine_key) for c in plain))
    hashes = "".join(
        f', case when "{k}" is not null then hash(cast("{k}" as varchar)) end as _erpml_h{j}'
        for j, k in enumerate(keys)
    )
    ctes = [
        f"_erpml_s as materialized (select *{hashes}, row_number() over () as _erpml_rid "
        f"from {spine} as s0 order by _erpml_h0, as_of)"
    ]
    joins, values = [], []
    for i, c in enumerate(plain):
        key = f's."{c.spine_key}"'
        ctes.append(
            f"_erpml_f{i} as (select s._erpml_rid, coalesce(case "
            f"when t.entity_key <> cast({key} as varchar) then error('point-in-time join: "
            f"entity keys ' || t.entity_key || ' and ' || cast({key} as varchar) || ' share a "
            f"64-bit hash') when t.valid_to is null or s.as_of < t.valid_to then t.value end, "
            f"{c.default}) as v from _erpml_s as s asof left join (select hash(entity_key) as "
            f"_erpml_h, entity_key, valid_from, valid_to, value from {c.table}) as t on "
            f"t._erpml_h = s._erpml_h{keys.index(str(c.spine_key))} and s.as_of >= t.valid_from)"
        )
        joins.append(f"join _erpml_f{i} as f{i} on f{i}._erpml_rid = s._erpml_rid")
        values.append(f'f{i}.v as "{c.name}"')
    sep = ",\n"
    return (
        f"with {sep.join(ctes)}\nselect {', '.join(keep + values)} from _erpml_s as s\n"
        + "\n".join(joins)
    )


@dataclass(frozen=True)
class Snapshot:
    id: str
    feature_set: str
    table: str
    rows: int
    cutoff: datetime
    features: dict[str, str]  # feature@version -> fingerprint
    checksum: str = ""  # SHA-256 of the rows (content_checksum)


def feature_fingerprints(catalog: Catalog, fset: FeatureSet) -> dict[str, str]:
    """The fingerprint of every feature the set computes (its features and their inputs)."""
    from semantic_models.fingerprint import fingerprints

    prints = fingerprints(catalog)
    out = {}
    for column in plan(catalog, fset).columns:
        kind = "derived_features" if column.ref in catalog.derived_features else "features"
        out[column.ref] = prints[(kind, column.ref)].fingerprint
    return out


def _spine_select(
    catalog: Catalog, fset: FeatureSet, cutoff: datetime, spine: str | None = None
) -> str:
    """The spine rows: the set's own (entity mart, spine time up to ``cutoff``), or ``spine``.

    ``spine`` is a table or a query returning the entity key column and ``as_of``; every one of
    its rows is kept (a left join to the entity mart brings reference keys and the label).
    """
    entity = catalog.entity(fset.entity)
    stamp = f"timestamp '{cutoff:%Y-%m-%d %H:%M:%S}'"
    refs = [f'cast(e."{k}" as varchar) as "{k}"' for k in entity.references.values()]
    label = []
    if fset.label is not None:
        settled = f"cast({fset.label.known_at} as timestamp)"
        label.append(f"case when {settled} <= {stamp} then {fset.label.expression} end as label")
        label.append(f"case when {settled} <= {stamp} then {settled} end as label_known_at")
    if spine is not None:
        source = f"({spine})" if re.match(r"(?is)^\s*(select|with)\b", spine) else spine
        cols = [f's."{entity.key}"', "s.as_of", *refs, *label]
        return (
            f'select {", ".join(cols)} from (select cast(q."{entity.key}" as varchar) as '
            f'"{entity.key}", cast(q.as_of as timestamp) as as_of from {source} as q) as s '
            f"left join {_one_row_per_key(entity)} as e "
            f'on cast(e."{entity.key}" as varchar) = s."{entity.key}"'
        )
    if fset.spine is None:
        raise MlopsError(f"feature set {fset.ref} has no spine: give one with --spine")
    cols = [f'cast(e."{entity.key}" as varchar) as "{entity.key}"', *refs]
    cols.append(f"cast({fset.spine.time} as timestamp) as as_of")
    cols += label
    where = [f"cast({fset.spine.time} as timestamp) <= {stamp}", f'e."{entity.key}" is not null']
    if fset.spine.filter:
        where.append(f"({fset.spine.filter})")
    if fset.label is not None and fset.label.filter:
        where.append(f"({fset.label.filter})")
    return (
        f"select {', '.join(cols)} from {MARTS}.{entity.relation} as e where {' and '.join(where)}"
    )


def _one_row_per_key(entity: Entity) -> str:
    """The entity mart with one row per key, so joining a spine to it never adds rows."""
    key = f'cast("{entity.key}" as varchar)'
    return (
        f"(select * from (select m.*, row_number() over (partition by {key} order by {key}) "
        f"as _erpml_rank from {MARTS}.{entity.relation} as m) as ranked "
        "where _erpml_rank = 1)"
    )


def create_snapshot(
    project: Path,
    catalog: Catalog,
    ref: str,
    cutoff: datetime | None = None,
    *,
    spine: str | None = None,
    out: Path | None = None,
) -> Snapshot:
    """A training snapshot of feature set ``ref`` (default spine: its own, up to ``cutoff``).

    Written as ``snapshots.<set>__v<n>__<id>`` with a manifest row in ``_erpml.snapshots``
    (every feature@version with its fingerprint, the extraction watermarks of the warehouse,
    row count, a content checksum that the same inputs reproduce) and, with ``out``, as Parquet.
    """
    fset = catalog.feature_set(ref)
    p = plan(catalog, fset)
    prints = feature_fingerprints(catalog, fset)
    cutoff = cutoff or datetime.now()
    sid = _snapshot_id(ref, prints, cutoff, spine)
    table = f"{SNAPSHOTS}.{fset.name}__v{fset.version}__{sid}"
    extra = ["label", "label_known_at"] if fset.label is not None else []
    with open_warehouse(project) as wh:
        _check_timelines(wh, p, prints)
        snapshot_session(wh)
        wh.execute(f"create schema if not exists {SNAPSHOTS}")
        wh.execute(f"create schema if not exists {META}")
        spine_sql = f"({_spine_select(catalog, fset, cutoff, spine)})"
        wh.execute(f"drop table if exists {table}")
        with point_in_time(wh, p, spine_sql, extra) as sql:
            wh.execute(f"create table {table} as {sql}")
        frame = wh.frame(f"select * from {table}")
        checksum = content_checksum(frame, [p.entity_key, "as_of"])
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(out, index=False)
        _record(
            wh,
            sid=sid,
            ref=ref,
            table=table,
            rows=len(frame),
            cutoff=cutoff,
            prints=prints,
            extra={
                "checksum": checksum,
                "watermarks": json.dumps(_watermarks(wh), sort_keys=True, default=str),
                "spine": spine or "",
                "parquet": str(out or ""),
            },
        )
    return Snapshot(sid, ref, table, len(frame), cutoff, prints, checksum)


def content_checksum(frame: pd.DataFrame, order: list[str]) -> str:
    """SHA-256 of the rows in a fixed order (values as text, so dtypes cannot sway it)."""
    ordered = frame.sort_values([*order, *[c for c in frame.columns if c not in order]])
    text = ordered.astype(str).to_csv(index=False, header=True, lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


def _watermarks(wh: Warehouse) -> dict[str, object]:
    """What the warehouse had extracted: per landing table, its watermarks (if recorded)."""
    known = wh.rows(
        "select count(*) from information_schema.tables "
        f"where table_schema = '{META}' and table_name = 'extract_state'"
    )
    if not known[0][0]:  # a warehouse built without erpml extract
        return {}
    rows = wh.rows(f"select * from {META}.extract_state")
    return {"|".join(str(v) for v in r[:2]): [str(v) for v in r[2:]] for r in rows}


def snapshot_session(wh: Warehouse) -> None:
    """Settings of the connection that writes a snapshot (DuckDB: a memory cap)."""
    if wh.dialect == "duckdb":
        wh.execute(f"set memory_limit = '{SNAPSHOT_MEMORY_LIMIT}'")


def _snapshot_id(
    ref: str, prints: dict[str, str], cutoff: datetime, spine: str | None = None
) -> str:
    text = json.dumps([ref, prints, cutoff.isoformat(), spine or ""], sort_keys=True)
    return f"{cutoff:%Y%m%dT%H%M%S}_{hashlib.sha256(text.encode()).hexdigest()[:8]}"


MANIFEST_EXTRA = ("checksum", "watermarks", "spine", "parquet")


def _record(
    wh: Warehouse,
    *,
    sid: str,
    ref: str,
    table: str,
    rows: int,
    cutoff: datetime,
    prints: dict[str, str],
    extra: dict[str, str],
) -> None:
    wh.execute(
        f"create table if not exists {META}.snapshots (snapshot_id varchar primary key, "
        "feature_set varchar, table_name varchar, row_count bigint, cutoff timestamp, "
        "features varchar, created_at timestamp)"
    )
    for name in MANIFEST_EXTRA:  # columns added after the first release of the table
        wh.execute(f"alter table {META}.snapshots add column if not exists {name} varchar")
    wh.execute(f"delete from {META}.snapshots where snapshot_id = '{sid}'")
    marker = "?" if wh.dialect == "duckdb" else "%s"
    names = ["snapshot_id", "feature_set", "table_name", "row_count", "cutoff", "features"]
    names += [*MANIFEST_EXTRA, "created_at"]
    values = [marker] * (len(names) - 1) + ["current_timestamp"]
    wh.execute(
        f"insert into {META}.snapshots ({', '.join(names)}) values ({', '.join(values)})",
        (
            sid,
            ref,
            table,
            rows,
            cutoff,
            json.dumps(prints, sort_keys=True),
            *(extra[n] for n in MANIFEST_EXTRA),
        ),
    )


def stored_fingerprints(wh: Warehouse, p: Plan) -> dict[str, str | None]:
    """The fingerprint each timeline table of the plan was built from (None: no such table)."""
    out: dict[str, str | None] = {}
    for c in p.columns:
        if c.table is None:
            continue
        schema, name = c.table.split(".")
        if wh.dialect == "duckdb":
            found = wh.rows(
                "select comment from duckdb_tables() where schema_name = ? and table_name = ?",
                (schema, name),
            )
        else:
            found = wh.rows(
                "select obj_description(c.oid) from pg_class c join pg_namespace n on "
                "n.oid = c.relnamespace where n.nspname = %s and c.relname = %s",
                (schema, name),
            )
        comment = str(found[0][0] or "") if found else None
        out[c.ref] = comment.rsplit(":", 1)[-1] if comment else ("" if found else None)
    return out


def _check_timelines(wh: Warehouse, p: Plan, prints: dict[str, str]) -> None:
    """Every timeline table exists and was built from the fingerprint in ``prints``."""
    for ref, stored in stored_fingerprints(wh, p).items():
        table = next(c.table for c in p.columns if c.ref == ref)
        if stored is None:
            raise MlopsError(
                f"feature {ref}: no table {table} (run erpml definitions compile and erpml build)"
            )
        expected = prints.get(ref)
        if expected and expected != stored:
            raise MlopsError(
                f"feature {ref}: table {table} was built from fingerprint {stored or 'unknown'}, "
                f"expected {expected}; rebuild with erpml build"
            )


def get_features(
    project: Path,
    catalog: Catalog,
    ref: str,
    entities: Sequence[str] | pd.DataFrame,
    as_of: datetime | None = None,
    *,
    expected: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Feature values of ``entities`` (keys, or a frame with the key and ``as_of``) at ``as_of``.

    The same lookup as a training snapshot: the values a snapshot taken at that time would hold.
    ``expected``: feature@version -> fingerprint the timelines must have been built from
    (default: the catalog's); a scoring job passes its model's training fingerprints.
    """
    import pandas as pd

    fset = catalog.feature_set(ref)
    p = plan(catalog, fset)
    entity = catalog.entity(fset.entity)
    if isinstance(entities, pd.DataFrame):
        frame = entities.copy()
        if "as_of" not in frame:
            frame["as_of"] = as_of or datetime.now()
    else:
        frame = pd.DataFrame({entity.key: list(entities), "as_of": as_of or datetime.now()})
    frame = frame[[entity.key, "as_of"]].astype({entity.key: "string"})
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    with open_warehouse(project, read_only=True) as wh:
        _check_timelines(wh, p, expected or feature_fingerprints(catalog, fset))
        wh.write("_erpml_request", frame.astype({entity.key: object}), temporary=True)
        refs = ", ".join(f'cast(e."{k}" as varchar) as "{k}"' for k in p.reference_keys)
        spine = (
            f'(select cast(r."{entity.key}" as varchar) as "{entity.key}", '
            f"cast(r.as_of as timestamp) as as_of{', ' + refs if refs else ''} "
            f"from _erpml_request as r left join {_one_row_per_key(entity)} as e "
            f'on cast(e."{entity.key}" as varchar) = cast(r."{entity.key}" as varchar))'
        )
        with point_in_time(wh, p, spine) as sql:
            return wh.frame(sql)
