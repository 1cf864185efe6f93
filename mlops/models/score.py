"""``erpml score``: score the current entities of a feature set with a stored model.

The population is the entity mart of the model's feature set: rows with a key, passing the
set's spine filter, whose spine time is at or before ``as_of`` (entities that exist then), and
passing ``where`` (SQL over the mart's columns, e.g. ``status <> 'paid'``; the mart's latest
state, not its state at ``as_of``). Features come from one :func:`mlops.features.get_features`
call for the whole population, pinned to the model's training fingerprints (see
:mod:`mlops.models.guard`); one vectorized prediction; one bulk write.

Written, in ONE transaction: ``scores.<model>`` (a score per entity: probability of the
positive class, or the prediction), ``scores.<model>_features`` (the feature values used, same
column names as the training snapshot, for drift monitoring) and a row in
``_erpml.score_runs``. The rows of the same ``(job, scheduled_time)`` are deleted first, so a
rerun replaces its own scores and a failed or killed run leaves the previous state. Times are
naive, like the warehouse's: ``as_of`` as given, ``scored_at`` in UTC.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.errors import MlopsError
from mlops.models.guard import DefinitionChangedError, check_definitions
from mlops.models.inputs import prepare
from mlops.models.store import Manifest, ModelStore, StoredModel
from mlops.models.train import predictions
from mlops.warehouse import Warehouse, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

    from semantic_models.catalog import Catalog
    from semantic_models.schema import FeatureSet

log = logging.getLogger(__name__)
SCORES = "scores"
RUNS = "_erpml.score_runs"
DEFAULT_JOB = "adhoc"
SCORE_COLUMNS = (
    ("run_id", "varchar"),
    ("job", "varchar"),
    ("scheduled_time", "timestamp"),
    ("model_name", "varchar"),
    ("model_version", "integer"),
    ("feature_set", "varchar"),
    ("feature_fingerprints", "varchar"),
    ("as_of", "timestamp"),
    ("entity_key", "varchar"),
    ("score", "double precision"),
    ("scored_at", "timestamp"),
)
RUN_COLUMNS = (
    "run_id varchar, job varchar, scheduled_time timestamp, model_name varchar, "
    "model_version integer, feature_set varchar, as_of timestamp, row_count bigint, "
    "scores_table varchar, warnings varchar, started_at timestamp, finished_at timestamp"
)


@dataclass(frozen=True)
class ScoreOptions:
    """When and what to score: ``scheduled_time`` defaults to ``as_of``, ``as_of`` to it or now."""

    as_of: datetime | None = None
    job: str = DEFAULT_JOB
    scheduled_time: datetime | None = None
    where: str | None = None
    at_spine_time: bool = False  # each entity at its own prediction time (spine time <= as_of)


@dataclass(frozen=True)
class ScoreRun:
    run_id: str
    model: str  # name@version
    table: str
    rows: int
    as_of: datetime
    job: str
    scheduled_time: datetime
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Batch:
    """What one scoring run writes."""

    manifest: Manifest
    run: ScoreRun
    scores: pd.DataFrame
    features: pd.DataFrame
    started_at: datetime


def score_model(
    project: Path, catalog: Catalog, spec: str, options: ScoreOptions, *, store: ModelStore
) -> ScoreRun:
    """Score the population of the model's feature set; see the module docstring.

    ``spec``: ``NAME``, ``NAME@VERSION``, ``NAME@ALIAS`` or an MLflow ``models:/...`` URI.
    """
    from mlops.features import get_features, plan, stored_fingerprints

    started = _utc_now()
    model = load_model(store, spec)
    m = model.manifest
    fset = _feature_set(catalog, m)
    p = plan(catalog, fset)
    shown = {c.ref for c in p.columns if not c.hidden}
    gone = [c.ref for c in m.columns if c.ref not in shown]
    if gone:
        raise DefinitionChangedError(
            f"model {m.spec}: feature set {m.feature_set} no longer has {', '.join(gone)}"
        )
    as_of = options.as_of or options.scheduled_time or datetime.now().replace(microsecond=0)
    with open_warehouse(project, read_only=True) as wh:
        warnings = check_definitions(m.spec, m.fingerprints, catalog, p, stored_fingerprints(wh, p))
        keys = population(wh, catalog, fset, as_of, options.where)
        times = spine_times(wh, catalog, fset, keys) if options.at_spine_time else None
    for w in warnings:
        log.info("%s", w)
    if not keys:
        raise MlopsError(
            f"no entities to score for {m.feature_set} at {as_of}"
            + (f" where {options.where}" if options.where else "")
            + "; nothing written"
        )
    request: Any = keys
    if times is not None:
        import pandas as pd

        entity = catalog.entity(fset.entity).key
        request = pd.DataFrame({entity: list(times), "as_of": list(times.values())})
    frame = get_features(project, catalog, m.feature_set, request, as_of, expected=m.fingerprints)
    values = predictions(model.estimator, m.task, prepare(frame, m.columns))
    run = ScoreRun(
        run_id=uuid.uuid4().hex,
        model=m.spec,
        table=f"{SCORES}.{m.name}",
        rows=len(frame),
        as_of=as_of,
        job=options.job,
        scheduled_time=options.scheduled_time or as_of,
        warnings=warnings,
    )
    batch = _batch(m, run, frame, values, started)
    with open_warehouse(project) as wh:
        write_batch(wh, batch)
    return run


def load_model(store: ModelStore, spec: str) -> StoredModel:
    """A model of the store (``NAME[@VERSION|@ALIAS]``) or of MLflow (``models:/...``)."""
    from mlops.models import mlflow_registry

    if mlflow_registry.is_mlflow_uri(spec):
        return mlflow_registry.load_model(spec)
    return store.load(spec)


def _feature_set(catalog: Catalog, m: Manifest) -> FeatureSet:
    from semantic_models.errors import DefinitionError

    try:
        return catalog.feature_set(m.feature_set)
    except DefinitionError as exc:
        raise DefinitionChangedError(f"model {m.spec}: {exc}") from None


def population(
    wh: Warehouse, catalog: Catalog, fset: FeatureSet, as_of: datetime, where: str | None
) -> list[str]:
    """Keys of the entities to score (see the module docstring)."""
    entity = catalog.entity(fset.entity)
    conditions = [f'e."{entity.key}" is not null']
    if fset.spine is not None:
        conditions.append(
            f"cast({fset.spine.time} as timestamp) <= timestamp '{as_of:%Y-%m-%d %H:%M:%S}'"
        )
        if fset.spine.filter:
            conditions.append(f"({fset.spine.filter})")
    if where:
        conditions.append(f"({_condition(where, wh.dialect)})")
    sql = (
        f'select distinct cast(e."{entity.key}" as varchar) from marts.{entity.relation} as e '
        f"where {' and '.join(conditions)} order by 1"
    )
    try:
        return [str(r[0]) for r in wh.rows(sql)]
    except Exception as exc:  # the user's --where can name a column the mart lacks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MlopsError(f"cannot select the entities to score: {first}") from None


def spine_times(
    wh: Warehouse, catalog: Catalog, fset: FeatureSet, keys: list[str]
) -> dict[str, datetime]:
    """Each entity's prediction time (the feature set's spine time), as training saw it."""
    if fset.spine is None:
        raise MlopsError(f"feature set {fset.ref} has no spine time to score at")
    entity = catalog.entity(fset.entity)
    rows = wh.rows(
        f'select cast(e."{entity.key}" as varchar), max(cast({fset.spine.time} as timestamp)) '
        f"from marts.{entity.relation} as e group by 1"
    )
    wanted = set(keys)
    return {str(k): t for k, t in rows if str(k) in wanted and t is not None}


def _condition(where: str, dialect: str) -> str:
    """``where`` as one SQL condition in the warehouse's dialect (never a statement)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        parsed = sqlglot.parse_one(where, read=dialect)
    except SqlglotError as exc:
        raise MlopsError(f"--where {where!r} does not parse: {str(exc).splitlines()[0]}") from None
    if not isinstance(parsed, exp.Condition):
        raise MlopsError(f"--where {where!r} is not a condition")
    return parsed.sql(dialect=dialect)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _batch(
    m: Manifest, run: ScoreRun, frame: pd.DataFrame, values: Any, started: datetime
) -> Batch:
    import pandas as pd

    keys = frame[m.entity_key].astype(object)
    as_of = pd.to_datetime(frame["as_of"])
    scores = pd.DataFrame(
        {
            "run_id": run.run_id,
            "job": run.job,
            "scheduled_time": pd.Timestamp(run.scheduled_time),
            "model_name": m.name,
            "model_version": m.version,
            "feature_set": m.feature_set,
            "feature_fingerprints": json.dumps(m.fingerprints, sort_keys=True),
            "as_of": as_of,
            "entity_key": keys,
            "score": values,
            "scored_at": pd.Timestamp(_utc_now()),
        }
    )
    head = pd.DataFrame(
        {
            "run_id": run.run_id,
            "job": run.job,
            "scheduled_time": pd.Timestamp(run.scheduled_time),
            "entity_key": keys,
            "as_of": as_of,
        }
    )
    features = pd.concat([head, frame[[c.name for c in m.columns]]], axis=1)
    return Batch(m, run, scores, features, started)


