"""Compile the catalog into the dbt project.

``compile_catalog(catalog, fingerprints, dbt_project)`` writes, under
``dbt_project/models/features/_generated/``:

- one model per released feature version, ``feat_<name>__v<version>``: the feature's timeline
  (entity, valid_from, valid_to, value at knowledge time): its body selects the feature's
  spans (``feature_spans``) and the ``feature_timeline`` materialization builds the timeline
  from them, whole or for the entities new mart rows change; tagged ``erpml_feature`` with the
  ref and fingerprint in ``meta``;
- one model per group of feature versions whose spans come from the same mart rows (same
  mart, entity key, filter, kind, known_at, known_until and offset),
  ``featfp_<mart>_<hash>``: the fingerprints of those rows per entity and month and what
  changed since its last build (``feature_fingerprints`` materialization), computed once for
  all the group's timelines, which depend on it;
- ``_features.yml``: their descriptions, columns and tests;

and under ``dbt_project/models/semantic/_generated/`` the dbt semantic-layer YAML (semantic
models over the marts the metrics read, and the metrics) that MetricFlow queries.
Generated folders hold exactly what the catalog compiles to; they are not committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from semantic_models.catalog import Catalog
from semantic_models.fingerprint import Fingerprinted
from semantic_models.schema import Feature, Metric, feature_model_name, parse_window

FEATURES_DIR = Path("models/features/_generated")
SEMANTIC_DIR = Path("models/semantic/_generated")
VALUE_TYPES = {
    "numeric": "numeric(38, 10)",
    "integer": "bigint",
    "boolean": "boolean",
    "varchar": "varchar",
    "timestamp": "timestamp",
}


def model_name(ref: str) -> str:
    """``ar_days_late_avg_365d@2`` -> ``feat_ar_days_late_avg_365d__v2``."""
    name, version = ref.split("@")
    return feature_model_name(name, int(version))


def default_value(feature: Feature) -> str:
    if feature.default is not None:
        return repr(feature.default)
    return "0" if feature.aggregation in ("sum", "count") else "null"


def compile_catalog(
    catalog: Catalog,
    prints: Mapping[tuple[str, str], Fingerprinted],
    dbt_project: Path,
) -> list[Path]:
    """Write the generated dbt files; returns the paths of every generated file.

    Files are written only when their content changes (each through a temporary file and a
    rename), and generated files no longer wanted are removed: compiling an unchanged catalog
    touches nothing, so builds running side by side never see a half-written folder.
    """
    wanted: dict[Path, str] = {}
    features_dir = dbt_project / FEATURES_DIR
    semantic_dir = dbt_project / SEMANTIC_DIR
    docs: list[dict[str, Any]] = []
    groups = span_groups(catalog)
    for group in {g.name: g for g in groups.values()}.values():
        wanted[features_dir / f"{group.name}.sql"] = group.sql()
        docs.append(group.doc())
    for ref, feature in sorted(catalog.features.items()):
        fp = prints[("features", ref)].fingerprint
        sql = _feature_sql(catalog, feature, fp, groups[ref].name)
        wanted[features_dir / f"{model_name(ref)}.sql"] = sql
        docs.append(_feature_doc(feature, fp))
    schema = {"version": 2, "models": docs}
    wanted[features_dir / "_features.yml"] = yaml.safe_dump(schema, sort_keys=False)
    if catalog.metrics:
        layer = yaml.safe_dump(semantic_layer(catalog), sort_keys=False)
        wanted[semantic_dir / "_semantic_layer.yml"] = layer
    for folder in (features_dir, semantic_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old not in wanted:
                old.unlink()
    for path, text in wanted.items():
        if path.exists() and path.read_text() == text:
            continue
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return sorted(wanted)


def timeline_call(catalog: Catalog, f: Feature) -> str:
    """The Jinja call that computes feature ``f``'s whole timeline (a SELECT)."""
    return _call("feature_timeline", _timeline_args(catalog, f))


def spans_call(catalog: Catalog, f: Feature) -> str:
    """The Jinja call that selects feature ``f``'s spans (the body of its model, which the
    ``feature_timeline`` materialization turns into the timeline, whole or incrementally)."""
    args = _timeline_args(catalog, f)
    del args["default_value"]
    return _call("feature_spans", args)


