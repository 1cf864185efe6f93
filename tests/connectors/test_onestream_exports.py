"""OneStream export files: partitions, exact amounts, column maps and one-line errors.

Small export files are written here (the fixture's header and line shape), so every case runs
in well under a second; the contract suite covers the fixture's full files.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors import extract, load
from connectors.core.connector import TableState
from connectors.errors import ConfigError, SourceError
from connectors.extraction import TableOutcome
from connectors.onestream import OneStreamConnector, exports
from connectors.onestream import connector as connector_module
from connectors.onestream.client import Partition
from connectors.onestream.tables import CUBE_COLUMNS
from connectors.registry import CONNECTORS
from fixtures.onestream import EXPORT_COLUMNS
from tests.connectors.compare import warehouse_query
from tests.connectors.test_contract import project_file

HEADER = list(EXPORT_COLUMNS.values())  # Cube, Entity, ..., UD8, Amount


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CONNECTORS, "onestream", OneStreamConnector)


def line(entity: str, scenario: str, time: str, amount: str, account: str = "1000") -> list[str]:
    values = {
        "Cube": "GroupCube", "Entity": entity, "Parent": "None", "Cons": "Local",
        "Scenario": scenario, "Time": time, "View": "YTD", "Account": account, "Flow": "None",
        "Origin": "Import", "IC": "None", **{f"UD{i}": "None" for i in range(1, 9)},
        "Amount": amount,
    }  # fmt: skip
    return [values[d] for d in EXPORT_COLUMNS]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, delim: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delim, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def standard_files(folder: Path) -> None:
    write(
        folder / "Actual_2024.csv",
        [
            line("E1", "Actual", "2024M1", "1234.56"),
            line("E1", "Actual", "2024M2", "-0.000000001"),
            line("E2", "Actual", "2024M1", "99999999999999999999.123456789"),
        ],
    )
    write(folder / "Budget_2024.csv", [line("E1", "Budget", "2024M1", "1000")])
    write(folder / "Actual_2025.csv", [line("E1", "Actual", "2025M1", "7", account="2000")])


class Project:
    """A project with one OneStream export source named ``os`` and a DuckDB warehouse."""

    def __init__(self, tmp: Path, **settings: Any) -> None:
        self.tmp, self.folder = tmp, tmp / "exports"
        self.warehouse = tmp / "wh.duckdb"
        entry = {"name": "os", "kind": "onestream", "exports": str(self.folder), **settings}
        wh = {"kind": "duckdb", "path": str(self.warehouse)}
        self.path = project_file(tmp, entry, wh)

    def extract(self, **options: Any) -> TableOutcome:
        (outcome,) = extract(load(self.path), **options)
        return outcome

    def rows(self, live_only: bool = True) -> list[tuple[Any, ...]]:
        if not self.warehouse.exists():
            return []
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            where = "WHERE NOT _erpml_deleted" if live_only else ""
            return con.execute(
                "SELECT entity, scenario, time, account, amount, source_file, _erpml_deleted,"
                f" _erpml_batch_id FROM os.cube_data {where} ORDER BY ALL"
            ).fetchall()
        except duckdb.CatalogException:
            return []
        finally:
            con.close()


def test_files_land_exactly_with_partition_and_source(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    outcome = project.extract()
    assert outcome.status == "ok", outcome.error
    assert outcome.pulls == ["Actual_2024.csv", "Budget_2024.csv", "Actual_2025.csv"]
    rows = project.rows()
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows] == [
        ("E1", "Actual", "2024M1", Decimal("1234.56"), "Actual_2024.csv"),
        ("E1", "Actual", "2024M2", Decimal("-0.000000001"), "Actual_2024.csv"),
        ("E1", "Actual", "2025M1", Decimal("7"), "Actual_2025.csv"),
        ("E1", "Budget", "2024M1", Decimal("1000"), "Budget_2024.csv"),
        ("E2", "Actual", "2024M1", Decimal("99999999999999999999.123456789"), "Actual_2024.csv"),
    ]
    con = duckdb.connect(str(project.warehouse), read_only=True)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'cube_data'"
        ).fetchall()
    )
    con.close()
    assert types["amount"] == "DECIMAL(38,9)" and types["ud8"] == "VARCHAR"


def test_a_changed_file_replaces_only_its_partition(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    project.extract()
    write(project.folder / "Actual_2024.csv", [line("E1", "Actual", "2024M1", "1234.57")])
    outcome = project.extract()
    assert (outcome.status, outcome.deleted) == ("ok", 2)
    live = {(r[0], r[1], r[2]): r[4] for r in project.rows()}
    assert live == {
        ("E1", "Actual", "2024M1"): Decimal("1234.57"),
        ("E1", "Actual", "2025M1"): Decimal("7"),
        ("E1", "Budget", "2024M1"): Decimal("1000"),
    }
    deleted = [r for r in project.rows(live_only=False) if r[6]]
    assert {(r[0], r[2]) for r in deleted} == {("E1", "2024M2"), ("E2", "2024M1")}


def test_a_removed_file_is_kept_until_a_full_refresh(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    project.extract()
    (project.folder / "Budget_2024.csv").unlink()
    assert project.extract().deleted == 0
    assert any(r[1] == "Budget" for r in project.rows())
    outcome = project.extract(full_refresh=True)
    assert outcome.pulls[-1] == "partitions without a source" and outcome.deleted == 1
    assert not any(r[1] == "Budget" for r in project.rows()) and len(project.rows()) == 4


def test_custom_column_map_delimiter_and_pattern(tmp_path: Path) -> None:
    header = [f"{d}Member" for d in EXPORT_COLUMNS if d != "Amount"] + ["Value"]
    column_map = {f"{d}Member": d for d in EXPORT_COLUMNS if d not in ("Cube", "Amount")}
    project = Project(
        tmp_path,
        column_map={**column_map, "Value": "amount"},
        delimiter=";",
        file_pattern=r"^GroupCube-(?P<scenario>\w+)-(?P<year>\d{4})\.txt$",
    )
    write(
        project.folder / "GroupCube-Actual-2024.txt",
        [line("E9", "Actual", "2024M12", "5.5")],
        header,
        ";",
    )
    write(project.folder / "notes.txt", [])
    outcome = project.extract()
    assert outcome.status == "ok", outcome.error
    assert [(r[0], r[2], r[4]) for r in project.rows()] == [("E9", "2024M12", Decimal("5.5"))]
    assert len(outcome.warnings) == 1 and "notes.txt" in outcome.warnings[0]


def test_files_are_streamed_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [line(f"E{i}", "Actual", f"2024M{i % 12 + 1}", f"{i}.25") for i in range(3000)]
    path = write(tmp_path / "exports" / "Actual_2024.csv", rows)
    monkeypatch.setattr(exports, "BLOCK_BYTES", 1 << 16)
    project = Project(tmp_path)
    folder = OneStreamConnector(load(project.path).sources[0]).files  # type: ignore[arg-type]
    assert folder is not None
    counted: list[int] = []
    part = Partition(path.name, 2024, "Actual", {"file": path.name})
    batches = list(folder.batches(part, counted.append))
    assert len(batches) > 3 and max(b.num_rows for b in batches) < 1500
    assert sum(b.num_rows for b in batches) == sum(counted) == 3000
    assert batches[0].schema.names == [c.name for c in CUBE_COLUMNS]


def test_reload_years_rereads_only_the_last_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector_module, "current_year", lambda: 2025)
    project = Project(tmp_path, reload_years=1)
    standard_files(project.folder)
    connector = OneStreamConnector(load(project.path).sources[0])  # type: ignore[arg-type]
    spec = connector.tables()[0]
    every = connector.plan(spec, TableState(), full_refresh=False, reconcile=False)
    assert len(every) == 3  # a first load reads every year
    landed = TableState({"time": "2024M9"})
    later = connector.plan(spec, landed, full_refresh=False, reconcile=False)
    assert [p.label for p in later] == ["Actual_2025.csv"]
    assert later[0].scope is not None
    assert later[0].scope.sql("duckdb") == "\"scenario\" = 'Actual' AND \"time\" LIKE '2025%'"
    full = connector.plan(spec, landed, full_refresh=True, reconcile=False)
    assert [p.label for p in full][-1] == "partitions without a source" and len(full) == 4


# -- bad input: one line, nothing landed -----------------------------------------------------
def one_line_failure(project: Project) -> str:
    before = project.rows(live_only=False)
    outcome = project.extract()
    assert outcome.status == "failed" and outcome.error is not None
    assert "\n" not in outcome.error and "os.cube_data" in outcome.error
    assert project.rows(live_only=False) == before  # landed data of the table unchanged
    return outcome.error


def test_missing_column_fails_naming_file_and_column(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    project.extract()
    header = [h for h in HEADER if h != "Account"]
    rows = [
        [
            v
            for h, v in zip(HEADER, line("E1", "Actual", "2025M1", "8"), strict=True)
            if h != "Account"
        ]
    ]
    write(project.folder / "Actual_2025.csv", rows, header)
    error = one_line_failure(project)
    assert "Actual_2025.csv" in error and "'Account'" in error


def test_missing_column_on_first_load_lands_nothing(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    write(project.folder / "Budget_2025.csv", [["x"]], ["Entity"])
    error = one_line_failure(project)
    assert "Budget_2025.csv" in error and "missing column 'Parent'" in error
    assert project.rows() == []


def test_a_file_that_is_not_csv_fails(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    project.extract()
    (project.folder / "Actual_2025.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00\xff\xfe\x00xl/")
    assert "Actual_2025.csv: not a UTF-8 text CSV export" in one_line_failure(project)
    ragged = "\n".join([",".join(HEADER), "GroupCube,E1,None", ""])
    (project.folder / "Actual_2025.csv").write_text(ragged)
    error = one_line_failure(project)
    assert "Actual_2025.csv: not a readable CSV export" in error and "columns" in error


def test_an_inexact_or_empty_amount_fails_naming_the_value(tmp_path: Path) -> None:
    project = Project(tmp_path)
    standard_files(project.folder)
    rows = [line("E1", "Actual", "2025M1", "1"), line("E1", "Actual", "2025M2", "0.1234567891")]
    write(project.folder / "Actual_2025.csv", rows)
    error = one_line_failure(project)
    assert "Actual_2025.csv: data row 2: Amount '0.1234567891'" in error
    write(project.folder / "Actual_2025.csv", [line("E1", "Actual", "2025M1", "")])
    assert "data row 1: Amount ''" in one_line_failure(project)


def test_a_row_outside_the_files_partition_fails(tmp_path: Path) -> None:
    project = Project(tmp_path)
    write(
        project.folder / "Actual_2024.csv",
        [line("E1", "Actual", "2024M1", "1"), line("E1", "Actual", "2023M12", "1")],
    )
    error = one_line_failure(project)
    assert "data row 2: Time '2023M12' is outside the file's partition (2024)" in error
    write(project.folder / "Actual_2024.csv", [line("E1", "Budget", "2024M1", "1")])
    assert "Scenario 'Budget' is outside the file's partition (Actual)" in one_line_failure(project)


def test_a_folder_without_exports_fails(tmp_path: Path) -> None:
    project = Project(tmp_path)
    write(project.folder / "readme.txt", [])
    assert "no export files matching" in one_line_failure(project)


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_an_unreadable_folder_fails_before_landing(tmp_path: Path, kind: str) -> None:
    project = Project(tmp_path)
    if kind == "a file":
        project.folder.write_text("not a folder")
    with pytest.raises(SourceError) as err:
        project.extract()
    message = str(err.value)
    assert "\n" not in message and message.startswith("source os: cannot read export folder")
    assert str(project.folder) in message
    assert project.rows() == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"column_map": {"E": "Entty"}}, "'Entty' (header 'E') is not a OneStream dimension"),
        ({"column_map": {"E": "Entity", "Ent": "entity"}}, "'E' and 'Ent' both map to Entity"),
        ({"column_map": {"E": "Entity"}}, "no header maps to Parent"),
        ({"file_pattern": "(?P<year>\\d{4}).csv"}, "file_pattern needs the groups"),
        ({"connection": {"url": "sqlite://"}}, "give exactly one of exports"),
    ],
)
def test_bad_settings_fail_with_file_and_line(
    tmp_path: Path, settings: dict[str, Any], expected: str
) -> None:
    project = Project(tmp_path, **settings)
    with pytest.raises(ConfigError) as err:
        load(project.path)
    message = str(err.value)
    assert expected in message and "\n" not in message
    assert message.startswith(f"{project.path}:")


def test_unknown_table_selection_is_a_config_error(tmp_path: Path) -> None:
    project = Project(tmp_path, tables=["Member"])
    with pytest.raises(ConfigError, match="unknown table 'Member'; known: cube_data"):
        OneStreamConnector(load(project.path).sources[0])  # type: ignore[arg-type]


def test_files_land_the_same_in_a_postgresql_warehouse(
    tmp_path: Path, database_factory: Any
) -> None:
    warehouse = {"kind": "postgres", "url": database_factory("postgresql")}
    folder = tmp_path / "exports"
    standard_files(folder)
    entry = {"name": "os", "kind": "onestream", "exports": str(folder)}
    config = load(project_file(tmp_path, entry, warehouse))
    for _ in range(2):  # the rerun replaces every partition with the same rows
        (outcome,) = extract(config)
        assert outcome.status == "ok", outcome.error
    rows = warehouse_query(
        warehouse,
        'SELECT entity, "time", amount, _erpml_deleted FROM os.cube_data ORDER BY 1, 2, 3',
    )
    assert rows == [
        ("E1", "2024M1", Decimal("1000.000000000"), False),
        ("E1", "2024M1", Decimal("1234.560000000"), False),
        ("E1", "2024M2", Decimal("-0.000000001"), False),
        ("E1", "2025M1", Decimal("7.000000000"), False),
        ("E2", "2024M1", Decimal("99999999999999999999.123456789"), False),
    ]