@contextmanager
def transaction(wh: Warehouse) -> Iterator[None]:
    """All or nothing: DuckDB explicitly; PostgreSQL's open transaction, committed here."""
    if wh.dialect == "postgres":
        yield  # on an error open_warehouse rolls the whole connection back
        wh.commit()
        return
    wh.execute("begin transaction")
    try:
        yield
    except BaseException:
        wh.execute("rollback")
        raise
    wh.execute("commit")


def write_batch(wh: Warehouse, batch: Batch) -> None:
    """Replace the scores of the batch's ``(job, scheduled_time)`` in one transaction."""
    name = batch.manifest.name
    table, ftable = f'{SCORES}."{name}"', f'{SCORES}."{name}_features"'
    wh.execute(f"create schema if not exists {SCORES}")
    wh.execute("create schema if not exists _erpml")
    wh.write("_erpml_scores", batch.scores, temporary=True)
    wh.write("_erpml_score_features", batch.features, temporary=True)
    with transaction(wh):
        columns = ", ".join(f'"{c}" {t}' for c, t in SCORE_COLUMNS)
        wh.execute(f"create table if not exists {table} ({columns})")
        wh.execute(f"create table if not exists {RUNS} ({RUN_COLUMNS})")
        _ensure_feature_table(wh, name, batch.features)
        key = (batch.run.job, batch.run.scheduled_time)
        m = "?" if wh.dialect == "duckdb" else "%s"
        for t in (table, ftable):
            wh.execute(f"delete from {t} where job = {m} and scheduled_time = {m}", key)
        wh.execute(
            f"delete from {RUNS} where job = {m} and scheduled_time = {m} and model_name = {m}",
            (*key, name),
        )
        _insert(wh, batch, table, ftable)


