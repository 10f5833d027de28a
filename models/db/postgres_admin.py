"""Administration of the PostgreSQL server the office runs on: its two databases and the login
role the running office uses.

The office's database and the Prefect server's live side by side (``<name>`` and
``<name>_prefect``): each keeps its own Alembic history. The office's database is migrated by
its owner; the running office logs in as a member of ``prosecutor_app`` (made by migration
0011: normal rights on every table, but only SELECT and INSERT on the audit log), so nothing
the application does can rewrite, delete or truncate the log.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

APP_ROLE = "prosecutor_app"  # made by migration 0011 (models/db/migrations/versions)
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is told at once


class PostgresRefused(ValueError):
    """The server cannot be reached, or refuses what was asked; the message says why."""


def url_text(url: URL) -> str:
    """The URL with its password, as a driver needs it."""
    return url.render_as_string(hide_password=False)


def create_missing_databases(urls: list[str]) -> list[str]:
    """Create each database of ``urls`` that is missing, as the user of its URL; the names of
    those created."""
    import psycopg
    from psycopg import sql

    created = []
    for url in urls:
        target = make_url(url)
        admin = target.set(drivername="postgresql", database="postgres")
        try:
            with psycopg.connect(
                url_text(admin), autocommit=True, connect_timeout=CONNECT_TIMEOUT
            ) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
                ).fetchone()
                if not exists:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database))
                    )
                    created.append(str(target.database))
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PostgresRefused(f"cannot reach {target.host}: {first}") from exc
    return created


def create_trigram_extension(url: str) -> None:
    """``pg_trgm`` in the database of ``url`` (Prefect's server searches with it)."""
    import psycopg

    target = make_url(url).set(drivername="postgresql")
    with psycopg.connect(
        url_text(target), autocommit=True, connect_timeout=CONNECT_TIMEOUT
    ) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def grant_application_role(owner_url: str, user: str, password: str | None = None) -> None:
    """Make ``user`` a login role of the application (a member of ``prosecutor_app``, nothing
    more) on the server of ``owner_url``, an already migrated office database. Refused for the
    owner, a privileged role, or a role owning the audit log."""
    import psycopg
    from psycopg import sql

    owner = make_url(owner_url).set(drivername="postgresql")
    if user == owner.username:
        raise PostgresRefused(f"{user}: the owner of the database cannot be the application's role")
    with psycopg.connect(url_text(owner), autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            raise PostgresRefused(f"no role {APP_ROLE}: migrate the office's database first")
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls OR rolcreaterole FROM pg_roles WHERE rolname = %s",
            (user,),
        ).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(user)))
        elif row[0]:
            raise PostgresRefused(f"{user}: a privileged role cannot be the application's role")
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(user))
        )
        if password is not None:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )
        owns = conn.execute(
            "SELECT 1 FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE c.relname = 'audit_log' AND r.rolname = %s",
            (user,),
        ).fetchone()
        if owns:
            raise PostgresRefused(
                f"{user} owns the audit log: choose another role for the application"
            )