@dataclass
class SpanGroup:
    """Feature versions whose spans come from the same mart rows: one fingerprint model
    (``feature_group_fingerprints``) tells all their timelines what changed."""

    name: str
    args: dict[str, object]
    members: list[Feature] = field(default_factory=list)

    def sql(self) -> str:
        expressions = sorted({f.expression for f in self.members})
        events = [] if self.args["latest"] else sorted({_event_time(f) for f in self.members})
        args = {**self.args, "expressions": expressions, "event_times": events}
        refs = ", ".join(sorted(f.ref for f in self.members))
        return (
            f"-- generated by `erpml definitions compile` for {refs}; do not edit\n"
            "{{ config(materialized='feature_fingerprints', schema='features') }}\n\n"
            + _call("feature_group_fingerprints", args)
        )

    def doc(self) -> dict[str, Any]:
        refs = ", ".join(sorted(f.ref for f in self.members))
        return {
            "name": self.name,
            "description": (
                f"Fingerprints of the mart rows the timelines of {refs} read (per entity and"
                " month: count and hash sum), and beside it (`__diff`) the entities and first"
                " month its last build found changed; internal to their incremental builds."
            ),
        }


def span_groups(catalog: Catalog) -> dict[str, SpanGroup]:
    """Every feature ref's span group (features that share one get the same object)."""
    by_key: dict[str, SpanGroup] = {}
    out: dict[str, SpanGroup] = {}
    for ref, f in sorted(catalog.features.items()):
        args = _timeline_args(catalog, f)
        latest = f.aggregation == "latest"
        group_args: dict[str, object] = {
            "relation": args["relation"],
            "key": args["key"],
            "filter": f.filter,
            "latest": latest,
            "offset_days": None if latest else f.offset_days,
            "known_at": f.known_at,
            "known_until": f.known_until,
        }
        identity = repr(sorted((k, str(v)) for k, v in group_args.items()))
        digest = hashlib.md5(identity.encode()).hexdigest()[:8]
        # the mart's name cut so that the model's name stays a PostgreSQL name (63 characters;
        # the hash keeps groups apart)
        mart = f.mart[:40] + (f"_v{f.mart_version}" if f.mart_version else "")
        group = by_key.setdefault(identity, SpanGroup(f"featfp_{mart}_{digest}", group_args))
        group.members.append(f)
        out[ref] = group
    return out


def _event_time(f: Feature) -> str:
    return f.event_time or f.known_at


def _timeline_args(catalog: Catalog, f: Feature) -> dict[str, object]:
    key = f.key or catalog.entity(f.entity).key
    relation = f"ref('{f.mart}', v={f.mart_version})" if f.mart_version else f"ref('{f.mart}')"
    return {
        "relation": _Raw(relation),
        "key": key,
        "expression": f.expression,
        "aggregation": f.aggregation,
        "filter": f.filter,
        "window_days": f.window_days,
        "offset_days": f.offset_days,
        "event_time": _event_time(f),
        "known_at": f.known_at,
        "known_until": f.known_until,
        "default_value": default_value(f),
        "value_type": VALUE_TYPES[f.data_type],
    }


class _Raw(str):
    """Jinja source written as is (a ``ref(...)`` call), not as a string literal."""


def _call(macro: str, args: dict[str, object]) -> str:
    rendered = ",\n    ".join(f"{k}={_jinja(v)}" for k, v in args.items())
    return f"{{{{ erpml.{macro}(\n    {rendered}\n) }}}}\n"


def _feature_sql(catalog: Catalog, f: Feature, fingerprint: str, group: str) -> str:
    meta = {"erpml": {"ref": f.ref, "fingerprint": fingerprint, "entity": f.entity}}
    return (
        f"-- generated by `erpml definitions compile` from {f.ref}; do not edit\n"
        f"-- depends_on: {{{{ ref('{group}') }}}}\n"
        f"{{{{ config(materialized='feature_timeline', schema='features', "
        f"erpml_fingerprints={group!r}, "
        f"tags=['erpml_feature'], erpml_aggregation={f.aggregation!r}, "
        f"erpml_default_value={default_value(f)!r}, "
        f"erpml_value_type={VALUE_TYPES[f.data_type]!r}, "
        f"meta={meta!r}, post_hook=[\"{{{{ erpml.feature_table_comment('{f.ref}', "
        f'\'{fingerprint}\') }}}}", "{{{{ erpml.feature_table_index() }}}}"]) }}}}\n\n'
        + spans_call(catalog, f)
    )


