"""Vista source settings (the ``kind: vista`` entries of ``erpml.yml``)."""

from connectors.config import VistaSource

__all__ = ["VistaSource"]
