"""Complaints about the investigating body (жалобы на действия (бездействие) и решения органа
досудебного расследования) considered by the prosecutor: CPC arts. 100-106.

- Who may complain: participants of the process and persons whose interests the procedural
  actions touch (CPC art. 100(1)); a complaint about the investigator, the inquiry officer, the
  head of the investigation unit or of the inquiry body goes to the prosecutor (art. 105(1)).
- It is considered by a prosecutor who did not take or approve the contested decision (art.
  104(1)), who checks every argument (104(2)) and restores violated rights at once (104(3)).
- Term (art. 105(2)): 7 сутки from receipt; 3 сутки for a breach of the law in detention,
  recognition as a suspect, qualification of the suspect's act, removal from office, an
  unsanctioned examination, search, seizure, a temporary restriction on disposing of property, a
  suspension of transactions and other operations with property; in exceptional cases, when
  further materials must be requested or other measures taken, up to 15 сутки, the complainant
  told. CPC сутки: the day of receipt is not counted, a non-working last day moves to the next
  working day (art. 48(2)-(4)).
- Outcome (art. 105(3)): the complaint is upheld in full or in part, the contested decision
  cancelled or changed, or refused; a decision is never changed to the detriment of the
  complainant or of the person on whose behalf they complain; a refusal is reasoned (105(4)).
- The complainant is told of the decision and of the further appeal (105(4)): to the higher
  prosecutor (105(1)) or to the investigating judge within 15 сутки (art. 106(1), (5)).

Reading of art. 105(2): «проведении несанкционированного осмотра, обыска, выемки» is read as a
list of three actions (examination, search, seizure) under the same 3 сутки; the adjective
"unsanctioned" may be read as qualifying all three, which would leave a complaint about a
sanctioned search in the 7 сутки. The list here follows the terms table row
``complaint.investigator_urgent``.

The rules are pure (no Prefect, no database); the last section registers a complaint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator
from sqlalchemy.orm import Session

from models.appeals import inbox_store
from models.appeals.inbox_store import InboxResult
from models.db.tables import InboxSource, Procedure
from models.office.roster import Position, Roster, Staff
from models.office.roster_store import office_code
from models.office.schemas import (
    AppealIn,
    Channel,
    Contact,
    Individual,
    Language,
    LegalEntity,
    Strict,
)
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.timing.calendar import ALMATY, WorkingCalendar, local_date
from models.timing.terms import TermsTable, default_terms

TERM = "complaint.investigator"
TERM_URGENT = "complaint.investigator_urgent"
TERM_EXTENDED = "complaint.investigator_extended"
TERMS = (TERM, TERM_URGENT, TERM_EXTENDED)  # the rows this module counts
AREA = "criminal"


class ComplaintSubject(StrEnum):
    """What the complaint is about. The first nine are the closed list of CPC art. 105(2)
    (3 сутки); every other action, inaction or decision takes 7 сутки."""

    DETENTION = "detention"  # задержание
    SUSPECT_STATUS = "suspect_status"  # признание подозреваемым
    QUALIFICATION = "qualification"  # квалификация деяния подозреваемого
    REMOVAL_FROM_OFFICE = "removal_from_office"  # отстранение от должности
    UNSANCTIONED_EXAMINATION = "unsanctioned_examination"  # несанкционированный осмотр
    SEARCH = "search"  # обыск
    SEIZURE = "seizure"  # выемка
    PROPERTY_RESTRICTION = "property_restriction"  # ограничение на распоряжение имуществом
    SUSPENDED_TRANSACTIONS = "suspended_transactions"  # приостановление сделок с имуществом
    # One of the listed cases, not yet said which (an appeal filed under an "urgent" topic).
    LISTED_UNSPECIFIED = "listed_unspecified"
    # 7 сутки: named where a decision names them, the rest is "other".
    REFUSAL_TO_REGISTER = "refusal_to_register"  # отказ в приеме и регистрации заявления
    TERMINATION = "termination"  # прекращение уголовного дела
    OTHER = "other"  # иные действия (бездействие) и решения


URGENT = frozenset(
    {
        ComplaintSubject.DETENTION,
        ComplaintSubject.SUSPECT_STATUS,
        ComplaintSubject.QUALIFICATION,
        ComplaintSubject.REMOVAL_FROM_OFFICE,
        ComplaintSubject.UNSANCTIONED_EXAMINATION,
        ComplaintSubject.SEARCH,
        ComplaintSubject.SEIZURE,
        ComplaintSubject.PROPERTY_RESTRICTION,
        ComplaintSubject.SUSPENDED_TRANSACTIONS,
        ComplaintSubject.LISTED_UNSPECIFIED,
    }
)

# As a label line of a document prints it: «Предмет жалобы: …» / «Шағымның мәні: …».
SUBJECT_TEXT: Mapping[ComplaintSubject, Mapping[str, str]] = {
    ComplaintSubject.DETENTION: {
        "ru": "нарушение закона при задержании",
        "kk": "ұстап алу кезінде заңның бұзылуы",
    },
    ComplaintSubject.SUSPECT_STATUS: {
        "ru": "нарушение закона при признании подозреваемым",
        "kk": "күдікті деп тану кезінде заңның бұзылуы",
    },
    ComplaintSubject.QUALIFICATION: {
        "ru": "квалификация деяния подозреваемого",
        "kk": "күдіктінің әрекетін саралау",
    },
    ComplaintSubject.REMOVAL_FROM_OFFICE: {
        "ru": "отстранение от должности",
        "kk": "лауазымнан шеттету",
    },
    ComplaintSubject.UNSANCTIONED_EXAMINATION: {
        "ru": "проведение несанкционированного осмотра",
        "kk": "санкцияланбаған қарап-тексеруді жүргізу",
    },
    ComplaintSubject.SEARCH: {"ru": "проведение обыска", "kk": "тінту жүргізу"},
    ComplaintSubject.SEIZURE: {"ru": "проведение выемки", "kk": "алу жүргізу"},
    ComplaintSubject.PROPERTY_RESTRICTION: {
        "ru": "временное ограничение на распоряжение имуществом",
        "kk": "мүлікке билік етуге уақытша шектеу",
    },
    ComplaintSubject.SUSPENDED_TRANSACTIONS: {
        "ru": "приостановление совершения сделок и иных операций с имуществом",
        "kk": "мүлікпен мәмілелер мен өзге де операциялар жасауды тоқтата тұру",
    },
    ComplaintSubject.LISTED_UNSPECIFIED: {
        "ru": "нарушение закона в случаях, указанных в части второй статьи 105 УПК",
        "kk": "ҚПК 105-бабының екінші бөлігінде көрсетілген жағдайларда заңның бұзылуы",
    },
    ComplaintSubject.REFUSAL_TO_REGISTER: {
        "ru": "отказ в приеме и регистрации заявления об уголовном правонарушении",
        "kk": "қылмыстық құқық бұзушылық туралы арызды қабылдаудан және тіркеуден бас тарту",
    },
    ComplaintSubject.TERMINATION: {
        "ru": "прекращение уголовного дела",
        "kk": "қылмыстық істі тоқтату",
    },
    ComplaintSubject.OTHER: {
        "ru": "действия (бездействие) и решения органа досудебного расследования",
        "kk": "сотқа дейінгі тергеп-тексеру органының әрекеттері (әрекетсіздігі) мен шешімдері",
    },
}


def term_id(subject: ComplaintSubject) -> str:
    """CPC art. 105(2): 3 сутки for the closed list, 7 for everything else."""
    return TERM_URGENT if subject in URGENT else TERM


def due(
    subject: ComplaintSubject,
    received_on: dt.date,
    calendar: WorkingCalendar,
    terms: TermsTable | None = None,
) -> dt.date:
    """The day the decision must be taken and the complainant told (CPC arts. 105(2), 48)."""
    return (terms or default_terms()).due(term_id(subject), received_on, calendar)


def extended_due(
    received_on: dt.date, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date:
    """Up to 15 сутки from receipt in exceptional cases (CPC arts. 105(2), 48)."""
    return (terms or default_terms()).due(TERM_EXTENDED, received_on, calendar)


# --- the complaint as it arrives -----------------------------------------------------------


class ComplaintIn(Strict):
    """A complaint under CPC art. 105 as it arrives (on paper, by e-mail, from a facility under
    art. 101, or filed as an appeal), before registration. ``complainant`` is required: the
    decision is sent to the complainant (art. 105(2), (4))."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    complainant: Individual | LegalEntity = Field(discriminator="kind")
    capacity: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="the complainant's standing, e.g. защитник подозреваемого (art. 100(1))"
    )
    contact: Contact | None = None
    language: Language
    channel: Channel
    body_name: Annotated[str, StringConstraints(min_length=3, max_length=300)] = Field(
        description="the body or official whose action is contested, nominative, as a label"
        " line prints it: «Следственное управление ДП города Алматы»"
    )
    case_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z/-]{3,40}$")] | None = Field(
        None, description="the ЕРДР number of the case, when there is one"
    )
    subject: ComplaintSubject
    summary: Annotated[str, StringConstraints(min_length=3, max_length=300)] = Field(
        description="what is contested, in a line"
    )
    text: Annotated[str, StringConstraints(min_length=10, max_length=100_000)]
    received_at: dt.datetime

    @field_validator("received_at")
    @classmethod
    def _plausible_moment(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ALMATY)
        if value.year < 2000:
            raise ValueError("received_at is before 2000")
        if value > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
            raise ValueError("received_at is in the future")
        return value

    def complainant_name(self) -> str:
        c = self.complainant
        if isinstance(c, Individual):
            return " ".join(p for p in (c.last_name, c.first_name, c.patronymic) if p)
        return c.name

    def title(self) -> str:
        """The procedure's title: no personal data (it shows in the Prefect UI)."""
        case = f", case {self.case_number}" if self.case_number else ""
        return f"CPC art. 105 complaint: {self.subject.value}{case}"


