"""Appeal review end to end through the review_appeal flow (Prefect test harness), on SQLite
and PostgreSQL, under CL-155 art. 24: the closed list of grounds and forwarding (24(1), APPC
art. 65(1)), reply in each language (24(7)), extension to a chosen date (24(4)-(5)), an
inspection's interim and final replies (24(4)), anonymous (24(6)) and repeated (24(8)) appeals,
complaints the CPC governs (24(9))."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.review_appeal import AppealReview, Route, review_appeal
from models.appeals import store as appeal_store
from models.db.tables import AuditEntry, Document, Duty, Notification, Procedure, Signature
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.timing.calendar import WorkingCalendar, local_date, today
from models.timing.deadlines import TermUnit, add_months, due_date
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide_waiting, resume, wait_for_key, wait_until
from tests.office import absent, acting, load_demo_office
from tests.support.appeals import appeal_json as shared_appeal_json

pytestmark = pytest.mark.usefixtures("prefect_harness")
TEXT = "Работодатель три месяца не выплачивает заработную плату <script>alert(1)</script>."


def appeal_json(language: str = "ru", topic: str | None = "labour_rights", **over: Any) -> str:
    """Әсел Сейтқали's appeal on unpaid wages through e-Otinish, without an external id."""
    fields: dict[str, Any] = {
        "contact": {"address": "Алматы, ул. Абая 1", "email": "asel@example.kz"},
        "channel": "e_otinish",
        "subject": "Невыплата заработной платы",
        "text": TEXT,
    }
    return shared_appeal_json(
        None,
        last_name="Сейтқали",
        first_name="Әсел",
        language=language,
        topic=topic,
        **(fields | over),
    )


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
    ("language", "ground_words", "result_words"),
    [
        ("ru", "подпункта 2) пункта 1 статьи 24", "доводы обращения подтвердились"),
        ("kk", "24-бабы 1-тармағының 2) тармақшасы", "өтініштің дәлелдері расталды"),
    ],
)
def test_appeal_considered_and_answered_in_the_applicants_language_cl155_art24_7(
    database: Database, language: str, ground_words: str, result_words: str
) -> None:
    """CL-155 art. 24(1), (3), (7): considered on the topic's ground by an assistant of the
    area, answered in the appeal's language (kk or ru) stating the ground and the right to
    complain (art. 25), signed by the head, sent, closed."""
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
    result: AppealReview = run.join()
    assert result.route is Route.ANSWERED and result.status is ProcedureStatus.CLOSED
    assert (result.registration_number, result.signer) == (number, "head")
    assert (result.assignee, result.outcome) == ("sa-1", "upheld")
    [reply] = documents(database, number)
    assert result.reply_document_id == reply.id
    assert reply.language == language and reply.dispatched_at is not None
    assert ground_words in reply.body and result_words in reply.body
    assert "Сейтқали Әсел" in reply.body and "Уважаемый" not in reply.body
    assert result.ground == 2 and procedure(database, number).details["ground"] == 2
    assert "&lt;b&gt;погашена&lt;/b&gt; {{ 7*7 }}" in reply.body  # applicant-facing text escaped
    assert "<b>" not in reply.body and number in reply.body
    assert procedure(database, number).status is ProcedureStatus.CLOSED


def third_working_day_after(day: dt.date) -> dt.date:
    """The last day of APPC art. 65(1)'s three working days from ``day``, counted here on the
    calendar (not through the terms table) so a wrong term in the table is caught."""
    cal = WorkingCalendar()
    return cal.next_working_day(cal.next_working_day(cal.next_working_day(day)))


