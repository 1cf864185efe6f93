"""The monitoring report: drift and accuracy over time, definitions and alerts, as HTML and JSON.

- :mod:`mlops.report.data`: ``read_report`` gathers what the page shows (warehouse, store,
  catalog).
- :mod:`mlops.report.html`: ``to_html`` (self-contained page) and ``to_json``.
- :mod:`mlops.report.svg`: the inline SVG charts.
- :mod:`mlops.report.write`: ``write_report``, what ``erpml report`` calls.
"""

from mlops.report.data import Report, read_report
from mlops.report.write import Written, write_report

__all__ = ["Report", "Written", "read_report", "write_report"]
