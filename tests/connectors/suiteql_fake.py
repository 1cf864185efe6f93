"""A fake of NetSuite's SuiteQL REST endpoint over a SQLite fixture database.

It enforces what the real service enforces and answers the way it answers, so the connector is
tested against NetSuite's behaviour rather than against itself:

- ``POST /services/rest/query/v1/suiteql`` only; ``Authorization: Bearer <token>`` (401
  ``INVALID_LOGIN`` otherwise); ``Prefer: transient`` required;
- ``limit`` 1..1000, ``offset`` below 100,000 and a multiple of ``limit`` (400 otherwise);
- the SuiteQL (Oracle syntax) is parsed and translated to SQLite by sqlglot; ``TO_CHAR`` and
  ``TO_TIMESTAMP`` become ``STRFTIME`` and ISO literals; unknown tables and columns answer 400
  with NetSuite's "Invalid search query" detail;
- values come back as text, numbers in Oracle's form (``.5``), dates as ``M/D/YYYY`` unless the
  query formatted them, null fields left out of the item; ``count``, ``hasMore``, ``offset``,
  ``totalResults`` and ``links`` as NetSuite returns them; errors in NetSuite's JSON shape.

``fail_next`` queues error answers (429, 503, ...) to test retries. ``requests`` records every
request (status, limit, offset, query).

>>> with serving(Path("ns.sqlite"), "secret") as fake:
...     httpx.post(fake.url + PATH, ...)
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.time import format_time
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

PATH = "/services/rest/query/v1/suiteql"
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html"
RFC6585 = "https://www.rfc-editor.org/rfc/rfc6585.html#section-4"
ERROR_TYPE = "application/vnd.oracle.resource+json; type=error"
_SECTIONS = {400: "15.5.1", 401: "15.5.2", 404: "15.5.5", 405: "15.5.6", 500: "15.6.1",
             502: "15.6.3", 503: "15.6.4"}  # fmt: skip
_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable"}  # fmt: skip


def _datetime(raw: bytes) -> datetime:
    return datetime.fromisoformat(raw.decode())


# the fixture declares timestamps DATETIME; SQLite hands them back as datetimes only for bare
# column references (its declared type), exactly the values NetSuite renders as M/D/YYYY
sqlite3.register_converter("DATETIME", _datetime)


LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
Rows = list[tuple[Any, ...]]


class SuiteQLError(Exception):
    def __init__(self, status: int, detail: str, code: str) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code


def bad(detail: str, code: str = "INVALID_PARAMETER") -> SuiteQLError:
    """A 400 answer."""
    return SuiteQLError(400, detail, code)


def bad_query(reason: str) -> SuiteQLError:
    """A 400 answer for a query NetSuite cannot run, with its "Invalid search query" detail."""
    return bad(f"Invalid search query. Detailed unprocessed description follows. "
               f"Search error occurred: {_netsuite_reason(reason)}")  # fmt: skip


@dataclass
class SuiteQLFake:
    database: Path
    token: str
    max_offset: int = MAX_OFFSET
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    _faults: deque[tuple[int, str | None]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next ``times`` authorised requests with ``status``."""
        with self._lock:
            self._faults.extend([(status, retry_after)] * times)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._answer(request)
        except SuiteQLError as err:
            response = error(err.status, err.detail, err.code)
        seen = {"status": response.status_code, "q": _query_text(request)}
        seen |= {k: request.args.get(k) for k in ("limit", "offset")}
        with self._lock:
            self.requests.append(seen)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if request.path != PATH:
            raise SuiteQLError(404, f"Invalid URL path {request.path}.", "INVALID_URL")
        if request.method != "POST":
            raise SuiteQLError(405, f"Method {request.method} is not allowed.", "INVALID_METHOD")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise SuiteQLError(401, LOGIN_DETAIL, "INVALID_LOGIN")
        fault = self._fault()
        if fault is not None:
            return fault
        if "transient" not in request.headers.get("Prefer", "").lower():
            raise bad("SuiteQL requests need the header 'Prefer: transient'.", "INVALID_HEADER")
        limit, offset = self._paging(request)
        text = _query_text(request)
        if text is None:
            raise bad(
                "The request body must be a JSON object with a 'q' string.", "INVALID_CONTENT"
            )
        total, names, rows = self._run(text, limit, offset)
        items = [_item(names, row) for row in rows]
        body = {
            "links": _links(request.host_url.rstrip("/"), limit, offset, total),
            "count": len(items),
            "hasMore": offset + len(items) < total,
            "items": items,
            "offset": offset,
            "totalResults": total,
        }
        return Response(json.dumps(body), 200, content_type="application/json")

    def _fault(self) -> Response | None:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if fault is None:
            return None
        status, retry_after = fault
        code = "CONCURRENCY_LIMIT_EXCEEDED" if status == 429 else "UNEXPECTED_ERROR"
        response = error(status, "The request could not be processed. Try again later.", code)
        if retry_after is not None:
            response.headers["Retry-After"] = retry_after
        return response

    def _paging(self, request: Request) -> tuple[int, int]:
        limit = _int_arg(request, "limit", MAX_LIMIT)
        offset = _int_arg(request, "offset", 0)
        if not 1 <= limit <= MAX_LIMIT:
            raise bad(f"Invalid 'limit' value {limit}: it must be between 1 and {MAX_LIMIT}.")
        if not 0 <= offset < self.max_offset:
            raise bad(f"Invalid 'offset' value {offset}: it must be below {self.max_offset}.")
        if offset % limit:
            raise bad(f"Invalid 'offset' value {offset}: it must be a multiple of 'limit' {limit}.")
        return limit, offset

    def _run(self, text: str, limit: int, offset: int) -> tuple[int, list[str], Rows]:
        query = translate(text)
        unordered = query.copy()
        unordered.set("order", None)
        count = exp.select(exp.Count(this=exp.Star())).from_(unordered.subquery("q"))
        page = query.copy().limit(limit).offset(offset)
        uri = f"file:{self.database}?mode=ro"
        con = sqlite3.connect(uri, uri=True, detect_types=sqlite3.PARSE_DECLTYPES)
        try:
            _check_fields(con, query)
            total = int(con.execute(count.sql("sqlite")).fetchone()[0])
            cursor = con.execute(page.sql("sqlite"))
            names = [d[0].lower() for d in cursor.description]
            return total, names, cursor.fetchall()
        except sqlite3.Error as exc:
            raise bad_query(str(exc)) from None
        finally:
            con.close()


