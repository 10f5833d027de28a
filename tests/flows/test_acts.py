"""Acts of the prosecutor's office through the ``issue-act`` flow (Prefect test harness, both
databases): the catalogue's protest, submission and clarification from signature to their end."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.check_deadlines import check_deadlines
from flows.issue_act import ActResult, issue_act
from flows.record_answer import record_answer
from models.db.tables import AuditEntry, Document, Duty, Escalation, Notification, Procedure
from models.procedures import ProcedureStatus
from models.procedures.acts import Act, ActOutcome, AdminOffence, OffenderKind, OnRefusal
from models.timing.calendar import WorkingCalendar, today
from tests.conftest import Database
from tests.flows.waiting import (
    FlowInThread,
    decide,
    resume,
    wait_for_key,
    wait_until,
    waiting_approval,
)
from tests.office import load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")
ACT = {
    "addressee": "Акиму Бостандыкского района города Алматы",
    "act_title": "решение акима района «О закрытии сквера»",
    "act_number": "15",
    "act_date": dt.date(2026, 11, 1),
    "act_issuer": "аким Бостандыкского района города Алматы",
    "violation": "ограничен доступ граждан к общественной территории без законных оснований",
    "demands": "отменить решение",
}
OFFENCE = AdminOffence(
    offender_kind=OffenderKind.PERSON,
    offender_name="Әбдірахманова Зуһра Қайратқызы",
    birth_date=dt.date(1985, 4, 12),
    iin_bin="850412450123",
    address="г. Алматы, ул. Тимирязева, д. 42, кв. 7",
    workplace="ТОО «Алатау Құрылыс», директор",
    coao_article="462",
    coao_part=1,
    offence_place="г. Алматы, ул. Тимирязева, д. 42",
    offence_date=dt.date(2026, 11, 20),
)


def procedure_of(database: Database, kind: str) -> Procedure:
    def found() -> Procedure | None:
        with Session(database.engine) as session:
            # wait for the whole registration, the run id included
            return session.scalar(
                select(Procedure).where(Procedure.kind == kind, Procedure.flow_run_id.is_not(None))
            )

    return wait_until(found, what=f"the {kind} to be registered")


def open_duty(database: Database, proc: Procedure, step: str) -> Duty:
    def found() -> Duty | None:
        with Session(database.engine) as session:
            return session.scalar(
                select(Duty).where(Duty.procedure_id == proc.id, Duty.step == step)
            )

    return wait_until(found, what=f"duty {step}")


def documents(database: Database, proc: Procedure, kind: str) -> list[Document]:
    with Session(database.engine) as session:
        return list(
            session.scalars(
                select(Document).where(Document.procedure_id == proc.id, Document.kind == kind)
            )
        )


def test_silent_addressee_of_a_suspended_protest_leads_to_a_court_application(
    database: Database,
) -> None:
    """CL-155 art. 33(3): a term set by the prosecutor, here 3 working days; art. 33(5): the
    district prosecutor suspends the protested act; art. 39(2): silence past the term is taken
    to court — the application is drafted by the flow, not chosen."""
    load_demo_office(database.engine)
    run = FlowInThread(
        issue_act,
        act=Act.PROTEST,
        reference="akimat-15",
        responsible="as-1",
        term_days=3,
        suspend_contested_act=True,
        **ACT,
    )
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "protest")
    wait_for_key(proc.flow_run_id, "answer-")
    duty = open_duty(database, proc, "consideration")
    cal = WorkingCalendar()
    third = today()
    for _ in range(3):
        third = cal.next_working_day(third)
    assert duty.due_date == third
    [protest] = documents(database, proc, "protest")
    assert "пункта 5 статьи 33" in protest.body
    assert "статьей 33 Конституционного закона" in protest.body and protest.dispatched_at
    # brought against the act, named with its number, date and issuer (CL-155 art. 33(1))
    assert (
        "Опротестовываемый акт: решение акима района «О закрытии сквера» от 01.11.2026 № 15."
    ) in html.unescape(protest.body)
    assert "аким Бостандыкского района города Алматы" in protest.body

    assert check_deadlines(on=duty.due_date).escalated == 0  # still within the term
    assert check_deadlines(on=cal.next_working_day(duty.due_date)).escalated == 1

    assert record_answer(duty_ref=f"prosecutor.duty.{duty.id}", outcome="silence")
    decide(waiting_approval(database.engine), "head")  # the court application, drafted
    result = run.join()
    assert result == ActResult(
        registration_number=proc.registration_number,
        act=Act.PROTEST,
        outcome=ActOutcome.SILENCE,
        followed_by=OnRefusal.APPLY_TO_COURT,
        head_notified=True,
        court_application=True,
    )
    [application] = documents(database, proc, "court_application")
    assert application.dispatched_at and "пунктом 2 статьи 39" in application.body
    text = html.unescape(application.body)
    assert "Ответчик: аким Бостандыкского района города Алматы." in text
    assert "пунктом 5 статьи 31 и статьей 131 Административного" in text
    assert "оставлен без рассмотрения" in text and "принесен протест" in text
    with Session(database.engine) as session:
        closed = session.get_one(Procedure, proc.id)
        actions = set(session.scalars(select(AuditEntry.action)))
    assert closed.status is ProcedureStatus.CLOSED and closed.details["contested_act_suspended"]
    assert {"act.contested_act_suspended", "act.escalated", "act.closed"} <= actions


def test_rejected_submission_after_its_hearing_leads_to_a_drafted_court_application(
    database: Database,
) -> None:
    """CL-155 art. 36(2): the hearing is announced (time and place recorded; a notice later than
    3 working days before it is marked late), the result due 3 working days after it; art.
    39(2): the rejection is taken to court, escalated to the head at once."""
    load_demo_office(database.engine)
    run = FlowInThread(
        issue_act, act=Act.SUBMISSION, reference="school-7", responsible="as-1", **ACT
    )
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "submission")
    wait_for_key(proc.flow_run_id, "answer-")
    duty = open_duty(database, proc, "consideration")
    hearing = today() + dt.timedelta(days=1)
    assert record_answer(
        duty_ref=f"prosecutor.duty.{duty.id}",
        hearing_date=hearing.isoformat(),
        hearing_place="акимат, зал заседаний",
        notified_on=today().isoformat(),
    )
    result_duty = open_duty(database, proc, "hearing-1")
    cal = WorkingCalendar()
    expected = hearing
    for _ in range(3):
        expected = cal.next_working_day(expected)
    assert result_duty.due_date == expected
    wait_for_key(proc.flow_run_id, f"answer-{result_duty.id}")
    assert record_answer(
        duty_ref=f"prosecutor.duty.{result_duty.id}", answer="Отклонено", outcome="rejected"
    )
    decide(waiting_approval(database.engine), "head")
    assert run.join().court_application
    with Session(database.engine) as session:
        [escalation] = session.scalars(select(Escalation)).all()
        details = session.get_one(Procedure, proc.id).details
    assert (escalation.subject_id, escalation.to_staff_id) == (result_duty.id, "head")
    assert details["hearing"] == {
        "date": hearing.isoformat(),
        "place": "акимат, зал заседаний",
        "notice_late": True,
    }
    assert documents(database, proc, "court_application")[0].dispatched_at


def test_clarification_is_signed_delivered_and_closed(database: Database) -> None:
    """CL-155 art. 41: a written clarification; nothing is awaited from the person warned."""
    load_demo_office(database.engine)
    run = FlowInThread(issue_act, act=Act.CLARIFICATION, reference="warn-3", language="kk", **ACT)
    decide(waiting_approval(database.engine), "head")
    result = run.join()
    assert (result.outcome, result.followed_by) == (ActOutcome.ISSUED, None)
    proc = procedure_of(database, "clarification")
    with Session(database.engine) as session:
        assert session.scalars(select(Duty).where(Duty.procedure_id == proc.id)).all() == []
    [doc] = documents(database, proc, "clarification")
    assert "41-бабын" in doc.body and doc.dispatched_at


def test_a_protest_term_under_3_working_days_registers_nothing(database: Database) -> None:
    """CL-155 art. 33(3): not less than three working days; refused before registration."""
    load_demo_office(database.engine)
    with pytest.raises(ValueError, match="33"):
        issue_act(act=Act.PROTEST, reference="akimat-16", term_days=2, **ACT)
    with Session(database.engine) as session:
        assert session.scalars(select(Procedure)).all() == []


def _admin_offence_ends_with(
    database: Database, reference: str, **answer: str
) -> tuple[Procedure, ActResult]:
    """A decree opening an administrative-offence case, signed and delivered, then the body's
    ``answer``; returns its procedure and the flow's result."""
    load_demo_office(database.engine)
    run = FlowInThread(
        issue_act,
        act=Act.ADMIN_OFFENCE,
        reference=reference,
        responsible="as-1",
        offence=OFFENCE,
        **(ACT | {"addressee": "Специализированному административному суду г. Алматы"}),
    )
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "admin_offence")
    wait_for_key(proc.flow_run_id, "answer-")
    duty = open_duty(database, proc, "consideration")
    assert record_answer(duty_ref=f"prosecutor.duty.{duty.id}", **answer)
    return proc, run.join()


