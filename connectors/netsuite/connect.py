"""Opening SuiteAnalytics Connect: the shared readers, with ODBC batches bounded in bytes.

arrow-odbc allocates its buffers for ``batch_size`` rows of each column's widest value before
the first fetch: 50,000 rows of NetSuite's ``varchar(999)`` memos cost about 0.6 s per query on
the PostgreSQL driver, whatever the table holds. ``max_bytes_per_batch`` lets it shrink the
batch for wide rows (0.06 s). Meant for ``connectors/core/odbc.py``; kept here until it is there.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator

import pyarrow as pa

from connectors.config import Connection
from connectors.core.catalog import LandingColumn
from connectors.core.client import open_source
from connectors.core.odbc import OdbcSource, _reason, _schema_fix
from connectors.core.sources import BATCH_ROWS, RowsHook, SqlSource
from connectors.errors import SourceError

log = logging.getLogger(__name__)

MAX_BATCH_BYTES = 16 * 2**20


class BoundedOdbcSource(OdbcSource):
    """:class:`OdbcSource` whose Arrow batches hold at most ``MAX_BATCH_BYTES`` of buffers."""

    def _batches(
        self, text: str, columns: list[LandingColumn], on_rows: RowsHook | None
    ) -> Iterator[pa.RecordBatch]:
        arrow_odbc = importlib.import_module("arrow_odbc")  # untyped, imported only when used
        log.debug("source %s (odbc): %s", self.name, text)
        try:
            reader = arrow_odbc.read_arrow_batches_from_odbc(
                query=text, connection_string=self.connection_string, batch_size=BATCH_ROWS,
                max_bytes_per_batch=MAX_BATCH_BYTES, max_text_size=4000, max_binary_size=4000,
                schema=_schema_fix(columns, text, self),
            )  # fmt: skip
            for batch in reader:
                if on_rows is not None:
                    on_rows(batch.num_rows)
                yield batch
        except arrow_odbc.Error as exc:
            raise SourceError(f"source {self.name}: {_reason(exc)}") from None


def open_connect(name: str, connection: Connection) -> SqlSource | OdbcSource:
    """The reader for a Connect ``connection`` (ODBC string) or a SQL copy (SQLAlchemy URL)."""
    source = open_source(name, connection)
    if isinstance(source, OdbcSource):
        return BoundedOdbcSource(source.name, source.connection_string, source.dialect)
    return source
