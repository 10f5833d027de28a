"""One engine and session factory, configured by ``PROSECUTOR_DATABASE_URL``.

Transactions are explicit on SQLite too. Python's ``sqlite3`` driver, left to itself, begins a
transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT issued first opens a transaction
of its own and its RELEASE commits: a crash after it left half of a unit of work stored. The
engine follows SQLAlchemy's documented recipe for pysqlite instead ("Enabling Non-Legacy SQLite
Transactional Modes"): the driver's own BEGIN is switched off and SQLAlchemy emits BEGIN itself,
so every statement, savepoints included, belongs to the transaction that commits or rolls back.

That BEGIN is ``BEGIN IMMEDIATE``: the transaction takes SQLite's single write lock up front,
so concurrent writers queue on the busy timeout. A deferred transaction that reads and then
writes fails at once with "database is locked" when another writer committed in between (its
snapshot is stale), whatever the timeout. Long read-only work may ask for a deferred BEGIN with
the execution option ``sqlite_begin="DEFERRED"`` (see ``reading``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.settings import get_settings

T = TypeVar("T")

SQLITE_BEGIN = "sqlite_begin"  # execution option: how a SQLite transaction begins
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})
BUSY_TIMEOUT_S = 30
# PostgreSQL: serialization failure, deadlock detected, lock not available. Worth a retry.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
STALLED_ATTEMPTS = 8  # retries in a row with no other transaction committing before giving up
_BACKOFF_FIRST_S, _BACKOFF_MAX_S = 0.05, 2.0


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver emits no BEGIN and no implicit COMMIT
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")  # SQLite leaves them off by default
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"{SQLITE_BEGIN}={mode!r}: expected one of {sorted(_BEGIN_MODES)}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


@cache
def default_engine() -> Engine:
    return make_engine(get_settings().resolved_database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine or default_engine(), expire_on_commit=False)


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose work is committed together, or not at all."""
    with session_factory(engine).begin() as session:
        yield session


@contextmanager
def reading(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session that does not take SQLite's write lock (a deferred BEGIN)."""
    with session_factory(engine)() as session:
        session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
        try:
            yield session
        finally:
            session.rollback()


def is_transient(exc: BaseException) -> bool:
    """A failure that says "try again later", not "this is wrong": SQLite busy or locked after
    the timeout, a PostgreSQL serialization failure, deadlock or lock timeout."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("locked" in message or "busy" in message)


def _token(progress: Callable[[Session], Hashable], engine: Engine | None) -> Hashable:
    try:
        with reading(engine) as session:
            return progress(session)
    except DBAPIError:
        return None  # unreadable now: counts as no progress


def retrying(
    work: Callable[[Session], T],
    engine: Engine | None = None,
    *,
    progress: Callable[[Session], Hashable] | None = None,
) -> T:
    """Run ``work`` in a transaction of its own; when it fails for a transient reason, roll back
    and run it again from the start after a randomised, growing pause.

    Retries do not run out while the database makes progress: ``progress`` reads a token (e.g.
    the head of the audit log) that changes whenever another writer commits, and only
    ``STALLED_ATTEMPTS`` failures in a row without a change give up (re-raising the error).
    """
    stalled, last, pause = 0, None, _BACKOFF_FIRST_S
    while True:
        try:
            with transaction(engine) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            token = _token(progress, engine) if progress is not None else None
            if token is not None and token != last:
                stalled, last = 0, token
            else:
                stalled += 1
            if stalled >= STALLED_ATTEMPTS:
                raise
            time.sleep(random.uniform(pause / 2, pause))  # jitter: contenders do not collide again
            pause = min(pause * 2, _BACKOFF_MAX_S)
