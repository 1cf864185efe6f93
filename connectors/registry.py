"""The connectors, one per ERP kind, in one literal registry."""

from __future__ import annotations

from collections.abc import Callable

from connectors.config import Source
from connectors.core.connector import Connector
from connectors.jde import JdeConnector
from connectors.netsuite import netsuite_connector
from connectors.onestream import OneStreamConnector
from connectors.vista import VistaConnector


def _jde(config: Source) -> Connector:
    assert config.kind == "jde"
    return JdeConnector(config)


def _vista(config: Source) -> Connector:
    assert config.kind == "vista"
    return VistaConnector(config)


def _netsuite(config: Source) -> Connector:
    assert config.kind == "netsuite"
    return netsuite_connector(config)


def _onestream(config: Source) -> Connector:
    assert config.kind == "onestream"
    return OneStreamConnector(config)


CONNECTORS: dict[str, Callable[[Source], Connector]] = {
    "jde": _jde,
    "vista": _vista,
    "netsuite": _netsuite,
    "onestream": _onestream,
}
