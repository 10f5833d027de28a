"""Intake of complaints about the investigating body (CPC art. 105) on both databases: stored
and numbered first with the CPC term, invalid ones kept with the reason, a resubmission found;
the command line's submit and show; an appeal on a CPC topic registered once as a complaint."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.appeals import store as appeal_store
from models.db.tables import InboxRecord, InboxSource, InboxStatus, Procedure
from models.procedures import ProcedureKind
from models.procedures.cpc_complaints import from_appeal, take_in
from models.timing.calendar import WorkingCalendar
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal_json

runner = CliRunner()
IIN = "850315400015"


def complaint(**over: Any) -> str:
    data: dict[str, Any] = {
        "external_id": "cmp-1",
        "complainant": {
            "kind": "individual",
            "iin": IIN,
            "last_name": "Сейтқали",
            "first_name": "Әсел",
        },
        "contact": {"address": "Алматы, ул. Абая 1"},
        "language": "ru",
        "channel": "post",
        "body_name": "Следственное управление Департамента полиции города Алматы",
        "case_number": "261100031000123",
        "subject": "search",
        "summary": "обыск в жилище проведён без постановления",
        "text": "Прошу признать незаконным обыск, проведённый 18 марта.",
        "received_at": "2026-03-19T11:00:00+05:00",
    }
    data.update(over)
    return json.dumps(data, ensure_ascii=False)


def test_search_complaint_registered_due_in_3_sutki_cpc_art_105_2(database: Database) -> None:
    """CPC arts. 105(2), 48(4): received Thursday 19 March 2026, 3 сутки end on Sunday 22
    March in the Nauryz days off: due Thursday 26 March. The procedure shows no personal data;
    the same complaint sent again is found, not registered twice."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        first = take_in(session, complaint())
        again = take_in(session, complaint())
    assert first.status == "registered" and again.status == "duplicate"
    assert again.registration_number == first.registration_number
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure))
    assert proc is not None and proc.kind is ProcedureKind.CPC_COMPLAINT
    assert (proc.area, proc.due_date) == ("criminal", dt.date(2026, 3, 26))
    assert proc.details is not None and proc.details["term_id"] == "complaint.investigator_urgent"
    shown = f"{proc.title} {json.dumps(proc.details, ensure_ascii=False)}"
    assert "Сейтқали" not in shown and IIN not in shown and "Абая" not in shown


def test_refusal_to_register_due_in_7_sutki_cpc_art_105_2(database: Database) -> None:
    """CPC arts. 105(2), 48(4): 7 сутки from Tuesday 9 December 2025 end on Independence Day
    (Tuesday 16 December): due Wednesday 17 December."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        result = take_in(
            session,
            complaint(subject="refusal_to_register", received_at="2025-12-09T09:30:00+05:00"),
        )
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure))
    assert result.status == "registered" and proc is not None
    assert not WorkingCalendar().is_working_day(dt.date(2025, 12, 16))
    assert proc.due_date == dt.date(2025, 12, 17)
    assert proc.details is not None and proc.details["term_id"] == "complaint.investigator"


def test_invalid_complaint_is_kept_as_rejected_with_the_reason(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        bad_iin = take_in(
            session,
            complaint(
                complainant={
                    "kind": "individual",
                    "iin": "850315400016",
                    "last_name": "A",
                    "first_name": "B",
                }
            ),
        )
        no_subject = take_in(session, complaint(external_id="cmp-2", subject="interrogation"))
    assert bad_iin.status == no_subject.status == "rejected"
    assert bad_iin.reason and "check digit" in bad_iin.reason
    assert no_subject.reason and "subject" in no_subject.reason
    with Session(database.engine) as session:
        kept = session.scalar(
            select(func.count()).where(
                InboxRecord.source == InboxSource.COMPLAINT,
                InboxRecord.status == InboxStatus.REJECTED,
            )
        )
        procedures = session.scalar(select(func.count()).select_from(Procedure))
    assert (kept, procedures) == (2, 0)


def test_submit_and_show_from_the_command_line(database: Database, tmp_path: Path) -> None:
    """`prosecutor complaints submit` stores a batch, the bad line kept and reported (exit 1);
    `show` gives the term and the complainant as initials only."""
    load_demo_office(database.engine)
    batch = tmp_path / "complaints.jsonl"
    batch.write_text(
        complaint() + "\n" + complaint(external_id="cmp-2", text="short") + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["complaints", "submit", str(batch), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["registered"], data["rejected"], data["announced"]) == (1, 1, False)
    number = next(c for c in data["complaints"] if c["status"] == "registered")[
        "registration_number"
    ]
    assert number.startswith("ALM-BST-CMP-2026-")
    shown = runner.invoke(app, ["complaints", "show", number, "--json"])
    assert shown.exit_code == 0, shown.output
    page = json.loads(shown.stdout)
    assert page["complainant"] == "С. Ә." and page["due_date"] == "2026-03-26"
    assert page["term_id"] == "complaint.investigator_urgent" and "Сейтқали" not in shown.stdout
    missing = runner.invoke(app, ["complaints", "show", "ALM-BST-CMP-2026-999999"])
    assert missing.exit_code == 1 and "no registered record" in missing.stderr


def test_appeal_on_investigators_actions_is_registered_once_as_a_complaint_cl155_art24_9(
    database: Database,
) -> None:
    """CL-155 art. 24(9): an appeal on the investigator's actions becomes a complaint under
    CPC art. 105 (7 сутки); routing it twice registers it once."""
    load_demo_office(database.engine)
    appeal = appeal_json(
        None,
        contact=None,
        channel="e_otinish",
        topic="investigator_actions",
        subject="Бездействие следователя",
        text="Следователь не проводит следственные действия по делу.",
        received_at="2026-03-18T16:00:00+05:00",
    )
    with sessionmaker(database.engine).begin() as session:
        taken = appeal_store.intake(session, appeal, "ALM-BST", WorkingCalendar())
        assert taken.registration_number
        row, _ = appeal_store.by_number(session, taken.registration_number)
        raw = from_appeal(appeal_store.parsed(row), taken.registration_number)
        first, second = take_in(session, raw), take_in(session, raw)
    assert (first.status, second.status) == ("registered", "duplicate")
    with Session(database.engine) as session:
        proc = session.scalar(
            select(Procedure).where(Procedure.kind == ProcedureKind.CPC_COMPLAINT)
        )
    # 7 сутки from 18 March 2026 end on 25 March, a day off: 26 March (CPC art. 48(4))
    assert proc is not None and proc.due_date == dt.date(2026, 3, 26)
    assert proc.details["term_id"] == "complaint.investigator"
