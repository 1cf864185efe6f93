"""Vista in the connector contract suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.vista.tables import TABLES
from tests.connectors.harness import Harness


def _schema(engine: str) -> str | None:
    return "dbo" if engine == "postgresql" else None


def _entry(engine: str, url: str, tmp: Path) -> dict[str, Any]:
    return {
        "name": "vista",
        "kind": "vista",
        "connection": {"url": url},
        "schema": _schema(engine),
        "open_months": 3,
    }


def _tables(engine: str) -> list[tuple[str, str | None]]:
    return [(t.name, _schema(engine)) for t in TABLES]


HARNESS = Harness("vista", ("sqlite", "postgresql", "mariadb"), _entry, _tables)
