"""`prosecutor start --postgres URL`: the office's database and the Prefect server's both on
PostgreSQL (the grown-up set-up of the design), side by side as NAME and NAME_prefect. The owner
of URL migrates; the served flows run as NAME_app, a login of the application role, which may
only read and add to the audit log."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from deployments.catalog import declared
from models.db.tables import StaffRow
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_admin
from tests.e2e.appeals import review_of, submit_appeal
from tests.e2e.conftest import started_office

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_the_office_and_its_prefect_server_on_postgresql(tmp_path: Path) -> None:
    admin = _postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable at PROSECUTOR_TEST_POSTGRES_URL")
    name = f"office_e2e_{uuid.uuid4().hex[:8]}"
    base = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql", database=name)
    given = base.render_as_string(hide_password=False)
    domain = base.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        with started_office(tmp_path, "--postgres", given, domain_url=domain) as office:
            with office["engine"].connect() as conn:
                staff = conn.scalar(select(func.count()).select_from(StaffRow))
            # a served review registers and assigns the appeal, writing as the application
            _run_id, assignee = review_of(office, submit_appeal(office))
            with office["engine"].connect() as conn:
                may = {
                    right: conn.scalar(
                        text("SELECT has_table_privilege(:role, 'audit_log', :right)"),
                        {"role": f"{name}_app", "right": right},
                    )
                    for right in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
                }
                member = conn.scalar(
                    text("SELECT pg_has_role(:role, 'prosecutor_app', 'MEMBER')"),
                    {"role": f"{name}_app"},
                )
            prefect_db = create_engine(
                base.set(drivername="postgresql+psycopg", database=f"{name}_prefect")
            )
            with prefect_db.connect() as conn:
                deployments = conn.scalar(text("SELECT count(*) FROM deployment"))
            prefect_db.dispose()
        assert staff == 7  # the demo office, in NAME
        assert assignee and member
        assert may == {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": False,
            "DELETE": False,
            "TRUNCATE": False,
        }
        assert deployments == len(declared())  # every deployment of prefect.yaml, in NAME_prefect
        assert not (tmp_path / "data" / "prefect" / "prefect.db").exists()  # no SQLite
    finally:
        with admin.connect() as conn:
            for db in (name, f"{name}_prefect"):
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": db},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}_app"'))
        admin.dispose()
