"""How much a change moves values and scores on the current warehouse (``erpml diff``).

:func:`measure` fills a :class:`mlops.diff.Report` that :func:`mlops.diff.compare` made: the old
and new rows of each changed dbt model (joined on its unique key), and old and new values of
every value-changing feature, or of every feature reading a changed mart column, side by side
over the latest training snapshot of each affected feature set (rows that move, drift
statistics, the entities that move most) and, for each affected stored model, how much its
scores move (mean and largest change, decisions that flip at 0.5, AUC on labeled rows with old
and new features).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.diff import Report, Side
from mlops.lineage import compare_mart, temp_marts
from semantic_models.catalog import Catalog
from semantic_models.lineage import replace_relations, split_version


def _changed_features(base: Side, head: Side) -> list[tuple[str, str]]:
    """(old ref, new ref) of plain features whose values may move."""
    pairs = []
    for ref, new in head.catalog.features.items():
        old = base.catalog.features.get(ref)
        if old is not None:
            if (
                base.prints[("features", ref)].fingerprint
                != head.prints[("features", ref)].fingerprint
            ):
                pairs.append((ref, ref))
            continue
        earlier = [f for f in base.catalog.features.values() if f.name == new.name]
        if earlier:
            pairs.append((max(earlier, key=lambda f: f.version).ref, ref))
    return pairs


def _mart_features(report: Report, head: Side, skip: set[str]) -> list[str]:
    """Features, unchanged themselves, that read a mart whose columns the change moves."""
    touched = report.touched.get("features", set())
    out = []
    for ref in sorted(touched - skip):
        f = head.catalog.features.get(ref)
        if f is not None and any(_reads_relation(f.mart, f.mart_version, r) for r in report.sql):
            out.append(ref)
    return out


def _reads_relation(mart: str, version: int | None, relation: str) -> bool:
    if relation == mart:
        return True
    name, v = split_version(relation)
    return v is not None and name == mart and (version is None or v == version)


def measure(report: Report, base: Side, head: Side, project: Path, top: int = 5) -> None:
    """Old and new values (and scores) side by side on the current warehouse.

    Changed definitions are computed old and new; for a changed dbt model, its old and new
    SELECT become temp tables, compared row by row on the model's unique key, and the features
    reading it are recomputed over each (their compiled timeline reading the temp table).
    """
    from mlops.lineage import compile_inline
    from mlops.warehouse import open_warehouse
    from semantic_models.compile import timeline_call

    pairs = _changed_features(base, head)
    via_marts = _mart_features(report, head, {n for _, n in pairs})
    if not pairs and not report.sql:
        return
    calls = [timeline_call(base.catalog, base.catalog.features[o]) for o, _ in pairs]
    calls += [timeline_call(head.catalog, head.catalog.features[n]) for _, n in pairs]
    calls += [timeline_call(head.catalog, head.catalog.features[r]) for r in via_marts]
    sqls = compile_inline(project, calls)
    old_sql, new_sql = sqls[: len(pairs)], sqls[len(pairs) : 2 * len(pairs)]
    pairs += [(r, r) for r in via_marts]
    with open_warehouse(project, read_only=True) as wh:
        measured = {r: s for r, s in report.sql.items() if _worth_measuring(report, head, r)}
        with temp_marts(wh, measured) as marts:
            for rel, tables in marts.items():
                cols = report.columns.get(rel, [])
                report.mart_values.append(compare_mart(wh, rel, head.keys.get(rel), cols, tables))
            for sql in sqls[2 * len(old_sql) :]:
                old_sql.append(replace_relations(sql, {r: t[0] for r, t in marts.items()}))
                new_sql.append(replace_relations(sql, {r: t[1] for r, t in marts.items()}))
            for i in range(len(pairs)):
                wh.execute(f"create temp table _erpml_old_{i} as {old_sql[i]}")
                wh.execute(f"create temp table _erpml_new_{i} as {new_sql[i]}")
        for fset in _sets_reading(head.catalog, pairs):
            _measure_set(report, wh, (head.catalog, fset), pairs, project=project, top=top)


def _worth_measuring(report: Report, head: Side, relation: str) -> bool:
    """A changed model with a unique key, or a mart a touched feature reads."""
    direct = any(m.relation == relation for m in report.marts)
    feats = [
        head.catalog.features[r]
        for r in report.touched.get("features", set()) & set(head.catalog.features)
    ]
    read = any(_reads_relation(f.mart, f.mart_version, relation) for f in feats)
    return read or (direct and relation in head.keys)


def _sets_reading(catalog: Catalog, pairs: list[tuple[str, str]]) -> list[Any]:
    return [
        s
        for s in catalog.feature_sets.values()
        if any(
            n in _expanded(catalog, s.features) or o in _expanded(catalog, s.features)
            for o, n in pairs
        )
    ]


def _measure_set(
    report: Report,
    wh: Any,
    where: tuple[Catalog, Any],
    pairs: list[tuple[str, str]],
    *,
    project: Path,
    top: int,
) -> None:
    """One feature set over its latest training snapshot with old and new feature values."""
    import dataclasses

    from mlops.features import pit_sql, plan

    catalog, fset = where
    spine = _spine(wh, catalog, fset)
    if spine is None:
        return
    p = plan(catalog, fset)
    frames = []
    for side in ("old", "new"):
        mapping = {}
        for i, (old_ref, new_ref) in enumerate(pairs):
            mapping[new_ref] = mapping[old_ref] = f"_erpml_{side}_{i}"
        cols = tuple(
            dataclasses.replace(c, table=mapping.get(c.ref, c.table)) if c.table else c
            for c in p.columns
        )
        frame = wh.frame(
            pit_sql(dataclasses.replace(p, columns=cols), spine, wh.dialect, ("label",))
        )
        order = [p.entity_key, "as_of"]  # two queries: align their rows before comparing
        frames.append(frame.sort_values(order, kind="stable").reset_index(drop=True))
    old, new = frames
    refs = {n for _, n in pairs} | {o for o, _ in pairs}
    _compare_values(report, fset.ref, p, (old, new), refs=refs, top=top)
    _compare_scores(report, fset.ref, project, old, new)


def _expanded(catalog: Catalog, refs: list[str]) -> set[str]:
    out: set[str] = set()
    for ref in refs:
        out.add(ref)
        if ref in catalog.derived_features:
            out |= _expanded(catalog, catalog.derived_features[ref].inputs)
    return out


def _spine(wh: Any, catalog: Catalog, fset: Any) -> str | None:
    """The latest training snapshot of ``fset`` as a spine with reference keys, if any."""
    entity = catalog.entity(fset.entity)
    try:
        rows = wh.rows(
            "select table_name from _erpml.snapshots where feature_set = "
            + ("?" if wh.dialect == "duckdb" else "%s")
            + " order by created_at desc limit 1",
            (fset.ref,),
        )
    except Exception:  # no snapshot table yet
        return None
    if not rows:
        return None
    refs = ", ".join(f'cast(e."{k}" as varchar) as "{k}"' for k in entity.references.values())
    return (
        f'(select s."{entity.key}", s.as_of, s.label{", " + refs if refs else ""} '
        f"from {rows[0][0]} as s left join marts.{entity.relation} as e "
        f'on cast(e."{entity.key}" as varchar) = s."{entity.key}")'
    )


def _compare_values(
    report: Report, fset: str, p: Any, frames: tuple[Any, Any], *, refs: set[str], top: int
) -> None:
    old, new = frames
    import numpy as np
    import pandas as pd

    for c in p.columns:
        if c.hidden or c.name not in old.columns:
            continue
        a, b = old[c.name], new[c.name]
        if c.ref not in refs and not c.expression:
            continue
        numeric = pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)
        if numeric:
            fa, fb = a.astype(float), b.astype(float)
            close = (fa - fb).abs() <= 1e-9 * np.maximum(1.0, fb.abs())
            moved = ~(close | (fa.isna() & fb.isna()))
        else:
            moved = ~((a == b) | (a.isna() & b.isna()))
        if not moved.any() and c.ref not in refs:
            continue
        entry: dict[str, Any] = {
            "feature_set": fset,
            "feature": c.ref,
            "rows": len(a),
            "rows_changed": int(moved.sum()),
            "share_changed": round(float(moved.mean()), 6) if len(a) else 0.0,
        }
        if numeric and len(a):
            delta = (fb - fa).abs()
            entry["mean_old"] = float(fa.mean())
            entry["mean_new"] = float(fb.mean())
            order = delta.sort_values(ascending=False).index[:top]
            entry["top_movers"] = [
                {
                    "entity": str(old.iloc[i, 0]),
                    "as_of": str(old["as_of"].iloc[i]),
                    "old": None if pd.isna(fa.iloc[i]) else float(fa.iloc[i]),
                    "new": None if pd.isna(fb.iloc[i]) else float(fb.iloc[i]),
                }
                for i in (old.index.get_loc(j) for j in order)
                if not pd.isna(delta.loc[order[0]])
            ]
            entry["drift"] = _drift(fa.to_numpy(), fb.to_numpy())
        report.values.append(entry)


def _drift(a: Any, b: Any) -> dict[str, float | None]:
    """The monitors' drift statistics between old and new values (None where not computable)."""
    import numpy as np

    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return {}
    try:
        from mlops.monitoring import drift

        stats = drift.numeric_stats(a, b)
        return {
            k: (None if v is None else float(v))
            for k, v in dataclasses_asdict(stats).items()
            if isinstance(v, (int, float)) or v is None
        }
    except Exception:  # the monitors' module is optional here
        return {}


