"""Rules of an inspection of compliance with the law (проверка соблюдения законности),
CL-155 arts. 18, 19, 26(3), 37(1)(6): its grounds, its term, suspension and extension, the
demands for documents made in it, and the acts the office may decide on after it. Pure: no
storage, no Prefect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.office.roster import Position
from models.procedures.acts import CATALOGUE, ISSUED_BY_ACT_FLOW, Act, spec
from models.settings import get_settings
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import TermsTable, default_terms

# Term rows this module counts (the office checks them at start-up).
DURATION_TERM = "inspection.duration"  # срок проверки (CL-155 art. 18(4))
DEMAND_TERM = "demand.documents"  # a demand for documents (CL-155 art. 26(3))
TERMS = (DURATION_TERM, DEMAND_TERM)


class InspectionRefused(ValueError):
    """An inspection the law does not allow to order or run as asked."""


# --- Grounds (основания), CL-155 art. 18(1)-(2) ------------------------------------------------


class Ground(StrEnum):
    """The one ground an inspection is ordered on (CL-155 art. 18(1)-(2))."""

    PRESIDENT_INSTRUCTION = "president_instruction"  # 18(1)(1) поручение Президента
    PROSECUTOR_GENERAL_INSTRUCTION = "prosecutor_general_instruction"  # 18(1)(2)
    PERSONS_UNABLE_TO_DEFEND = "persons_unable_to_defend"  # 18(2)(1)
    MINORS = "minors"  # 18(2)(2) несовершеннолетние
    UNLIMITED_CIRCLE = "unlimited_circle"  # 18(2)(3) неограниченный круг лиц
    IRREVERSIBLE_CONSEQUENCES = "irreversible_consequences"  # 18(2)(4)
    BUSINESS_INTERFERENCE = "business_interference"  # 18(2)(5)


GROUND_SOURCE = {
    Ground.PRESIDENT_INSTRUCTION: "CL-155 art. 18(1)(1)",
    Ground.PROSECUTOR_GENERAL_INSTRUCTION: "CL-155 art. 18(1)(2)",
    Ground.PERSONS_UNABLE_TO_DEFEND: "CL-155 art. 18(2)(1)",
    Ground.MINORS: "CL-155 art. 18(2)(2)",
    Ground.UNLIMITED_CIRCLE: "CL-155 art. 18(2)(3)",
    Ground.IRREVERSIBLE_CONSEQUENCES: "CL-155 art. 18(2)(4)",
    Ground.BUSINESS_INTERFERENCE: "CL-155 art. 18(2)(5)",
}

# The Kazakh wording is the office's translation: the Kazakh text of CL-155 is not at hand.
GROUND_TEXT = {
    Ground.PRESIDENT_INSTRUCTION: {
        "ru": "поручение Президента Республики Казахстан (подпункт 1) пункта 1 статьи 18)",
        "kk": "Қазақстан Республикасы Президентінің тапсырмасы (18-баптың 1-тармағының "
        "1) тармақшасы)",
    },
    Ground.PROSECUTOR_GENERAL_INSTRUCTION: {
        "ru": "поручение Генерального Прокурора (подпункт 2) пункта 1 статьи 18)",
        "kk": "Бас Прокурордың тапсырмасы (18-баптың 1-тармағының 2) тармақшасы)",
    },
    Ground.PERSONS_UNABLE_TO_DEFEND: {
        "ru": "защита прав, свобод и законных интересов лиц, которые в силу физиологических "
        "особенностей, психических отклонений и иных обстоятельств не могут самостоятельно "
        "осуществлять их защиту (подпункт 1) пункта 2 статьи 18)",
        "kk": "физиологиялық ерекшеліктеріне, психикалық ауытқуларына және өзге де мән-жайларға "
        "байланысты өз құқықтарын өздері қорғай алмайтын адамдардың құқықтарын, бостандықтары "
        "мен заңды мүдделерін қорғау (18-баптың 2-тармағының 1) тармақшасы)",
    },
    Ground.MINORS: {
        "ru": "защита прав, свобод и законных интересов несовершеннолетних лиц "
        "(подпункт 2) пункта 2 статьи 18)",
        "kk": "кәмелетке толмағандардың құқықтарын, бостандықтары мен заңды мүдделерін қорғау "
        "(18-баптың 2-тармағының 2) тармақшасы)",
    },
    Ground.UNLIMITED_CIRCLE: {
        "ru": "защита прав, свобод и законных интересов неограниченного круга лиц "
        "(подпункт 3) пункта 2 статьи 18)",
        "kk": "шектелмеген адамдар тобының құқықтарын, бостандықтары мен заңды мүдделерін қорғау "
        "(18-баптың 2-тармағының 3) тармақшасы)",
    },
    Ground.IRREVERSIBLE_CONSEQUENCES: {
        "ru": "защита прав, свобод и законных интересов лиц, общества и государства для "
        "предотвращения необратимых последствий для жизни, здоровья людей либо безопасности "
        "Республики Казахстан (подпункт 4) пункта 2 статьи 18)",
        "kk": "адамдардың өмірі мен денсаулығы не Қазақстан Республикасының қауіпсіздігі үшін "
        "қайтымсыз салдардың алдын алу мақсатында адамның, қоғамның және мемлекеттің құқықтарын "
        "қорғау (18-баптың 2-тармағының 4) тармақшасы)",
    },
    Ground.BUSINESS_INTERFERENCE: {
        "ru": "защита прав субъектов частного предпринимательства по фактам вмешательства в их "
        "деятельность со стороны государственных, местных представительных и исполнительных "
        "органов, органов местного самоуправления, их должностных лиц (подпункт 5) пункта 2 "
        "статьи 18)",
        "kk": "мемлекеттік, жергілікті өкілді және атқарушы органдардың, жергілікті өзін-өзі "
        "басқару органдарының, олардың лауазымды адамдарының қызметіне араласуы фактілері "
        "бойынша жеке кәсіпкерлік субъектілерінің құқықтарын қорғау (18-баптың 2-тармағының "
        "5) тармақшасы)",
    },
}

INSTRUCTION_GROUNDS = frozenset(
    {Ground.PRESIDENT_INSTRUCTION, Ground.PROSECUTOR_GENERAL_INSTRUCTION}
)


class Authority(StrEnum):
    PRESIDENT = "president"
    PROSECUTOR_GENERAL = "prosecutor_general"


class AuthorisationForm(StrEnum):
    INSTRUCTION = "instruction"  # поручение
    AGREEMENT = "agreement"  # согласование


class Authorisation(BaseModel):
    """An instruction of, or an agreement with, the President or the Prosecutor General
    (CL-155 art. 18(1)(1)-(2) and 18(2) last paragraph), identified by its reference."""

    model_config = ConfigDict(frozen=True)

    by: Authority
    form: AuthorisationForm
    reference: str = Field(min_length=3, max_length=300, description="number and date")


_GROUND_AUTHORITY = {
    Ground.PRESIDENT_INSTRUCTION: Authority.PRESIDENT,
    Ground.PROSECUTOR_GENERAL_INSTRUCTION: Authority.PROSECUTOR_GENERAL,
}


def check_grounds(
    ground: Ground, private_business: bool, authorisation: Authorisation | None
) -> None:
    """Refuse an order the law does not allow (CL-155 art. 18(1)-(2)).

    An inspection on an instruction names that instruction; a subject of private business is
    inspected only on the instruction of, or by agreement with, the President or the Prosecutor
    General (18(2) last paragraph), so on a ground of 18(2) it needs their agreement.
    """
    if ground in INSTRUCTION_GROUNDS:
        wanted = _GROUND_AUTHORITY[ground]
        if (
            authorisation is None
            or authorisation.by is not wanted
            or authorisation.form is not AuthorisationForm.INSTRUCTION
        ):
            raise InspectionRefused(
                f"the ground {GROUND_SOURCE[ground]} is an instruction of the {wanted.value}: "
                "give that instruction's reference"
            )
        return
    if not private_business:
        return
    if authorisation is None:
        raise InspectionRefused(
            "a subject of private business is inspected only on the instruction of, or by "
            "agreement with, the President or the Prosecutor General (CL-155 art. 18(2), last "
            "paragraph): give the reference of that instruction or agreement"
        )
    if authorisation.form is AuthorisationForm.INSTRUCTION:
        raise InspectionRefused(
            "an inspection on an instruction of the President or the Prosecutor General is "
            "ordered on the ground of CL-155 art. 18(1)(1) or 18(1)(2), not "
            f"{GROUND_SOURCE[ground]}"
        )


# --- Term, suspension, extension, CL-155 art. 18(4) --------------------------------------------


def inspection_due(
    start: dt.date, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date:
    """Last day of an inspection started on ``start``: at most 30 working days (18(4))."""
    return (terms or default_terms()).due(DURATION_TERM, start, calendar)


def max_extension(terms: TermsTable | None = None) -> tuple[int, TermUnit]:
    """The most an inspection may be extended by in all, in exceptional cases (18(4))."""
    ext = (terms or default_terms()).get(DURATION_TERM).extension
    if ext is None or ext.max_extra is None or ext.unit is None:
        raise ValueError("inspection.duration has no extension figure")
    return ext.max_extra, ext.unit


def extension_days(requested: int | None, already: int, terms: TermsTable | None = None) -> int:
    """Days of this extension: the request, or all that is left; never more than is left of
    the 30 working days the law allows in all (18(4))."""
    most, _unit = max_extension(terms)
    left = most - already
    days = left if requested is None else requested
    if days <= 0 or days > left:
        raise InspectionRefused(
            f"an inspection is extended by at most {most} working days in all (CL-155 art. "
            f"18(4)); {already} already used, {days} asked"
        )
    return days


def extended_due(
    due: dt.date, days: int, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date:
    """The new last day: ``days`` more in the extension's unit, counted from the current end."""
    _most, unit = max_extension(terms)
    return due_date(due, days, unit, calendar)


