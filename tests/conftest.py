"""Shared test set-up: an isolated environment, and databases on SQLite and PostgreSQL.

The ``database`` fixture runs a test once per database. PostgreSQL comes from
``PROSECUTOR_TEST_POSTGRES_URL`` (an admin URL; a throw-away database is created on it). Where
PostgreSQL is down, its tests are skipped locally but fail under CI, which must test both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Before anything imports Prefect or the settings: nothing leaves the machine or the test.
_HOME = Path(tempfile.mkdtemp(prefix="prosecutor-tests-"))
os.environ.update(
    {
        "PREFECT_HOME": str(_HOME / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PROSECUTOR_DATA_DIR": str(_HOME / "data"),
        # the session's test CA stands in for the NCA RK chain (tests/eds_ca.py)
        "PROSECUTOR_EDS_TRUST_STORE": str(_HOME / "eds" / "trust.pem"),
        "PROSECUTOR_EDS_REQUIRED": "true",
    }
)
os.environ.pop("PROSECUTOR_DATABASE_URL", None)

import pytest  # noqa: E402
from sqlalchemy import Engine, create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from models.db import default_engine, make_engine  # noqa: E402
from models.db.migrate import upgrade  # noqa: E402
from models.settings import get_settings  # noqa: E402
from tests.eds_ca import session_ca  # noqa: E402

session_ca()  # before any test signs or verifies: the keys and the trust store exist

POSTGRES_ADMIN_URL = os.environ.get(
    "PROSECUTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Database:
    name: str  # "sqlite" or "postgresql"
    url: str
    engine: Engine


def _postgres_admin() -> Engine | None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return engine
    except Exception as exc:  # the server is down or refuses us
        engine.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must be up under CI: {exc}")
        return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = _postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable at PROSECUTOR_TEST_POSTGRES_URL")
    name = f"prosecutor_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as conn:
        # the log refuses TRUNCATE by a trigger; the test superuser empties it between tests
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind, also made the default for the code under test."""
    if request.param == "sqlite":
        path = tmp_path / "office.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    os.environ["PROSECUTOR_DATABASE_URL"] = url
    # each database has its own checkpoints: another test's would not match this log
    os.environ["PROSECUTOR_AUDIT_CHECKPOINTS"] = str(tmp_path / "audit-checkpoints.jsonl")
    get_settings.cache_clear()
    default_engine.cache_clear()
    try:
        yield Database(request.param, url, engine)
    finally:
        if default_engine.cache_info().currsize:
            default_engine().dispose()
        default_engine.cache_clear()
        os.environ.pop("PROSECUTOR_DATABASE_URL", None)
        os.environ.pop("PROSECUTOR_AUDIT_CHECKPOINTS", None)
        get_settings.cache_clear()
        if request.param == "postgresql":
            _truncate_all(engine)
        engine.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)
