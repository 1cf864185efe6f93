"""Column-level lineage of compiled SQL (semantic_models.lineage), without dbt or a warehouse."""

from __future__ import annotations

import pytest

from semantic_models.lineage import (
    changed_columns,
    columns_reading,
    model_lineage,
    replace_relations,
)

MODEL = """
with src as (select * from "db"."staging"."orders"),
customers as (select customer_id, region from "db"."staging"."customers"),
joined as (
    select o.*, c.region
    from src as o
    left join customers as c on c.customer_id = o.customer_id
    where o.status <> 'void'
),
final as (
    select
        cast(order_id as varchar) as order_id,
        cast(amount * rate as numeric(18, 2)) as amount,
        region,
        sum(amount) over (partition by customer_id order by order_date) as running_amount
    from joined
)
select * from final
"""


def _changed(old: str, new: str) -> tuple[set[str], bool, set[str], dict[str, object]]:
    diff = changed_columns(model_lineage(MODEL), model_lineage(MODEL.replace(old, new)))
    return diff.changed, diff.rows_changed, diff.removed, dict(diff.retyped)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("amount * rate", "rate * amount"),  # commutative
        ("    from src as o\n", "    FROM src   AS o\n"),  # keyword case, whitespace
        ("where o.status <> 'void'", "WHERE 'void' <> o.status"),  # symmetric operator, case
        ("joined as (", "with_region as ("),  # a CTE renamed (and its reader below)
    ],
)
def test_cosmetic_edits_change_nothing(old: str, new: str) -> None:
    text = MODEL.replace(old, new)
    if old == "joined as (":
        text = text.replace("from joined", "from with_region")
    diff = changed_columns(model_lineage(MODEL), model_lineage(text))
    assert not (diff.changed or diff.rows_changed or diff.removed or diff.retyped)


def test_one_expression_changes_one_column() -> None:
    assert _changed("amount * rate", "amount * rate * 2") == ({"amount"}, False, set(), {})


def test_a_window_changes_its_column_only() -> None:
    changed, rows, _, _ = _changed("order by order_date", "order by order_id")
    assert changed == {"running_amount"} and not rows


def test_where_and_join_change_every_column() -> None:
    for old, new in (("<> 'void'", "= 'void'"), ("left join", "inner join")):
        changed, rows, _, _ = _changed(old, new)
        assert rows and changed == {"order_id", "amount", "region", "running_amount"}


def test_removal_and_retype_are_told_apart() -> None:
    assert _changed("        region,\n", "")[2] == {"region"}
    assert _changed("as varchar) as order_id", "as integer) as order_id")[3] == {
        "order_id": ("TEXT", "INT")
    }


def test_columns_reading_follows_stars_and_row_clauses() -> None:
    lineage = model_lineage(MODEL)
    assert columns_reading(lineage, "orders", {"rate"}) == {"amount"}
    assert columns_reading(lineage, "customers", {"region"}) == {"region"}
    every = {"order_id", "amount", "region", "running_amount"}
    assert columns_reading(lineage, "orders", {"status"}) == every  # in WHERE
    assert columns_reading(lineage, "customers", {"customer_id"}) == every  # in the JOIN
    assert columns_reading(lineage, "orders", {"order_date"}) == {"running_amount"}  # window
    assert columns_reading(lineage, "invoices", None) == set()


def test_union_branches_are_matched_by_position() -> None:
    sql = "select a as x, b as y from t union all select c, d from u"
    lineage = model_lineage(sql)
    assert lineage.columns["y"].reads == {("t", "b"), ("u", "d")}
    assert columns_reading(lineage, "u", {"c"}) == {"x"}


def test_replace_relations_inlines_a_select_under_the_old_alias() -> None:
    sql = 'select o.a from "db"."marts"."t" as o join "db"."marts"."u" on u.k = o.k'
    out = replace_relations(sql, {"t": "select 1 as a, 2 as k", "u": "tmp_u"})
    assert out == "SELECT o.a FROM (SELECT 1 AS a, 2 AS k) AS o JOIN tmp_u AS u ON u.k = o.k"
