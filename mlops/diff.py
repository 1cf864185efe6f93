"""``erpml diff``: what a definition change changes, what it touches, how much values move.

Both sides are read from git (``--base``, ``--head``; the working tree when a side has no rev):
the definition catalog and the dbt models. :func:`compare` classifies every changed definition
(:mod:`semantic_models.diff`) and every changed dbt model, follows what reads what down to
feature sets, stored models (through their training manifests) and the project's jobs, and
:func:`measure` computes, on the current warehouse, old and new values of every value-changing
feature side by side over the latest training snapshot of each affected feature set (rows that
move, drift statistics, the entities that move most) and, for each affected stored model, how
much its scores move (mean and largest change, decisions that flip at 0.5, AUC on labeled rows
with old and new features).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from mlops.errors import MlopsError
from semantic_models.catalog import Catalog
from semantic_models.diff import Change, diff_catalogs, downstream, readers_of
from semantic_models.fingerprint import Fingerprinted

ROOT = Path(__file__).resolve().parents[1]
CATALOG = Path("semantic_models/catalog")
MODELS = Path("dbt_project/models")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Side:
    label: str  # the rev, or "working tree"
    catalog: Catalog
    prints: dict[tuple[str, str], Fingerprinted]
    models: dict[str, str]  # dbt model path -> SQL text
    schemas: dict[str, dict[str, str]]  # model name (with _v<n>) -> column -> data_type


@dataclass(frozen=True)
class ModelChange:
    path: str
    model: str
    change: str  # equivalent, value-changing, schema-breaking, added, removed
    reasons: tuple[str, ...]
    columns: tuple[str, ...] = ()  # contract columns removed or retyped


@dataclass
class Report:
    base: str
    head: str
    definitions: list[Change] = field(default_factory=list)
    marts: list[ModelChange] = field(default_factory=list)
    touched: dict[str, set[str]] = field(default_factory=dict)  # kind -> refs
    models: list[str] = field(default_factory=list)  # stored model specs touched
    jobs: list[str] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def exit_code(self) -> int:
        return 1 if self.errors else 0


def merge_base(root: Path = ROOT) -> str:
    """The merge base of HEAD with main (HEAD itself on main)."""
    for other in ("origin/main", "main"):
        out = _git(root, "merge-base", "HEAD", other, check=False)
        if out:
            return out
    return _git(root, "rev-parse", "HEAD")


def _git(root: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        if check:
            raise MlopsError(f"git {' '.join(args)}: {proc.stderr.strip().splitlines()[-1:]}")
        return ""
    return proc.stdout.strip()


@contextmanager
def checkout(rev: str | None, root: Path = ROOT) -> Iterator[Path]:
    """A folder holding the catalog and dbt models at ``rev`` (None: the working tree)."""
    if rev is None:
        yield root
        return
    _git(root, "rev-parse", "--verify", f"{rev}^{{commit}}")
    proc = subprocess.run(
        ["git", "archive", rev, "semantic_models", "dbt_project"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise MlopsError(f"git archive {rev}: {proc.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix="erpml-diff-") as tmp:
        with tarfile.open(fileobj=BytesIO(proc.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def load_side(rev: str | None, root: Path = ROOT) -> Side:
    from mlops.definitions import load_definitions

    with checkout(rev, root) as tree:
        defs = load_definitions(folder=tree / CATALOG, dbt_project=tree / "dbt_project")
        models = {
            str(p.relative_to(tree)): p.read_text()
            for p in (tree / MODELS).rglob("*.sql")
            if "_generated" not in p.parts
        }
        schemas = _contracts(tree / MODELS)
    return Side(rev or "working tree", defs.catalog, defs.prints, models, schemas)


def _contracts(models: Path) -> dict[str, dict[str, str]]:
    """Declared columns (name -> data_type) of every model, each version as ``<name>_v<n>``."""
    out: dict[str, dict[str, str]] = {}
    for path in models.rglob("*.yml"):
        if "_generated" in path.parts:
            continue
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []) or []:
            base = {c["name"]: str(c.get("data_type", "")) for c in model.get("columns", []) or []}
            versions = model.get("versions") or []
            if not versions:
                out[model["name"]] = base
            for v in versions:
                cols = dict(base)
                for c in v.get("columns", []) or []:
                    if "include" in c:
                        keep = set(base) if c["include"] in ("all", "*") else set(c["include"])
                        keep -= set(c.get("exclude", []) or [])
                        cols = {k: t for k, t in base.items() if k in keep}
                    elif "name" in c:
                        cols[c["name"]] = str(c.get("data_type", ""))
                out[f"{model['name']}_v{v['v']}"] = cols
    return out


def canonical_model_sql(text: str) -> str:
    """A dbt model's SQL with Jinja replaced by stable placeholders, canonicalized if it parses."""
    from semantic_models.sql import canonical

    stripped = JINJA.sub(lambda m: f"__jinja_{abs(hash(m.group(0).strip())) % 10**8}__", text)
    if stripped.lstrip().startswith("{"):
        return " ".join(stripped.split())
    try:
        import sqlglot

        tree = sqlglot.parse_one(stripped, read="duckdb")
        return canonical(tree.sql(dialect="duckdb")) if tree is not None else stripped
    except Exception:  # unparsable SQL is compared as normalized text
        return " ".join(stripped.split())