def dataclasses_asdict(obj: Any) -> dict[str, Any]:
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return dict(vars(obj))


def _compare_scores(report: Report, fset: str, project: Path, old: Any, new: Any) -> None:
    """For each stored model of ``fset`` (latest version): scores with old and new features."""
    import numpy as np

    from mlops.models.inputs import prepare
    from mlops.models.store import store_for
    from mlops.models.train import predictions

    store = store_for(project)
    for name in store.names():
        spec = f"{name}@{store.versions(name)[-1]}"
        manifest = store.manifest(spec)
        if manifest.feature_set != fset:
            continue
        model = store.load(spec)
        s_old = np.asarray(
            predictions(model.estimator, manifest.task, prepare(old, manifest.columns)), dtype=float
        )
        s_new = np.asarray(
            predictions(model.estimator, manifest.task, prepare(new, manifest.columns)), dtype=float
        )
        delta = np.abs(s_new - s_old)
        entry: dict[str, Any] = {
            "model": spec,
            "feature_set": fset,
            "rows": len(delta),
            "mean_abs_change": float(delta.mean()) if len(delta) else 0.0,
            "max_abs_change": float(delta.max()) if len(delta) else 0.0,
            "rows_changed": int((delta > 1e-12).sum()),
        }
        if manifest.task == "classification":
            entry["decisions_flipped"] = int(((s_old >= 0.5) != (s_new >= 0.5)).sum())
            labeled = (
                old["label"].notna().to_numpy() if "label" in old else np.zeros(len(delta), bool)
            )
            if labeled.sum() > 1 and len(set(old["label"][labeled].astype(int))) == 2:
                from sklearn.metrics import roc_auc_score

                y = old["label"][labeled].astype(int).to_numpy()
                entry["auc_old"] = float(roc_auc_score(y, s_old[labeled]))
                entry["auc_new"] = float(roc_auc_score(y, s_new[labeled]))
        report.scores.append(entry)
        if manifest.fingerprints and entry["rows_changed"]:
            report.models.append(spec) if spec not in report.models else None
