"""Migrations from the first revision, step by step, on SQLite and PostgreSQL: every revision
upgrades and downgrades, and the result matches the models."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from models.db import make_engine
from models.db.migrate import MIGRATIONS, current_revision, downgrade, upgrade
from models.db.tables import Base
from tests.conftest import POSTGRES_ADMIN_URL

REVISIONS = [r.revision for r in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


def _walk(url: str) -> None:
    engine = make_engine(url)
    try:
        for revision in REVISIONS:
            upgrade(url, revision)
            assert current_revision(engine) == revision
        for revision in reversed(REVISIONS[:-1]):
            downgrade(url, revision)
        downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_first_revision_to_head_on_sqlite(tmp_path: Path) -> None:
    assert REVISIONS[0] == "0001" and len(REVISIONS) >= 5
    _walk(f"sqlite:///{tmp_path / 'walk.db'}")


@pytest.mark.postgres
def test_first_revision_to_head_on_postgresql() -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"prosecutor_walk_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    try:
        _walk(make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