def test_appeal_outside_the_closed_list_is_forwarded_cl155_art24_1_appc_art65_1(
    database: Database,
) -> None:
    """CL-155 art. 24(1), APPC art. 65(1): a topic of another body is forwarded within 3
    working days of receipt, the applicant notified."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(topic="utilities_tariffs"))
    run = FlowInThread(review_appeal, appeal_ref=number)
    approve_next(run_id_of(database, number))
    result: AppealReview = run.join()
    assert result.route is Route.REDIRECTED and result.redirected_to == "natural-monopolies"
    assert result.status is ProcedureStatus.REDIRECTED and result.signer == "head"
    [notice] = documents(database, number)
    assert notice.kind == "redirection_notice" and "естественных монополий" in notice.body
    assert "статьи 65" in notice.body and "пункте 1 статьи 24" in notice.body
    assert notice.dispatched_at is not None
    with Session(database.engine) as session:
        [duty] = session.scalars(select(Duty).where(Duty.step == "redirect")).all()
    assert duty.status.value == "done" and duty.term_id == "appeal.redirect"
    assert duty.due_date == third_working_day_after(received_on(database, number))
    assert procedure(database, number).status is ProcedureStatus.REDIRECTED


def test_unlisted_topic_classified_as_no_ground_is_forwarded_cl155_art24_1_appc_art65_1(
    database: Database,
) -> None:
    """CL-155 art. 24(1) is a closed list: an unlisted topic is not presumed considered; the
    assistant classifies it within the 3 working days of APPC art. 65(1), and ground 0
    forwards it to the body the assistant names."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(topic="something_new"))
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    with Session(database.engine) as session:
        classify = session.scalar(select(Duty).where(Duty.step == "classify"))
    assert classify is not None
    assert classify.due_date == third_working_day_after(received_on(database, number))
    resume(run_id, assistant=classify.assignee_id, outcome="upheld", findings="Без основания")
    wait_for_key(run_id, "report-2")  # a reply without a ground of 24(1) is refused
    resume(run_id, assistant=classify.assignee_id, ground=0, forward_to="Аппарат акима района")
    approve_next(run_id)
    result: AppealReview = run.join()
    assert result.route is Route.REDIRECTED and result.redirected_to == "Аппарат акима района"
    assert (result.ground, result.assignee) == (0, classify.assignee_id)
    [notice] = documents(database, number)
    assert notice.kind == "redirection_notice" and "Аппарат акима района" in notice.body
    assert procedure(database, number).status is ProcedureStatus.REDIRECTED
    assert procedure(database, number).details["ground"] == 0


def test_extension_to_a_chosen_date_accepted_beyond_two_months_refused_cl155_art24_4(
    database: Database,
) -> None:
    """CL-155 art. 24(4)-(5): the head or a deputy (here the deputy replacing the head) extends
    the term to a reasonable date they choose, at most two months from receipt; a date beyond is
    refused; the applicant is notified, the notice duty due in 3 working days."""
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
    cal, received = WorkingCalendar(), received_on(database, number)
    two_months = add_months(received, 2)
    first_due = procedure(database, number).due_date
    resume(
        run_id,
        assistant="sa-1",
        extension_reason="запрошены сведения у работодателя",
        extension_until=(two_months + dt.timedelta(days=5)).isoformat(),
    )
    wait_for_key(run_id, "report-2")
    assert procedure(database, number).due_date == first_due  # refused: beyond two months
    chosen = cal.on_or_next_working_day(two_months - dt.timedelta(days=14))
    assert first_due < chosen < two_months
    resume(
        run_id,
        assistant="sa-1",
        extension_reason="запрошены сведения у работодателя",
        extension_until=chosen.isoformat(),
        information_requests=[{"body": "ТОО «Ромашка»", "question": "Сведения о выплатах"}],
    )
    approve_next(run_id, signer="dep-1")
    wait_for_key(run_id, "report-3")
    assert procedure(database, number).due_date == chosen  # not always the maximum
    resume(run_id, assistant="sa-1", outcome="explained", findings="Даны разъяснения.")
    approve_next(run_id, signer="dep-1")
    result: AppealReview = run.join()
    assert result.signer == "dep-1" and result.status is ProcedureStatus.CLOSED
    notice, _reply = documents(database, number)
    assert notice.kind == "extension_notice" and f"продлён до {chosen:%d.%m.%Y}" in notice.body
    assert "пунктами 4 и 5 статьи 24" in notice.body
    assert "И.о. прокурора района" in notice.body and notice.dispatched_at is not None
    with Session(database.engine) as session:
        refused = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "appeal.report_refused")
        )
        actions = session.scalars(select(AuditEntry.action)).all()
        request = session.scalar(select(Duty).where(Duty.step == "request-2-1"))
        notify = session.scalar(select(Duty).where(Duty.step.like("extension-notice-%")))
        signatures = session.scalars(select(Signature)).all()
    assert refused is not None and "24(4)" in json.loads(refused.payload)["reason"]
    assert "appeal.extended" in actions and request is not None
    assert notify is not None and notify.due_date == third_working_day_after(day)
    assert notify.status.value == "done"  # the notice went out with the signature
    assert all(s.acting for s in signatures)