# --- extension to 15 сутки ------------------------------------------------------------------


class ExtensionGround(StrEnum):
    """The exceptional cases of CPC art. 105(2), as the notice completes «необходимо …»."""

    ADDITIONAL_MATERIALS = "additional_materials"  # истребовать дополнительные материалы
    OTHER_MEASURES = "other_measures"  # принять иные меры


EXTENSION_GROUND_TEXT: Mapping[ExtensionGround, Mapping[str, str]] = {
    ExtensionGround.ADDITIONAL_MATERIALS: {
        "ru": "истребовать дополнительные материалы",
        "kk": "қосымша материалдарды талап етіп алу",
    },
    ExtensionGround.OTHER_MEASURES: {
        "ru": "принять иные меры",
        "kk": "өзге де шаралар қабылдау",
    },
}


class ExtensionRefused(ValueError):
    """An extension CPC art. 105(2) does not allow."""


def check_extension(
    *,
    ground: ExtensionGround | None,
    reason: str | None,
    received_on: dt.date,
    current_due: dt.date,
    decided_on: dt.date,
    calendar: WorkingCalendar,
    terms: TermsTable | None = None,
) -> dt.date:
    """The new due date (15 сутки from receipt), or why the extension is refused: only in the
    exceptional cases of art. 105(2) (further materials, other measures), with the reason the
    complainant is told; once (the 15 сутки are the whole term); while the term runs (a term
    that has passed is not extended: CPC art. 49(3), terms are extended only as the code says)."""
    if ground is None:
        raise ExtensionRefused(
            "say why: further materials must be requested or other measures taken (CPC art. 105(2))"
        )
    if not (reason or "").strip():
        raise ExtensionRefused("the reason is told to the complainant: write it (CPC art. 105(2))")
    new_due = extended_due(received_on, calendar, terms)
    if new_due <= current_due:
        raise ExtensionRefused(
            f"the term already runs to {current_due:%d.%m.%Y}, the most CPC art. 105(2) allows"
        )
    if decided_on > current_due:
        raise ExtensionRefused(
            f"the term ended on {current_due:%d.%m.%Y}: it can no longer be extended (CPC arts."
            " 49(3), 105(2))"
        )
    return new_due


