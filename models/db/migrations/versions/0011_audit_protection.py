"""the audit log: INSERT-only, checkpoints

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

Closes the ways around the append-only triggers of 0001:

- SQLite: ``INSERT OR REPLACE`` deletes the conflicting row without firing DELETE triggers
  (unless ``recursive_triggers`` is on). A BEFORE INSERT trigger refuses any row whose seq,
  hash or prev_hash is already taken, whatever the pragmas.
- PostgreSQL: ``TRUNCATE`` fires no row trigger; a statement trigger refuses it. And the
  application gets a role of its own, ``prosecutor_app``, that may only SELECT and INSERT on
  the audit log (normal rights elsewhere): the owner can drop triggers, that role cannot, so
  it cannot UPDATE, DELETE or TRUNCATE the log at all. The migrating user keeps ownership.

What an owner or superuser does anyway is caught by the signed checkpoints of the log's head
kept outside the database (models/records/audit_checkpoint.py).
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APP_ROLE = "prosecutor_app"  # also in deployments/postgres.py

_SQLITE_NO_REPLACE = """
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (
    SELECT 1 FROM audit_log
    WHERE seq = NEW.seq OR hash = NEW.hash OR prev_hash = NEW.prev_hash
)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: INSERT over an existing entry refused'); END
"""

# Roles belong to the whole server: another database may have made it already.
_CREATE_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- made at the same moment by a migration of another database
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'cannot create role {APP_ROLE}: an administrator must run'
            ' CREATE ROLE {APP_ROLE} NOLOGIN, then migrate again';
END
$$
"""


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute(_SQLITE_NO_REPLACE)
        return
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )
    schema = _schema()
    op.execute(_CREATE_ROLE)
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {APP_ROLE}")
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {APP_ROLE}"
    )
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {APP_ROLE}")
    # tables of later migrations (made by the same owner) get the same rights
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP_ROLE}"
    )
    # the log: read and append only; the schema's history: read only
    op.execute(f"REVOKE ALL ON audit_log FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT ON audit_log TO {APP_ROLE}")
    op.execute(f"REVOKE ALL ON alembic_version FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT ON alembic_version TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    schema = _schema()
    # the role stays: other databases of the server may use it
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {APP_ROLE}"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA {schema} FROM {APP_ROLE}")
