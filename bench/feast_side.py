"""Feast's side of bench/pit_join.py: get_historical_features on the local offline store.

Runs in Feast's own virtualenv (Feast pins pandas below 3), never in the project's::

    python3 -m venv /tmp/feast-venv
    /tmp/feast-venv/bin/pip install 'feast[duckdb]==0.67.*' 'pandas<3'
    /tmp/feast-venv/bin/python bench/feast_side.py --data DIR --store duckdb|file ...

``DIR`` holds ``spine.parquet`` (entity_key, event_timestamp) and one ``fNN.parquet`` per
feature (entity_key, event_timestamp, fNN; a NULL row where a timeline span closes). A throwaway
feature repository gets one Entity and one FeatureView per feature (FileSource, ttl 0 = no
expiry); the timed part is ``get_historical_features(entity_df=spine).to_df()``. Prints one JSON
line; writes the rows of ``--sample`` found in the result to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--store", choices=["file", "duckdb"], required=True)
    ap.add_argument("--features", type=int, required=True)
    ap.add_argument("--sample", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    start = time.perf_counter()
    import feast
    import pandas as pd
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Float64

    names = [f"f{i:02d}" for i in range(args.features)]
    with tempfile.TemporaryDirectory() as repo:
        Path(repo, "feature_store.yaml").write_text(
            "project: pitbench\n"
            f"registry: {repo}/registry.db\n"
            "provider: local\n"
            f"online_store:\n  type: sqlite\n  path: {repo}/online.db\n"
            f"offline_store:\n  type: {args.store}\n"
            "entity_key_serialization_version: 3\n"
        )
        entity = Entity(name="entity", join_keys=["entity_key"], value_type=ValueType.STRING)
        views = [
            FeatureView(
                name=n,
                entities=[entity],
                ttl=timedelta(0),
                schema=[Field(name=n, dtype=Float64)],
                source=FileSource(
                    name=f"{n}_source",
                    path=str(args.data.resolve() / f"{n}.parquet"),
                    timestamp_field="event_timestamp",
                ),
                online=False,
            )
            for n in names
        ]
        store = FeatureStore(repo_path=repo)
        store.apply([entity, *views])
        spine = pd.read_parquet(args.data / "spine.parquet")
        ready = time.perf_counter()
        frame = store.get_historical_features(
            entity_df=spine, features=[f"{n}:{n}" for n in names]
        ).to_df()
        done = time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        status = Path("/proc/self/status").read_text()
        peak = next(int(x.split()[1]) for x in status.splitlines() if x[:6] == "VmHWM:") / 1024
    sample = pd.read_parquet(args.sample)
    sample["event_timestamp"] = sample["as_of"].dt.tz_localize("UTC")
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True)
    found = sample.drop(columns="as_of").merge(frame, on=["entity_key", "event_timestamp"])
    found.to_parquet(args.out)
    print(
        json.dumps(
            {
                "rows": len(frame),
                "spine_rows": len(spine),
                "setup_s": ready - start,
                "join_s": done - ready,
                "feast": feast.__version__,
                "peak_rss_mib": peak,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    )


if __name__ == "__main__":
    main()