# --- the decision -------------------------------------------------------------------------


class Outcome(StrEnum):
    """CPC art. 105(3): upheld in full or in part (the contested decision cancelled or
    changed), or refused."""

    UPHELD = "upheld"  # удовлетворить полностью
    PARTLY_UPHELD = "partly_upheld"  # удовлетворить частично
    REJECTED = "rejected"  # отказать в удовлетворении


# The document's title and its operative clause, as each language prints them.
OUTCOME_TEXT: Mapping[Outcome, Mapping[str, Mapping[str, str]]] = {
    Outcome.UPHELD: {
        "title": {"ru": "об удовлетворении жалобы", "kk": "шағымды қанағаттандыру туралы"},
        "operative": {"ru": "Жалобу удовлетворить.", "kk": "Шағым қанағаттандырылсын."},
    },
    Outcome.PARTLY_UPHELD: {
        "title": {
            "ru": "о частичном удовлетворении жалобы",
            "kk": "шағымды ішінара қанағаттандыру туралы",
        },
        "operative": {
            "ru": "Жалобу удовлетворить частично.",
            "kk": "Шағым ішінара қанағаттандырылсын.",
        },
    },
    Outcome.REJECTED: {
        "title": {
            "ru": "об отказе в удовлетворении жалобы",
            "kk": "шағымды қанағаттандырудан бас тарту туралы",
        },
        "operative": {
            "ru": "В удовлетворении жалобы отказать.",
            "kk": "Шағымды қанағаттандырудан бас тартылсын.",
        },
    },
}


