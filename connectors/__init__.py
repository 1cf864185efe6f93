"""Extraction from ERP source systems into the warehouse (one room per ERP).

>>> from connectors import load, extract
>>> outcomes = extract(load(Path("erpml.yml")), source="jde")
"""

from connectors.config import Sources, load
from connectors.errors import ConnectorError
from connectors.extract import TableOutcome, extract

__all__ = ["ConnectorError", "Sources", "TableOutcome", "extract", "load"]
