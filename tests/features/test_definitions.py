"""Definition files: rules named with file and line, fingerprints by content, the lock check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli.main import cli
from semantic_models.catalog import load_catalog
from semantic_models.errors import DefinitionError
from semantic_models.fingerprint import fingerprints

BASE = """\
entities:
  - name: customer
    version: 1
    owner: ar-team
    description: a customer
    key: customer_key
    mart: dim_customer
  - name: invoice
    version: 1
    owner: ar-team
    description: an invoice
    key: invoice_key
    mart: fct_ar_invoice
    references: {customer: customer_key}
features:
  - name: paid_late_share_365d
    version: 1
    owner: ar-team
    description: share of invoices paid late
    entity: customer
    mart: fct_ar_invoice
    expression: case when days_late > 0 then 1 else 0 end
    filter: status = 'paid'
    aggregation: avg
    window: 365 days
    event_time: paid_date
  - name: invoice_amount
    version: 1
    owner: ar-team
    description: gross amount
    entity: invoice
    mart: fct_ar_invoice
    expression: gross_amount
    aggregation: latest
derived_features:
  - name: late_ratio
    version: 1
    owner: ar-team
    description: ratio
    entity: customer
    expression: "{paid_late_share_365d} * 2"
    inputs: [paid_late_share_365d@1]
feature_sets:
  - name: late_payment
    version: 1
    owner: ar-team
    description: the set
    entity: invoice
    features: [paid_late_share_365d@1, invoice_amount@1, late_ratio@1]
    label:
      name: paid_late_30
      expression: days_late > 30
      known_at: coalesce(paid_date, due_date)