def compare(base: Side, head: Side) -> Report:
    """Classify definition and model changes and follow what they touch."""
    report = Report(base.label, head.label)
    result = diff_catalogs(base.catalog, head.catalog, base.prints, head.prints)
    report.definitions = result.changes
    for change in result.changes:
        if change.needs_version:
            report.errors.append(
                f"{change.kind} {change.ref}: {change.change} without a new version "
                f"({'; '.join(change.reasons)})"
            )
        elif change.change == "removed":
            report.errors.append(f"{change.kind} {change.ref}: released version removed")
    report.marts = _model_changes(base, head)
    for m in report.marts:
        if m.change == "schema-breaking":
            report.errors.append(
                f"model {m.model}: schema-breaking without a new model version "
                f"({'; '.join(m.reasons)})"
            )
    touched: dict[str, set[str]] = {}
    roots: list[str] = []
    for c in result.changes:
        if c.change in ("value-changing", "schema-breaking", "removed"):
            touched.setdefault(c.kind, set()).add(c.ref)
            roots.append(c.ref)
    for m in report.marts:
        if m.change in ("value-changing", "schema-breaking"):
            cols = set(m.columns) if m.change == "schema-breaking" and m.columns else None
            for kind, refs in readers_of(head.catalog, m.model, cols).items():
                touched.setdefault(kind, set()).update(refs)
                roots.extend(refs)
    for kind, refs in downstream(head.catalog, roots).items():
        touched.setdefault(kind, set()).update(refs)
    report.touched = touched
    return report


def _model_changes(base: Side, head: Side) -> list[ModelChange]:
    out = []
    for path in sorted(set(base.models) | set(head.models)):
        name = Path(path).stem
        old, new = base.models.get(path), head.models.get(path)
        if old == new:
            continue
        if old is None or new is None:
            kind = "added" if old is None else "removed"
            out.append(ModelChange(path, _mart(name), kind, (f"model {kind}",)))
            continue
        columns_old = base.schemas.get(name, {})
        columns_new = head.schemas.get(name, {})
        broken = tuple(
            c for c, t in columns_old.items() if c not in columns_new or columns_new[c] != t
        )
        if broken:
            why = tuple(
                f"{c} removed"
                if c not in columns_new
                else f"{c} {columns_old[c]} -> {columns_new[c]}"
                for c in broken
            )
            out.append(ModelChange(path, _mart(name), "schema-breaking", why, broken))
        elif canonical_model_sql(old) == canonical_model_sql(new):
            out.append(ModelChange(path, _mart(name), "equivalent", ("same normalized SQL",)))
        else:
            out.append(ModelChange(path, _mart(name), "value-changing", ("SQL changed",)))
    for name, cols in base.schemas.items():  # contract edits without SQL edits
        new_cols = head.schemas.get(name)
        if new_cols is None or any(p.endswith(f"/{name}.sql") for p in (c.path for c in out)):
            continue
        broken = tuple(c for c, t in cols.items() if c not in new_cols or new_cols[c] != t)
        if broken:
            out.append(
                ModelChange(
                    f"{name}.yml",
                    _mart(name),
                    "schema-breaking",
                    tuple(f"{c} removed or retyped" for c in broken),
                    broken,
                )
            )
    return out


def _mart(name: str) -> str:
    """``fct_ar_invoice_v2`` -> ``fct_ar_invoice`` (definitions name the model, not the file)."""
    return re.sub(r"_v[0-9]+$", "", name)


def touched_models_and_jobs(report: Report, project: Path) -> None:
    """Stored models trained on a touched feature, and the project's jobs that use them."""
    from mlops.models.store import store_for

    touched = report.touched.get("features", set()) | report.touched.get("derived_features", set())
    sets = report.touched.get("feature_sets", set())
    store = store_for(project)
    names = set()
    for name in store.names():
        for version in store.versions(name):
            manifest = store.manifest(f"{name}@{version}")
            if manifest.feature_set in sets or set(manifest.fingerprints) & touched:
                report.models.append(f"{name}@{version}")
                names.add(name)
    data: Any = yaml.safe_load(project.read_text()) if project.exists() else {}
    for job in (data or {}).get("jobs", []) or []:
        model = str(job.get("model", ""))
        if model.split("@", maxsplit=1)[0] in names or job.get("feature_set") in sets:
            report.jobs.append(str(job.get("name")))


