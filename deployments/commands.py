"""What the command line does, as plain functions returning JSON-ready data."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from deployments.errors import BadInput, describe_validation
from models.db import default_engine, transaction
from models.db.migrate import current_revision, upgrade
from models.db.tables import StaffRow
from models.office import roster_store
from models.office.identifiers import iin_birth_date, validate_bin, validate_iin
from models.office.schemas import AbsenceIn, ActingOrderIn, AppealIn, RosterFile
from models.records import audit_checkpoint
from models.settings import get_settings
from models.timing.calendar import ALMATY, WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date, due_moment
from models.timing.terms import default_terms

DEMO_ROSTER = Path(__file__).with_name("demo_roster.yaml")


def parse_date(value: str | None, option: str) -> dt.date:
    if value is None:
        return today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def read_structured(path: Path) -> Any:
    """A YAML or JSON file (JSON is YAML, but its errors read better from the JSON parser)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: malformed YAML: {' '.join(str(exc).split())}") from None


def _validated(model: type, data: Any, source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(describe_validation(exc, source)) from None


def _masked_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- db -----------------------------------------------------------------------------------


def db_upgrade() -> dict[str, Any]:
    url = get_settings().resolved_database_url
    upgrade(url)
    return {"revision": current_revision(default_engine()), "url": _masked_url(url)}


# --- roster -------------------------------------------------------------------------------


def roster_load(session: Session, path: Path) -> dict[str, Any]:
    data = _validated(RosterFile, read_structured(path), str(path))
    result = roster_store.load_roster_file(session, data)
    return {
        "office": result.office,
        "staff": result.staff,
        "absences_added": result.absences_added,
        "acting_orders_added": result.acting_orders_added,
    }


def _require_staff(session: Session, *staff_ids: str) -> None:
    for staff_id in staff_ids:
        if not roster_store.staff_exists(session, staff_id):
            raise BadInput(f"unknown staff member {staff_id!r}")


def roster_show(session: Session, day: dt.date) -> dict[str, Any]:
    roster = roster_store.read_roster(session)
    staff = []
    for s in sorted(roster.staff.values(), key=lambda s: (s.position.rank, s.seniority, s.id)):
        absence = roster.absence_on(s.id, day)
        staff.append(
            {
                "id": s.id,
                "name": s.name,
                "position": s.position.value,
                "areas": sorted(s.areas),
                "present": roster.is_present(s.id, day),
                "absence": absence.kind.value
                if absence
                else ("inactive" if not s.active else None),
            }
        )
    return {"date": day, "staff": staff}


def absence_add(
    session: Session,
    staff_id: str,
    start: str,
    end: str,
    kind: str,
    note: str | None,
    actor: str,
) -> dict[str, Any]:
    data = _validated(
        AbsenceIn,
        {
            "staff_id": staff_id,
            "from": parse_date(start, "--from"),
            "to": parse_date(end, "--to"),
            "kind": kind,
            "note": note,
        },
        "absence",
    )
    _require_staff(session, staff_id)
    uncovered = roster_store.uncovered_shifts(session, data)
    row = roster_store.add_absence(session, data, actor)
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "kind": row.kind.value,
        "from": row.start_date,
        "to": row.end_date,
        # the prosecutor on duty must be present: these shifts need someone else
        "duty_shifts_uncovered": [
            {"from": s.start.isoformat(), "to": s.end.isoformat()} for s in uncovered
        ],
    }


def acting_add(
    session: Session,
    acting_id: str,
    for_id: str,
    start: str,
    end: str,
    reference: str,
    actor: str,
) -> dict[str, Any]:
    data = _validated(
        ActingOrderIn,
        {
            "acting_id": acting_id,
            "for_id": for_id,
            "from": parse_date(start, "--from"),
            "to": parse_date(end, "--to"),
            "reference": reference,
        },
        "acting order",
    )
    _require_staff(session, acting_id, for_id)
    row = roster_store.add_acting_order(session, data, actor)
    return {
        "id": row.id,
        "acting_id": row.acting_id,
        "for_id": row.for_id,
        "from": row.start_date,
        "to": row.end_date,
        "reference": row.reference,
    }


