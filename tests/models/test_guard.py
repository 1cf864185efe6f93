"""The definition guard on the starter catalog: changed definitions, pinned tables, refusals.

The model is "trained" on the starter catalog's fingerprints; a copy of the catalog is then
edited without a version bump, and the warehouse's timeline tables are described by the
fingerprints they were built from (``stored``), as :func:`mlops.features.stored_fingerprints`
reads them from the table comments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops.definitions import STARTER, load_definitions
from mlops.features import feature_fingerprints, plan
from mlops.models.guard import DefinitionChangedError, check_definitions

SET = "late_payment@1"


def _trained() -> dict[str, str]:
    catalog = load_definitions(folder=STARTER).catalog
    return feature_fingerprints(catalog, catalog.feature_set(SET))


def _guard(
    tmp_path: Path, edits: list[tuple[str, str]], stored: dict[str, str | None] | None = None
) -> list[str]:
    folder = tmp_path / "catalog"
    shutil.copytree(STARTER, folder)
    text = (folder / "late_payment.yml").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    (folder / "late_payment.yml").write_text(text)
    catalog = load_definitions(folder=folder).catalog
    p = plan(catalog, catalog.feature_set(SET))
    trained = _trained()
    tables = {c.ref: trained[c.ref] for c in p.columns if c.table is not None}
    return check_definitions("late_payment@1", trained, catalog, p, {**tables, **(stored or {})})


TERMS = ("expression: due_date - invoice_date", "expression: (due_date - invoice_date) * 1")
LIMIT = ("expression: credit_limit\n", "expression: credit_limit * 1\n")
CREDIT_USE = (
    '"{cust_open_ar} / nullif({cust_credit_limit}, 0)"',
    '"{cust_open_ar} / nullif({cust_credit_limit}, 0) * 100"',
)


def test_unchanged_definitions_pass_silently(tmp_path: Path) -> None:
    assert _guard(tmp_path, []) == []


def test_a_changed_feature_whose_table_is_still_as_trained_scores_with_a_warning(
    tmp_path: Path,
) -> None:
    old = _trained()["invoice_terms_days@1"]
    [warning] = _guard(tmp_path, [TERMS])
    assert warning.startswith("feature invoice_terms_days@1: the catalog's fingerprint is now ")
    assert f"trained on {old}" in warning
    assert "table features.feat_invoice_terms_days__v1 still built from the trained" in warning


def test_a_changed_feature_whose_table_was_rebuilt_is_refused(tmp_path: Path) -> None:
    old = _trained()["invoice_terms_days@1"]
    with pytest.raises(DefinitionChangedError) as info:
        _guard(tmp_path, [TERMS], stored={"invoice_terms_days@1": "0123456789abcdef"})
    message = str(info.value)
    assert message.startswith(
        f"feature invoice_terms_days@1: model late_payment@1 was trained on "
        f"fingerprint {old}, the catalog now has "
    )
    assert "table features.feat_invoice_terms_days__v1 was rebuilt from 0123456789abcdef" in message
    assert "\n" not in message


def test_a_missing_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DefinitionChangedError, match="feat_invoice_terms_days__v1 does not exist"):
        _guard(tmp_path, [TERMS], stored={"invoice_terms_days@1": None})


def test_a_derived_feature_over_a_changed_but_pinned_input_is_still_computable(
    tmp_path: Path,
) -> None:
    warnings = _guard(tmp_path, [LIMIT])
    assert [w.split(":")[0] for w in warnings] == [
        "feature cust_credit_limit@1",
        "feature cust_credit_use@1",
    ]
    assert "its inputs' tables" in warnings[1]


def test_a_derived_feature_over_a_rebuilt_input_is_refused_naming_the_input(
    tmp_path: Path,
) -> None:
    with pytest.raises(DefinitionChangedError, match=r"^feature cust_credit_limit@1: "):
        _guard(tmp_path, [LIMIT], stored={"cust_credit_limit@1": "0123456789abcdef"})


def test_a_changed_derived_expression_is_refused(tmp_path: Path) -> None:
    old = _trained()["cust_credit_use@1"]
    with pytest.raises(DefinitionChangedError) as info:
        _guard(tmp_path, [CREDIT_USE])
    assert str(info.value).startswith(
        f"feature cust_credit_use@1: model late_payment@1 was trained on fingerprint {old}, "
        "the catalog now has "
    )


def test_a_feature_the_catalog_no_longer_defines_is_refused(tmp_path: Path) -> None:
    catalog = load_definitions(folder=STARTER).catalog
    p = plan(catalog, catalog.feature_set(SET))
    trained = {**_trained(), "gone_feature@1": "0123456789abcdef"}
    with pytest.raises(DefinitionChangedError, match=r"gone_feature@1: .*no longer defines it"):
        check_definitions("m@1", trained, catalog, p, {})
