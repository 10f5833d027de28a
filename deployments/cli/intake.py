"""Intake commands shared by the command groups that take in records from outside (finished
cases, complaints, detention protocols, ЕРДР cases, appeals): each record stored and numbered in
its own transaction first, then the registered ones announced to Prefect by their registration
numbers only, and a summary printed the same way for every group."""

# no ``from __future__ import annotations``: the commands made in ``Intake.add_commands`` carry
# their group's help texts in annotations that typer reads at run time

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.inputs import input_records
from deployments.cli.support import (
    JsonFlag,
    emit,
    fails_cleanly,
    note_announcement,
    office_session,
    require_current_schema,
)
from models.appeals import inbox_store
from models.db import transaction
from models.db.tables import InboxSource
from tasks.events import emit_registered, last_announcement

# Stores one valid-looking raw record (the group's own validation and registration).
Take = Callable[[Session, str], inbox_store.InboxResult]


def record_row(
    where: str, result: inbox_store.InboxResult, *, external_id: bool = True
) -> dict[str, Any]:
    """One record's line of the summary."""
    row = {
        "source": where,
        "record_id": result.record_id,
        "status": result.status,
        "registration_number": result.registration_number,
        "reason": result.reason,
    }
    if external_id:
        row["external_id"] = result.external_id
    return row


def counted(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many records were registered, found again (duplicates) and rejected."""
    return {
        "registered": sum(r["status"] == "registered" for r in rows),
        "duplicates": sum(r["status"] == "duplicate" for r in rows),
        "rejected": sum(r["status"] == "rejected" for r in rows),
    }


def render_summary(
    d: dict[str, Any],
    records: str,
    stored_hint: str,
    more: Callable[[dict[str, Any]], str] = lambda _d: "",
) -> str:
    """The summary for a person: a line a record, the counts (``more`` adds a group's own),
    and what to do when the records are stored but Prefect did not hear of them."""
    lines = [
        f"{r['source']}: {r['status']} {r['registration_number'] or ''}"
        f" {r['reason'] or ''}".rstrip()
        for r in d[records]
    ]
    lines.append(
        f"{d['registered']} registered, {d['duplicates']} already registered,"
        f" {d['rejected']} rejected" + more(d)
    )
    if d["registered"] and not d["announced"]:
        lines.append(f"not announced: {d.get('announce_error')}. {stored_hint}")
    return "\n".join(lines)


def finish(summary: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], str]) -> None:
    """Print the summary; exit 1 when a record was rejected or refused, or when a server was
    expected and did not take the announcement."""
    not_announced = note_announcement(summary, summary["registered"], bool(summary["announced"]))
    emit(summary, as_json, render)
    if summary["rejected"] or summary.get("refused") or not_announced:
        raise typer.Exit(1)


@dataclass(frozen=True, slots=True)
class Intake:
    """A command group's intake of inbox records: where they are stored, the event that
    announces them (its deployment trigger starts the procedure) and the group's words."""

    source: InboxSource
    event: str
    kind: str  # label ``prosecutor.kind`` of the event's resource
    records: str  # key of the per-record rows in the summary ("cases", "complaints", ...)
    stored_hint: str  # what to do when the records are stored but not announced
    external_id: bool = True  # the rows show the record's external id

    def store(self, path: Path, take: Take) -> list[dict[str, Any]]:
        """Store each record of ``path`` in its own transaction: a bad one spoils nothing."""
        rows = []
        for where, raw, problem in input_records(path):
            with transaction() as session:
                if problem:
                    result = inbox_store.store_rejected(session, self.source, raw, problem)
                else:
                    result = take(session, raw)
            rows.append(record_row(where, result, external_id=self.external_id))
        return rows

    def announce(self, pending: list[tuple[int, str]]) -> bool:
        """Announce stored (record id, registration number) pairs; remembered once sent."""
        if not emit_registered(self.event, self.kind, [number for _, number in pending]):
            return False
        with transaction() as session:
            inbox_store.mark_announced(session, [record_id for record_id, _ in pending])
        return True

    def announce_registered(self, rows: list[dict[str, Any]]) -> bool:
        """Announce the records this intake registered."""
        return self.announce(
            [
                (r["record_id"], r["registration_number"])
                for r in rows
                if r["status"] == "registered"
            ]
        )

    def announce_waiting(self) -> list[str]:
        """Announce every stored record not announced yet (this batch's and any whose event
        was lost before); the numbers announced, none when Prefect was not reached."""
        with transaction() as session:
            pending = inbox_store.unannounced(session, self.source)
        return [number for _, number in pending] if self.announce(pending) else []

    def summary(self, rows: list[dict[str, Any]], announced: Any) -> dict[str, Any]:
        return {**counted(rows), "announced": announced, self.records: rows}

    def render(self, d: dict[str, Any]) -> str:
        return render_summary(d, self.records, self.stored_hint)

    def reconcile(self, as_json: bool) -> None:
        """The ``reconcile`` command: announce the stored records whose announcement never
        reached Prefect; fails with the reason when there were some and it failed again."""
        with office_session() as session:
            pending = inbox_store.unannounced(session, self.source)
        numbers = [number for _, number in pending]
        if numbers and not self.announce(pending):
            raise BadInput(f"nothing announced: {last_announcement().reason}")
        emit(
            {"announced": numbers},
            as_json,
            lambda d: "\n".join(f"{n}: announced" for n in d["announced"]) or "nothing to announce",
        )

    def add_commands(
        self,
        app: typer.Typer,
        take: Take,
        *,
        path_help: str,
        submit_doc: str,
        reconcile_name: str,
        reconcile_doc: str,
    ) -> None:
        """Add the group's ``submit`` command (store each record with ``take``, announce the
        registered ones, print the summary) and its command announcing the stored records."""

        def submit(
            path: Annotated[Path, typer.Argument(help=path_help)], as_json: JsonFlag = False
        ) -> None:
            require_current_schema()
            rows = self.store(path, take)
            finish(self.summary(rows, self.announce_registered(rows)), as_json, self.render)

        def reconcile(as_json: JsonFlag = False) -> None:
            self.reconcile(as_json)

        submit.__doc__, reconcile.__doc__ = submit_doc, reconcile_doc
        app.command("submit")(fails_cleanly(submit))
        app.command(reconcile_name)(fails_cleanly(reconcile))
