"""Extraction from ERP source systems into the warehouse (one room per ERP).

>>> from connectors import load, extract
>>> outcomes = extract(load(Path("erpml.yml")), source="jde")

The names are imported when first used: a command that only reads the project file (``erpml
build`` reads its sources' kinds) does not pay for SQLAlchemy and the extraction machinery.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.config import Sources, load
    from connectors.errors import ConnectorError
    from connectors.extraction import TableOutcome, extract

__all__ = ["ConnectorError", "Sources", "TableOutcome", "extract", "load"]

_HOME = {
    "ConnectorError": "connectors.errors",
    "Sources": "connectors.config",
    "load": "connectors.config",
    "TableOutcome": "connectors.extraction",
    "extract": "connectors.extraction",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'connectors' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value