def signatory(session: Session, day: dt.date) -> dict[str, Any]:
    roster = roster_store.read_roster(session)
    if roster.head() is None and not roster.staff:
        raise BadInput("the roster is empty: run `prosecutor roster load FILE`")
    s = roster.signatory_on(day)
    if s.staff is None:
        return {
            "date": day,
            "staff_id": None,
            "name": "Regional prosecutor's office",
            "position": "regional_office",
            "acting": True,
            "reason": s.reason,
        }
    return {
        "date": day,
        "staff_id": s.staff.id,
        "name": s.staff.name,
        "position": s.staff.position.value,
        "acting": s.acting,
        "reason": s.reason,
    }


# --- calendar and terms -------------------------------------------------------------------


def calendar_due(
    start: str, working_days: int | None, calendar_days: int | None, months: int | None
) -> dict[str, Any]:
    given = {
        TermUnit.WORKING_DAYS: working_days,
        TermUnit.CALENDAR_DAYS: calendar_days,
        TermUnit.MONTHS: months,
    }
    chosen = [(unit, n) for unit, n in given.items() if n is not None]
    if len(chosen) != 1:
        raise BadInput("give exactly one of --working-days, --calendar-days, --months")
    unit, n = chosen[0]
    if n < 0:
        raise BadInput("a term cannot be negative")
    day = parse_date(start, "--start")
    return {
        "start": day,
        "due": due_date(day, n, unit, WorkingCalendar()),
        "unit": unit.value,
        "n": n,
    }


def calendar_day(value: str) -> dict[str, Any]:
    status = WorkingCalendar().status(parse_date(value, "DATE"))
    return {"date": status.date, "working": status.working, "reason": status.reason}


def terms_list() -> list[dict[str, Any]]:
    return [t.model_dump(mode="json") for t in default_terms().terms]


def terms_due(term_id: str, start: str) -> dict[str, Any]:
    """Due date (or moment, for hours) of a row; a rule-only row answers with its rule."""
    table = default_terms()
    try:
        term = table.get(term_id)
    except KeyError:
        raise BadInput(f"no statutory term {term_id!r}: see `prosecutor terms list`") from None
    answer: dict[str, Any] = {
        "term_id": term_id,
        "start": None,
        "due": None,
        "term": term.term,
        "unit": term.unit,
        "rule": None,
        "source": term.source,
        "status": term.status.value,
        "note": term.note,
    }
    if term.term is None:
        answer["start"] = parse_date(start, "--start")
        answer["rule"] = term.description
    elif term.unit is TermUnit.HOURS:
        # Hours run from the moment, never moved (CPC art. 48(4)-(5)): answer a datetime.
        moment = parse_moment(start, "--start")
        answer["start"] = moment.isoformat()
        answer["due"] = due_moment(moment, term.term).isoformat()
    else:
        day = parse_date(start, "--start")
        answer["start"] = day
        answer["due"] = table.due(term_id, day, WorkingCalendar())
    return answer


