"""JDE in the connector contract suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.jde.tables import CONTROL, TABLES
from tests.connectors.harness import Harness


def _schemas(engine: str) -> tuple[str | None, str | None]:
    return ("PRODDTA", "PRODCTL") if engine == "postgresql" else (None, None)


def _entry(engine: str, url: str, tmp: Path) -> dict[str, Any]:
    data, control = _schemas(engine)
    return {
        "name": "jde",
        "kind": "jde",
        "connection": {"url": url},
        "data_schema": data,
        "control_schema": control,
        "lookback_days": 3,
        "reconcile_every_days": 7,
    }


def _tables(engine: str) -> list[tuple[str, str | None]]:
    data, control = _schemas(engine)
    return [(t.name, control if t.options.get("schema") == CONTROL else data) for t in TABLES]


HARNESS = Harness(
    "jde", ("sqlite", "postgresql", "mariadb"), _entry, _tables, reconcile_after_advance=True
)
