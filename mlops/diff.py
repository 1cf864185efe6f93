"""``erpml diff``: what a definition change changes, what it touches, how much values move.

Both sides are read from git (``--base``, ``--head``; the working tree when a side has no rev):
the definition catalog and the dbt models. :func:`compare` classifies every changed definition
(:mod:`semantic_models.diff`) and every changed dbt model (compiled on both sides and compared
per output column, :mod:`mlops.lineage`), follows changed columns down the dbt models and into
the definitions that read them, then what reads what down to feature sets, stored models
(through their training manifests) and the project's jobs. How much values and scores move is
:func:`mlops.diff_values.measure`.
"""

from __future__ import annotations

import logging
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

from mlops.definitions import read_model_yaml
from mlops.errors import MlopsError
from mlops.lineage import (
    Compiled,
    ModelChange,
    ModelReach,
    classify,
    compile_sides,
    reach,
)
from semantic_models.catalog import Catalog
from semantic_models.diff import Change, diff_catalogs, downstream, readers_of
from semantic_models.fingerprint import Fingerprinted
from semantic_models.lineage import replace_relations, split_version

log = logging.getLogger(__name__)
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
    keys: dict[str, str] = field(default_factory=dict)  # model name (with _v<n>) -> unique key


@dataclass
class Report:
    base: str
    head: str
    definitions: list[Change] = field(default_factory=list)
    marts: list[ModelChange] = field(default_factory=list)
    mart_values: list[dict[str, Any]] = field(default_factory=list)
    # relation -> (old SELECT, new SELECT) of each changed model and each model a changed column
    # reaches, compiled for the warehouse (not part of the JSON report)
    sql: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    columns: dict[str, list[str]] = field(default_factory=dict)  # model -> columns that move
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
        schemas, keys = _contracts(tree / MODELS)
    return Side(rev or "working tree", defs.catalog, defs.prints, models, schemas, keys)


def _unique(column: dict[str, Any]) -> bool:
    tests = (column.get("data_tests") or []) + (column.get("tests") or [])
    return "unique" in tests or any(isinstance(t, dict) and "unique" in t for t in tests)