def _challenged_not_taken_to_court(database: Database, proc: Procedure) -> None:
    """CoAO art. 826-2(2): the body's decision is protested within 10 сутки of the copy, a duty
    of the responsible assistant left open; no application to court, nothing put to the head."""
    challenge = open_duty(database, proc, "challenge-decision")
    expected = WorkingCalendar().on_or_next_working_day(today() + dt.timedelta(days=10))
    assert (challenge.status.value, challenge.due_date) == ("open", expected)
    assert challenge.assignee_id == "as-1"
    assert documents(database, proc, "court_application") == []
    with Session(database.engine) as session:
        assert session.get_one(Procedure, proc.id).status is ProcedureStatus.CLOSED
        assert session.scalars(select(Escalation)).all() == []
        assert session.scalars(select(Notification)).all() == []
        assert "act.escalated" not in set(session.scalars(select(AuditEntry.action)))


def test_admin_offence_case_refused_leaves_a_protest_duty_not_a_court_application(
    database: Database,
) -> None:
    """CoAO art. 817(1): the body considers the case in 15 сутки; a refusal ends in the body's
    decision, which the prosecutor protests within 10 сутки of the copy (CoAO art. 826-2(2)):
    the catalogue's follow-up for the decree (a challenge of the decision), not the court of
    CL-155 art. 39(2), so the head is not asked to take it to court."""
    proc, result = _admin_offence_ends_with(
        database, "aop-4", answer="Производство прекращено", outcome="rejected"
    )
    assert (result.outcome, result.followed_by) == (
        ActOutcome.REJECTED,
        OnRefusal.CHALLENGE_DECISION,
    )
    assert not result.head_notified and not result.court_application
    _challenged_not_taken_to_court(database, proc)
    [decree] = documents(database, proc, "admin_offence")
    text = html.unescape(decree.body)
    assert "предусмотренном частью 1 статьи 462 Кодекса" in text  # CoAO art. 803(2)(5)
    assert "дата рождения: 12.04.1985; индивидуальный идентификационный номер: 850412450123" in text
    assert "статьями 803 и 805 Кодекса" in text and "статьей 744" in text


