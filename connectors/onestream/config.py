"""OneStream source settings (the ``kind: onestream`` entries of ``erpml.yml``)."""

from connectors.config import OneStreamSource

__all__ = ["OneStreamSource"]
