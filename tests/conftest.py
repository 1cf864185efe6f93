"""Shared test plumbing: real PostgreSQL and MariaDB servers with a throwaway database each.

Tests that need a server fail (never skip) with a clear message when it cannot be reached or
started; ``scripts/services.sh`` starts them.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIA_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/"
ENGINES = ("sqlite", "postgresql", "mariadb")


def _reachable(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return True
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def servers() -> None:
    """Make sure both servers answer, starting them once if needed."""
    if _reachable(PG_ADMIN) and _reachable(MARIA_ADMIN):
        return
    subprocess.run(["bash", str(ROOT / "scripts" / "services.sh")], check=False)
    down = [
        name
        for name, url in (("PostgreSQL", PG_ADMIN), ("MariaDB", MARIA_ADMIN))
        if not _reachable(url)
    ]
    if down:
        pytest.fail(
            f"{' and '.join(down)} not reachable on 127.0.0.1 and could not be started "
            "by scripts/services.sh",
            pytrace=False,
        )


def _throwaway(admin_url: str, kind: str) -> Iterator[str]:
    name = f"erpml_t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    base = sa.make_url(admin_url)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if kind == "postgresql" else ""
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


@pytest.fixture(scope="session")
def database_factory(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """``make(engine_kind) -> url`` of a fresh, empty database dropped at session end."""
    cleanups: list[Iterator[str]] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'db.sqlite'}"
        gen = _throwaway(PG_ADMIN if kind == "postgresql" else MARIA_ADMIN, kind)
        cleanups.append(gen)
        return next(gen)

    yield make
    for gen in cleanups:
        next(gen, None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (rendered SQL, checksums) instead of comparing with them",
    )


@pytest.fixture(scope="session")
def regenerate_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regenerate-golden"))


def check_golden(path: Path, text: str, regenerate: bool) -> None:
    """Compare ``text`` with the golden file at ``path`` (rewrite it with --regenerate-golden)."""
    if regenerate or not path.exists():
        if not regenerate:
            pytest.fail(
                f"golden file {path} is missing: run pytest with --regenerate-golden", pytrace=False
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    assert text == path.read_text(), f"{path} differs: review, then run with --regenerate-golden"
