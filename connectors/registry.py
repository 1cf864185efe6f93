"""The connectors, one per ERP kind, in one literal registry."""

from __future__ import annotations

from collections.abc import Callable

from connectors.config import Source
from connectors.core.connector import Connector
from connectors.jde import JdeConnector
from connectors.vista import VistaConnector


def _jde(config: Source) -> Connector:
    assert config.kind == "jde"
    return JdeConnector(config)


def _vista(config: Source) -> Connector:
    assert config.kind == "vista"
    return VistaConnector(config)


CONNECTORS: dict[str, Callable[[Source], Connector]] = {
    "jde": _jde,
    "vista": _vista,
}
