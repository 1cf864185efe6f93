"""SuiteQL over REST end to end against the fake: key paging, retries, bad input, secrets."""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from connectors import extract
from connectors.config import Source, Sources
from connectors.core.connector import Connector
from connectors.errors import ConfigError, SourceError
from connectors.netsuite import netsuite_connector
from connectors.registry import CONNECTORS
from fixtures import Settings
from fixtures.run import generate
from tests.connectors.compare import assert_same, warehouse_query
from tests.connectors.harness import SCALE
from tests.connectors.suiteql_fake import SuiteQLFake, serving

TOKEN_ENV = "ERPML_TEST_NS_REST_TOKEN"
TOKEN = "rest-test-token-93b7"


def _netsuite(config: Source) -> Connector:
    assert config.kind == "netsuite"
    return netsuite_connector(config)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until ``connectors/registry.py`` lists NetSuite; and the token in its variable."""
    monkeypatch.setitem(CONNECTORS, "netsuite", _netsuite)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ns-rest") / "netsuite.sqlite"
    generate(["netsuite"], Settings(scale=SCALE), f"sqlite:///{path}", out=path.parent / "fx")
    return path


@pytest.fixture
def source_db(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated fixture (tests may change it)."""
    return Path(shutil.copy(generated, tmp_path / "netsuite.sqlite"))


@pytest.fixture
def fake(source_db: Path) -> Iterator[SuiteQLFake]:
    with serving(source_db, TOKEN, max_offset=1) as running:  # any offset > 0 is refused
        yield running


def _config(tmp: Path, base_url: str, tables: list[str], **rest: Any) -> Sources:
    settings = {"account": "TSTDRV1", "base_url": base_url, "token_env": TOKEN_ENV,
                "backoff_seconds": 0, **rest}  # fmt: skip
    entry = {"name": "ns", "kind": "netsuite", "rest": settings, "tables": tables}
    return Sources.model_validate(
        {"warehouse": {"path": str(tmp / "wh.duckdb")}, "sources": [entry]}
    )


def _wh(tmp: Path) -> dict[str, Any]:
    return {"path": str(tmp / "wh.duckdb")}


def test_pages_by_key_with_composite_keys_and_never_an_offset(
    fake: SuiteQLFake, source_db: Path, tmp_path: Path
) -> None:
    tables = ["transactionaccountingline", "deletedrecord", "accounttype"]
    outcomes = extract(_config(tmp_path, fake.url, tables, page_size=400))
    assert [(o.table, o.status) for o in outcomes] == [(t, "ok") for t in tables]
    rows = assert_same(f"sqlite:///{source_db}", None, _wh(tmp_path), "ns", tables[0])
    assert rows > 2000 and outcomes[0].rows == rows
    pages = [r for r in fake.requests if r["q"] and 'FROM "transactionaccountingline"' in r["q"]]
    pages = [r for r in pages if '"amount"' in r["q"]]  # not the connection check
    assert len(pages) == -(-rows // 400)  # ceil: one request per page of 400
    assert {(r["offset"], r["limit"], r["status"]) for r in pages} == {("0", "400", 200)}
    assert '"transaction" >' not in pages[0]["q"]
    assert all(
        '("transaction" > ' in r["q"] and '"transactionline" > ' in r["q"] for r in pages[1:]
    )
    accounttype = assert_same(f"sqlite:///{source_db}", None, _wh(tmp_path), "ns", "accounttype")
    assert accounttype > 0  # text keys page too


def test_rate_limits_and_server_errors_are_retried(fake: SuiteQLFake, tmp_path: Path) -> None:
    fake.fail_next(429, retry_after="0")
    fake.fail_next(503, times=2)
    outcomes = extract(_config(tmp_path, fake.url, ["subsidiary"], retries=3))
    assert [o.status for o in outcomes] == ["ok"] and outcomes[0].rows == 3
    assert [r["status"] for r in fake.requests][:4] == [429, 503, 503, 200]


def test_retries_are_bounded_and_the_last_error_is_named(fake: SuiteQLFake, tmp_path: Path) -> None:
    fake.fail_next(503, times=10)
    with pytest.raises(SourceError) as raised:
        extract(_config(tmp_path, fake.url, ["subsidiary"], retries=2))
    assert str(raised.value) == (
        "source ns: table subsidiary: SuiteQL failed 3 times, last: 503 Service Unavailable: "
        "The request could not be processed. Try again later. (UNEXPECTED_ERROR)"
    )
    assert len(fake.requests) == 3


def test_wrong_token_is_a_one_line_source_error_without_the_token(
    fake: SuiteQLFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "expired-token-5d2e")
    with pytest.raises(SourceError) as raised:
        extract(_config(tmp_path, fake.url, ["subsidiary", "currency"]))
    message = str(raised.value)
    assert message.startswith(
        "source ns: table subsidiary: SuiteQL 401 Unauthorized: Invalid login"
    )
    assert message.endswith("(INVALID_LOGIN)") and "\n" not in message
    assert "expired-token-5d2e" not in message and [r["status"] for r in fake.requests] == [401]


def test_missing_token_variable_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(ConfigError, match=f"environment variable {TOKEN_ENV} .* is not set"):
        extract(_config(tmp_path, "http://127.0.0.1:9", ["subsidiary"]))


def test_unreachable_host_is_a_source_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(SourceError, match=r"^source ns: table subsidiary: SuiteQL failed 2 times, "
                       r"last: cannot reach 127\.0\.0\.1: "):  # fmt: skip
        extract(_config(tmp_path, f"http://127.0.0.1:{port}", ["subsidiary"], retries=1))


def test_missing_table_fails_that_table_in_one_line_and_keeps_its_landing(
    fake: SuiteQLFake, source_db: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, fake.url, ["subsidiary", "term", "currency"])
    assert all(o.status == "ok" for o in extract(config))
    with sa.create_engine(f"sqlite:///{source_db}").begin() as conn:
        conn.exec_driver_sql('DROP TABLE "term"')
    outcomes = {o.table: o for o in extract(config)}
    assert outcomes["term"].status == "failed"
    assert outcomes["term"].error == (
        "source ns: table term: SuiteQL 400 Bad Request: Invalid search query. Detailed "
        "unprocessed description follows. Search error occurred: Record 'term' was not found. "
        "(INVALID_PARAMETER)"
    )
    assert outcomes["subsidiary"].status == outcomes["currency"].status == "ok"
    assert warehouse_query(_wh(tmp_path), 'SELECT count(*) FROM ns."term"')[0][0] == 3


def test_the_token_is_never_logged(
    fake: SuiteQLFake, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next(429, retry_after="0")
    outcomes = extract(_config(tmp_path, fake.url, ["currency"], retries=1))
    assert outcomes[0].status == "ok"
    assert "SuiteQL" in caplog.text and '"currency"' in caplog.text  # the logging did happen
    assert TOKEN not in caplog.text and "Bearer" not in caplog.text