def _contracts(models: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Declared columns (name -> data_type) of every model, each version as ``<name>_v<n>``,
    and the column each model declares unique."""
    out: dict[str, dict[str, str]] = {}
    keys: dict[str, str] = {}
    for path in models.rglob("*.yml"):
        if "_generated" in path.parts:
            continue
        for model in (read_model_yaml(path) or {}).get("models", []) or []:
            base = {c["name"]: str(c.get("data_type", "")) for c in model.get("columns", []) or []}
            unique = [c["name"] for c in model.get("columns", []) or [] if _unique(c)]
            versions = model.get("versions") or []
            names = [f"{model['name']}_v{v['v']}" for v in versions] or [model["name"]]
            keys.update({n: unique[0] for n in names if unique})
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
    return out, keys


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


def compare(base: Side, head: Side, project: Path | None = None, *, lineage: bool = True) -> Report:
    """Classify definition and model changes and follow what they touch.

    ``project`` names the warehouse dbt compiles changed models against (its relation names
    and dialect); ``lineage=False`` skips compiling them (every reader of a changed model is
    then touched).
    """
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
    report.marts, models, compiled = _model_changes(base, head, project, lineage=lineage)
    if compiled is not None:
        report.sql = _selects(report.marts, models, compiled, dialect_of(project))
    for m in report.marts:
        if m.change == "schema-breaking":
            report.errors.append(
                f"model {m.model}: schema-breaking without a new model version "
                f"({'; '.join(m.reasons)})"
            )
    report.touched = _touched(report, result.changes, models, head.catalog)
    return report


def _touched(
    report: Report, changes: list[Change], models: ModelReach, catalog: Catalog
) -> dict[str, set[str]]:
    """Everything a changed definition or a changed model column reaches, by kind."""
    touched: dict[str, set[str]] = {}
    roots: list[str] = []
    for c in changes:
        if c.change in ("value-changing", "schema-breaking", "removed"):
            touched.setdefault(c.kind, set()).add(c.ref)
            roots.append(c.ref)
    changed = {m.relation for m in report.marts}
    report.columns = {r: sorted(c) for r, c in models.columns.items() if c}
    if models.touched_models(changed):
        touched["dbt_models"] = models.touched_models(changed)
    for relation, cols in models.columns.items():
        if cols == set():
            continue
        mart, version = split_version(relation)
        readers = readers_of(catalog, mart, cols, version)
        for kind, refs in readers.items():
            touched.setdefault(kind, set()).update(refs)
            roots.extend(refs)
    for kind, refs in downstream(catalog, roots).items():
        touched.setdefault(kind, set()).update(refs)
    return touched


def dialect_of(project: Path | None) -> str:
    from mlops.build import warehouse_env

    if project is None or not project.exists():
        return "duckdb"
    return warehouse_env(project, None)[0]


def _selects(
    changes: list[ModelChange], models: ModelReach, compiled: Compiled, dialect: str
) -> dict[str, tuple[str, str]]:
    """Old and new SELECT of every model whose columns change (changed upstream models inlined).

    A changed model's old SELECT is its base SQL; a model downstream of one reads the warehouse
    as built for its old SELECT, and the new SQL of each changed model it reads for its new one.
    """
    changed = {m.relation: m for m in changes if m.change == "value-changing"}
    touched = [r for r, c in models.columns.items() if c != set() and r in compiled.new]
    new: dict[str, str] = {}

    def new_sql(rel: str) -> str:  # the models form a DAG: the recursion ends
        if rel not in new:
            sql = compiled.new[rel]
            reads = [u for u in touched if u != rel and re.search(rf"\b{re.escape(u)}\b", sql)]
            ups = {u: new_sql(u) for u in reads}
            new[rel] = replace_relations(sql, ups, dialect) if ups else sql
        return new[rel]

    out = {}
    for rel in touched:
        if rel in changed and rel not in compiled.old:
            continue
        old = compiled.old[rel] if rel in changed else compiled.new[rel]
        if rel in changed or rel not in {m.relation for m in changes}:
            out[rel] = (old, new_sql(rel))
    return out


def _model_changes(
    base: Side, head: Side, project: Path | None, *, lineage: bool
) -> tuple[list[ModelChange], ModelReach, Compiled | None]:
    paths = [
        p
        for p in sorted(set(base.models) | set(head.models))
        if base.models.get(p) != head.models.get(p)
    ]
    compiled = None
    dialect = dialect_of(project)
    if paths and lineage:
        try:
            compiled = compile_sides(project, base.models, head.models, paths)
        except MlopsError as exc:
            log.warning("changed dbt models not compiled, no column lineage: %s", exc)
    out: list[ModelChange] = []
    columns: dict[str, set[str] | None] = {}
    for path in paths:
        rel = Path(path).stem
        old_sql = compiled.old.get(rel) if compiled else None
        new_sql = compiled.new.get(rel) if compiled else None
        if compiled is not None:
            cls, why, cols, broken = classify(
                old_sql if path in base.models else None,
                new_sql if path in head.models else None,
                dialect,
            )
        else:
            cls, why, cols, broken = _classify_text(base.models.get(path), head.models.get(path))
        contract = _contract_break(base.schemas.get(rel, {}), head.schemas.get(rel, {}))
        if contract and path in base.models and path in head.models:
            cls, why = "schema-breaking", tuple(contract.values()) + why
            broken = tuple(dict.fromkeys(broken + tuple(contract)))
            cols = None if cols is None else cols | set(contract)
        columns[rel] = cols
        out.append(
            ModelChange(
                path,
                _mart(rel),
                cls,
                why,
                broken,
                tuple(sorted(cols)) if cols else (),
                rel,
                head.keys.get(rel) or base.keys.get(rel),
                _text_diff(base.models.get(path), head.models.get(path), path),
            )
        )
    for name, cols_old in base.schemas.items():  # contract edits without SQL edits
        if name in columns or name not in head.schemas:
            continue
        contract = _contract_break(cols_old, head.schemas[name])
        if contract:
            why = tuple(f"{c} removed or retyped" for c in contract)
            out.append(
                ModelChange(f"{name}.yml", _mart(name), "schema-breaking", why, tuple(contract))
            )
            columns[name] = set(contract)
    return out, reach(compiled, dialect, columns) if compiled else ModelReach(columns), compiled


def _text_diff(old: str | None, new: str | None, path: str) -> str:
    import difflib

    a, b = (old or "").splitlines(), (new or "").splitlines()
    return "\n".join(difflib.unified_diff(a, b, f"base/{path}", f"head/{path}", lineterm=""))


def _contract_break(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """Contract columns removed or retyped: column -> why."""
    return {
        c: f"{c} removed" if c not in new else f"{c} {t} -> {new[c]}"
        for c, t in old.items()
        if c not in new or new[c] != t
    }


def _classify_text(
    old: str | None, new: str | None
) -> tuple[str, tuple[str, ...], set[str] | None, tuple[str, ...]]:
    """Without compiled SQL: the normalized Jinja-stripped texts, every column touched."""
    if old is None or new is None:
        kind = "added" if old is None else "removed"
        return kind, (f"model {kind}",), None, ()
    if canonical_model_sql(old) == canonical_model_sql(new):
        return "equivalent", ("same normalized SQL",), set(), ()
    return "value-changing", ("SQL changed",), None, ()


def _mart(name: str) -> str:
    """``fct_ar_invoice_v2`` -> ``fct_ar_invoice`` (definitions name the model, not the file)."""
    return split_version(name)[0]


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
