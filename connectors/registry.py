"""The connectors, one per ERP kind, in one literal registry.

Each room is imported when a source of its kind is extracted: a run over one JDE source does not
load the NetSuite REST client or OneStream's readers.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.config import Source
from connectors.core.connector import Connector


def _jde(config: Source) -> Connector:
    from connectors.jde import JdeConnector

    assert config.kind == "jde"
    return JdeConnector(config)


def _vista(config: Source) -> Connector:
    from connectors.vista import VistaConnector

    assert config.kind == "vista"
    return VistaConnector(config)


def _netsuite(config: Source) -> Connector:
    from connectors.netsuite import netsuite_connector

    assert config.kind == "netsuite"
    return netsuite_connector(config)


def _onestream(config: Source) -> Connector:
    from connectors.onestream import OneStreamConnector

    assert config.kind == "onestream"
    return OneStreamConnector(config)


CONNECTORS: dict[str, Callable[[Source], Connector]] = {
    "jde": _jde,
    "vista": _vista,
    "netsuite": _netsuite,
    "onestream": _onestream,
}
