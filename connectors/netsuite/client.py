"""The SuiteQL REST client: one page per request, bounded retries, one-line errors.

``POST /services/rest/query/v1/suiteql?limit=..&offset=..`` with ``Prefer: transient`` and the
body ``{"q": "..."}``. NetSuite answers ``items``, ``hasMore``, ``count``, ``offset``,
``totalResults`` and ``links``; errors as ``{"type", "title", "status", "o:errorDetails":
[{"detail", "o:errorCode"}]}``. 429 (rate or concurrency limit), 5xx and network failures are
retried with exponential backoff (``Retry-After`` honoured); anything else fails at once.
The bearer token goes into the ``Authorization`` header only: it is never logged or quoted.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from decimal import Decimal
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.config import NetSuiteRest
from connectors.errors import SourceError

log = logging.getLogger(__name__)

MAX_DELAY = 60.0


class SuiteQLClient:
    """Runs SuiteQL pages for one source; ``transport`` is for tests (httpx mock transports)."""

    def __init__(
        self,
        source: str,
        settings: NetSuiteRest,
        token: SecretStr,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.settings = settings
        self.url = settings.url()
        self._token = token
        self._transport = transport
        self._http: httpx.Client | None = None

    def http(self) -> httpx.Client:
        """The HTTP session, opened on first use and kept (TLS set-up and keep-alive once)."""
        if self._http is None:
            self._http = httpx.Client(
                timeout=self.settings.timeout_seconds, transport=self._transport
            )
            weakref.finalize(self, self._http.close)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def page(self, query: str, *, table: str, limit: int, offset: int = 0) -> dict[str, Any]:
        """One page of ``query``; numbers in the JSON are parsed as exact decimals."""
        where = f"source {self.source}: table {table}"
        http = self.http()
        last, wait = "", 0.0
        for attempt in range(self.settings.retries + 1):
            time.sleep(wait)
            try:
                response = http.post(
                    self.url,
                    params={"limit": limit, "offset": offset},
                    json={"q": query},
                    headers=self._headers(),
                )
            except httpx.TransportError as exc:
                host = httpx.URL(self.url).host
                last = f"cannot reach {host}: {_first(str(exc)) or type(exc).__name__}"
                wait = self.backoff(attempt, None)
                log.info("%s: %s (attempt %d)", where, last, attempt + 1)
                continue
            if response.status_code == 200:
                return _json(response, where)
            last = describe(response)
            if response.status_code != 429 and response.status_code < 500:
                raise SourceError(f"{where}: SuiteQL {last}")
            wait = self.backoff(attempt, response.headers.get("Retry-After"))
            log.info("%s: SuiteQL %s (attempt %d), retrying", where, last, attempt + 1)
        tries = self.settings.retries + 1
        raise SourceError(f"{where}: SuiteQL failed {tries} times, last: {last}")

    def backoff(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before the next try: ``Retry-After`` if given, else doubling."""
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_DELAY)
        return float(min(self.settings.backoff_seconds * 2**attempt, MAX_DELAY))

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token.get_secret_value()}",
            "Prefer": "transient",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }


def describe(response: httpx.Response) -> str:
    """A NetSuite error in one line, e.g. ``401 Unauthorized: Invalid login... (INVALID_LOGIN)``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        head = f"{response.status_code} {response.reason_phrase}".strip()
        text = _first(response.text)
        return f"{head}: {text[:200]}" if text else head
    head = f"{response.status_code} {body.get('title') or response.reason_phrase}".strip()
    details = body.get("o:errorDetails")
    parts = []
    for d in details if isinstance(details, list) else []:
        if isinstance(d, dict):
            code = f" ({d['o:errorCode']})" if d.get("o:errorCode") else ""
            parts.append(f"{_first(str(d.get('detail', '')))}{code}")
    return f"{head}: {'; '.join(parts)}" if parts else head


def _json(response: httpx.Response, where: str) -> dict[str, Any]:
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise SourceError(f"{where}: SuiteQL answered 200 with a body that is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise SourceError(f"{where}: SuiteQL answered 200 without an items list") from None
    return body


def _first(text: str) -> str:
    """The text on one line (NetSuite details can hold line breaks)."""
    return " ".join(text.split())
