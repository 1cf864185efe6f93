"""NetSuite source settings (the ``kind: netsuite`` entries of ``erpml.yml``)."""

from connectors.config import NetSuiteRest, NetSuiteSource

__all__ = ["NetSuiteRest", "NetSuiteSource"]