def _jinja(value: object) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "none"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _feature_doc(f: Feature, fingerprint: str) -> dict[str, Any]:
    return {
        "name": model_name(f.ref),
        "description": f"{f.ref} (fingerprint {fingerprint}, owner {f.owner}): {f.description}",
        "data_tests": [
            {
                "erpml_unique_combination": {
                    "arguments": {"columns": ["entity_key", "valid_from"]},
                }
            }
        ],
        "columns": [
            {
                "name": "entity_key",
                "description": f"{f.entity} key",
                "data_tests": ["not_null"],
            },
            {"name": "valid_from", "description": "value known from (inclusive)"},
            {"name": "valid_to", "description": "until (exclusive); NULL = still valid"},
            {"name": "value", "description": f"{f.aggregation} of {f.expression}"},
        ],
    }


def semantic_layer(catalog: Catalog) -> dict[str, Any]:
    """dbt semantic models (one per mart a simple metric reads) and the metrics."""
    by_mart: dict[str, list[Metric]] = {}
    for metric in catalog.metrics.values():
        if metric.type == "simple" and metric.mart:
            by_mart.setdefault(metric.mart, []).append(metric)
    semantic_models = []
    for mart, metrics in sorted(by_mart.items()):
        times = sorted({m.time for m in metrics if m.time})
        semantic_models.append(
            {
                "name": f"sm_{mart}",
                "model": f"ref('{mart}')",
                "defaults": {"agg_time_dimension": _dimension_name(times[0])},
                "primary_entity": f"{mart}_row",
                "entities": [{"name": "company", "type": "foreign", "expr": "company_key"}],
                "dimensions": [_time_dimension(t) for t in times]
                + [{"name": "source_system", "type": "categorical"}],
                "measures": [_measure(m) for m in metrics],
            }
        )
    return {
        "semantic_models": semantic_models,
        "metrics": [_metric(m) for m in catalog.metrics.values()],
    }


GRANULARITIES = {"day", "week", "month", "quarter", "year", "hour", "minute", "second"}


def _dimension_name(column: str) -> str:
    """MetricFlow refuses granularity words as names: ``month`` becomes ``month_date``."""
    return f"{column}_date" if column.lower() in GRANULARITIES else column


def _time_dimension(column: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": _dimension_name(column),
        "type": "time",
        "type_params": {"time_granularity": "day"},
    }
    if out["name"] != column:
        out["expr"] = column
    return out


def _measure(m: Metric) -> dict[str, Any]:
    """A metric's filter goes into its measure as SQL (``case when filter then expr end``)."""
    assert m.measure is not None
    expr = m.measure.expression
    if m.filter:
        expr = f"case when {m.filter} then {expr} end"
    return {
        "name": _measure_name(m),
        "agg": m.measure.aggregation,
        "expr": expr,
        "agg_time_dimension": _dimension_name(m.time or ""),
    }


def _measure_name(m: Metric) -> str:
    return f"{m.name}_v{m.version}_measure"


def _metric_name(ref: str) -> str:
    name, version = ref.split("@")
    return f"{name}_v{version}"


def _metric(m: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": _metric_name(m.ref),
        "label": f"{m.name} v{m.version}",
        "description": m.description,
        "type": m.type,
    }
    if m.type == "simple":
        out["type_params"] = {"measure": _measure_name(m)}
    elif m.type == "ratio":
        assert m.numerator and m.denominator
        out["type_params"] = {
            "numerator": _metric_name(m.numerator),
            "denominator": _metric_name(m.denominator),
        }
    elif m.type == "derived":
        assert m.expression
        expr = m.expression
        for ref in m.inputs:
            expr = expr.replace("{" + ref.split("@")[0] + "}", _metric_name(ref))
        out["type_params"] = {
            "expr": expr,
            "metrics": [{"name": _metric_name(r)} for r in m.inputs],
        }
    else:
        name, version = m.inputs[0].split("@")
        params: dict[str, Any] = {"measure": f"{name}_v{version}_measure"}
        if m.window:
            params["cumulative_type_params"] = {"window": f"{parse_window(m.window).days} days"}
        out["type_params"] = params
    return out
