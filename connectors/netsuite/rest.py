"""Reading SuiteQL over REST page by page, by key, into Arrow batches.

Every page is its own query: the pull's query ordered by the table key and restricted to keys
after the last row received (``WHERE ... AND "id" > 1000 ORDER BY "id"``), asked for with
``limit = page_size`` and ``offset = 0``. So no request comes near NetSuite's 100,000-row
offset cap, however large the table, and a row deleted while the pages are read cannot shift
the offsets and hide another row (offset paging would). Composite keys page as row values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.sources import RowsHook
from connectors.core.sql import render
from connectors.netsuite.client import SuiteQLClient
from connectors.netsuite.codecs import to_batch
from connectors.netsuite.queries import SUITEQL, keyset_page

log = logging.getLogger(__name__)


class SuiteQLSource:
    """The rows of SuiteQL queries, paged by key."""

    def __init__(self, client: SuiteQLClient, page_size: int) -> None:
        self.client = client
        self.name = client.source
        self.page_size = page_size

    def check(self, query: exp.Select, table: str) -> None:
        """Run one one-row page of ``query``: fails on a refused token or unreachable host."""
        self.client.page(render(query, SUITEQL), table=table, limit=1)

    def batches(
        self,
        query: exp.Select,
        key: Sequence[str],
        columns: Sequence[LandingColumn],
        table: str,
        on_rows: RowsHook | None = None,
    ) -> Iterator[pa.RecordBatch]:
        """Batches of ``columns`` for every row of ``query``, one batch per page."""
        where = f"source {self.name}: table {table}"
        last: list[object] | None = None
        while True:
            text = render(keyset_page(query, key, last), SUITEQL)
            log.debug("%s: %s", where, text)
            body = self._page(text, table)
            items = body["items"]
            if not items:
                return
            batch = to_batch(items, columns, where)
            if on_rows is not None:
                on_rows(batch.num_rows)
            yield batch
            if not body.get("hasMore"):
                return
            last = [batch.column(k)[batch.num_rows - 1].as_py() for k in key]

    def _page(self, text: str, table: str) -> dict[str, Any]:
        body = self.client.page(text, table=table, limit=self.page_size)
        log.debug(
            "source %s: table %s: %s of %s rows", self.name, table, body.get("count"),
            body.get("totalResults"),
        )  # fmt: skip
        return body