def remaining_working_days(suspended_on: dt.date, due: dt.date, calendar: WorkingCalendar) -> int:
    """Working days of the term still left when the inspection is suspended (18(4))."""
    return calendar.working_days_between(suspended_on, due)


def resumed_due(resumed_on: dt.date, remaining: int, calendar: WorkingCalendar) -> dt.date:
    """Counting continues from the resumption with the days left (CL-155 art. 18(4) ¶4); the day
    of the resumption, like any starting event, is not counted (Civil Code art. 173)."""
    return due_date(resumed_on, remaining, TermUnit.WORKING_DAYS, calendar)


class Suspension(StrEnum):
    """Why an inspection is suspended (CL-155 art. 18(4) ¶3): the clock stops."""

    EXPERT_EXAMINATION = "expert_examination"  # назначение экспертизы
    FOREIGN_REQUEST = "foreign_request"  # сведения и документы от иностранных государств
    OTHER_OBSTACLE = "other_obstacle"  # иные случаи, препятствующие проведению проверки


CONSENT_SETTING = "PROSECUTOR_INSPECTION_EXTENSION_NEEDS_CONSENT"


def extension_needs_consent() -> bool:
    """Whether extending an inspection needs the Prosecutor General's consent. It rests on PG
    order No. 32 of 17 January 2023, not available (term row inspection.extension_consent, to be
    confirmed): a setting (``CONSENT_SETTING``), on by default."""
    return get_settings().inspection_extension_needs_consent


