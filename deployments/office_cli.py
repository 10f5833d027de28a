"""``prosecutor start`` and ``prosecutor serve``: the office running on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from deployments import commands
from deployments.cli_support import JsonFlag, emit
from deployments.errors import BadInput


def start(
    roster: Annotated[
        Path | None, typer.Option("--roster", help="Roster to load (default: the demo office).")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port of the Prefect server and UI.")] = 4200,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            envvar="PROSECUTOR_POSTGRES_URL",
            help="postgresql://USER@HOST/NAME: the office's database NAME and the Prefect"
            " server's NAME_prefect on that server (default: SQLite files under data/).",
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
    from deployments import stack
    from deployments.postgres import ensure_databases, split
    from models.settings import get_settings

    prefect_db = None
    if postgres:
        urls = split(postgres)
        ensure_databases(urls)
        os.environ["PROSECUTOR_DATABASE_URL"] = urls.domain
        get_settings.cache_clear()
        prefect_db = urls.prefect
    data = commands.start(roster)
    if once:
        if check:
            from flows.check_deadlines import check_deadlines

            data["deadline_check"] = check_deadlines(force=True)
        emit(data, as_json, commands.render_start)
        return
    if not as_json:  # the day's report while the server comes up; JSON gets one object, below
        emit(data, as_json, commands.render_start)
    settings = get_settings()
    config = stack.StackConfig(
        data_dir=settings.data_dir.resolve(),
        domain_url=settings.resolved_database_url,
        port=port,
        prefect_database_url=prefect_db,
    )
    say = (lambda _: None) if as_json else (lambda line: typer.echo(line, err=True))
    with stack.running(config, say) as office:
        if demo:
            submitted = stack.submit_demo_appeals(office)
            say(submitted.stdout.strip() or submitted.stderr.strip())
        running = {"ui": config.ui_url, "api": config.api_url, "logs": str(config.logs)}
        emit({**data, **running} if as_json else running, as_json, commands.render_stack)
        reason = stack.wait_for_stop(office)
        say(f"{reason}: stopping")
    say("stopped")


def serve(
    limit: Annotated[
        int | None, typer.Option("--limit", help="Flow runs at once (default: no limit).")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Comma-separated deployment names to serve (default: all)."),
    ] = None,
) -> None:
    """Serve the deployments of prefect.yaml from this machine, with their schedules and
    triggers, until Ctrl-C. Point it at a server with PREFECT_API_URL. Serving the urgent ones
    (`--only release-detained,check-urgent`) in a process of their own keeps them first."""
    from prefect import serve as prefect_serve

    from deployments.catalog import all_deployments, declared

    names = {n.strip() for n in only.split(",")} if only else None
    known = {spec["name"] for spec in declared()}
    if names and names - known:
        raise BadInput(f"no such deployment in prefect.yaml: {', '.join(sorted(names - known))}")
    commands.db_upgrade()
    prefect_serve(*all_deployments(names), limit=limit)
