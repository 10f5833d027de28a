"""``prosecutor start`` and ``prosecutor serve``: the office running on this machine."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deployments.cli.db import upgrade_database
from deployments.cli.demo_eds import demo_office_keys, render_eds
from deployments.cli.errors import BadInput
from deployments.cli.support import JsonFlag, emit
from deployments.cli.today import office_today, render_start
from models.settings import get_settings
from tasks.connection import Connection

if TYPE_CHECKING:
    from deployments.stack import StackConfig

CHECK_DEADLINES = "check-deadlines"  # the deployment of the morning deadline check


def start(
    roster: Annotated[
        Path | None, typer.Option("--roster", help="Roster to load (default: the demo office).")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port of the Prefect server and UI.")] = 4200,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            help="postgresql://USER@HOST/NAME: the office's database NAME and the Prefect"
            " server's NAME_prefect on that server (default: PROSECUTOR_POSTGRES_URL, else"
            " SQLite files under data/).",
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Submit the demo appeals (once).")
    ] = True,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="No server: report the day and run today's deadline check on Prefect's"
            " ephemeral server, then exit.",
        ),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="With --once: run today's deadline check.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Start the office here until Ctrl-C: the database migrated, the roster loaded, a local
    Prefect server on 127.0.0.1, every deployment served with its schedules and triggers, and
    the demo appeals submitted."""
    require_declared_terms()
    postgres = postgres or get_settings().postgres_url
    prefect_db = _use_postgres(postgres) if postgres else None
    data = office_today(roster)
    if roster is None and get_settings().eds_trust_store is None:
        data["eds"] = demo_office_keys(get_settings().data_dir.resolve() / "eds")
    if once:
        if check:
            from flows.check_deadlines import check_deadlines

            data["deadline_check"] = asdict(check_deadlines(force=True))
        _report(data, as_json)
        return
    if not as_json:  # the day's report while the server comes up; JSON gets one object, below
        _report(data, as_json)
    _run_office(_stack_config(port, postgres, prefect_db), data, demo, as_json)


def require_declared_terms() -> None:
    """Stop before starting when the terms table lacks a row that a module declares in its
    ``TERMS`` (a missing term is an error at start-up, not a silent default on the day)."""
    import importlib
    import pkgutil

    from models.timing.terms import declared_terms, require_terms

    modules = []
    for package in ("models", "tasks", "flows"):
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, f"{package}."):
            modules.append(importlib.import_module(info.name))
    require_terms(declared_terms(modules))


def _use_postgres(url: str) -> str:
    """Both databases on the PostgreSQL server of ``url``, created if missing; the office's
    is configured for this process and its children, the Prefect server's URL is returned."""
    from deployments.postgres import ensure_databases, split

    urls = split(url)
    ensure_databases(urls)
    os.environ["PROSECUTOR_DATABASE_URL"] = urls.domain
    get_settings.cache_clear()
    return urls.prefect


def _report(data: dict[str, Any], as_json: bool) -> None:
    emit(data, as_json, render_start)
    if "eds" in data and not as_json:
        typer.echo(render_eds(data["eds"]))


def _stack_config(port: int, postgres: str | None, prefect_db: str | None) -> StackConfig:
    from deployments.stack import StackConfig

    settings = get_settings()
    domain_url = settings.resolved_database_url
    if postgres:  # migrated by the owner; the office runs as the application's role
        from deployments.postgres import application_url

        domain_url = application_url(domain_url, settings.data_dir.resolve())
    return StackConfig(
        data_dir=settings.data_dir.resolve(),
        domain_url=domain_url,
        port=port,
        prefect_database_url=prefect_db,
    )


def _run_office(config: StackConfig, data: dict[str, Any], demo: bool, as_json: bool) -> None:
    """The server and the serving processes up, today's check caught up, the demo appeals
    submitted; then wait for Ctrl-C and stop everything."""
    from deployments import stack

    say = (lambda _: None) if as_json else (lambda line: typer.echo(line, err=True))
    with stack.running(config, say) as office:
        catch_up = stack.catch_up_deadline_check(office, say)
        if demo:
            submitted = stack.submit_demo_appeals(office)
            say(submitted.stdout.strip() or submitted.stderr.strip())
        running = {
            "ui": config.ui_url,
            "api": config.api_url,
            "logs": str(config.logs),
            "connection_file": str(config.connection_file),
            "deadline_check_caught_up": catch_up,
        }
        emit({**data, **running} if as_json else running, as_json, render_stack)
        if not as_json:
            typer.echo(
                "Another terminal in this folder reaches the office with no settings:"
                f" .venv/bin/prosecutor ... (it reads {config.connection_file})"
            )
        reason = stack.wait_for_stop(office)
        say(f"{reason}: stopping")
    say("stopped")


def render_stack(d: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"The office is running. Prefect UI: {d['ui']}",
            "  Waiting for you: Runs, state Suspended (Paused for runs outside a deployment)",
            "  Due today and overdue: Artifacts, deadline-check",
            f"Logs: {d['logs']}",
            "Ctrl-C stops everything.",
        ]
    )


def serve(
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            help="Flow runs at once in this process (default: PROSECUTOR_SERVE_LIMIT, 8; 0: no"
            " limit). A run that does not fit stays Scheduled and starts when one ends.",
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Comma-separated deployment names to serve (default: all)."),
    ] = None,
    catch_up: Annotated[
        bool,
        typer.Option(
            "--catch-up/--no-catch-up",
            help="Run today's deadline check at once if it is a working day past 09:00 and it"
            " has not run (when check-deadlines is served).",
        ),
    ] = True,
) -> None:
    """Serve the deployments of prefect.yaml from this machine, with their schedules and
    triggers, until Ctrl-C. Point it at a server with PREFECT_API_URL (default: the office
    running in this folder). Serving the urgent ones (`--only release-detained,check-urgent`)
    in a process of their own keeps them first."""
    from tasks.connection import connect

    connection = connect()  # before Prefect is imported: the running office's server, if any
    from deployments.catalog import all_deployments, declared
    from deployments.warm_runner import serve_warm

    require_declared_terms()
    names = {n.strip() for n in only.split(",")} if only else None
    known = {spec["name"] for spec in declared()}
    if names and names - known:
        raise BadInput(f"no such deployment in prefect.yaml: {', '.join(sorted(names - known))}")
    upgrade_database()
    if connection and catch_up and (names is None or CHECK_DEADLINES in names):
        _catch_up_in_background(connection)
    at_once = get_settings().serve_limit if limit is None else limit
    serve_warm(*all_deployments(names), limit=at_once or None)


def _catch_up_in_background(connection: Connection) -> None:
    """Once serving has registered check-deadlines, start today's check if it is due (not on
    the ephemeral server: nothing is scheduled there either)."""
    import threading

    from deployments.catch_up import catch_up_when_served
    from deployments.stack import auth_headers

    headers = auth_headers({"PREFECT_API_AUTH_STRING": connection.auth_string or ""})
    threading.Thread(
        target=catch_up_when_served,
        args=(connection.api_url, headers, lambda line: typer.echo(line, err=True)),
        daemon=True,
        name="deadline-check-catch-up",
    ).start()