def test_appeal_answered_by_an_inspection_interim_then_final_reply_cl155_art24_4(
    database: Database,
) -> None:
    """CL-155 art. 24(4) ¶2: an inspection ordered on the appeal: an interim reply; the term
    follows the inspection's (10 working days after its due end), and once its end is reported
    the final reply is due within 10 working days after that day."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json())
    cal = WorkingCalendar()
    inspection_due = due_date(today(), 30, TermUnit.WORKING_DAYS, cal)
    with sessionmaker(database.engine).begin() as session:
        inspection = procedure_store.register_procedure(
            session,
            office_code="ALM-BST",
            kind=ProcedureKind.INSPECTION,
            title="Проверка по обращению",
            year=today().year,
            due_date=inspection_due,
        ).registration_number
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    resume(run_id, assistant="sa-1", inspection_number=inspection)
    approve_next(run_id)
    wait_for_key(run_id, "report-2")
    interim = documents(database, number)[0]
    assert interim.kind == "interim_reply" and interim.dispatched_at is not None
    assert inspection in interim.body and "пункта 4 статьи 24" in interim.body
    provisional = due_date(inspection_due, 10, TermUnit.WORKING_DAYS, cal)
    assert procedure(database, number).due_date == provisional
    resume(run_id, assistant="sa-1", outcome="upheld", findings="Нарушения подтвердились.")
    wait_for_key(run_id, "report-3")  # no final reply before the inspection's end
    ended = today() - dt.timedelta(days=1)
    resume(run_id, assistant="sa-1", inspection_ended_on=ended.isoformat())
    wait_for_key(run_id, "report-4")
    expected = due_date(ended, 10, TermUnit.WORKING_DAYS, WorkingCalendar())
    assert procedure(database, number).due_date == expected
    with Session(database.engine) as session:
        consider = session.scalar(select(Duty).where(Duty.step == "consider"))
    assert consider is not None and consider.due_date == expected
    resume(run_id, assistant="sa-1", outcome="upheld", findings="Нарушения подтвердились.")
    approve_next(run_id)
    result: AppealReview = run.join()
    assert result.route is Route.ANSWERED and result.status is ProcedureStatus.CLOSED
    assert [d.kind for d in documents(database, number)] == ["interim_reply", "reply"]


def test_plain_anonymous_appeal_is_not_considered_but_screened_cl155_art24_6(
    database: Database,
) -> None:
    """CL-155 art. 24(6): an anonymous appeal without information on a crime or a threat to
    security is not considered; the deputy still reads it."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(applicant=None, contact=None))
    result = review_appeal(appeal_ref=number)
    assert result.route is Route.ANONYMOUS and result.status is ProcedureStatus.CLOSED
    assert result.assignee is None and result.signer is None
    with Session(database.engine) as session:
        note = session.scalar(select(Notification).where(Notification.kind == "screening"))
    assert note is not None and note.recipient_id == "dep-1"
    assert procedure(database, number).status is ProcedureStatus.CLOSED


def test_anonymous_report_of_a_crime_is_considered_cl155_art24_6(database: Database) -> None:
    """CL-155 art. 24(6): an anonymous appeal reporting a crime is considered; the reply is
    signed and kept on file (there is nobody to send it to)."""
    load_demo_office(database.engine)
    number = submit(
        database,
        appeal_json(applicant=None, contact=None, topic="crime_report", subject="О хищении"),
    )
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    assignee = procedure(database, number).assignee_id
    assert assignee == "as-2"  # the criminal area
    resume(run_id, assistant=assignee, ground=5, outcome="upheld", findings="Проверено.")
    approve_next(run_id)
    result: AppealReview = run.join()
    assert result.route is Route.ANSWERED and result.ground == 5
    assert result.status is ProcedureStatus.CLOSED
    [reply] = documents(database, number)
    assert reply.kind == "reply" and reply.dispatched_at is None
    with Session(database.engine) as session:
        assert session.scalar(select(Notification).where(Notification.kind == "screening")) is None


