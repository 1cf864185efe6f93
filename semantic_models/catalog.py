"""Load a catalog of definition files and check how the definitions refer to each other.

``load_catalog(folder, marts=...)`` reads every ``*.yml`` under ``folder``, validates each file
against :mod:`semantic_models.schema` and then the rules across files. Every error is one line
``file:line: name@version: rule broken``:

- a name@version defined twice; an unknown entity, mart, feature or metric reference;
- a cycle among derived features or metrics;
- a window longer than the catalog's history (``settings.history_days``);
- a label that could leak into a feature of its own set (a feature over the label's entity
  mart reading a column the label reads).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from semantic_models.errors import DefinitionError
from semantic_models.schema import (
    REF,
    Definition,
    DefinitionFile,
    Derived,
    Entity,
    Feature,
    FeatureSet,
    Metric,
    Settings,
)
from semantic_models.sql import columns_of

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
KINDS = ("entities", "features", "derived_features", "metrics", "feature_sets")


@dataclass(frozen=True)
class Where:
    """Where a definition was written."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Catalog:
    """Every definition by kind and ``name@version``, with where each was written."""

    entities: dict[str, Entity] = field(default_factory=dict)
    features: dict[str, Feature] = field(default_factory=dict)
    derived_features: dict[str, Derived] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    feature_sets: dict[str, FeatureSet] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    where: dict[tuple[str, str], Where] = field(default_factory=dict)

    def kind(self, kind: str) -> dict[str, Any]:
        table: dict[str, Any] = getattr(self, kind)
        return table

    def all(self) -> Iterator[tuple[str, Definition]]:
        for kind in KINDS:
            for definition in self.kind(kind).values():
                yield kind, definition

    def entity(self, name: str) -> Entity:
        """The latest version of entity ``name``."""
        versions = [e for e in self.entities.values() if e.name == name]
        if not versions:
            raise DefinitionError(f"unknown entity {name!r}")
        return max(versions, key=lambda e: e.version)

    def any_feature(self, ref: str) -> Feature | Derived:
        if ref in self.features:
            return self.features[ref]
        if ref in self.derived_features:
            return self.derived_features[ref]
        raise DefinitionError(f"unknown feature {ref!r}")

    def feature_set(self, ref: str) -> FeatureSet:
        if ref not in self.feature_sets:
            known = ", ".join(sorted(self.feature_sets)) or "none"
            raise DefinitionError(f"unknown feature set {ref!r} (known: {known})")
        return self.feature_sets[ref]

    def located(self, kind: str, ref: str) -> str:
        where = self.where.get((kind, ref))
        return f"{where}: {ref}" if where else ref


def load_catalog(folder: Path, marts: Iterable[str] | None = None) -> Catalog:
    """Read and check every definition file under ``folder``.

    ``marts``: the dbt models features and metrics may read (None: not checked).
    """
    if not folder.is_dir():
        raise DefinitionError(f"{folder}: no such definitions folder")
    catalog = Catalog()
    paths = sorted(folder.rglob("*.yml"))
    if not paths:
        raise DefinitionError(f"{folder}: no definition files (*.yml)")
    for path in paths:
        _read_file(path, catalog)
    check(catalog, None if marts is None else set(marts))
    return catalog


def _read_file(path: Path, catalog: Catalog) -> None:
    data, lines = read_yaml(path)
    try:
        parsed = DefinitionFile.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(_describe(exc, path, lines)) from None
    if parsed.settings is not None:
        catalog.settings = parsed.settings
    for kind in KINDS:
        for i, definition in enumerate(getattr(parsed, kind)):
            where = Where(path, lines.get((kind, i), 1))
            table = catalog.kind(kind)
            if definition.ref in table:
                first = catalog.where[(kind, definition.ref)]
                raise DefinitionError(
                    f"{where}: {definition.ref}: defined twice (first at {first})"
                )
            table[definition.ref] = definition
            catalog.where[(kind, definition.ref)] = where


def check(catalog: Catalog, marts: set[str] | None) -> None:
    """The rules across definitions; raises on the first broken one."""
    _check_entities(catalog, marts)
    _check_features(catalog, marts)
    _check_metrics(catalog, marts)
    _check_feature_sets(catalog)


def _fail(catalog: Catalog, kind: str, ref: str, message: str) -> None:
    raise DefinitionError(f"{catalog.located(kind, ref)}: {message}")


def _mart_known(
    catalog: Catalog, marts: set[str] | None, kind: str, ref: str, mart: str | None
) -> None:
    if marts is not None and mart is not None and mart not in marts:
        _fail(catalog, kind, ref, f"unknown mart {mart!r} (not a model of the dbt project)")


def _check_entities(catalog: Catalog, marts: set[str] | None) -> None:
    names = {e.name for e in catalog.entities.values()}
    for ref, entity in catalog.entities.items():
        _mart_known(catalog, marts, "entities", ref, entity.mart)
        for other in entity.references:
            if other not in names:
                _fail(catalog, "entities", ref, f"references unknown entity {other!r}")


