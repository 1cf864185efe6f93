"""Where a monitor's inputs come from: scoring batches, the training snapshot, labels.

Read from the warehouse: ``_erpml.score_runs`` (the batches of a model), ``scores.<model>``
and ``scores.<model>_features`` (a batch's scores and feature values, with its feature
fingerprints), the model's training snapshot (``snapshot_table`` of its manifest), and the
feature set's entity mart (``marts.<relation>``: segment columns joined on the entity key,
and the label, computed from its ``expression`` where its ``known_at`` is settled). Names come
from the catalog and the manifest, quoted; values go in as literals rendered by sqlglot or as
parameters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlops.errors import MlopsError
from mlops.models.score import RUNS, SCORES
from mlops.monitoring.evaluate import Batch, Labels

if TYPE_CHECKING:
    import pandas as pd

    from mlops.models.store import Manifest
    from mlops.warehouse import Warehouse
    from semantic_models.schema import Entity, Label

QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Mart:
    """The entity mart a feature set's entities, segments and labels come from."""

    relation: str  # table in schema marts
    key: str
    columns: frozenset[str]

    @property
    def table(self) -> str:
        return f'marts."{self.relation}"'


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def literal(value: str) -> str:
    """``value`` as a SQL string literal."""
    from sqlglot import exp

    return str(exp.Literal.string(value).sql())


def stamp(moment: datetime) -> str:
    return f"timestamp '{moment:%Y-%m-%d %H:%M:%S}'"


def quoted(table: str) -> str:
    """``schema.name`` with both parts quoted; anything else is refused."""
    if not QUALIFIED.match(table):
        raise MlopsError(f"table {table!r} is not schema.name")
    schema, name = table.split(".")
    return f'"{schema}"."{name}"'


def marker(wh: Warehouse) -> str:
    return "?" if wh.dialect == "duckdb" else "%s"


def table_exists(wh: Warehouse, schema: str, name: str) -> bool:
    m = marker(wh)
    found = wh.rows(
        "select count(*) from information_schema.tables "
        f"where table_schema = {m} and table_name = {m}",
        (schema, name),
    )
    return bool(found[0][0])


def columns_of(wh: Warehouse, schema: str, name: str) -> frozenset[str]:
    m = marker(wh)
    found = wh.rows(
        "select column_name from information_schema.columns "
        f"where table_schema = {m} and table_name = {m}",
        (schema, name),
    )
    return frozenset(str(r[0]) for r in found)


def mart_of(wh: Warehouse, entity: Entity) -> Mart:
    columns = columns_of(wh, "marts", entity.relation)
    if not columns:
        raise MlopsError(f"no entity mart marts.{entity.relation} (run erpml build)")
    return Mart(entity.relation, entity.key, columns)


def score_batches(wh: Warehouse, name: str, version: int | None = None) -> list[Batch]:
    """The scoring runs of model ``name`` (of one version), oldest first."""
    schema, table = RUNS.split(".")
    if not table_exists(wh, schema, table):
        return []
    m = marker(wh)
    where = f"model_name = {m}"
    params: tuple[Any, ...] = (name,)
    if version is not None:
        where, params = f"{where} and model_version = {m}", (name, version)
    rows = wh.rows(
        "select run_id, job, scheduled_time, as_of, model_name, model_version, row_count "
        f"from {RUNS} where {where} order by scheduled_time, job, model_version",
        params,
    )
    return [
        Batch(str(r[0]), str(r[1]), r[2], r[3], str(r[4]), int(r[5]), int(r[6] or 0)) for r in rows
    ]


def feature_row_counts(wh: Warehouse, name: str) -> dict[str, int]:
    """Rows per run id in ``scores.<name>_features``."""
    if not table_exists(wh, SCORES, f"{name}_features"):
        return {}
    rows = wh.rows(f'select run_id, count(*) from {SCORES}."{name}_features" group by run_id')
    return {str(r[0]): int(r[1]) for r in rows}


def _segment_join(mart: Mart, segments: list[str]) -> str:
    picked = ", ".join(f'min(e0."{c}") as "{c}"' for c in segments)
    return (
        f'(select cast(e0."{mart.key}" as varchar) as _erpml_key'
        f"{', ' + picked if picked else ''} from {mart.table} as e0 group by 1)"
    )