def _ensure_feature_table(wh: Warehouse, name: str, features: pd.DataFrame) -> None:
    """``scores.<name>_features`` with a column for every feature (added when new)."""
    wh.execute(
        f'create table if not exists {SCORES}."{name}_features" as '
        "select * from _erpml_score_features where 1 = 0"
    )
    marker = "?" if wh.dialect == "duckdb" else "%s"
    have = {
        str(r[0])
        for r in wh.rows(
            "select column_name from information_schema.columns "
            f"where table_schema = {marker} and table_name = {marker}",
            (SCORES, f"{name}_features"),
        )
    }
    for column in features.columns:
        if column not in have:
            sql_type = _sql_type(features[column].dtype)
            wh.execute(f'alter table {SCORES}."{name}_features" add column "{column}" {sql_type}')


def _sql_type(dtype: Any) -> str:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "double precision"
    return "varchar"


def _insert(wh: Warehouse, batch: Batch, table: str, ftable: str) -> None:
    """The inserts of a batch (after its delete, inside its transaction)."""
    score_cols = ", ".join(f'"{c}"' for c, _ in SCORE_COLUMNS)
    wh.execute(f"insert into {table} ({score_cols}) select {score_cols} from _erpml_scores")
    feature_cols = ", ".join(f'"{c}"' for c in batch.features.columns)
    wh.execute(
        f"insert into {ftable} ({feature_cols}) select {feature_cols} from _erpml_score_features"
    )
    run = batch.run
    marker = "?" if wh.dialect == "duckdb" else "%s"
    wh.execute(
        f"insert into {RUNS} values ({', '.join([marker] * 12)})",
        (
            run.run_id,
            run.job,
            run.scheduled_time,
            batch.manifest.name,
            batch.manifest.version,
            batch.manifest.feature_set,
            run.as_of,
            run.rows,
            run.table,
            json.dumps(run.warnings),
            batch.started_at,
            _utc_now(),
        ),
    )