# Whose consent is asked: to be confirmed against PG order No. 32.
CONSENT_ADDRESSEE = {
    "ru": "Генеральному Прокурору Республики Казахстан",
    "kk": "Қазақстан Республикасының Бас Прокурорына",
}


# --- Demands for documents, CL-155 art. 26(3) --------------------------------------------------


def demand_due(
    received: dt.date,
    calendar: WorkingCalendar,
    term_days: int | None = None,
    terms: TermsTable | None = None,
) -> dt.date:
    """The term of a demand for documents: set by the prosecutor, not less than 3 working days
    (CL-155 art. 26(3)); without one, the office's default (row demand.documents). A shorter
    term raises ``models.timing.terms.TermNotAllowed``."""
    table = terms or default_terms()
    if term_days is None:
        return table.due(DEMAND_TERM, received, calendar)
    return table.due(DEMAND_TERM, received, calendar, set_term=(term_days, TermUnit.WORKING_DAYS))


# --- Results: the справка and the act decided on ------------------------------------------------


class Acknowledgement(StrEnum):
    """The subject's receipt of the справка (CL-155 art. 19(2)(3))."""

    RECEIVED = "received"  # ознакомлен, получил под роспись
    REFUSED = "refused"  # отказался от ознакомления / получения


# The act decided on after an inspection: one of the catalogue's acts the ``issue-act`` flow
# issues (CL-155 art. 32), or none. Derived from the catalogue so that a new act is offered here
# without another edit.
DecidedResponse = StrEnum(  # type: ignore[misc]
    "DecidedResponse", {**{a.name: a.value for a in ISSUED_BY_ACT_FLOW}, "NONE": "none"}
)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


