"""The SuiteQL fake enforces NetSuite's limits and answers in NetSuite's shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.connectors.suiteql_fake import PATH, SuiteQLFake, serving

TOKEN = "fake-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Prefer": "transient"}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fake") / "ns.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            'CREATE TABLE "transaction" (id BIGINT PRIMARY KEY, tranid VARCHAR(45), '
            "trandate DATETIME, foreigntotal NUMERIC(20, 2), exchangerate FLOAT, memo VARCHAR(999))"
        )
        conn.exec_driver_sql(
            'INSERT INTO "transaction" VALUES '
            "(1, 'INV1', '2026-06-30 17:19:05', 1234.5, 0.0071234, NULL), "
            "(2, 'INV2', '2026-07-01 00:00:00', -0.25, 1.0, 'hello'), "
            "(3, 'INV3', NULL, 1000, 150.0, NULL)"
        )
    engine.dispose()
    return path


@pytest.fixture
def fake(database: Path) -> Iterator[SuiteQLFake]:
    with serving(database, TOKEN) as running:
        yield running


def _post(
    fake: SuiteQLFake, q: str, headers: dict[str, str] | None = None, **params: Any
) -> httpx.Response:
    return httpx.post(fake.url + PATH, params=params, json={"q": q}, headers=headers or HEADERS)


def _detail(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert body["status"] == response.status_code and body["title"]
    assert body["type"].startswith("https://www.rfc-editor.org/rfc/")
    (detail,) = body["o:errorDetails"]
    return response.status_code, detail["o:errorCode"], detail["detail"]


def test_items_are_text_with_netsuite_dates_numbers_and_no_nulls(fake: SuiteQLFake) -> None:
    q = 'SELECT "id", "trandate", "foreigntotal", "exchangerate", "memo" FROM "transaction"'
    body = _post(fake, q + ' ORDER BY "id"').json()
    assert body["items"] == [
        {"links": [], "id": "1", "trandate": "6/30/2026", "foreigntotal": "1234.5",
         "exchangerate": ".0071234"},
        {"links": [], "id": "2", "trandate": "7/1/2026", "foreigntotal": "-.25",
         "exchangerate": "1", "memo": "hello"},
        {"links": [], "id": "3", "foreigntotal": "1000", "exchangerate": "150"},
    ]  # fmt: skip
    assert (body["count"], body["hasMore"], body["offset"], body["totalResults"]) == (
        3,
        False,
        0,
        3,
    )


def test_to_char_keeps_the_time_and_to_timestamp_filters(fake: SuiteQLFake) -> None:
    q = ("SELECT \"id\", TO_CHAR(\"trandate\", 'YYYY-MM-DD HH24:MI:SS') AS \"trandate\" "
         "FROM \"transaction\" WHERE \"trandate\" >= TO_TIMESTAMP('2026-06-30 17:19:05', "
         "'YYYY-MM-DD HH24:MI:SS') ORDER BY \"id\"")  # fmt: skip
    items = _post(fake, q).json()["items"]
    assert [i["trandate"] for i in items] == ["2026-06-30 17:19:05", "2026-07-01 00:00:00"]


def test_pages_with_has_more_total_and_links(fake: SuiteQLFake) -> None:
    q = 'SELECT "id" FROM "transaction" ORDER BY "id"'
    first = _post(fake, q, limit=2, offset=0).json()
    second = _post(fake, q, limit=2, offset=2).json()
    assert [i["id"] for i in first["items"]] == ["1", "2"] and first["hasMore"] is True
    assert [i["id"] for i in second["items"]] == ["3"] and second["hasMore"] is False
    assert first["totalResults"] == second["totalResults"] == 3
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert rels["next"].endswith(f"{PATH}?limit=2&offset=2") and "prev" not in rels
    assert {link["rel"] for link in second["links"]} == {"first", "prev", "last", "self"}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 1001}, "'limit' value 1001"),
        ({"limit": 0}, "'limit' value 0"),
        ({"limit": 1000, "offset": 100_000}, "'offset' value 100000: it must be below 100000"),
        ({"limit": 3, "offset": 2}, "multiple of 'limit' 3"),
        ({"limit": "ten"}, "'limit' parameter value: ten"),
    ],
)
def test_paging_limits_are_refused(
    fake: SuiteQLFake, params: dict[str, Any], fragment: str
) -> None:
    status, code, detail = _detail(_post(fake, 'SELECT "id" FROM "transaction"', **params))
    assert (status, code) == (400, "INVALID_PARAMETER") and fragment in detail


def test_largest_allowed_page_and_offset_are_accepted(fake: SuiteQLFake) -> None:
    response = _post(fake, 'SELECT "id" FROM "transaction"', limit=1000, offset=99_000)
    assert response.status_code == 200 and response.json()["items"] == []


def test_wrong_token_is_401_invalid_login(fake: SuiteQLFake) -> None:
    headers = {**HEADERS, "Authorization": "Bearer nope"}
    status, code, detail = _detail(_post(fake, 'SELECT "id" FROM "transaction"', headers))
    assert (status, code) == (401, "INVALID_LOGIN") and detail.startswith("Invalid login attempt")


def test_prefer_transient_is_required(fake: SuiteQLFake) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    status, code, _ = _detail(_post(fake, 'SELECT "id" FROM "transaction"', headers))
    assert (status, code) == (400, "INVALID_HEADER")


def test_only_post_on_the_suiteql_path(fake: SuiteQLFake) -> None:
    assert _detail(httpx.get(fake.url + PATH, headers=HEADERS))[:2] == (405, "INVALID_METHOD")
    wrong = httpx.post(fake.url + "/services/rest/query/v1/other", headers=HEADERS, json={"q": ""})
    assert _detail(wrong)[:2] == (404, "INVALID_URL")


@pytest.mark.parametrize(
    ("q", "fragment"),
    [
        ('SELECT "id" FROM "nosuchtable"', "Record 'nosuchtable' was not found."),
        ('SELECT "nosuchfield" FROM "transaction"', "Field 'nosuchfield' was not found."),
        ("SELECT FROM WHERE", "Search error occurred"),
    ],
)
def test_bad_queries_answer_invalid_search_query(fake: SuiteQLFake, q: str, fragment: str) -> None:
    status, code, detail = _detail(_post(fake, q))
    assert (status, code) == (400, "INVALID_PARAMETER")
    assert detail.startswith("Invalid search query.") and fragment in detail


def test_queued_faults_come_first_then_normal_answers(fake: SuiteQLFake) -> None:
    fake.fail_next(429, times=1, retry_after="7")
    fake.fail_next(503)
    first = _post(fake, 'SELECT "id" FROM "transaction"')
    second = _post(fake, 'SELECT "id" FROM "transaction"')
    third = _post(fake, 'SELECT "id" FROM "transaction"')
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert _detail(first)[1] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert (second.status_code, third.status_code) == (503, 200)
    assert [r["status"] for r in fake.requests] == [429, 503, 200]
