"""erpml's use layer: training snapshots, models, scoring, monitors, reports and the CLI."""

from mlops.errors import MlopsError

__all__ = ["MlopsError"]
