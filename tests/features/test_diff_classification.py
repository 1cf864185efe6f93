# ruff: noqa: E501 -- the labeled edits are data: one edit per entry, kept on its lines
"""Change classification on the starter catalog and marts: 44 definition and 11 mart edits.

Each definition edit is applied to a copy of the catalog; the diff must classify the edited
definition as labeled, and lineage must find every object the edit touches. Each mart edit is
applied to the dbt models of the committed tree (in memory), compiled by dbt (all edits in one
``dbt compile --inline``) and compared per column: its class, the definitions and dbt models it
touches through column-level lineage, and, for edits that change one column, the readers of
other columns it must leave alone. Every value-changing edit must be caught (definitions flagged
as needing a version), and at least 90% of cosmetic edits must be classified metadata-only or
equivalent.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from semantic_models.catalog import load_catalog
from semantic_models.diff import diff_catalogs, downstream
from semantic_models.fingerprint import fingerprints

CATALOG = Path(__file__).resolve().parents[2] / "semantic_models" / "catalog"
MART_VERSIONS = {"fct_ar_invoice": 2}

# (file, old text, new text, definition ref, expected class, refs that must be touched)
EDITS: list[tuple[str, str, str, str, str, set[str]]] = [
    # metadata-only
    ("late_payment.yml", "description: Invoices of the customer paid in the last 90 days.",
     "description: Count of invoices paid in the past 90 days.", "cust_invoices_paid_90d@1",
     "metadata-only", set()),
    ("late_payment.yml", "    owner: ar-analytics\n    description: Average days late (paid",
     "    owner: credit-risk\n    description: Average days late (paid", "cust_avg_days_late_90d@1",
     "metadata-only", set()),
    ("job_overrun.yml", "description: Actual cost to date of the job.",
     "description: Cost booked to the job so far.", "job_cost_to_date@1", "metadata-only", set()),
    ("item_demand.yml", "description: Quantity ordered in the last 30 days (not cancelled).",
     "description: Units ordered over 30 days.", "item_qty_30d@1", "metadata-only", set()),
    ("metrics.yml", "description: Actual minus budget revenue.",
     "description: Revenue over (under) budget.", "budget_variance@1", "metadata-only", set()),
    ("entities.yml", "description: A Vista construction job.",
     "description: A construction job in Vista.", "job@1", "metadata-only", set()),
    ("plan_variance.yml", "description: Actual over budget revenue minus one (0.1 = 10% above budget).",
     "description: Relative revenue variance.", "entity_revenue_vs_budget@1", "metadata-only", set()),
    ("late_payment.yml", "description: Days from invoice date to due date.",
     "description: Payment terms in days.", "invoice_terms_days@1", "metadata-only", set()),
    ("metrics.yml", "description: Open AR not yet due.", "description: Current open AR.",
     "ar_aging_current@1", "metadata-only", set()),
    ("job_overrun.yml", "owner: construction-finance\n    description: Labor hours",
     "owner: field-ops\n    description: Labor hours", "job_hours_90d@1", "metadata-only", set()),
    # equivalent: formatting, case, parentheses, commutative order, IN lists, units
    ("late_payment.yml", "expression: case when days_late > 0 then 1 else 0 end",
     "expression: CASE WHEN Days_Late > 0 THEN 1 ELSE 0 END", "cust_share_paid_late_365d@1",
     "equivalent", set()),
    ("late_payment.yml",
     "    filter: status = 'paid' and document_kind = 'invoice'\n    window: 90 days\n    event_time: paid_date\n    known_at: paid_date\n  - name: cust_avg_days_late_90d",
     "    filter: document_kind = 'invoice' AND status = 'paid'\n    window: 90 days\n    event_time: paid_date\n    known_at: paid_date\n  - name: cust_avg_days_late_90d",
     "cust_invoices_paid_90d@1", "equivalent", set()),
    ("late_payment.yml", 'expression: "{cust_open_ar} / nullif({cust_credit_limit}, 0)"',
     'expression: "({cust_open_ar}) / NULLIF({cust_credit_limit}, 0)"', "cust_credit_use@1",
     "equivalent", set()),
    ("job_overrun.yml", "expression: final_cost > 1.05 * final_estimate",
     "expression: final_cost > final_estimate * 1.05", "job_overrun@1", "equivalent", set()),
    ("job_overrun.yml", "expression: current_estimate - original_estimate",
     "expression: (current_estimate - original_estimate)", "job_change_orders@1", "equivalent",
     set()),
    ("plan_variance.yml",
     "filter: scenario = 'Actual' and not is_elimination and group_account in ('4000', '4100')",
     "filter: group_account IN ('4100', '4000') AND scenario = 'Actual' AND NOT is_elimination",
     "entity_actual_revenue_90d@1", "equivalent", set()),
    ("item_demand.yml", "    window: 90 days\n    event_time: order_date\n    known_at: order_date\n  - name: item_qty_365d",
     "    window: 90  days\n    event_time: order_date\n    known_at: order_date\n  - name: item_qty_365d",
     "item_qty_90d@1", "equivalent", set()),
    ("metrics.yml", "measure: {expression: -amount_reporting, aggregation: sum}\n    filter: scenario = 'Budget'",
     "measure: {expression: -(amount_reporting), aggregation: sum}\n    filter: scenario = 'Budget'",
     "budget_revenue@1", "equivalent", set()),
    ("late_payment.yml", "expression: due_date - invoice_date", "expression: DUE_DATE - INVOICE_DATE",
     "invoice_terms_days@1", "equivalent", set()),
    ("late_payment.yml", "known_at: invoice_known_at\n    known_until: paid_date\n  - name: cust_past_due_count",
     "known_at: Invoice_Known_At\n    known_until: Paid_Date\n  - name: cust_past_due_count",
     "cust_open_ar@1", "equivalent", set()),
    ("metrics.yml", 'expression: "{revenue} - {budget_revenue}"',
     'expression: "{revenue}   -   {budget_revenue}"', "budget_variance@1", "equivalent", set()),
    # value-changing
    ("late_payment.yml", "    window: 365 days\n    event_time: paid_date\n    known_at: paid_date\n  - name: cust_share",
     "    window: 180 days\n    event_time: paid_date\n    known_at: paid_date\n  - name: cust_share",
     "cust_avg_days_late_365d@1", "value-changing", {"late_payment@1"}),
    ("late_payment.yml", "expression: case when days_late > 0 then 1 else 0 end",
     "expression: case when days_late > 5 then 1 else 0 end", "cust_share_paid_late_365d@1",
     "value-changing", {"late_payment@1"}),
    ("late_payment.yml", "    expression: gross_amount\n    aggregation: sum",
     "    expression: open_amount\n    aggregation: sum", "cust_open_ar@1", "value-changing",
     {"cust_credit_use@1", "late_payment@1"}),
    ("late_payment.yml", "    filter: document_kind = 'invoice'\n    event_time: invoice_date",
     "    filter: document_kind in ('invoice', 'credit_memo')\n    event_time: invoice_date",
     "cust_open_ar@1", "value-changing", {"cust_credit_use@1", "late_payment@1"}),
    ("late_payment.yml", "event_time: due_date + 1", "event_time: due_date + 15",
     "cust_past_due_count@1", "value-changing", {"late_payment@1"}),
    ("late_payment.yml", "    aggregation: avg\n    filter: status = 'paid' and document_kind = 'invoice'\n    window: 90 days",
     "    aggregation: sum\n    filter: status = 'paid' and document_kind = 'invoice'\n    window: 90 days",
     "cust_avg_days_late_90d@1", "value-changing", {"late_payment@1"}),
    ("late_payment.yml", "expression: paid_date is null or paid_date > due_date + 30",
     "expression: paid_date is null or paid_date > due_date + 60", "late_payment@1",
     "value-changing", set()),
    ("late_payment.yml", 'expression: "extract(epoch from {as_of} - {cust_since}) / 86400"',
     'expression: "extract(epoch from {as_of} - {cust_since}) / 86400 / 365"',
     "cust_tenure_days@1", "value-changing", {"late_payment@1"}),
    ("job_overrun.yml", "expression: final_cost > 1.05 * final_estimate",
     "expression: final_cost > 1.10 * final_estimate", "job_overrun@1", "value-changing", set()),
    ("job_overrun.yml", "    expression: actual_cost\n    aggregation: sum\n    window: 90 days",
     "    expression: actual_cost\n    aggregation: sum\n    window: 120 days", "job_cost_90d@1",
     "value-changing", {"job_burn_rate@1", "job_overrun@1"}),
    ("job_overrun.yml", 'expression: "{job_cost_90d} / 3 / nullif({job_current_estimate}, 0)"',
     'expression: "{job_cost_90d} / 4 / nullif({job_current_estimate}, 0)"', "job_burn_rate@1",
     "value-changing", {"job_overrun@1"}),
    ("item_demand.yml", "    offset: 335 days", "    offset: 300 days",
     "item_qty_same_month_last_year@1", "value-changing", {"item_demand@1"}),
    ("item_demand.yml", "    window: 30 days\n    event_time: order_date\n    known_at: order_date\n  - name: item_qty_90d",
     "    window: 30 days\n    event_time: order_date\n    known_at: ship_date\n  - name: item_qty_90d",
     "item_qty_30d@1", "value-changing", {"item_demand@1"}),
    ("plan_variance.yml", "group_account in ('4000', '4100')\n    window: 90 days\n    event_time: month\n    known_at: month",
     "group_account in ('4000', '4100', '4900')\n    window: 90 days\n    event_time: month\n    known_at: month",
     "entity_budget_revenue_90d@1", "value-changing", {"entity_revenue_vs_budget@1", "plan_variance@1"}),
    ("metrics.yml", "filter: aging_bucket = 'd31_60'", "filter: aging_bucket in ('d31_60', 'd61_90')",
     "ar_aging_31_60@1", "value-changing", set()),
    ("metrics.yml", "measure: {expression: open_amount, aggregation: sum}\n  - name: dso",
     "measure: {expression: open_amount, aggregation: max}\n  - name: dso", "ar_open@1",
     "value-changing", {"dso@1"}),
    ("metrics.yml", "filter: scenario = 'Actual' and group_account in ('4000', '4100', '4900')",
     "filter: scenario = 'Actual' and group_account in ('4000', '4100')", "revenue@1",
     "value-changing", {"gross_margin@1", "budget_variance@1", "revenue_cumulative@1"}),
    ("late_payment.yml", "    mart_version: 2\n    expression: gross_amount\n    aggregation: latest",
     "    mart_version: 1\n    expression: gross_amount\n    aggregation: latest", "invoice_amount@1",
     "value-changing", {"late_payment@1"}),
    ("entities.yml", "references: {customer: customer_key}", "references: {customer: customer_id}",
     "invoice@1", "value-changing", set()),
    # schema-breaking
    ("late_payment.yml", "    aggregation: latest\n    data_type: varchar",
     "    aggregation: latest\n    data_type: boolean", "cust_category@1", "schema-breaking",
     {"late_payment@1"}),
    ("late_payment.yml", "      - cust_category@1\n", "", "late_payment@1", "schema-breaking", set()),
    ("job_overrun.yml", "      - job_cost_90d@1\n", "", "job_overrun@1", "schema-breaking", set()),
    ("entities.yml", "    key: item_key\n    mart: dim_item", "    key: item_id\n    mart: dim_item",
     "item@1", "schema-breaking", set()),
    ("plan_variance.yml", "features: [entity_actual_revenue_90d@1, entity_budget_revenue_90d@1, entity_revenue_vs_budget@1]",
     "features: [entity_actual_revenue_90d@1, entity_budget_revenue_90d@1]", "plan_variance@1",
     "schema-breaking", set()),
]  # fmt: skip


def _load(folder: Path) -> tuple[object, object]:
    catalog = load_catalog(folder)
    return catalog, fingerprints(catalog, MART_VERSIONS)


@pytest.fixture(scope="module")
def base() -> tuple[object, object]:
    return _load(CATALOG)


def test_there_are_enough_edits() -> None:
    assert len(EDITS) + len(MART_EDITS) >= 40
    cosmetic = [e for e in EDITS if e[4] in ("metadata-only", "equivalent")]
    assert len(cosmetic) >= 15 and len(EDITS) - len(cosmetic) >= 20
    assert len(MART_EDITS) >= 8
    assert {e[3] for e in MART_EDITS} == {"equivalent", "value-changing", "schema-breaking"}


@pytest.mark.parametrize(("file", "old", "new", "ref", "expected", "touched"), EDITS)
def test_edit_is_classified_and_its_reach_found(
    tmp_path: Path,
    base: tuple[object, object],
    file: str,
    old: str,
    new: str,
    ref: str,
    expected: str,
    touched: set[str],
) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG, folder)
    path = folder / file
    text = path.read_text()
    assert text.count(old) >= 1, f"edit does not apply to {file}: {old!r}"
    path.write_text(text.replace(old, new, 1))
    head_catalog, head_prints = _load(folder)
    base_catalog, base_prints = base
    result = diff_catalogs(base_catalog, head_catalog, base_prints, head_prints)  # type: ignore[arg-type]
    mine = [c for c in result.changes if c.ref == ref]
    others = [c for c in result.changes if c.ref != ref]
    assert len(mine) == 1, [(c.ref, c.change) for c in result.changes]
    change = mine[0]
    if expected in ("metadata-only", "equivalent"):
        assert change.change in ("metadata-only", "equivalent"), (change.change, change.reasons)
        assert not change.needs_version
    else:
        assert change.change == expected, (change.change, change.reasons)
        assert change.needs_version  # a released version cannot change what it computes
    # Dependents re-fingerprint (that is not a separate edit); nothing else changed.
    reach = downstream(head_catalog, [ref])  # type: ignore[arg-type]
    found = set().union(*reach.values()) if reach else set()
    assert touched <= found, touched - found
    assert {c.ref for c in others} <= found, {c.ref for c in others} - found


INVOICE = "dbt_project/models/marts/receivables/fct_ar_invoice_v2.sql"
JOB_COST = "dbt_project/models/marts/operations/fct_job_cost.sql"
CUSTOMER = "dbt_project/models/marts/receivables/dim_customer.sql"
SETTLED = "dbt_project/models/intermediate/receivables/int_receivables__invoices_settled.sql"
DAYS_LATE = {"cust_avg_days_late_90d@1", "cust_avg_days_late_365d@1", "cust_share_paid_late_365d@1"}
CUSTOMER_READERS = {"customer@1", "cust_credit_limit@1", "cust_category@1", "cust_since@1"}
AGING = {f"ar_aging_{b}@1" for b in ("current", "1_30", "31_60", "61_90", "over_90")}
JOB_OTHERS = {"job_current_estimate@1", "job_change_orders@1", "job_cost_90d@1", "job_hours_90d@1"}

# (model file, [(old text, new text)], name, expected class, must be touched, must not be touched)
MART_EDITS: list[tuple[str, list[tuple[str, str]], str, str, set[str], set[str]]] = [
    # equivalent: formatting and keyword case, a CTE renamed, commutative terms reordered
    (INVOICE, [("cast(days_late as integer) as days_late", "CAST(  days_late AS INTEGER )   AS days_late")],
     "reformat", "equivalent", set(), set()),
    (INVOICE, [("with settled as (", "with invoices_settled as ("), ("    from settled\n", "    from invoices_settled\n")],
     "alias rename", "equivalent", set(), set()),
    (JOB_COST, [("on calendar.month >= jobs.first_month and calendar.month <= jobs.last_month",
                 "on calendar.month <= jobs.last_month and calendar.month >= jobs.first_month")],
     "commutative reorder (join condition)", "equivalent", set(), set()),
    (CUSTOMER, [("where c.address_number = i.customer_number and c.company_code = i.company_code",
                 "where i.company_code = c.company_code and c.address_number = i.customer_number")],
     "commutative reorder (subquery filter)", "equivalent", set(), set()),
    # value-changing: rows (WHERE, JOIN), one column, a window, a column upstream of the mart
    (CUSTOMER, [("where search_type = 'C'", "where search_type in ('C', 'V')")],
     "WHERE change", "value-changing", CUSTOMER_READERS | {"late_payment@1"}, set()),
    (CUSTOMER, [("left join jde_book as b on b.address_number = s.address_number",
                 "inner join jde_book as b on b.address_number = s.address_number")],
     "JOIN change", "value-changing", CUSTOMER_READERS | {"late_payment@1", "cust_tenure_days@1"}, set()),
    (INVOICE, [("cast(days_late as integer) as days_late", "cast(greatest(days_late, 0) as integer) as days_late")],
     "one column's expression", "value-changing", DAYS_LATE | {"late_payment@1"},
     {"cust_open_ar@1", "invoice_amount@1", "invoice_terms_days@1", "cust_invoices_paid_90d@1",
      "cust_past_due_count@1", "invoice@1", "cust_credit_use@1"} | AGING),
    (JOB_COST, [("sum(actual_cost) {{ to_date }} as actual_cost_to_date",
                 "sum(actual_cost) over (partition by company, job order by month rows between 11 preceding and current row) as actual_cost_to_date")],
     "one column's window", "value-changing",
     {"job_cost_to_date@1", "job_percent_complete@1", "job_overrun@1"}, JOB_OTHERS),
    (SETTLED, [("when as_of_date > due_date then 'past_due'", "when as_of_date > due_date + 5 then 'past_due'")],
     "status rule upstream of the mart", "value-changing",
     {"fct_ar_invoice_v2", "fct_ar_invoice_v1", "cust_invoices_paid_90d@1", "cust_avg_days_late_90d@1",
      "late_payment@1"}, {"invoice_amount@1", "invoice_terms_days@1", "cust_credit_limit@1"}),
    # schema-breaking: a column removed, a column retyped (the contract keeps its version)
    (INVOICE, [("        cast(aging_bucket as varchar) as aging_bucket,\n", "")],
     "column removed", "schema-breaking", AGING, DAYS_LATE),
    (INVOICE, [("cast(days_late as integer) as days_late", "cast(days_late as bigint) as days_late")],
     "column retyped", "schema-breaking", DAYS_LATE | {"late_payment@1"}, AGING),
]  # fmt: skip


def _edited(models: dict[str, str], path: str, edits: list[tuple[str, str]]) -> dict[str, str]:
    text = models[path]
    for old, new in edits:
        assert text.count(old) == 1, f"edit does not apply to {path}: {old!r}"
        text = text.replace(old, new)
    return {**models, path: text}


@pytest.fixture(scope="module")
def mart_base() -> Iterator[Any]:
    """The committed tree, and dbt's compiled SQL of every text the mart edits need (one run)."""
    from mlops import lineage
    from mlops.diff import load_side

    base = load_side("HEAD")
    texts: list[str] = []
    for path, edits, *_ in MART_EDITS:
        head = _edited(base.models, path, edits)
        texts += [base.models[path], head[path]]
        texts += [head[p] for p in lineage.downstream_models(head, {Path(path).stem})]
    unique = list(dict.fromkeys(texts))
    compiled = dict(zip(unique, lineage.compile_inline(None, unique), strict=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lineage, "compile_inline", lambda _project, ts: [compiled[t] for t in ts])
        yield base


@pytest.mark.parametrize(
    ("path", "edits", "name", "expected", "touched", "untouched"),
    MART_EDITS,
    ids=[e[2] for e in MART_EDITS],
)
def test_mart_edit_is_classified_per_column_and_its_readers_found(
    mart_base: Any,
    path: str,
    edits: list[tuple[str, str]],
    name: str,
    expected: str,
    touched: set[str],
    untouched: set[str],
) -> None:
    from mlops.diff import compare

    head = dataclasses.replace(mart_base, label=name, models=_edited(mart_base.models, path, edits))
    report = compare(mart_base, head)
    (change,) = report.marts
    assert change.change == expected, (change.change, change.reasons)
    assert (expected == "schema-breaking") == bool(report.errors), report.errors
    found = set().union(*report.touched.values()) if report.touched else set()
    assert touched <= found, touched - found
    assert not untouched & found, untouched & found
    if expected == "equivalent":
        assert found == set() and change.changed == ()
