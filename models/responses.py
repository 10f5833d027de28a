"""Acts of prosecutorial response (акты прокурорского реагирования), Regulation cl. 8
(obligation 3, rights 8-9): what each act is, the addressee's term, and what the office may do
when the addressee is silent or refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from models.calendar import WorkingCalendar
from models.deadlines import TermUnit, due_date
from models.procedures import ProcedureKind
from models.terms import default_terms


class Act(StrEnum):
    PROTEST = "protest"  # протест: against an illegal act, to repeal or bring it in line
    SUBMISSION = "submission"  # представление: eliminate violations, their causes and conditions
    ORDER = "order"  # предписание
    SUSPENSION_DEMAND = "suspension_demand"  # требование приостановить акт / снять ограничения
    ADMIN_OFFENCE = "admin_offence"  # постановление о возбуждении производства об АП


PROCEDURE_OF = {
    Act.PROTEST: ProcedureKind.PROTEST,
    Act.SUBMISSION: ProcedureKind.SUBMISSION,
    Act.ORDER: ProcedureKind.ORDER,
    Act.SUSPENSION_DEMAND: ProcedureKind.SUSPENSION_DEMAND,
    Act.ADMIN_OFFENCE: ProcedureKind.ADMIN_OFFENCE,
}

# The addressee's consideration term of each act, a row of the terms table.
TERM_OF = {
    Act.PROTEST: "protest.consideration",
    Act.SUBMISSION: "submission.consideration",
    Act.ORDER: "order.execution",
    Act.SUSPENSION_DEMAND: "suspension_demand.execution",
    Act.ADMIN_OFFENCE: "admin_offence.consideration",
}


class Answer(StrEnum):
    ACCEPTED = "accepted"
    PARTLY = "partly"
    REJECTED = "rejected"
    SILENCE = "silence"  # no answer by the end of the term


class Next(StrEnum):
    CLOSE = "close"
    APPLY_TO_COURT = "apply_to_court"  # L-81 art. 30(2): a rejected act goes to court
    NOTHING_FURTHER = "nothing_further"


@dataclass(frozen=True, slots=True)
class Powers:
    """What the office may do with an act; a district prosecutor cannot suspend a protested act
    (only higher prosecutors can), so the protest offers no suspension."""

    may_suspend_protested_act: bool
    on_refusal: tuple[Next, ...]


POWERS = {
    Act.PROTEST: Powers(False, (Next.APPLY_TO_COURT, Next.NOTHING_FURTHER)),
    Act.SUBMISSION: Powers(False, (Next.APPLY_TO_COURT, Next.NOTHING_FURTHER)),
    Act.ORDER: Powers(False, (Next.APPLY_TO_COURT, Next.NOTHING_FURTHER)),
    Act.SUSPENSION_DEMAND: Powers(False, (Next.APPLY_TO_COURT, Next.NOTHING_FURTHER)),
    Act.ADMIN_OFFENCE: Powers(False, (Next.NOTHING_FURTHER,)),
}


def consideration_due(
    act: Act, delivered: dt.date, calendar: WorkingCalendar, longer_days: int | None = None
) -> dt.date:
    """The addressee's last day. A protest's term may be set longer by the prosecutor, never
    shorter (L-81 art. 24, to be confirmed against CL-155)."""
    term = default_terms().get(TERM_OF[act])
    assert term.term is not None and term.unit is not None
    days = term.term
    if longer_days is not None:
        if act is not Act.PROTEST:
            raise ValueError("only a protest's term may be set by the prosecutor")
        if longer_days < days:
            raise ValueError(f"a protest's term cannot be shorter than {days} days")
        days = longer_days
    return due_date(delivered, days, term.unit, calendar)


def next_step(act: Act, answer: Answer) -> Next:
    if answer is Answer.ACCEPTED:
        return Next.CLOSE
    return POWERS[act].on_refusal[0]


def hearing_result_due(hearing: dt.date, calendar: WorkingCalendar) -> dt.date:
    """A submission's result is reported within 3 working days of its hearing (L-81 art. 27)."""
    return due_date(hearing, 3, TermUnit.WORKING_DAYS, calendar)