SPLIT = "-- erpml-diff-split"


def compiled_timelines(project: Path, calls: list[str]) -> list[str]:
    """The SQL of each ``feature_timeline`` call, compiled by dbt in one invocation."""
    from dbt.cli.main import dbtRunner

    from mlops.build import DBT_PROJECT, _environment, _release_duckdb, one_line, warehouse_env

    if not calls:
        return []
    target, env = warehouse_env(project, None)
    inline = f"\n{SPLIT}\n".join(calls)
    with tempfile.TemporaryDirectory(prefix="erpml-diff-dbt-") as work:
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
        raise MlopsError(
            "dbt could not compile the changed definitions: "
            + one_line(str(res.exception or res.result))
        )
    result: Any = res.result
    code = str(result.results[0].node.compiled_code)
    parts = code.split(SPLIT)
    if len(parts) != len(calls):
        raise MlopsError("dbt returned an unexpected compiled text for the changed definitions")
    return parts


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


def measure(report: Report, base: Side, head: Side, project: Path, top: int = 5) -> None:
    """Old and new values (and scores) side by side on the current warehouse."""
    import dataclasses

    from mlops.features import pit_sql, plan
    from mlops.warehouse import open_warehouse
    from semantic_models.compile import timeline_call

    pairs = _changed_features(base, head)
    if not pairs:
        return
    calls = [timeline_call(base.catalog, base.catalog.features[o]) for o, _ in pairs]
    calls += [timeline_call(head.catalog, head.catalog.features[n]) for _, n in pairs]
    sqls = compiled_timelines(project, calls)
    old_sql, new_sql = sqls[: len(pairs)], sqls[len(pairs) :]
    sets = [
        s
        for s in head.catalog.feature_sets.values()
        if any(
            n in _expanded(head.catalog, s.features) or o in _expanded(head.catalog, s.features)
            for o, n in pairs
        )
    ]
    with open_warehouse(project, read_only=True) as wh:
        for i in range(len(pairs)):
            wh.execute(f"create temp table _erpml_old_{i} as {old_sql[i]}")
            wh.execute(f"create temp table _erpml_new_{i} as {new_sql[i]}")
        for fset in sets:
            spine = _spine(wh, head.catalog, fset)
            if spine is None:
                continue
            p = plan(head.catalog, fset)
            mapping_old, mapping_new = {}, {}
            for i, (old_ref, new_ref) in enumerate(pairs):
                mapping_old[new_ref] = f"_erpml_old_{i}"
                mapping_old[old_ref] = f"_erpml_old_{i}"
                mapping_new[new_ref] = f"_erpml_new_{i}"
                mapping_new[old_ref] = f"_erpml_new_{i}"  # the set as if it took the new version
            cols_old = tuple(
                dataclasses.replace(c, table=mapping_old.get(c.ref, c.table)) if c.table else c
                for c in p.columns
            )
            cols_new = tuple(
                dataclasses.replace(c, table=mapping_new.get(c.ref, c.table)) if c.table else c
                for c in p.columns
            )
            old = wh.frame(
                pit_sql(dataclasses.replace(p, columns=cols_old), spine, wh.dialect, ("label",))
            )
            new = wh.frame(
                pit_sql(dataclasses.replace(p, columns=cols_new), spine, wh.dialect, ("label",))
            )
            order = [p.entity_key, "as_of"]  # two queries: align their rows before comparing
            old = old.sort_values(order, kind="stable").reset_index(drop=True)
            new = new.sort_values(order, kind="stable").reset_index(drop=True)
            _compare_values(
                report,
                fset.ref,
                p,
                (old, new),
                refs={n for _, n in pairs} | {o for o, _ in pairs},
                top=top,
            )
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


def scratch_repo(dest: Path, root: Path = ROOT) -> Path:
    """A throwaway git repository holding a commit of ``semantic_models/`` and ``dbt_project/``.

    For trying a definition edit and reviewing it with ``erpml diff --repo dest --base HEAD``
    without touching the real work tree (the demo's sample change report does this).
    """
    import shutil

    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for folder in ("semantic_models", "dbt_project"):
        shutil.copytree(
            root / folder,
            dest / folder,
            ignore=shutil.ignore_patterns("target", "logs", "_generated", "__pycache__"),
        )
    git = ["git", "-c", "user.email=erpml@localhost", "-c", "user.name=erpml"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=dest, check=True, capture_output=True)
    return dest
