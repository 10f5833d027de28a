"""Procedures (производства), their states and allowed transitions, and registration numbers."""

from __future__ import annotations

from enum import StrEnum


class ProcedureKind(StrEnum):
    APPEAL = "appeal"  # обращение
    INSPECTION = "inspection"  # проверка
    PROTEST = "protest"  # протест
    SUBMISSION = "submission"  # представление
    ORDER = "order"  # предписание of the repealed law: old rows stay readable, none are new
    COURT_ACT = "court_act"  # пересмотр судебного акта
    COORDINATION = "coordination"  # координация правоохранительных органов
    RELEASE = "release"  # освобождение незаконно задержанного
    SUSPENSION_DEMAND = "suspension_demand"  # the old "demand to suspend": old rows only
    ADMIN_OFFENCE = "admin_offence"  # возбуждение производства об административном правонарушении
    DECREE = "decree"  # постановление прокурора, CL-155 art. 37
    CLARIFICATION = "clarification"  # разъяснение о недопустимости нарушений закона, art. 41
    COURT_APPLICATION = "court_application"  # заявление (иск) в суд, art. 39
    # Supervision of pre-trial investigation (CPC art. 193):
    CRIMINAL_CASE = "criminal_case"  # уголовное дело под надзором (ЕРДР)
    DETENTION = "detention"  # задержание: control of its terms in hours, CPC arts. 128-134
    CPC_COMPLAINT = "cpc_complaint"  # жалоба на действия органа расследования, CPC art. 105
    CASE_DECISION = "case_decision"  # решение прокурора по оконченному делу, CPC arts. 301-303
    INSTRUCTIONS = "instructions"  # указания органу досудебного расследования, art. 193(1)(5)
    STATE_PROSECUTION = "state_prosecution"  # поддержание государственного обвинения

    @property
    def prefix(self) -> str:
        return _PREFIX[self]


_PREFIX = {
    ProcedureKind.APPEAL: "APL",
    ProcedureKind.INSPECTION: "INS",
    ProcedureKind.PROTEST: "PRT",
    ProcedureKind.SUBMISSION: "SUB",
    ProcedureKind.ORDER: "ORD",
    ProcedureKind.COURT_ACT: "CRT",
    ProcedureKind.COORDINATION: "CRD",
    ProcedureKind.RELEASE: "REL",
    ProcedureKind.SUSPENSION_DEMAND: "DEM",
    ProcedureKind.ADMIN_OFFENCE: "AOP",
    ProcedureKind.DECREE: "DCR",
    ProcedureKind.CLARIFICATION: "CLR",
    ProcedureKind.COURT_APPLICATION: "APP",
    ProcedureKind.CRIMINAL_CASE: "CRM",
    ProcedureKind.DETENTION: "DET",
    ProcedureKind.CPC_COMPLAINT: "CMP",
    ProcedureKind.CASE_DECISION: "FIN",
    ProcedureKind.INSTRUCTIONS: "IND",
    ProcedureKind.STATE_PROSECUTION: "GOS",
}

# Kinds the repealed Law No. 81-VI had and CL-155 art. 32 has not: kept so that procedures
# registered before are still read, never used for a new one.
LEGACY_KINDS = frozenset({ProcedureKind.ORDER, ProcedureKind.SUSPENSION_DEMAND})


class ProcedureStatus(StrEnum):
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_ANSWER = "awaiting_answer"  # a body or addressee must answer
    SUSPENDED = "suspended"  # the clock stops (e.g. an expert examination)
    CLOSED = "closed"
    REDIRECTED = "redirected"  # forwarded to the competent body
    REJECTED = "rejected"  # invalid input kept with its reason


OPEN_STATUSES = frozenset(
    {
        ProcedureStatus.REGISTERED,
        ProcedureStatus.IN_PROGRESS,
        ProcedureStatus.AWAITING_APPROVAL,
        ProcedureStatus.AWAITING_ANSWER,
        ProcedureStatus.SUSPENDED,
    }
)

_S = ProcedureStatus
TRANSITIONS: dict[ProcedureStatus, frozenset[ProcedureStatus]] = {
    _S.REGISTERED: frozenset({_S.IN_PROGRESS, _S.REDIRECTED, _S.CLOSED, _S.REJECTED}),
    _S.IN_PROGRESS: frozenset(
        {_S.AWAITING_APPROVAL, _S.AWAITING_ANSWER, _S.SUSPENDED, _S.CLOSED, _S.REDIRECTED}
    ),
    _S.AWAITING_APPROVAL: frozenset({_S.IN_PROGRESS, _S.AWAITING_ANSWER, _S.CLOSED}),
    _S.AWAITING_ANSWER: frozenset({_S.IN_PROGRESS, _S.AWAITING_APPROVAL, _S.CLOSED}),
    _S.SUSPENDED: frozenset({_S.IN_PROGRESS, _S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.REDIRECTED: frozenset(),
    _S.REJECTED: frozenset(),
}


class TransitionError(ValueError):
    pass


def check_transition(current: ProcedureStatus, new: ProcedureStatus) -> None:
    if new not in TRANSITIONS[current]:
        raise TransitionError(f"a procedure cannot go from {current} to {new}")


def registration_number(office_code: str, kind: ProcedureKind, year: int, seq: int) -> str:
    """E.g. ``ALM01-APL-2026-000042``: unique per office, kind and year."""
    if seq < 1:
        raise ValueError("registration sequence numbers start at 1")
    return f"{office_code}-{kind.prefix}-{year}-{seq:06d}"