def answer(database: Database, number: str) -> None:
    """Consider and answer an appeal to the end."""
    run = FlowInThread(review_appeal, appeal_ref=number)
    run_id = run_id_of(database, number)
    wait_for_key(run_id, "report-1")
    resume(run_id, assistant="sa-1", outcome="not_upheld", findings="Доводы не подтвердились.")
    approve_next(run_id)
    result: AppealReview = run.join()
    assert result.route is Route.ANSWERED and result.status is ProcedureStatus.CLOSED


def test_repeated_appeal_answered_before_and_nothing_new_is_ended_cl155_art24_8(
    database: Database,
) -> None:
    """CL-155 art. 24(8): the same text (nothing new) and the earlier appeal answered: the
    consideration is ended and the applicant told, naming the earlier appeal."""
    load_demo_office(database.engine)
    first = submit(database, appeal_json())
    answer(database, first)
    second = submit(
        database,
        # the same text with other spacing and case is the same appeal
        appeal_json(text=TEXT.replace("три ", "три  ").upper()),
    )
    run = FlowInThread(review_appeal, appeal_ref=second)
    approve_next(run_id_of(database, second))
    result: AppealReview = run.join()
    assert result.route is Route.REPEATED and result.repeats == first
    assert result.status is ProcedureStatus.CLOSED
    [notice] = documents(database, second)
    assert notice.kind == "termination_notice" and first in notice.body
    assert "пунктом 8 статьи 24" in notice.body


def test_repeated_appeal_whose_predecessor_is_unanswered_is_considered_cl155_art24_8(
    database: Database,
) -> None:
    """CL-155 art. 24(8): nothing new, but the earlier appeal is still open: considered."""
    load_demo_office(database.engine)
    first = submit(database, appeal_json())
    second = submit(database, appeal_json())
    answer(database, second)
    assert procedure(database, second).status is ProcedureStatus.CLOSED
    with Session(database.engine) as session:
        linked = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "appeal.repeat_of_unanswered")
        )
    assert linked is not None and json.loads(linked.payload)["earlier"] == [first]
    assert [d.kind for d in documents(database, second)] == ["reply"]


def test_complaint_on_investigator_leaves_the_appeal_review_cl155_art24_9_cpc_art105(
    database: Database,
) -> None:
    """CL-155 art. 24(9): a complaint on an investigator's actions is no APPC appeal; it gets a
    duty under CPC art. 105(2) (7 сутки) for the criminal area, and no appeal letters."""
    load_demo_office(database.engine)
    number = submit(database, appeal_json(topic="investigator_actions"))
    result = review_appeal(appeal_ref=number)
    assert result.route is Route.CPC_COMPLAINT and result.cpc_complaint_assignee == "as-2"
    assert result.status is ProcedureStatus.CLOSED
    with Session(database.engine) as session:
        duty = session.scalar(select(Duty).where(Duty.step == "cpc-complaint"))
        consider = session.scalar(select(Duty).where(Duty.step == "consider"))
    received = received_on(database, number)
    assert duty is not None and consider is None and duty.assignee_id == "as-2"
    assert duty.term_id == "complaint.investigator"
    assert duty.due_date == WorkingCalendar().on_or_next_working_day(
        received + dt.timedelta(days=7)
    )
    proc = procedure(database, number)
    assert proc.details["route"] == "cpc_complaint" and documents(database, number) == []
    # ... and it becomes a complaint procedure of its own (CPC art. 105), the appeal closed
    assert proc.status is ProcedureStatus.CLOSED
    assert proc.details["cpc_complaint"].startswith("ALM-BST-CMP-")


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
    result: AppealReview = run.join()
    assert (result.outcome, result.assignee) == ("not_upheld", "sa-1")