@dataclass(frozen=True, slots=True)
class Requirements:
    """What a conclusion with this outcome must contain."""

    reasons: bool  # what was established on each argument (art. 104(2)); a refusal is reasoned
    remedy: bool  # the contested decision cancelled or changed, rights restored (104(3), 105(3))


REQUIRES: Mapping[Outcome, Requirements] = {
    Outcome.UPHELD: Requirements(reasons=True, remedy=True),
    Outcome.PARTLY_UPHELD: Requirements(reasons=True, remedy=True),
    Outcome.REJECTED: Requirements(reasons=True, remedy=False),
}


def conclusion_problem(
    outcome: Outcome | None,
    reasons: str | None,
    remedy: str | None,
    worsens_position: bool = False,
) -> str | None:
    """Why a prosecutor's conclusion cannot become a decision, or None."""
    if outcome is None:
        return "choose the outcome: upheld, partly_upheld or rejected (CPC art. 105(3))"
    need = REQUIRES[outcome]
    if need.reasons and not (reasons or "").strip():
        if outcome is Outcome.REJECTED:
            return "a refusal must be reasoned (CPC art. 105(4)): write the reasons"
        return "write what was established on the complaint's arguments (CPC art. 104(2))"
    if need.remedy and not (remedy or "").strip():
        return (
            "an upheld complaint cancels or changes the contested decision and restores the"
            " rights: write the measures (CPC arts. 104(3), 105(3))"
        )
    if worsens_position and outcome is not Outcome.REJECTED:
        return (
            "a decision is never changed to the detriment of the complainant or of the person"
            " on whose behalf they complain (CPC art. 105(3))"
        )
    return None


# --- who considers it -----------------------------------------------------------------------


