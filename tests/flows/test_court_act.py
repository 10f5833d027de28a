"""Review of a court act not yet in force through the review_court_act flow (Prefect test
harness, both databases): the window from the pronouncement or the final form, the assistant's
conclusion, the апелляционное ходатайство through the court of first instance."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.review_court_act import review_court_act
from models.db.tables import AuditEntry, Document, Duty, Procedure
from models.procedures import ProcedureStatus
from models.procedures.court_acts import ReviewOutcome
from tasks.court_acts import Conclusion
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

COURTS: dict[str, str] = {
    "court_name_ru": "Бостандыкский районный суд города Алматы",
    "court_name_kk": "Алматы қаласы Бостандық аудандық соты",
    "appellate_court_ru": "судебную коллегию по уголовным делам Алматинского городского суда",
    "appellate_court_kk": "Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына",
}


def court_act_procedure(database: Database) -> Procedure:
    def found() -> Procedure | None:
        with Session(database.engine) as session:
            # on SQLite the registration's savepoint can commit before the run id is set: wait
            # for the whole registration
            return session.scalar(
                select(Procedure).where(
                    Procedure.kind == "court_act", Procedure.flow_run_id.is_not(None)
                )
            )

    return wait_until(found, what="the court act")


def conclusion_duty(database: Database, proc: Procedure) -> Duty:
    with Session(database.engine) as session:
        return session.scalars(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "conclusion")
        ).one()


def the_petition(database: Database) -> Document:
    with Session(database.engine) as session:
        return session.scalars(select(Document).where(Document.kind == "appellate_petition")).one()


def start(**given: Any) -> FlowInThread:
    return FlowInThread(review_court_act, **(COURTS | given))


def test_the_conclusion_form_offers_no_protest_cl155_art_38() -> None:
    """CL-155 art. 38: against an act not in force the prosecutor brings a petition, so the
    conclusion has no choice of act."""
    assert "act_type" not in Conclusion.model_fields


def test_verdict_received_a_week_later_is_appealed_within_the_window_from_pronouncement(
    database: Database,
) -> None:
    """CPC art. 418(1): pronounced 2 March 2026, received 9 March: the window ends 17 March
    (15 сутки from the pronouncement), the conclusion is due two working days before (13 March).
    A conclusion without grounds is asked again (CPC art. 423(1)(5)); the signed апелляционное
    ходатайство is addressed to the appellate court through the court of first instance (CPC
    art. 417(1))."""
    load_demo_office(database.engine)
    run = start(
        window_kind="criminal_verdict",
        case_number="7512-26-00-1/101",
        act_date=dt.date(2026, 3, 2),
        window_starts_on=dt.date(2026, 3, 2),
        received_on=dt.date(2026, 3, 9),
    )
    proc = court_act_procedure(database)
    assert proc.due_date == dt.date(2026, 3, 17)
    assert conclusion_duty(database, proc).due_date == dt.date(2026, 3, 13)
    assert proc.details["received_on"] == "2026-03-09"
    assert proc.details["window_starts_on"] == "2026-03-02"

    wait_for_key(proc.flow_run_id, "conclusion-1")
    resume(proc.flow_run_id, assistant="as-2", appeal=True, grounds="", request="отменить")
    wait_for_key(proc.flow_run_id, "conclusion-2")
    resume(
        proc.flow_run_id,
        assistant="as-2",
        appeal=True,
        grounds="суд неправильно применил уголовный закон",
        request="отменить приговор и вынести новый обвинительный приговор",
        attachments=["копия приговора"],
    )
    decide(waiting_approval(database.engine), "head")
    result = run.join()
    assert result.outcome is ReviewOutcome.APPEALED and result.window_end == dt.date(2026, 3, 17)

    petition = the_petition(database)
    assert "ПРОТЕСТ" not in petition.body and "статьей 38 Конституционного закона" in petition.body
    assert "В судебную коллегию по уголовным делам Алматинского городского суда" in petition.body
    assert "через Бостандыкский районный суд города Алматы" in petition.body
    assert "приговор от 02.03.2026 по делу № 7512-26-00-1/101" in petition.body
    assert petition.dispatched_at is not None
    with Session(database.engine) as session:
        assert session.get_one(Procedure, proc.id).status == ProcedureStatus.CLOSED
        window = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "court_act.window")
        ).one()
    payload = json.loads(window.payload)
    assert payload["window_starts_on"] == "2026-03-02" and payload["received_on"] == "2026-03-09"
    assert payload["source"] == "CPC art. 418(1)"


def test_civil_decision_window_runs_from_the_final_form_and_may_end_unappealed(
    database: Database,
) -> None:
    """CivPC art. 403(3): one month from the decision in final form (30 January 2026), not from
    its receipt (9 February): 28 February is a Saturday, so 2 March."""
    load_demo_office(database.engine)
    run = start(
        window_kind="civil_decision",
        case_number="7512-26-00-2/55",
        act_date=dt.date(2026, 1, 26),
        window_starts_on=dt.date(2026, 1, 30),
        received_on=dt.date(2026, 2, 9),
        language="kk",
    )
    proc = court_act_procedure(database)
    assert proc.due_date == dt.date(2026, 3, 2)
    wait_for_key(proc.flow_run_id, "conclusion-1")
    resume(proc.flow_run_id, assistant="as-2", appeal=False)
    result = run.join()
    assert result.outcome is ReviewOutcome.NO_GROUNDS and not result.appealed
    with Session(database.engine) as session:
        assert session.get_one(Procedure, proc.id).status == ProcedureStatus.CLOSED
        assert session.scalar(select(Document).where(Document.kind == "appellate_petition")) is None


def test_an_act_received_before_its_window_starts_is_refused(database: Database) -> None:
    """The window starts with the pronouncement, delivery or final form: the office cannot have
    received the act before that, so the dates are refused and nothing is registered."""
    load_demo_office(database.engine)
    with pytest.raises(ValueError, match="before the window starts"):
        review_court_act(
            window_kind="criminal_verdict",
            case_number="7512-26-00-1/102",
            act_date=dt.date(2026, 3, 12),
            window_starts_on=dt.date(2026, 3, 12),
            received_on=dt.date(2026, 3, 10),
            **COURTS,
        )
    with Session(database.engine) as session:
        assert session.scalar(select(Procedure).where(Procedure.kind == "court_act")) is None