def test_admin_offence_case_left_in_silence_is_challenged_without_asking_the_head(
    database: Database,
) -> None:
    """The catalogue says what follows a decree's refusal or silence (CL-155 art. 37(1)(1),
    CoAO art. 826-2): the decision in the case is challenged; no escalation to the head, no
    application to court (that is CL-155 art. 39(2), for the other acts of supervision)."""
    proc, result = _admin_offence_ends_with(database, "aop-5", outcome="silence")
    assert result == ActResult(
        registration_number=proc.registration_number,
        act=Act.ADMIN_OFFENCE,
        outcome=ActOutcome.SILENCE,
        followed_by=OnRefusal.CHALLENGE_DECISION,
        head_notified=False,
        court_application=False,
    )
    _challenged_not_taken_to_court(database, proc)


def test_a_protest_without_the_protested_act_registers_nothing(database: Database) -> None:
    """CL-155 art. 33(1): a protest is brought against an act, decision or action; without one
    named it is refused before registration (never "against" an organisation)."""
    load_demo_office(database.engine)
    given = {k: v for k, v in ACT.items() if not k.startswith("act_")}
    with pytest.raises(ValueError, match="33"):
        issue_act(act=Act.PROTEST, reference="akimat-17", **given)
    with Session(database.engine) as session:
        assert session.scalars(select(Procedure)).all() == []


def test_an_inspection_decision_still_names_the_act_in_one_line(database: Database) -> None:
    """The inspection's trigger sends ``act_name`` (prefect.yaml): it stands as the protested
    act's description."""
    load_demo_office(database.engine)
    given = {k: v for k, v in ACT.items() if not k.startswith("act_")}
    run = FlowInThread(
        issue_act,
        act=Act.PROTEST,
        reference="akimat-18",
        act_name="приказ руководителя ГУ «Отдел образования» от 02.11.2026 № 44-п",
        **given,
    )
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "protest")
    wait_for_key(proc.flow_run_id, "answer-")
    [protest] = documents(database, proc, "protest")
    assert "Опротестовываемый акт: приказ руководителя ГУ" in html.unescape(protest.body)
    duty = open_duty(database, proc, "consideration")
    assert record_answer(duty_ref=f"prosecutor.duty.{duty.id}", outcome="accepted")
    assert run.join().outcome is ActOutcome.ACCEPTED


def test_an_admin_offence_decided_by_an_inspection_asks_for_the_identity_data_coao_art_803(
    database: Database,
) -> None:
    """CoAO arts. 805(3), 803(2): the decree states the person's identity data and the offence's
    article; an inspection's decision carries neither, so the run asks before drafting."""
    load_demo_office(database.engine)
    given = {k: v for k, v in ACT.items() if not k.startswith("act_")}
    run = FlowInThread(issue_act, act=Act.ADMIN_OFFENCE, reference="aop-6", **given)
    proc = procedure_of(database, "admin_offence")
    wait_for_key(proc.flow_run_id, "offence")
    assert documents(database, proc, "admin_offence") == []
    resume(proc.flow_run_id, offence=OFFENCE.model_dump(mode="json"))
    decide(waiting_approval(database.engine), "head")
    wait_for_key(proc.flow_run_id, "answer-")
    [decree] = documents(database, proc, "admin_offence")
    assert "ИИН" in decree.body or "850412450123" in decree.body
    duty = open_duty(database, proc, "consideration")
    assert record_answer(duty_ref=f"prosecutor.duty.{duty.id}", outcome="accepted")
    assert run.join().outcome == "accepted"