def choose_prosecutor(
    roster: Roster,
    day: dt.date,
    open_load: Mapping[str, int],
    excluded: frozenset[str] = frozenset(),
) -> tuple[Staff, str]:
    """A prosecutor of the criminal area present on ``day``, the least loaded first; not one
    whose actions are complained of or who approved the contested decision (CPC art. 104(1)).
    With nobody such: the deputy supervising the area, then the person managing the office."""
    candidates = [
        s
        for s in roster.present(day)
        if s.position in {Position.ASSISTANT, Position.SENIOR_ASSISTANT}
        and AREA in s.areas
        and s.id not in excluded
    ]
    if candidates:
        chosen = min(
            candidates, key=lambda s: (open_load.get(s.id, 0), s.position.rank, s.seniority, s.id)
        )
        return chosen, f"present in area {AREA} with {open_load.get(chosen.id, 0)} open duties"
    deputy = roster.supervising_deputy(frozenset({AREA}), day)
    if deputy is not None and deputy.id not in excluded:
        return deputy, f"no assistant of area {AREA} present: supervising deputy"
    manager = roster.signatory_on(day).staff
    if manager is None:
        raise LookupError(f"nobody in the office on {day} can consider a CPC complaint")
    return manager, f"nobody of area {AREA} present: the person managing the office"


# --- registration (the one part that touches the database) ---------------------------------


def register_complaint(session: Session, record: ComplaintIn) -> Procedure:
    """Open the procedure of a complaint with its CPC term (the ``register`` callable of
    ``inbox_store.intake``). Its details hold no personal data: those stay in the stored
    record, read through ``complaint_of``."""
    received_on = local_date(record.received_at)
    calendar = WorkingCalendar()
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=ProcedureKind.CPC_COMPLAINT,
        title=record.title(),
        year=received_on.year,
        due_date=due(record.subject, received_on, calendar),
        area=AREA,
        actor="intake",
    )
    proc.details = {
        "complaint_subject": record.subject.value,
        "term_id": term_id(record.subject),
        "received_on": received_on.isoformat(),
        "language": record.language.value,
        "case_number": record.case_number,
    }
    return proc


def take_in(session: Session, raw_text: str) -> InboxResult:
    """Store one complaint given as JSON text: registered, a duplicate, or rejected with why."""
    return inbox_store.intake(
        session,
        InboxSource.COMPLAINT,
        raw_text,
        ComplaintIn,
        register_complaint,
        received_at=lambda r: r.received_at,
    )


def complaint_of(session: Session, registration_number: str) -> tuple[ComplaintIn, Procedure]:
    """The complaint a procedure was opened from, as received, and the procedure."""
    row, proc = inbox_store.raw_of(session, registration_number)
    if row.source is not InboxSource.COMPLAINT:
        raise LookupError(f"{registration_number} is not a complaint under CPC art. 105")
    return ComplaintIn.model_validate_json(row.raw), proc


# Topics of the appeals register (competence.yaml) that carry a CPC complaint, and what each
# says the complaint is about.
APPEAL_TOPICS: Mapping[str, ComplaintSubject] = {
    "detention": ComplaintSubject.DETENTION,
    "investigator_actions_urgent": ComplaintSubject.LISTED_UNSPECIFIED,
    "investigator_actions": ComplaintSubject.OTHER,
}


def from_appeal(appeal: AppealIn, appeal_number: str) -> str:
    """The complaint, as JSON text, that an appeal filed on a CPC topic carries (CL-155 art.
    24(9)); keyed by the appeal's number, so routing it twice registers it once."""
    if appeal.applicant is None:
        raise ValueError("an anonymous complaint has nobody to tell of the decision")
    record = ComplaintIn(
        external_id=f"appeal:{appeal_number}",
        complainant=appeal.applicant,
        contact=appeal.contact,
        language=appeal.language,
        channel=appeal.channel,
        body_name="орган досудебного расследования (указан в жалобе)"
        if appeal.language is Language.RU
        else "сотқа дейінгі тергеп-тексеру органы (шағымда көрсетілген)",
        subject=APPEAL_TOPICS.get(appeal.topic or "", ComplaintSubject.OTHER),
        summary=appeal.subject,
        text=appeal.text,
        received_at=appeal.received_at,
    )
    return record.model_dump_json(exclude_none=True)