def _check_features(catalog: Catalog, marts: set[str] | None) -> None:
    names = {e.name for e in catalog.entities.values()}
    history = catalog.settings.history_days
    for ref, feature in catalog.features.items():
        if feature.entity not in names:
            _fail(catalog, "features", ref, f"unknown entity {feature.entity!r}")
        _mart_known(catalog, marts, "features", ref, feature.mart)
        days = feature.window_days
        if days is not None and days > history:
            _fail(
                catalog,
                "features",
                ref,
                f"window of {days} days is longer than the history "
                f"({history} days, settings.history_days)",
            )
    for ref, derived in catalog.derived_features.items():
        for dep in derived.inputs:
            if dep not in catalog.features and dep not in catalog.derived_features:
                _fail(catalog, "derived_features", ref, f"unknown input feature {dep!r}")
            if catalog.any_feature(dep).entity != derived.entity:
                _fail(catalog, "derived_features", ref, f"input {dep} is for another entity")
        named = {dep.split("@")[0] for dep in derived.inputs} | {"as_of"}
        for placeholder in PLACEHOLDER.findall(derived.expression):
            if placeholder not in named:
                _fail(
                    catalog,
                    "derived_features",
                    ref,
                    f"{{{placeholder}}} is not an input (inputs: {', '.join(sorted(named))})",
                )
    edges = {r: d.inputs for r, d in catalog.derived_features.items()}
    _acyclic(catalog, "derived_features", edges)


def _check_metrics(catalog: Catalog, marts: set[str] | None) -> None:
    for ref, metric in catalog.metrics.items():
        _mart_known(catalog, marts, "metrics", ref, metric.mart)
        for dep in _metric_inputs(metric):
            if dep not in catalog.metrics:
                _fail(catalog, "metrics", ref, f"unknown metric {dep!r}")
        if metric.type == "cumulative" and catalog.metrics[metric.inputs[0]].type != "simple":
            _fail(
                catalog, "metrics", ref, f"cumulative over {metric.inputs[0]}: not a simple metric"
            )
    _acyclic(catalog, "metrics", {r: _metric_inputs(m) for r, m in catalog.metrics.items()})


def _check_feature_sets(catalog: Catalog) -> None:
    names = {e.name for e in catalog.entities.values()}
    for ref, fset in catalog.feature_sets.items():
        if fset.entity not in names:
            _fail(catalog, "feature_sets", ref, f"unknown entity {fset.entity!r}")
        entity = catalog.entity(fset.entity)
        for dep in fset.features:
            if dep not in catalog.features and dep not in catalog.derived_features:
                _fail(catalog, "feature_sets", ref, f"unknown feature {dep!r}")
            target = catalog.any_feature(dep).entity
            if target != fset.entity and target not in entity.references:
                _fail(
                    catalog,
                    "feature_sets",
                    ref,
                    f"feature {dep} is for entity {target!r}, which {fset.entity!r} "
                    "does not reference",
                )
        if fset.label is not None:
            leak = _leak(catalog, fset, entity)
            if leak:
                _fail(catalog, "feature_sets", ref, leak)


def _metric_inputs(metric: Metric) -> list[str]:
    refs = [metric.numerator, metric.denominator, *metric.inputs]
    return [r for r in refs if r]


def _acyclic(catalog: Catalog, kind: str, edges: Mapping[str, list[str]]) -> None:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 2 or node not in edges:
            return
        if state.get(node) == 1:
            cycle = " -> ".join([*trail[trail.index(node) :], node])
            raise DefinitionError(f"{catalog.located(kind, node)}: cycle: {cycle}")
        state[node] = 1
        for dep in edges[node]:
            visit(dep, [*trail, node])
        state[node] = 2

    for node in edges:
        visit(node, [])


def _leak(catalog: Catalog, fset: FeatureSet, entity: Entity) -> str | None:
    """Why the label could leak into a feature of the set, or None."""
    assert fset.label is not None
    label = fset.label
    outcome = (
        {c.lower() for c in label.outcome_columns}
        if label.outcome_columns is not None
        else columns_of(label.expression)
    )
    for ref in _expand(catalog, fset.features):
        feature = catalog.features[ref]
        grain = feature.key or catalog.entity(feature.entity).key
        if feature.mart != entity.mart or grain != entity.key:
            continue
        shared = outcome & (columns_of(feature.expression) | columns_of(feature.filter))
        if shared:
            cols = ", ".join(sorted(shared))
            return (
                f"label {label.name} could leak into feature {ref}: both read {cols} of "
                f"{entity.mart} at the {entity.name} grain"
            )
    return None


def _expand(catalog: Catalog, refs: Iterable[str]) -> list[str]:
    """The plain features behind ``refs`` (derived features replaced by their inputs)."""
    out: list[str] = []
    for ref in refs:
        if ref in catalog.derived_features:
            out.extend(_expand(catalog, catalog.derived_features[ref].inputs))
        else:
            out.append(ref)
    return list(dict.fromkeys(out))


def split_ref(ref: str) -> tuple[str, int]:
    m = REF.match(ref)
    if m is None:
        raise DefinitionError(f"{ref!r} is not name@version")
    return m["name"], int(m["version"])


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """The mapping in ``path`` and the line of every node, keyed by its path of keys/indexes."""
    try:
        text = path.read_text()
        node = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DefinitionError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}: expected a mapping at the top")
    lines: dict[tuple[Any, ...], int] = {}
    stack: list[tuple[yaml.Node | None, tuple[Any, ...]]] = [(node, ())]
    while stack:
        current, at = stack.pop()
        if current is None:
            continue
        lines[at] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                lines[(*at, key.value)] = key.start_mark.line + 1
                stack.append((value, (*at, key.value)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*at, i)) for i, item in enumerate(current.value))
    return data, lines


def _describe(exc: ValidationError, path: Path, lines: Mapping[tuple[Any, ...], int]) -> str:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    line = next((lines[loc[:cut]] for cut in range(len(loc), -1, -1) if loc[:cut] in lines), None)
    where = ".".join(str(p) for p in loc) or "top"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{path}:{line}: {where}: {msg}" if line else f"{path}: {where}: {msg}"
