"""The model store: a folder of versioned models, each with the manifest it was trained under.

Layout (default ``.erpml/models`` beside the project file; ``models: {store: path}`` in
``erpml.yml`` moves it)::

    <store>/<name>/<version>/model.skops     the estimator (skops, see ``mlops.models.safe``)
    <store>/<name>/<version>/manifest.json   what it was trained on: :class:`Manifest`
    <store>/<name>/aliases.json              {"champion": 3, ...}

Versions count up from 1. A model is named ``NAME`` or ``NAME@latest`` (the latest
version), ``NAME@3`` or ``NAME@champion``. Loading checks the file's SHA-256 against the
manifest and refuses a mismatch; a version folder without a manifest (a save that did not
finish) is ignored.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mlops.errors import MlopsError
from mlops.models import safe
from mlops.models.inputs import ColumnSpec

MODEL_FILE = "model.skops"
MANIFEST_FILE = "manifest.json"
ALIASES_FILE = "aliases.json"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
ALIAS = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
DEFAULT_STORE = Path(".erpml") / "models"


class Manifest(BaseModel):
    """What a stored model was trained on and how it did on its holdout."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int
    created_at: datetime
    task: Literal["classification", "regression"]
    feature_set: str  # name@version
    snapshot_id: str
    snapshot_table: str
    entity_key: str
    label: str | None
    fingerprints: dict[str, str]  # every feature@version the snapshot computed -> fingerprint
    columns: list[ColumnSpec]  # the model's input columns, in order
    training_cutoff: datetime
    holdout: dict[str, Any] = Field(default_factory=dict)  # how the holdout was cut
    metrics: dict[str, float | None] = Field(default_factory=dict)
    model_sha256: str
    estimator_class: str
    erpml_version: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class StoredModel:
    manifest: Manifest
    estimator: Any


class _StoreSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    store: Path = DEFAULT_STORE


class _ModelsSection(BaseModel):
    """The ``models:`` section of ``erpml.yml`` (other sections belong to others)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    models: _StoreSection = Field(default_factory=_StoreSection)


def store_for(project: Path) -> ModelStore:
    """The model store of a project file (``models: {store: ...}``, relative to the file)."""
    from connectors.config import describe, read_yaml
    from connectors.errors import ConfigError

    section = _StoreSection()
    if project.exists():
        try:
            data, lines = read_yaml(project)
        except ConfigError as exc:
            raise MlopsError(str(exc)) from None
        raw = data.get("models") if isinstance(data, dict) else None
        if raw is not None:
            try:
                section = _ModelsSection.model_validate({"models": raw}).models
            except ValidationError as exc:
                raise MlopsError(describe(exc, project, lines)) from None
    root = section.store if section.store.is_absolute() else project.parent / section.store
    return ModelStore(root)


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``NAME``, ``NAME@3`` or ``NAME@alias`` as (name, version-or-alias)."""
    name, _, which = spec.partition("@")
    if not NAME.match(name):
        raise MlopsError(f"model {spec!r}: a name is lower-case letters, digits and _")
    return name, which or None


class ModelStore:
    """Versioned models in a folder; see the module docstring for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def versions(self, name: str) -> list[int]:
        """Complete versions of ``name`` (those with a manifest), ascending."""
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = [p for p in folder.iterdir() if p.name.isdigit() and (p / MANIFEST_FILE).exists()]
        return sorted(int(p.name) for p in found)

    def aliases(self, name: str) -> dict[str, int]:
        path = self.root / name / ALIASES_FILE
        if not path.exists():
            return {}
        return {str(k): int(v) for k, v in json.loads(path.read_text()).items()}

    def resolve(self, spec: str) -> tuple[str, int]:
        """The (name, version) a spec names; unknown names, versions and aliases are errors."""
        name, which = parse_spec(spec)
        versions = self.versions(name)
        if not versions:
            known = ", ".join(self.names()) or "none"
            raise MlopsError(f"unknown model {name!r} in {self.root} (known: {known})")
        if which is None or which == "latest":
            return name, versions[-1]
        if which.isdigit():
            if int(which) not in versions:
                listed = ", ".join(map(str, versions))
                raise MlopsError(f"model {name} has no version {which} (versions: {listed})")
            return name, int(which)
        aliases = self.aliases(name)
        if which not in aliases:
            known = ", ".join(f"{a}={v}" for a, v in sorted(aliases.items())) or "none"
            raise MlopsError(f"model {name} has no alias {which!r} (aliases: {known})")
        return name, aliases[which]

    def manifest(self, spec: str) -> Manifest:
        name, version = self.resolve(spec)
        path = self.root / name / str(version) / MANIFEST_FILE
        try:
            return Manifest.model_validate_json(path.read_text())
        except ValidationError as exc:
            raise MlopsError(f"{path}: not a valid manifest: {exc.errors()[0]['msg']}") from None

    def load(self, spec: str) -> StoredModel:
        """The estimator and manifest of ``spec``, after checking the file against the manifest."""
        manifest = self.manifest(spec)
        path = self.root / manifest.name / str(manifest.version) / MODEL_FILE
        if not path.exists():
            raise MlopsError(f"model {manifest.spec}: {path} is missing")
        actual = safe.sha256(path)
        if actual != manifest.model_sha256:
            raise MlopsError(
                f"model {manifest.spec}: {path} has sha256 {actual[:16]}..., its manifest says "
                f"{manifest.model_sha256[:16]}...; refusing to load a file that was changed"
            )
        return StoredModel(manifest, safe.load(path))

    def save(self, name: str, estimator: Any, fields: dict[str, Any]) -> Manifest:
        """Store ``estimator`` as the next version of ``name``; ``fields``: the manifest's rest."""
        parse_spec(name)
        folder = self._new_version_folder(name)
        model_path = folder / MODEL_FILE
        safe.dump(estimator, model_path)
        manifest = Manifest.model_validate(
            {
                **fields,
                "name": name,
                "version": int(folder.name),
                "created_at": datetime.now(UTC),
                "model_sha256": safe.sha256(model_path),
                "estimator_class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
                "erpml_version": _erpml_version(),
            }
        )
        _write_atomic(folder / MANIFEST_FILE, manifest.model_dump_json(indent=2))
        return manifest

    def set_alias(self, name: str, version: int, alias: str) -> None:
        """Point ``alias`` (``champion``, ``staging``, ...) at a version of ``name``."""
        if not ALIAS.match(alias) or alias == "latest":
            raise MlopsError(f"alias {alias!r}: lower-case letters, digits, _ and -, not 'latest'")
        if version not in self.versions(name):
            raise MlopsError(f"model {name} has no version {version}")
        aliases = self.aliases(name) | {alias: version}
        _write_atomic(self.root / name / ALIASES_FILE, json.dumps(aliases, indent=2))

    def _new_version_folder(self, name: str) -> Path:
        parent = self.root / name
        parent.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name) for p in parent.iterdir() if p.name.isdigit()]
        version = max(taken, default=0) + 1
        while True:  # mkdir is atomic: two savers never get the same version
            try:
                (parent / str(version)).mkdir()
                return parent / str(version)
            except FileExistsError:
                version += 1


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _erpml_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("erpml")
    except PackageNotFoundError:
        return "unknown"