def parse_moment(value: str, option: str) -> dt.datetime:
    """A date (taken as 00:00 Almaty time) or a date and time, e.g. 2026-03-21T23:00."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"{option}: {value!r} is not a date or a moment (expected YYYY-MM-DD[THH:MM])"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ALMATY)


# --- audit and validation -----------------------------------------------------------------


def audit_verify(session: Session) -> dict[str, Any]:
    """The chain walked and held to the latest signed checkpoint of its head."""
    settings = get_settings()
    report = audit_checkpoint.verify(
        session, settings.resolved_audit_checkpoints, settings.resolved_audit_checkpoint_key
    )
    return {
        "valid": report.valid,
        "entries": report.chain.entries,
        "first_broken_seq": report.first_broken_seq,
        "problem": report.problem,
        "checkpoint": audit_checkpoint.describe(report.checkpoint),
        "checkpoints": report.checkpoints,
    }


def audit_checkpoint_now(session: Session) -> dict[str, Any]:
    """Sign the head of the log and append it to the checkpoint file."""
    settings = get_settings()
    try:
        checkpoint = audit_checkpoint.write_checkpoint(
            session,
            settings.office_code,
            settings.resolved_audit_checkpoints,
            settings.resolved_audit_checkpoint_key,
        )
    except audit_checkpoint.CheckpointRefused as exc:
        raise BadInput(f"audit log INVALID, no checkpoint written: {exc}") from None
    return {**asdict(checkpoint), "file": str(settings.resolved_audit_checkpoints)}


def check_iin(value: str) -> dict[str, Any]:
    try:
        iin = validate_iin(value)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    return {"iin": iin, "birth_date": iin_birth_date(iin)}


def check_bin(value: str) -> dict[str, Any]:
    try:
        return {"bin": validate_bin(value)}
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def check_appeal(path: Path) -> dict[str, Any]:
    appeal = _validated(AppealIn, read_structured(path), str(path))
    return {
        "subject": appeal.subject,
        "anonymous": appeal.anonymous,
        "language": appeal.language.value,
    }


# --- the main job -------------------------------------------------------------------------


def start(roster: Path | None) -> dict[str, Any]:
    """Migrate, load the roster (the demo office unless given), and report today."""
    upgraded = db_upgrade()
    with transaction(default_engine()) as session:
        empty = session.scalar(select(func.count()).select_from(StaffRow)) == 0
        loaded = roster_load(session, roster or DEMO_ROSTER) if roster or empty else None
    day = today()
    calendar = WorkingCalendar()
    with transaction(default_engine()) as session:
        who = signatory(session, day)
        audit = audit_verify(session)
    table = default_terms()
    deadlines = [
        {"term_id": t.id, "description": t.description, "due": table.due(t.id, day, calendar)}
        for t in table.terms
        if t.id
        in {
            "appeal.redirect",
            "appeal.consideration",
            "protest.consideration",
            "submission.consideration",
        }
    ]
    return {
        "database": upgraded,
        "roster_loaded": loaded,
        "today": calendar_day(day.isoformat()),
        "signatory": who,
        "deadlines_if_received_today": deadlines,
        "audit": audit,
        "calendar_overrides_pending_review": [
            {"date": o.date, "name": o.name} for o in calendar.pending_review
        ],
    }


def render_start(d: dict[str, Any]) -> str:
    lines = [
        f"Database: {d['database']['url']} (revision {d['database']['revision']})",
    ]
    if d["roster_loaded"]:
        r = d["roster_loaded"]
        lines.append(f"Roster loaded: office {r['office']}, {r['staff']} staff")
    t = d["today"]
    kind = "working day" if t["working"] else "day off"
    why = "" if t["reason"] == kind else f" ({t['reason']})"
    lines.append(f"Today {t['date']}: {kind}{why}")
    s = d["signatory"]
    lines.append(f"Signs today: {s['name']} ({s['position']}{', acting' if s['acting'] else ''})")
    lines.append("An appeal or act received today is due:")
    lines += [f"  {x['due']}  {x['term_id']}" for x in d["deadlines_if_received_today"]]
    a = d["audit"]
    lines.append(
        f"Audit chain: {'valid' if a['valid'] else 'INVALID: ' + str(a['problem'])},"
        f" {a['entries']} entries"
    )
    if "deadline_check" in d:
        c = d["deadline_check"]
        lines.append(
            f"Deadline check: {c['overdue']} overdue, {c['due_soon']} due soon, {c['reminders']}"
            f" reminders, {c['reassigned']} reassigned, {c['escalated']} escalated"
        )
    for o in d["calendar_overrides_pending_review"]:
        lines.append(f"Calendar entry to review (not applied): {o['date']} {o['name']}")
    return "\n".join(lines)


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
