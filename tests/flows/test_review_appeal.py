"""Appeal review end to end through the review_appeal flow (Prefect test harness), on SQLite
and PostgreSQL: consideration, reply in each language, redirection, extension, anonymous and
repeated appeals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.review_appeal import review_appeal
from models import appeal_store
from models.calendar import WorkingCalendar, local_date, today
from models.deadlines import add_months
from models.procedures import ProcedureStatus
from models.tables import AuditEntry, Document, Duty, Notification, Procedure, Signature
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide_waiting, resume, wait_for_key, wait_until
from tests.office import absent, acting, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")
IIN = "850315400015"
TEXT = "Работодатель три месяца не выплачивает заработную плату <script>alert(1)</script>."


def appeal_json(language: str = "ru", topic: str | None = "labour_rights", **over: Any) -> str:
    data: dict[str, Any] = {
        "applicant": {
            "kind": "individual",
            "iin": IIN,
            "last_name": "Сейтқали",
            "first_name": "Әсел",
        },
        "contact": {"address": "Алматы, ул. Абая 1", "email": "asel@example.kz"},
        "language": language,
        "channel": "e_otinish",
        "topic": topic,
        "subject": "Невыплата заработной платы",
        "text": TEXT,
        "received_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
    }
    data.update(over)
    return json.dumps(data, ensure_ascii=False)


def submit(database: Database, raw: str) -> str:
    with sessionmaker(database.engine).begin() as session:
        result = appeal_store.intake(session, raw, "ALM-BST", WorkingCalendar())
    assert result.status == "registered", result
    assert result.registration_number
    return result.registration_number


def received_on(database: Database, number: str) -> dt.date:
    with Session(database.engine) as session:
        row, _ = appeal_store.by_number(session, number)
        return local_date(appeal_store.parsed(row).received_at)


def run_id_of(database: Database, number: str) -> str:
    def found() -> str | None:
        with Session(database.engine) as session:
            row, _ = appeal_store.by_number(session, number)
            return row.review_flow_run_id

    return wait_until(found, what="the review to register the appeal")


def approve_next(run_id: str, signer: str = "head") -> None:
    decide_waiting(run_id, signer)


def procedure(database: Database, number: str) -> Procedure:
    with Session(database.engine) as session:
        return session.scalar(select(Procedure).where(Procedure.registration_number == number))


def documents(database: Database, number: str) -> list[Document]:
    proc = procedure(database, number)
    with Session(database.engine) as session:
        return list(
            session.scalars(
                select(Document).where(Document.procedure_id == proc.id).order_by(Document.id)
            )
        )


@pytest.mark.parametrize(
    ("language", "greeting", "result_words"),
    [
        ("ru", "Уважаемый(ая) Сейтқали Әсел!", "доводы обращения подтвердились"),
        ("kk", "Құрметті Сейтқали Әсел!", "өтініштің дәлелдері расталды"),
    ],
)
def test_appeal_considered_and_answered_in_the_applicants_language(
    database: Database, language: str, greeting: str, result_words: str
) -> None:
    """APPC art. 76: considered by an assistant of the area, answered in the applicant's
    language (kk or ru), signed by the head, sent, closed."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(language))
    run = FlowInThread(review_appeal, appeal_ref=f"prosecutor.appeal.{number}")
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    proc = procedure(database, number)
    assert proc.assignee_id == "sa-1"  # the only assistant of the social area present
    assert proc.due_date == WorkingCalendar().on_or_next_working_day(proc.due_date)
    resume(
        run_id,
        assistant="sa-1",
        outcome="upheld",
        findings="Задолженность <b>погашена</b> {{ 7*7 }}.",
    )
    approve_next(run_id)
    result = run.join()
    assert result["status"] == "closed" and result["signer"] == "head"
    [reply] = documents(database, number)
    assert reply.language == language and reply.dispatched_at is not None
    assert greeting in reply.body and result_words in reply.body
    assert "&lt;b&gt;погашена&lt;/b&gt; {{ 7*7 }}" in reply.body  # applicant-facing text escaped
    assert "<b>" not in reply.body and number in reply.body
    assert procedure(database, number).status is ProcedureStatus.CLOSED


