"""Fingerprints: a definition's version by what it computes.

``parts(...)`` lists what a definition computes as canonical strings (normalized SQL, window in
days, filter, grain, the mart and its dbt model version, and the fingerprints of the
definitions it reads). The fingerprint is the first 16 hex digits of the SHA-256 of those parts.
``owner`` and ``description`` are not parts: editing them never changes a fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from semantic_models.catalog import Catalog
from semantic_models.schema import Derived, Entity, Feature, FeatureSet, Metric
from semantic_models.sql import canonical

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")

Parts = dict[str, str]


@dataclass(frozen=True)
class Fingerprinted:
    kind: str
    ref: str
    fingerprint: str
    parts: Parts


def digest(parts: Mapping[str, str]) -> str:
    """Empty parts are left out, so a new optional field does not move existing fingerprints."""
    text = json.dumps({k: v for k, v in sorted(parts.items()) if v}, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(
    catalog: Catalog, mart_versions: Mapping[str, int | None] | None = None
) -> dict[tuple[str, str], Fingerprinted]:
    """The fingerprint of every definition, keyed by (kind, name@version).

    ``mart_versions``: the latest dbt model version of each versioned mart (others absent).
    """
    versions = dict(mart_versions or {})
    out: dict[tuple[str, str], Fingerprinted] = {}

    def mart(name: str | None, pinned: int | None = None) -> str:
        if name is None:
            return ""
        version = pinned or versions.get(name)
        return f"{name}.v{version}" if version else name

    def done(kind: str, ref: str, parts: Parts) -> str:
        out[(kind, ref)] = Fingerprinted(kind, ref, digest(parts), parts)
        return out[(kind, ref)].fingerprint

    def entity(e: Entity) -> str:
        key = ("entities", e.ref)
        if key not in out:
            refs = ",".join(f"{k}={v}" for k, v in sorted(e.references.items()))
            parts = {"key": e.key, "mart": mart(e.mart, e.mart_version), "references": refs}
            done("entities", e.ref, parts)
        return out[key].fingerprint

    def feature(ref: str) -> str:
        if ("features", ref) in out:
            return out[("features", ref)].fingerprint
        if ("derived_features", ref) in out:
            return out[("derived_features", ref)].fingerprint
        if ref in catalog.derived_features:
            return derived(catalog.derived_features[ref])
        return plain(catalog.features[ref])

    def plain(f: Feature) -> str:
        ent = catalog.entity(f.entity)
        parts = {
            "grain": f"{f.entity}:{f.key or ent.key}:{entity(ent)}",
            "mart": mart(f.mart, f.mart_version),
            "expression": canonical(f.expression),
            "aggregation": f.aggregation,
            "filter": canonical(f.filter),
            "window_days": str(f.window_days or ""),
            "offset_days": str(f.offset_days or ""),
            "event_time": canonical(f.event_time or f.known_at),
            "known_at": canonical(f.known_at),
            "known_until": canonical(f.known_until),
            "default": "" if f.default is None else repr(f.default),
            "data_type": f.data_type,
        }
        return done("features", f.ref, parts)

    def derived(d: Derived) -> str:
        body = PLACEHOLDER.sub(lambda m: m.group(1), d.expression)
        parts = {
            "grain": d.entity,
            "expression": canonical(body),
            "inputs": ",".join(f"{r}={feature(r)}" for r in sorted(d.inputs)),
            "data_type": d.data_type,
        }
        return done("derived_features", d.ref, parts)

    def metric(m: Metric) -> str:
        if ("metrics", m.ref) in out:
            return out[("metrics", m.ref)].fingerprint
        deps = [r for r in (m.numerator, m.denominator, *m.inputs) if r]
        parts = {
            "type": m.type,
            "mart": mart(m.mart),
            "time": canonical(m.time),
            "measure": (
                f"{m.measure.aggregation}({canonical(m.measure.expression)})" if m.measure else ""
            ),
            "filter": canonical(m.filter),
            "numerator": m.numerator or "",
            "denominator": m.denominator or "",
            "expression": canonical(PLACEHOLDER.sub(lambda x: x.group(1), m.expression or "")),
            "window": m.window or "",
            "inputs": ",".join(f"{r}={metric(catalog.metrics[r])}" for r in sorted(deps)),
        }
        return done("metrics", m.ref, parts)

    def feature_set(s: FeatureSet) -> str:
        label = s.label
        parts = {
            "grain": f"{s.entity}:{entity(catalog.entity(s.entity))}",
            "features": ",".join(f"{r}={feature(r)}" for r in sorted(s.features)),
            "label": (
                f"{label.name}|{canonical(label.expression)}|{canonical(label.known_at)}|"
                f"{canonical(label.filter)}|{','.join(sorted(label.outcome_columns or []))}"
                if label
                else ""
            ),
            "spine": (f"{canonical(s.spine.time)}|{canonical(s.spine.filter)}" if s.spine else ""),
        }
        return done("feature_sets", s.ref, parts)

    for e in catalog.entities.values():
        entity(e)
    for ref in catalog.features:
        feature(ref)
    for ref in catalog.derived_features:
        feature(ref)
    for m in catalog.metrics.values():
        metric(m)
    for s in catalog.feature_sets.values():
        feature_set(s)
    return out