def translate(text: str) -> exp.Select:
    """SuiteQL (Oracle syntax) as a SQLite-ready sqlglot tree; 400 on what cannot run."""
    try:
        tree = sqlglot.parse_one(text, read="oracle")
    except sqlglot.errors.ParseError as exc:
        raise bad_query(str(exc).splitlines()[0]) from None
    if not isinstance(tree, exp.Select):
        raise bad_query("Only SELECT statements are supported.")
    return tree.transform(_to_sqlite)  # type: ignore[return-value]


def _to_sqlite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.ToChar):
        fmt = node.args.get("format")
        if not isinstance(fmt, exp.Literal):
            raise bad_query("TO_CHAR needs a format.")
        python = format_time(fmt.this, Oracle.TIME_MAPPING, Oracle.TIME_TRIE)
        return exp.TimeToStr(this=node.this, format=exp.Literal.string(python))
    if isinstance(node, exp.StrToTime):
        value, fmt = node.this, node.args.get("format")
        if not isinstance(value, exp.Literal) or not isinstance(fmt, exp.Literal):
            raise bad_query("TO_TIMESTAMP needs literals.")
        try:
            stamp = datetime.strptime(value.this, fmt.this)
        except ValueError as exc:
            raise bad_query(str(exc)) from None
        return exp.Literal.string(stamp.isoformat(sep=" "))
    return node


def _check_fields(con: sqlite3.Connection, query: exp.Select) -> None:
    """Refuse unknown columns (SQLite would read a double-quoted unknown name as a string)."""
    known = {a.alias.lower() for a in query.find_all(exp.Alias)}
    for t in query.find_all(exp.Table):
        rows = con.execute(f"PRAGMA table_info({json.dumps(t.name)})").fetchall()
        if not rows:
            raise sqlite3.OperationalError(f"no such table: {t.name}")
        known |= {r[1].lower() for r in rows}
    for c in query.find_all(exp.Column):
        if c.name.lower() not in known:
            raise sqlite3.OperationalError(f"no such column: {c.name}")


def _netsuite_reason(reason: str) -> str:
    table = re.match(r"no such table: (\S+)", reason)
    column = re.match(r"no such column: (\S+)", reason)
    if table:
        return f"Record '{table[1]}' was not found."
    if column:
        return f"Field '{column[1].strip(chr(34))}' was not found. Reason: NOT_EXPOSED"
    return reason


def _item(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """One row as NetSuite's item: null fields left out, a ``links`` list first."""
    item: dict[str, Any] = {"links": []}
    item.update((n, _text(v)) for n, v in zip(names, row, strict=True) if v is not None)
    return item


def _text(value: Any) -> str:
    """A value as NetSuite's JSON carries it: text; dates M/D/YYYY; numbers Oracle-style."""
    if isinstance(value, datetime):
        return f"{value.month}/{value.day}/{value.year}"
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        text = format(number.normalize(), "f")
        return re.sub(r"^(-?)0\.", r"\1.", text)
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def _links(base: str, limit: int, offset: int, total: int) -> list[dict[str, str]]:
    def href(at: int) -> str:
        return f"{base}{PATH}?limit={limit}&offset={at}"

    last = max(0, (min(total, MAX_OFFSET) - 1) // limit * limit)
    links = [{"rel": "first", "href": href(0)}]
    if offset > 0:
        links.append({"rel": "prev", "href": href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
    links += [{"rel": "last", "href": href(last)}, {"rel": "self", "href": href(offset)}]
    return links


def _int_arg(request: Request, name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"-?\d+", raw):
        raise SuiteQLError(400, f"Invalid '{name}' parameter value: {raw}.", "INVALID_PARAMETER")
    return int(raw)


def _query_text(request: Request) -> str | None:
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        return None
    q = body.get("q") if isinstance(body, dict) else None
    return q if isinstance(q, str) else None


def error(status: int, detail: str, code: str) -> Response:
    """An error in NetSuite's REST shape."""
    section = _SECTIONS.get(status)
    kind = f"{RFC9110}#section-{section}" if section else RFC6585
    body = {
        "type": kind,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }
    return Response(json.dumps(body), status, content_type=ERROR_TYPE)


class _Quiet(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(database: Path, token: str, *, max_offset: int = MAX_OFFSET) -> Iterator[SuiteQLFake]:
    """Serve a fake over ``database`` on 127.0.0.1 (ephemeral port) for the ``with`` block."""
    fake = SuiteQLFake(database, token, max_offset=max_offset)
    server = make_server("127.0.0.1", 0, fake, threaded=True, request_handler=_Quiet)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="suiteql-fake", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