"""
MARTS = {"dim_customer", "fct_ar_invoice"}


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "ar.yml").write_text(text)
    return folder


def prints_of(tmp_path: Path, text: str) -> dict[str, str]:
    catalog = load_catalog(write(tmp_path, text), MARTS)
    return {ref: fp.fingerprint for (_, ref), fp in fingerprints(catalog).items()}


def test_metadata_and_formatting_do_not_change_fingerprints(tmp_path: Path) -> None:
    base = prints_of(tmp_path, BASE)
    cosmetic = (
        BASE.replace("share of invoices paid late", "share of invoices settled after due")
        .replace("owner: ar-team", "owner: credit-risk")
        .replace(
            "case when days_late > 0 then 1 else 0 end", "CASE WHEN Days_Late>0 THEN 1 ELSE 0 END"
        )
        .replace("filter: status = 'paid'", "filter: \"'paid' = status\"")
    )
    assert prints_of(tmp_path, cosmetic) == base


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("window: 365 days", "window: 180 days", "paid_late_share_365d@1"),
        ("status = 'paid'", "status <> 'open'", "paid_late_share_365d@1"),
        ("days_late > 0 then", "days_late > 5 then", "paid_late_share_365d@1"),
        ("expression: gross_amount", "expression: open_amount", "invoice_amount@1"),
        ("expression: days_late > 30", "expression: days_late > 60", "late_payment@1"),
    ],
)
def test_value_changes_change_fingerprints_and_dependents(
    tmp_path: Path, old: str, new: str, changed: str
) -> None:
    base = prints_of(tmp_path, BASE)
    after = prints_of(tmp_path, BASE.replace(old, new))
    moved = {ref for ref in base if base[ref] != after[ref]}
    assert changed in moved
    assert "late_payment@1" in moved  # the set pins its features by fingerprint
    if changed == "paid_late_share_365d@1":
        assert "late_ratio@1" in moved  # derived features follow their inputs


def test_mart_version_is_part_of_the_fingerprint(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, BASE), MARTS)
    one = fingerprints(catalog, {"fct_ar_invoice": 1})
    two = fingerprints(catalog, {"fct_ar_invoice": 2})
    assert one[("features", "invoice_amount@1")] != two[("features", "invoice_amount@1")]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "entity: customer\n    mart: fct",
            "entity: supplier\n    mart: fct",
            16,
            "unknown entity 'supplier'",
        ),
        (
            "mart: fct_ar_invoice\n    expression: gross",
            "mart: fct_nope\n    expression: gross",
            27,
            "unknown mart 'fct_nope'",
        ),
        ("window: 365 days", "window: 4000 days", 16, "longer than the history"),
        ("window: 365 days", "window: 365 fortnights", 25, "is not '<n> days'"),
        (
            '"{paid_late_share_365d} * 2"\n    inputs: [paid_late_share_365d@1]',
            '"{late_ratio} * 2"\n    inputs: [late_ratio@1]',
            36,
            "cycle: late_ratio@1",
        ),
        (
            '"{paid_late_share_365d} * 2"',
            '"{paid_late_share} * 2"',
            36,
            "{paid_late_share} is not an input",
        ),
        (
            "invoice_amount@1, late_ratio@1]",
            "invoice_amount@2, late_ratio@1]",
            44,
            "unknown feature 'invoice_amount@2'",
        ),
        (
            "expression: gross_amount",
            "expression: days_late",
            44,
            "label paid_late_30 could leak into feature invoice_amount@1",
        ),
        (
            "features: [paid_late_share_365d@1,",
            "features: [paid_late_share_365d,",
            49,
            "not pinned as name@version",
        ),
        (
            "  - name: paid_late_share_365d",
            "  - name: " + "p" * 56,
            16,
            "its dbt model feat_" + "p" * 56 + "__v1 has 65 characters; PostgreSQL keeps 63",
        ),
        (
            "    version: 1\n    owner: ar-team\n    description: an invoice",
            "    version: 0\n    owner: ar-team\n    description: an invoice",
            9,
            "greater than or equal to 1",
        ),
    ],
)
def test_broken_rules_name_file_line_and_rule(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in BASE
    folder = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(DefinitionError) as info:
        load_catalog(folder, MARTS)
    text = str(info.value)
    assert "\n" not in text
    assert re.match(rf"^{re.escape(str(folder / 'ar.yml'))}:\d+: ", text), text
    assert message in text
    assert f"ar.yml:{line}: " in text, text


def test_check_fails_when_a_released_version_changes(tmp_path: Path) -> None:
    folder = write(tmp_path, BASE)
    project = tmp_path / "erpml.yml"
    project.write_text("definitions: catalog\n")
    runner = CliRunner()
    res = runner.invoke(cli, ["definitions", "check", "--project", str(project)])
    assert res.exit_code == 0, res.output
    assert "new" in res.output
    res = runner.invoke(cli, ["definitions", "lock", "--project", str(project)])
    assert res.exit_code == 0, res.output
    assert (folder / "definitions.lock").exists()
    res = runner.invoke(cli, ["definitions", "check", "--project", str(project)])
    assert res.exit_code == 0 and "0 new, 0 changed" in res.output, res.output

    # A description edit is fine; a window edit without a new version is not.
    write(tmp_path, BASE.replace("share of invoices paid late", "reworded"))
    assert runner.invoke(cli, ["definitions", "check", "--project", str(project)]).exit_code == 0
    write(tmp_path, BASE.replace("window: 365 days", "window: 180 days"))
    res = runner.invoke(cli, ["definitions", "check", "--project", str(project)])
    assert res.exit_code == 7
    assert "paid_late_share_365d@1" in res.output
    assert "window_days: '365' -> '180'" in res.output
    res = runner.invoke(cli, ["definitions", "lock", "--project", str(project)])
    assert res.exit_code != 0  # the lock never rewrites a released version

    # Released as v2 beside v1: check passes again, both stay defined.
    v2 = BASE.replace(
        "features:\n",
        "features:\n"
        + BASE.split("features:\n")[1]
        .split("  - name: invoice_amount", maxsplit=1)[0]
        .replace("version: 1", "version: 2", 1)
        .replace("window: 365 days", "window: 180 days"),
        1,
    )
    write(tmp_path, v2)
    res = runner.invoke(cli, ["definitions", "check", "--project", str(project)])
    assert res.exit_code == 0, res.output
    assert "paid_late_share_365d@2" in res.output


def test_span_groups_of_the_shipped_catalog() -> None:
    """Features reading the same mart rows share one fingerprint model; any difference in
    what selects the rows or dates them (filter, known_at, known_until, offset, kind, entity)
    keeps them apart."""
    from semantic_models.compile import span_groups

    root = Path(__file__).resolve().parents[2]
    catalog = load_catalog(root / "semantic_models" / "catalog")
    groups = span_groups(catalog)
    members = {g.name: sorted(f.name for f in g.members) for g in groups.values()}
    assert len(members) == 10, members
    paid = groups["cust_invoices_paid_90d@1"].name
    assert members[paid] == [
        "cust_avg_days_late_365d",
        "cust_avg_days_late_90d",
        "cust_invoices_paid_90d",
        "cust_share_paid_late_365d",
    ]  # one filter, one known_at; windows and expressions differ
    assert groups["cust_open_ar@1"] is groups["cust_past_due_count@1"]  # event times differ
    assert groups["cust_open_ar@1"] is not groups["cust_invoices_paid_90d@1"]  # known_at differs
    assert groups["item_qty_30d@1"] is groups["item_order_lines_90d@1"]
    assert groups["item_qty_same_month_last_year@1"] is not groups["item_qty_30d@1"]  # offset
    assert groups["job_cost_90d@1"] is not groups["job_cost_to_date@1"]  # sum vs latest
    assert all(re.fullmatch(r"featfp_[a-z0-9_]+_[0-9a-f]{8}", name) for name in members)
    assert span_groups(catalog) == groups  # the same names every compile
