"""A small synthetic warehouse for the monitor and report tests, on DuckDB or PostgreSQL.

What ``erpml monitor`` reads, written directly (no ERP fixtures, no dbt build), with samples
large enough that a planted shift is certain and an unplanted one is not:

- ``marts.fct_ar_invoice_v2``: the entity mart of the starter catalog's ``late_payment@1``
  (key, source_system, company_id, due and paid dates the label is computed from, known_at);
- ``snapshots.late_payment__v1__synthetic``: the training snapshot (3,000 invoices of 2025);
- a model manifest ``late_payment@1`` in the model store (four inputs, the catalog's
  fingerprints; no estimator: the monitor never loads one);
- scoring batches written by ``mlops.models.score.write_batch``:

  ========== ============ =====================================================================
  job        scheduled    planted
  ========== ============ =====================================================================
  monthly    2025-12-31   nothing (same distributions as the reference); labels calibrated
  monthly    2026-06-30   invoice_amount x 1.6; new category ECOM (20%); invoice_terms_days
                          30 -> 60 for netsuite only; labels inverted (AUC and ECE degrade);
                          100 invoices whose label settles after the mart's latest known_at
  ========== ============ =====================================================================

``cust_tenure_days`` never moves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

MODEL = "late_payment"
SNAPSHOT = "snapshots.late_payment__v1__synthetic"
EARLY, LATE = datetime(2025, 12, 31), datetime(2026, 6, 30)
KNOWN_UNTIL = datetime(2026, 9, 30)  # the mart's latest known_at: labels settle up to here
N_REF, N_BATCH, N_PENDING = 3000, 2000, 100
COLUMNS = (
    ("invoice_amount", "invoice_amount@1", "numeric"),
    ("invoice_terms_days", "invoice_terms_days@1", "numeric"),
    ("cust_category", "cust_category@1", "categorical"),
    ("cust_tenure_days", "cust_tenure_days@1", "numeric"),
)
HOLDOUT = {"auc": 0.83, "brier": 0.17, "log_loss": 0.5}  # calibrated uniform scores


@dataclass(frozen=True)
class World:
    project: Path
    engine: str
    fingerprints: dict[str, str]  # feature@version -> fingerprint (the catalog's)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        from mlops.warehouse import open_warehouse

        with open_warehouse(self.project, read_only=True) as wh:
            return wh.rows(sql)

    def execute(self, *statements: str) -> None:
        from mlops.warehouse import open_warehouse

        with open_warehouse(self.project) as wh:
            for sql in statements:
                wh.execute(sql)


def warehouse_section(engine: str, home: Path, pg_url: str | None) -> dict[str, Any]:
    if engine == "duckdb":
        import duckdb

        path = home / "warehouse.duckdb"
        duckdb.connect(str(path)).close()
        return {"kind": "duckdb", "path": str(path)}
    assert pg_url is not None
    return {"kind": "postgres", "url": pg_url}


def build(home: Path, engine: str, pg_url: str | None = None, **sections: Any) -> World:
    """The synthetic world in ``home`` (see the module docstring)."""
    from mlops.definitions import load_definitions
    from mlops.features import feature_fingerprints

    project = home / "erpml.yml"
    data = {"warehouse": warehouse_section(engine, home, pg_url), **sections}
    project.write_text(yaml.safe_dump(data, sort_keys=False))
    catalog = load_definitions(project).catalog
    prints = feature_fingerprints(catalog, catalog.feature_set("late_payment@1"))
    world = World(project, engine, prints)
    rng = np.random.default_rng(20260630)
    reference = _invoices(rng, "r", N_REF, lambda n: _dates(rng, date(2025, 1, 1), 365, n))
    early = _invoices(rng, "e", N_BATCH, lambda n: [EARLY] * n)
    late = _shifted(rng, _invoices(rng, "l", N_BATCH, lambda n: [LATE] * n))
    _write_mart(world, rng, reference, early, late)
    _write_snapshot(world, reference)
    _write_manifest(world)
    for frame, when, flip in ((early, EARLY, False), (late, LATE, True)):
        write_scores(world, frame, when, rng, flip=flip)
    return world


def _dates(rng: np.random.Generator, start: date, days: int, n: int) -> list[datetime]:
    offsets = rng.integers(0, days, n)
    return [datetime.combine(start, datetime.min.time()) + timedelta(days=int(d)) for d in offsets]


def _invoices(rng: np.random.Generator, prefix: str, n: int, as_of: Any) -> pd.DataFrame:
    system = rng.choice(["jde", "netsuite"], n)
    return pd.DataFrame(
        {
            "invoice_key": [f"{prefix}{i:05d}" for i in range(n)],
            "as_of": pd.to_datetime(as_of(n)),
            "source_system": system,
            "company_id": np.where(rng.random(n) < 0.5, "00001", "00002"),
            "invoice_amount": rng.lognormal(8, 1, n),
            "invoice_terms_days": rng.choice([30.0, 45.0, 60.0], n, p=[0.6, 0.3, 0.1]),
            "cust_category": rng.choice(["STD", "KEY", "NEW"], n, p=[0.6, 0.3, 0.1]),
            "cust_tenure_days": rng.uniform(100, 2000, n),
        }
    )


def _shifted(rng: np.random.Generator, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["invoice_amount"] *= 1.6
    ecom = rng.random(len(out)) < 0.2
    out.loc[ecom, "cust_category"] = "ECOM"
    netsuite = out["source_system"] == "netsuite"
    out.loc[netsuite, "invoice_terms_days"] = 60.0
    return out


def _write_mart(world: World, rng: np.random.Generator, *frames: pd.DataFrame) -> None:
    """Every invoice in the mart; batch invoices get paid dates that give their labels later
    (in :func:`write_scores`), reference invoices are paid on time."""
    from mlops.warehouse import open_warehouse

    rows = pd.concat([f[["invoice_key", "source_system", "company_id", "as_of"]] for f in frames])
    mart = pd.DataFrame(
        {
            "invoice_key": rows["invoice_key"].to_numpy(),
            "source_system": rows["source_system"].to_numpy(),
            "company_id": rows["company_id"].to_numpy(),
            "company_key": (rows["source_system"] + ":" + rows["company_id"]).to_numpy(),
            "document_kind": "invoice",
            "due_date": (rows["as_of"] - pd.Timedelta(days=10)).dt.date.to_numpy(),
            "paid_date": (rows["as_of"] - pd.Timedelta(days=5)).dt.date.to_numpy(),
            "known_at": pd.Timestamp(KNOWN_UNTIL),
        }
    )
    with open_warehouse(world.project) as wh:
        wh.execute("create schema if not exists marts")
        wh.execute(
            "create table marts.fct_ar_invoice_v2 (invoice_key varchar, source_system varchar, "
            "company_id varchar, company_key varchar, document_kind varchar, due_date date, "
            "paid_date date, known_at timestamp)"
        )
        wh.write("_t_mart", mart.astype({"due_date": object, "paid_date": object}), temporary=True)
        wh.execute(
            "insert into marts.fct_ar_invoice_v2 select invoice_key, source_system, company_id, "
            "company_key, document_kind, cast(due_date as date), cast(paid_date as date), "
            "cast(known_at as timestamp) from _t_mart"
        )


def _write_snapshot(world: World, reference: pd.DataFrame) -> None:
    from mlops.warehouse import open_warehouse

    frame = reference[["invoice_key", "as_of", *(c for c, _, _ in COLUMNS)]].copy()
    frame["label"] = False
    frame["label_known_at"] = frame["as_of"]
    with open_warehouse(world.project) as wh:
        wh.execute("create schema if not exists snapshots")
        wh.write(SNAPSHOT, frame)


def _write_manifest(world: World) -> None:
    from mlops.models.store import Manifest, store_for

    store = store_for(world.project)
    folder = store.root / MODEL / "1"
    folder.mkdir(parents=True)
    manifest = Manifest.model_validate(
        {
            "name": MODEL,
            "version": 1,
            "created_at": datetime(2026, 1, 1),
            "task": "classification",
            "feature_set": "late_payment@1",
            "snapshot_id": "synthetic",
            "snapshot_table": SNAPSHOT,
            "entity_key": "invoice_key",
            "label": "paid_late_30",
            "fingerprints": world.fingerprints,
            "columns": [{"name": n, "ref": r, "kind": k} for n, r, k in COLUMNS],
            "training_cutoff": datetime(2025, 12, 31),
            "metrics": HOLDOUT,
            "model_sha256": "0" * 64,
            "estimator_class": "synthetic.Model",
            "erpml_version": "0",
        }
    )
    (folder / "manifest.json").write_text(manifest.model_dump_json(indent=2))


def write_scores(
    world: World,
    frame: pd.DataFrame,
    when: datetime,
    rng: np.random.Generator,
    *,
    flip: bool,
    job: str = "monthly",
    fingerprints: dict[str, str] | None = None,
) -> str:
    """A scoring batch of ``frame`` at ``when``; the mart's paid dates give each invoice the
    label ``Bernoulli(score)`` (``flip``: ``Bernoulli(1 - score)``). Returns the run id."""
    from mlops.models.score import Batch, ScoreRun, write_batch
    from mlops.models.store import store_for
    from mlops.warehouse import open_warehouse

    manifest = store_for(world.project).manifest(f"{MODEL}@1")
    scores = rng.uniform(0.02, 0.98, len(frame))
    late = rng.random(len(frame)) < (1 - scores if flip else scores)
    run_id = f"run_{job}_{when:%Y%m%d}"
    run = ScoreRun(run_id, manifest.spec, f"scores.{MODEL}", len(frame), when, job, when)
    keys = frame["invoice_key"].astype(object)
    score_frame = pd.DataFrame(
        {
            "run_id": run_id,
            "job": job,
            "scheduled_time": pd.Timestamp(when),
            "model_name": MODEL,
            "model_version": 1,
            "feature_set": "late_payment@1",
            "feature_fingerprints": json.dumps(fingerprints or world.fingerprints),
            "as_of": pd.Timestamp(when),
            "entity_key": keys,
            "score": scores,
            "scored_at": pd.Timestamp(when),
        }
    )
    head = score_frame[["run_id", "job", "scheduled_time", "entity_key", "as_of"]]
    features = pd.concat([head, frame[[c for c, _, _ in COLUMNS]].reset_index(drop=True)], axis=1)
    with open_warehouse(world.project) as wh:
        write_batch(wh, Batch(manifest, run, score_frame, features, when))
        paid = pd.DataFrame(
            {
                "invoice_key": keys,
                "days": np.where(late, 45, 5),  # paid 45 days after due: late; 5: on time
            }
        )
        if flip:  # the last invoices are unpaid and settle after the mart's latest known_at
            paid.loc[paid.index[-N_PENDING:], "days"] = -1
        wh.write("_t_paid", paid.astype({"invoice_key": object}), temporary=True)
        wh.execute(
            "update marts.fct_ar_invoice_v2 set paid_date = case when p.days < 0 then null "
            "else marts.fct_ar_invoice_v2.due_date + cast(p.days as integer) end, "
            "due_date = case when p.days < 0 then cast('2026-09-15' as date) "
            "else marts.fct_ar_invoice_v2.due_date end "
            "from _t_paid as p where p.invoice_key = marts.fct_ar_invoice_v2.invoice_key"
        )
    return run_id


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def erpml(*args: str) -> Ran:
    """Run ``erpml`` in-process through ``main`` (its one-line errors and exit codes)."""
    from click.testing import CliRunner

    from mlops.cli.main import main

    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        return Ran(code, out.getvalue().decode(), err.getvalue().decode())