def read_reference(
    wh: Warehouse, manifest: Manifest, mart: Mart, segments: list[str]
) -> pd.DataFrame:
    """The model's training snapshot, with the segment columns of its entities."""
    schema, name = manifest.snapshot_table.split(".", 1)
    if not table_exists(wh, schema, name):
        raise MlopsError(
            f"model {manifest.spec}: its training snapshot {manifest.snapshot_table} is gone; "
            "drift needs it as the reference"
        )
    picked = "".join(f', e."{c}"' for c in segments)
    return wh.frame(
        f"select r.*{picked} from {quoted(manifest.snapshot_table)} as r left join "
        f"{_segment_join(mart, segments)} as e "
        f'on e._erpml_key = cast(r."{manifest.entity_key}" as varchar)'
    )


def read_current(wh: Warehouse, batch: Batch, mart: Mart, segments: list[str]) -> pd.DataFrame:
    """The batch's feature values and scores, with the segment columns of its entities."""
    name = batch.model_name
    picked = "".join(f', e."{c}"' for c in segments)
    return wh.frame(
        f'select f.*, s.score{picked} from {SCORES}."{name}_features" as f '
        f'join {SCORES}."{name}" as s on s.run_id = f.run_id and s.entity_key = f.entity_key '
        f"left join {_segment_join(mart, segments)} as e on e._erpml_key = f.entity_key "
        f"where f.run_id = {literal(batch.run_id)}"
    )


def batch_fingerprints(wh: Warehouse, batch: Batch) -> dict[str, str]:
    """``feature@version -> fingerprint`` the batch's features were computed from."""
    rows = wh.rows(
        f'select distinct feature_fingerprints from {SCORES}."{batch.model_name}" '
        f"where run_id = {literal(batch.run_id)}"
    )
    if len(rows) != 1:
        raise MlopsError(f"{batch}: expected one set of feature fingerprints, found {len(rows)}")
    found: dict[str, str] = json.loads(str(rows[0][0]))
    return found


def labels_settled_by(wh: Warehouse, mart: Mart, asked: datetime | None) -> datetime:
    """``asked``, or the latest time the entity mart knows of (its ``known_at``), at most now.

    A warehouse holds the source's state as of its last extraction: a label that settles by
    the passing of time (``due_date + 31``) is known only up to then, not up to the wall clock.
    """
    if asked is not None:
        return asked
    now = utc_now()
    if "known_at" not in mart.columns:
        return now
    latest = wh.rows(f'select max(cast(e."known_at" as timestamp)) from {mart.table} as e')[0][0]
    return min(now, latest) if isinstance(latest, datetime) else now


def read_labels(
    wh: Warehouse, batch: Batch, mart: Mart, label: Label, settled_by: datetime
) -> Labels:
    """The feature set's label of the batch's entities, where settled by ``settled_by``."""
    settled = f"cast({label.known_at} as timestamp)"
    where = [f'cast(e."{mart.key}" as varchar) in ({_batch_keys(batch)})']
    if label.filter:
        where.append(f"({label.filter})")
    frame = wh.frame(
        f'select cast(e."{mart.key}" as varchar) as entity_key, '
        f"case when {settled} <= {stamp(settled_by)} then ({label.expression}) end as label, "
        f"case when {settled} <= {stamp(settled_by)} then {settled} end as label_known_at "
        f"from {mart.table} as e where {' and '.join(where)}"
    )
    return Labels(frame, settled_by)


def read_label_table(
    wh: Warehouse, batch: Batch, mart: Mart, table: str, settled_by: datetime
) -> Labels:
    """Labels from ``table`` (``entity_key``, ``label``, ``label_known_at``) settled by
    ``settled_by``: those of the batch's entities and those of entities the mart does not know
    (counted as unknown, then ignored)."""
    schema, name = table.split(".") if QUALIFIED.match(table) else ("", "")
    have = columns_of(wh, schema, name) if schema else frozenset()
    need = {"entity_key", "label", "label_known_at"}
    if not need <= have:
        raise MlopsError(
            f"labels table {table}: needs columns entity_key, label, label_known_at"
            + (f" (has {', '.join(sorted(have))})" if have else " (no such table)")
        )
    frame = wh.frame(
        "select cast(l.entity_key as varchar) as entity_key, l.label, "
        f"cast(l.label_known_at as timestamp) as label_known_at from {quoted(table)} as l "
        f"where cast(l.label_known_at as timestamp) <= {stamp(settled_by)} and ("
        f"cast(l.entity_key as varchar) in ({_batch_keys(batch)}) or not exists (select 1 from "
        f'{mart.table} as e where cast(e."{mart.key}" as varchar) = cast(l.entity_key as varchar)))'
    )
    return Labels(frame, settled_by)


def _batch_keys(batch: Batch) -> str:
    return (
        f'select s.entity_key from {SCORES}."{batch.model_name}" as s '
        f"where s.run_id = {literal(batch.run_id)}"
    )
