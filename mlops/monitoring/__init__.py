"""Drift and accuracy monitors: pure statistics over arrays, keyed by the caller on definitions."""

from mlops.monitoring.accuracy import AccuracyConfig, AccuracyWindow, accuracy_by_window
from mlops.monitoring.drift import DriftConfig, DriftRow, DriftThresholds, drift_report

__all__ = [
    "AccuracyConfig",
    "AccuracyWindow",
    "DriftConfig",
    "DriftRow",
    "DriftThresholds",
    "accuracy_by_window",
    "drift_report",
]
