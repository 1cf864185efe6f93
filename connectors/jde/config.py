"""JDE source settings (the ``kind: jde`` entries of ``erpml.yml``)."""

from connectors.config import JdeSource

__all__ = ["JdeSource"]
