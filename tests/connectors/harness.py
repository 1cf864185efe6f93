"""How the connector contract suite drives one ERP: its fixture, its source entry, its tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

SCALE = 0.05
ADVANCE_TO = date(2026, 8, 31)


@dataclass(frozen=True)
class Harness:
    erp: str
    engines: tuple[str, ...]
    """Source engines the connector is tested on (sqlite, postgresql, mariadb, odbc-...)."""
    source_entry: Callable[[str, str, Path], dict[str, Any]]
    """(engine, url, tmp folder) -> the ``sources`` entry of the project file."""
    tables: Callable[[str], list[tuple[str, str | None]]]
    """engine -> [(table, schema at the source)] compared after each extraction."""
    reconcile_after_advance: bool = False
    fixture_url: Callable[[str, str], str] | None = None
    """(engine, url) -> URL the fixture is generated into, if it differs (e.g. ODBC sources)."""
    cleanup: Callable[[], None] | None = None
    """Called after each case (stops servers a harness started, e.g. the SuiteQL fake)."""
