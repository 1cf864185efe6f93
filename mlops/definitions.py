"""The definition catalog of a project: where it lives, its check against the lock, compilation.

The catalog folder is ``definitions:`` of ``erpml.yml`` (relative to the file), by default the
starter catalog shipped in ``semantic_models/catalog``. Its lock file is
``definitions.lock`` inside that folder. Mart names and dbt model versions come from the dbt
project (``models/**/*.sql`` and the ``versions`` of ``models/**/*.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops.build import DBT_PROJECT
from mlops.errors import MlopsError
from semantic_models.catalog import Catalog, load_catalog
from semantic_models.errors import DefinitionError
from semantic_models.fingerprint import Fingerprinted, fingerprints
from semantic_models.lock import Finding, compare, read_lock, write_lock

STARTER = Path(__file__).resolve().parents[1] / "semantic_models" / "catalog"
LOCK_NAME = "definitions.lock"
VERSIONED_FILE = re.compile(r"^(?P<name>.+)_v(?P<version>[0-9]+)$")


@dataclass(frozen=True)
class Definitions:
    folder: Path
    catalog: Catalog
    prints: dict[tuple[str, str], Fingerprinted]

    @property
    def lock_path(self) -> Path:
        return self.folder / LOCK_NAME

    def findings(self) -> list[Finding]:
        return compare(read_lock(self.lock_path), self.prints)


def catalog_folder(project: Path | None) -> Path:
    if project is None or not project.exists():
        return STARTER
    data: Any = yaml.safe_load(project.read_text()) or {}
    folder = data.get("definitions") if isinstance(data, dict) else None
    if not folder:
        return STARTER
    path = Path(folder)
    return path if path.is_absolute() else project.parent / path


# libyaml's loader where PyYAML has it: the project's model files are about 1 s of pure-Python
# parsing at every build, 0.1 s with it (same documents: the safe subset either way)
FAST_YAML: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_model_yaml(path: Path) -> Any:
    """A dbt schema file, parsed."""
    return yaml.load(path.read_text(), Loader=FAST_YAML)


def dbt_models(dbt_project: Path = DBT_PROJECT) -> tuple[set[str], dict[str, int]]:
    """Model names of the dbt project and the latest version of each versioned model."""
    names = set()
    for sql in (dbt_project / "models").rglob("*.sql"):
        names.add(sql.stem)
        m = VERSIONED_FILE.match(sql.stem)
        if m:
            names.add(m["name"])
    versions: dict[str, int] = {}
    for path in (dbt_project / "models").rglob("*.yml"):
        if "_generated" in path.parts:
            continue
        data = read_model_yaml(path) or {}
        for model in data.get("models", []) or []:
            if isinstance(model, dict) and model.get("versions"):
                latest = model.get("latest_version") or max(v["v"] for v in model["versions"])
                versions[str(model["name"])] = int(latest)
    return names, versions


def load_definitions(
    project: Path | None = None, folder: Path | None = None, dbt_project: Path = DBT_PROJECT
) -> Definitions:
    folder = folder or catalog_folder(project)
    names, versions = dbt_models(dbt_project)
    try:
        catalog = load_catalog(folder, marts=names)
        prints = fingerprints(catalog, versions)
    except DefinitionError as exc:
        raise MlopsError(str(exc)) from None
    return Definitions(folder, catalog, prints)


def lock(defs: Definitions) -> list[Finding]:
    """Record new versions in the lock file; refuses while a released version changed."""
    findings = defs.findings()
    broken = [f for f in findings if f.breaks]
    if broken:
        first = broken[0]
        raise MlopsError(f"{first.kind} {first.ref}: {first.message}")
    write_lock(defs.lock_path, defs.prints)
    return findings


def compile_definitions(defs: Definitions, dbt_project: Path = DBT_PROJECT) -> list[Path]:
    from semantic_models.compile import compile_catalog

    return compile_catalog(defs.catalog, defs.prints, dbt_project)