RESPONSE_TEXT = {
    **{
        DecidedResponse(a.value): {
            "ru": _lower_first(CATALOGUE[a].name_ru),
            "kk": _lower_first(CATALOGUE[a].name_kk),
        }
        for a in ISSUED_BY_ACT_FLOW
    },
    DecidedResponse("none"): {"ru": "не требуются", "kk": "талап етілмейді"},
}


# --- Persons named in the order (CL-155 art. 19(1)(1)) ------------------------------------------

POSITION_TEXT = {
    Position.DISTRICT_PROSECUTOR: {"ru": "прокурор района", "kk": "аудан прокуроры"},
    Position.DEPUTY: {"ru": "заместитель прокурора района", "kk": "аудан прокурорының орынбасары"},
    Position.SENIOR_ASSISTANT: {
        "ru": "старший помощник прокурора района",
        "kk": "аудан прокурорының аға көмекшісі",
    },
    Position.ASSISTANT: {"ru": "помощник прокурора района", "kk": "аудан прокурорының көмекшісі"},
}


def named_person(name: str, position: Position, language: str) -> str:
    """An inspector as the order names them: the subject may refuse entry to anyone the order
    does not name (CL-155 art. 19(1)(1)), so a name and a position, never a staff id."""
    return f"{POSITION_TEXT[position][language]} {name}"


def check_decision(response: DecidedResponse, act_name: str | None) -> None:
    """A protest or a постановление suspending or cancelling is brought against an act,
    decision or action: the inspectors' report names it (CL-155 arts. 33(1), 37(1))."""
    if (
        response is not DecidedResponse.NONE
        and spec(Act(response.value)).contests_an_act
        and not (act_name or "").strip()
    ):
        raise InspectionRefused(
            f"a {response.value} is brought against an illegal act, decision or action "
            "(CL-155 arts. 33(1), 37(1)): name it in the report (act_name)"
        )


# --- The inspection's record (Procedure.details) ------------------------------------------------


class InspectionRecord(BaseModel):
    """What the office keeps of an inspection in its procedure's ``details``: the order's
    content (ground, facts, scope, persons; CL-155 arts. 18, 19(1)(1)), its course (start after
    registration, suspension, extensions; 18(4)) and its end (the справка's acknowledgement,
    19(2)(3), and the act decided on). Read with ``model_validate``, written with
    ``model_dump``: one shape for every step, and the rows stored before it read the same."""

    model_config = ConfigDict(frozen=True)

    subject: str = ""
    ground: Ground | None = None
    facts: str = ""
    private_business: bool = False
    authorisation: Authorisation | None = None
    scope: str = ""
    inspectors: tuple[str, ...] = ()
    specialists: tuple[str, ...] = ()
    secret: bool = False
    started: dt.date | None = None
    registration: str | None = None  # the legal-statistics body's registration (18(4))
    suspended_on: dt.date | None = None
    suspension: Suspension | None = None
    remaining_working_days: int | None = None  # left of the term while suspended
    extensions: dict[str, str] = Field(default_factory=dict)  # number → its basis
    extended_days: int = 0
    finished: dt.date | None = None
    response: str | None = None  # the act decided on, or why the inspection never started
    certificate: Acknowledgement | None = None


@dataclass(frozen=True, slots=True)
class Inspection:
    """The inspection as its flow follows it: who, whom, since when and until when."""

    procedure_id: int
    registration_number: str
    subject: str
    inspectors: tuple[str, ...]
    secret: bool
    started: dt.date | None
    due: dt.date | None
