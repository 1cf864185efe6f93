"""What changed between two catalogs, and what each change touches.

``diff_catalogs(base, head)`` compares every definition present in either and classifies it:

- ``metadata-only``: only ``owner`` / ``description`` differ;
- ``equivalent``: what it computes is the same (same fingerprint) though its text differs
  (formatting, case, parentheses, the order of commutative terms);
- ``value-changing``: the fingerprint differs and the output keeps its columns and types;
- ``schema-breaking``: an output column is removed or retyped (a feature's ``data_type``, a
  feature removed from a set, an entity's key), or a released version was removed;
- ``added``: a new definition or version.

A value-changing or schema-breaking change that keeps its ``name@version`` is flagged
``needs_version`` (the lock would refuse it). ``downstream(catalog, refs)`` follows what reads
what (derived features read inputs, sets read features, metrics read metrics); ``readers_of``
maps mart columns to the features and metrics that read them, in any clause (expression,
filter, event time, knowledge times, key).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import yaml

from semantic_models.catalog import KINDS, Catalog
from semantic_models.fingerprint import Fingerprinted
from semantic_models.schema import Definition, Derived, Entity, Feature, FeatureSet, Metric
from semantic_models.sql import columns_of

ChangeClass = Literal[
    "metadata-only", "equivalent", "value-changing", "schema-breaking", "added", "removed"
]
METADATA = frozenset({"owner", "description"})


@dataclass(frozen=True)
class Change:
    kind: str
    ref: str
    change: ChangeClass
    reasons: tuple[str, ...]
    yaml_diff: str
    parts_diff: tuple[tuple[str, str, str], ...] = ()  # (part, old, new)
    needs_version: bool = False


@dataclass
class CatalogDiff:
    changes: list[Change] = field(default_factory=list)

    def by_class(self, change: ChangeClass) -> list[Change]:
        return [c for c in self.changes if c.change == change]

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.needs_version or c.change == "removed"]


def _dump(definition: Definition) -> str:
    data = definition.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False)


def _yaml_diff(old: Definition | None, new: Definition | None, ref: str) -> str:
    a = _dump(old).splitlines() if old else []
    b = _dump(new).splitlines() if new else []
    return "\n".join(difflib.unified_diff(a, b, f"base/{ref}", f"head/{ref}", lineterm=""))


def _schema_break(kind: str, old: Definition, new: Definition) -> list[str]:
    out = []
    if isinstance(old, Feature | Derived) and isinstance(new, Feature | Derived):
        if old.data_type != new.data_type:
            out.append(f"data_type {old.data_type} -> {new.data_type}")
        if old.entity != new.entity:
            out.append(f"entity {old.entity} -> {new.entity}")
    if isinstance(old, FeatureSet) and isinstance(new, FeatureSet):
        gone = [f.split("@")[0] for f in old.features]
        kept = {f.split("@")[0] for f in new.features}
        removed = [g for g in gone if g not in kept]
        if removed:
            out.append(f"features removed: {', '.join(removed)}")
        if old.entity != new.entity:
            out.append(f"entity {old.entity} -> {new.entity}")
        if (old.label is None) != (new.label is None):
            out.append("label added or removed")
    if isinstance(old, Entity) and isinstance(new, Entity) and old.key != new.key:
        out.append(f"key {old.key} -> {new.key}")
    del kind
    return out


def diff_catalogs(
    base: Catalog,
    head: Catalog,
    base_prints: Mapping[tuple[str, str], Fingerprinted],
    head_prints: Mapping[tuple[str, str], Fingerprinted],
) -> CatalogDiff:
    """Every definition that differs between ``base`` and ``head``, classified."""
    result = CatalogDiff()
    for kind in KINDS:
        olds: dict[str, Definition] = base.kind(kind)
        news: dict[str, Definition] = head.kind(kind)
        for ref in sorted(set(olds) | set(news)):
            old, new = olds.get(ref), news.get(ref)
            if old is not None and new is not None and old == new:
                continue
            text = _yaml_diff(old, new, ref)
            if old is None:
                result.changes.append(Change(kind, ref, "added", ("new definition",), text))
                continue
            if new is None:
                reason = "released version removed: it must stay computable"
                result.changes.append(Change(kind, ref, "removed", (reason,), text))
                continue
            fp_old, fp_new = base_prints[(kind, ref)], head_prints[(kind, ref)]
            fields = [
                name for name in type(old).model_fields if getattr(old, name) != getattr(new, name)
            ]
            if fp_old.fingerprint == fp_new.fingerprint:
                cls: ChangeClass = "metadata-only" if set(fields) <= METADATA else "equivalent"
                why = tuple(f"{f} edited" for f in fields)
                result.changes.append(Change(kind, ref, cls, why, text))
                continue
            parts = tuple(
                (p, fp_old.parts.get(p, ""), fp_new.parts.get(p, ""))
                for p in sorted(set(fp_old.parts) | set(fp_new.parts))
                if fp_old.parts.get(p, "") != fp_new.parts.get(p, "")
            )
            breaks = _schema_break(kind, old, new)
            cls = "schema-breaking" if breaks else "value-changing"
            why = tuple(breaks) or tuple(f"{p} changed" for p, _, _ in parts)
            result.changes.append(Change(kind, ref, cls, why, text, parts, needs_version=True))
    return result


def downstream(catalog: Catalog, refs: Iterable[str]) -> dict[str, set[str]]:
    """Everything in the catalog that reads ``refs``, directly or not, by kind."""
    readers: dict[str, set[tuple[str, str]]] = {}

    def edge(src: str, kind: str, ref: str) -> None:
        readers.setdefault(src, set()).add((kind, ref))

    for ref, d in catalog.derived_features.items():
        for dep in d.inputs:
            edge(dep, "derived_features", ref)
    for ref, s in catalog.feature_sets.items():
        for dep in s.features:
            edge(dep, "feature_sets", ref)
    for ref, m in catalog.metrics.items():
        for metric_dep in [m.numerator, m.denominator, *m.inputs]:
            if metric_dep:
                edge(metric_dep, "metrics", ref)
    out: dict[str, set[str]] = {}
    todo = list(refs)
    seen: set[str] = set()
    while todo:
        current = todo.pop()
        for kind, ref in readers.get(current, ()):
            if ref not in seen:
                seen.add(ref)
                out.setdefault(kind, set()).add(ref)
                todo.append(ref)
    return out


def columns_read(definition: Feature | Metric) -> set[str]:
    """Every mart column a feature or metric reads, in any clause."""
    if isinstance(definition, Feature):
        texts = [
            definition.expression,
            definition.filter,
            definition.event_time,
            definition.known_at,
            definition.known_until,
        ]
        cols = set().union(*(columns_of(t) for t in texts))
        if definition.key:
            cols.add(definition.key)
        return cols
    texts = [definition.time, definition.filter]
    if definition.measure:
        texts.append(definition.measure.expression)
    return set().union(*(columns_of(t) for t in texts))


def readers_of(
    catalog: Catalog, mart: str, columns: set[str] | None, version: int | None = None
) -> dict[str, set[str]]:
    """Features, metrics and entities reading ``columns`` of ``mart`` (None: any column).

    ``version``: the changed version of a versioned mart; definitions pinned to another version
    do not read it (an unpinned one reads the latest, which may be this one).
    """
    out: dict[str, set[str]] = {}
    for kind in ("features", "metrics"):
        table: dict[str, Feature | Metric] = catalog.kind(kind)
        for ref, d in table.items():
            pinned = getattr(d, "mart_version", None)
            if d.mart != mart or (version and pinned and pinned != version):
                continue
            cols = columns_read(d)
            if kind == "features" and isinstance(d, Feature) and d.key is None:
                cols.add(catalog.entity(d.entity).key)
            if columns is None or cols & columns:
                out.setdefault(kind, set()).add(ref)
    for ref, e in catalog.entities.items():
        if version and e.mart_version and e.mart_version != version:
            continue
        if e.mart == mart and (columns is None or {e.key, *e.references.values()} & columns):
            out.setdefault("entities", set()).add(ref)
    return out