def test_appeal_outside_competence_is_redirected_with_a_notice(database: Database) -> None:
    """APPC art. 65(1): forwarded to the competent body within 3 working days, the applicant
    notified."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(topic="utilities_tariffs"))
    run = FlowInThread(review_appeal, appeal_ref=number)
    approve_next(run_id_of(database, number))
    assert run.join()["status"] == "redirected to natural-monopolies"
    [notice] = documents(database, number)
    assert notice.kind == "redirection_notice" and "естественных монополий" in notice.body
    assert "статьи 65" in notice.body
    with Session(database.engine) as session:
        [duty] = session.scalars(select(Duty).where(Duty.step == "redirect")).all()
    assert duty.status.value == "done"
    received = today()
    assert (
        duty.due_date
        == WorkingCalendar().next_working_day(
            WorkingCalendar().next_working_day(WorkingCalendar().next_working_day(received))
        )
        or duty.due_date >= received
    )
    assert procedure(database, number).status is ProcedureStatus.REDIRECTED


def test_extension_approved_by_the_acting_deputy_and_notified(database: Database) -> None:
    """APPC art. 76: the head or the deputy replacing the head extends the term to at most two
    months from receipt, and the applicant is notified."""
    load_demo_office(database.engine)
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=20))
    acting(
        database.engine, "dep-1", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=20)
    )
    number = submit(database, appeal_json())
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    resume(
        run_id,
        assistant="sa-1",
        extension_reason="запрошены сведения у работодателя",
        information_requests=[{"body": "ТОО «Ромашка»", "question": "Сведения о выплатах"}],
    )
    approve_next(run_id, signer="dep-1")
    wait_for_key(run_id, "report-2")
    cal, received = WorkingCalendar(), received_on(database, number)
    two_months = add_months(received, 2)
    assert procedure(database, number).due_date == cal.on_or_next_working_day(two_months)
    resume(run_id, assistant="sa-1", outcome="explained", findings="Даны разъяснения.")
    approve_next(run_id, signer="dep-1")
    result = run.join()
    assert result["signer"] == "dep-1"
    notice, _reply = documents(database, number)
    assert notice.kind == "extension_notice" and "продлён до" in notice.body
    assert "И.о. прокурора района" in notice.body and notice.dispatched_at is not None
    with Session(database.engine) as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        request = session.scalar(select(Duty).where(Duty.step == "request-1-1"))
        signatures = session.scalars(select(Signature)).all()
    assert "appeal.extended" in actions and request is not None
    assert all(s.acting for s in signatures)


def test_anonymous_appeal_is_not_considered_but_screened(database: Database) -> None:
    load_demo_office(database.engine)
    number = submit(database, appeal_json(applicant=None, contact=None))
    result = review_appeal(appeal_ref=number)
    assert result["status"] == "not considered: anonymous"
    with Session(database.engine) as session:
        note = session.scalar(select(Notification).where(Notification.kind == "screening"))
    assert note is not None and note.recipient_id == "dep-1"
    assert procedure(database, number).status is ProcedureStatus.CLOSED


def test_repeated_appeal_without_new_arguments_is_terminated(database: Database) -> None:
    """A repeated appeal with the same text and no new arguments: the procedure is terminated
    and the applicant told, naming the earlier appeal."""
    load_demo_office(database.engine)
    first = submit(database, appeal_json())
    second = submit(
        database,
        # the same text with other spacing and case is the same appeal
        appeal_json(text=TEXT.replace("три ", "три  ").upper()),
    )
    run = FlowInThread(review_appeal, appeal_ref=second)
    approve_next(run_id_of(database, second))
    assert run.join()["status"] == f"terminated: repeats {first}"
    [notice] = documents(database, second)
    assert notice.kind == "termination_notice" and first in notice.body


def test_report_by_someone_not_assigned_is_refused(database: Database) -> None:
    load_demo_office(database.engine)
    number = submit(database, appeal_json())
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    resume(run_id, assistant="as-2", outcome="upheld", findings="Чужой отчёт")
    wait_for_key(run_id, "report-2")
    with Session(database.engine) as session:
        refused = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "appeal.report_refused")
        )
    assert refused is not None and refused.actor == "as-2"
    resume(run_id, assistant="sa-1", outcome="not_upheld", findings="Доводы не подтвердились.")
    approve_next(run_id)
    assert run.join()["outcome"] == "not_upheld"
