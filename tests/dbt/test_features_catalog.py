"""The starter catalog on the fixture ERPs: compiled, built, snapshotted and served, both engines.

For each engine: `erpml build` compiles the catalog and builds the feature timelines over the
marts; a late-payment snapshot is taken; then random (invoice, time) pairs, drawn from the
snapshot, are fetched through `get_features` and must equal the snapshot exactly; values are
also taken at one time for many invoices, as scoring does. The planted late-payment signal must
show in the snapshot: invoices of customers who paid late before are late more often.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import ENGINES, Landed

SELECT = "+tag:erpml_feature +spine_job_month +spine_item_month"


def _project(landed: Landed, engine: str, tmp_path: Path) -> Path:
    if engine == "duckdb":
        warehouse: dict[str, Any] = {"kind": "duckdb", "path": str(landed.duckdb_copy(tmp_path))}
    else:
        warehouse = {"kind": "postgres", "url": landed.postgres_url}
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": warehouse}))
    return project


def _same(a: Any, b: Any) -> bool:
    import pandas as pd

    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


@pytest.mark.parametrize("engine", ENGINES)
def test_late_payment_snapshot_and_scoring_api_agree(
    landed: Landed, engine: str, tmp_path: Path
) -> None:
    import pandas as pd

    from mlops.build import _release_duckdb
    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot, get_features
    from mlops.warehouse import open_warehouse

    project = _project(landed, engine, tmp_path)
    result = CliRunner().invoke(
        cli, ["build", "--project", str(project), "--select", SELECT], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    _release_duckdb()

    catalog = load_definitions(project).catalog
    snap = create_snapshot(project, catalog, "late_payment@1", cutoff=datetime(2030, 1, 1))
    with open_warehouse(project, read_only=True) as wh:
        frame = wh.frame(f"select * from {snap.table}")
    assert snap.rows == len(frame) > 50
    features = [c for c in frame.columns if c not in ("invoice_key", "as_of", "label")]
    features.remove("label_known_at")
    assert len(features) == 11

    # The planted signal: a history of late payment predicts late payment.
    labelled = frame.dropna(subset=["label", "cust_share_paid_late_365d"])
    late_history = labelled["cust_share_paid_late_365d"] > 0.5
    rate = labelled.groupby(late_history)["label"].mean()
    assert rate[True] > rate[False] + 0.1, rate

    # Scoring API: random pairs from the snapshot give the snapshot's values.
    sample = frame.sample(n=min(40, len(frame)), random_state=11)
    got = get_features(project, catalog, "late_payment@1", sample[["invoice_key", "as_of"]])
    merged = sample.merge(got, on=["invoice_key", "as_of"], suffixes=("_snap", "_api"))
    assert len(merged) == len(sample)
    for f in features:
        bad = [
            (k, a, s)
            for k, a, s in zip(
                merged["invoice_key"], merged[f + "_api"], merged[f + "_snap"], strict=True
            )
            if not _same(a, s)
        ]
        assert not bad, (f, bad[:3])

    # One time for everyone (as scoring does): values are taken at that time.
    as_of = pd.Timestamp(frame["as_of"].quantile(0.7)).to_pydatetime().replace(microsecond=0)
    keys = list(frame.loc[frame["as_of"] <= as_of, "invoice_key"].sample(n=30, random_state=5))
    now = get_features(project, catalog, "late_payment@1", keys, as_of=as_of)
    later = get_features(
        project, catalog, "late_payment@1", keys, as_of=as_of + pd.Timedelta(days=100)
    )
    assert len(now) == len(later) == 30 and (now["as_of"] == pd.Timestamp(as_of)).all()
    tenure = (
        later.set_index("invoice_key")["cust_tenure_days"]
        - now.set_index("invoice_key")["cust_tenure_days"]
    )
    assert tenure.dropna().round(9).eq(100).all() and tenure.notna().sum() > 20

    # The item-demand spine (built by the same selection): every item-month's outcome equals
    # the quantity of the item's lines (not cancelled) ordered in the 30 days from its start.
    with open_warehouse(project, read_only=True) as wh:
        spine = wh.frame(
            "select item_key, month_start, next_30d_quantity from marts.spine_item_month"
        )
        lines = wh.frame(
            "select item_key, order_date, quantity from marts.fct_sales_order_line"
            " where item_key is not null and status <> 'cancelled'"
        )
    assert_item_month_outcomes(spine, lines)


def assert_item_month_outcomes(spine: Any, lines: Any) -> None:
    """``spine_item_month`` against brute force: its grid and each 30-day outcome."""
    import pandas as pd

    lines = lines.assign(
        order_date=pd.to_datetime(lines["order_date"]),
        month=pd.to_datetime(lines["order_date"]).dt.to_period("M").dt.to_timestamp(),
    )
    months = sorted(lines["month"].unique())
    first = lines.groupby("item_key")["month"].min()
    by_item = {k: g for k, g in lines.groupby("item_key")}
    expected = {}
    for item, start in first.items():
        g = by_item[item]
        for m in (m for m in months if m >= start):
            window = (g["order_date"] >= m) & (g["order_date"] < m + pd.Timedelta(days=30))
            expected[(item, m)] = float(g.loc[window, "quantity"].astype(float).sum())
    got = {
        (k, pd.Timestamp(m)): float(q)
        for k, m, q in zip(
            spine["item_key"], spine["month_start"], spine["next_30d_quantity"], strict=True
        )
    }
    assert got.keys() == expected.keys()
    assert any(v > 0 for v in expected.values())
    bad = [(k, got[k], v) for k, v in expected.items() if abs(got[k] - v) > 1e-6]
    assert not bad, bad[:3]
