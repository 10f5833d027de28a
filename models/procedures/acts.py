"""Acts of the prosecutor's office (акты прокуратуры), CL-155 art. 32, declared once.

The catalogue below drives the ``issue-act`` flow, its deployment's form and the templates: each
entry says which procedure registers the act, the addressee's term (a row of the terms table),
the template, what the office does when the addressee refuses or is silent, and whether the
contested act may be suspended meanwhile. Adding an act is one entry plus its kk/ru templates.

There is no предписание among the acts of CL-155 (art. 32): old ``order`` procedures stay readable,
nothing new is issued as one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.procedures import ProcedureKind
from models.timing.calendar import WorkingCalendar
from models.timing.dates_kk import DateCase, kk_date
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import TermNotAllowed, default_terms


class Act(StrEnum):
    PROTEST = "protest"  # протест, art. 33
    SUBMISSION = "submission"  # представление, art. 36
    DECREE_SUSPEND_ACT = "decree_suspend_act"  # постановление о приостановлении действия акта
    DECREE_CANCEL_RESTRICTIONS = "decree_cancel_restrictions"  # об отмене мер запретительного…
    DECREE_SHORT_SUSPENSION = "decree_short_suspension"  # о приостановлении на ≤ 3 рабочих дня
    ADMIN_OFFENCE = "admin_offence"  # постановление о возбуждении дела об АП, 37(1)(1)
    CLARIFICATION = "clarification"  # разъяснение о недопустимости нарушений закона, art. 41
    COURT_APPLICATION = "court_application"  # заявление (иск) в суд, art. 39
    APPELLATE_PETITION = "appellate_petition"  # апелляционное ходатайство, art. 38


class ActClass(StrEnum):
    """CL-155 art. 32(1): acts of supervision (1) and acts of response (2)."""

    SUPERVISION = "supervision"  # акты прокурорского надзора
    RESPONSE = "response"  # акты прокурорского реагирования


class OnRefusal(StrEnum):
    """What follows when the addressee rejects the act or leaves it unconsidered."""

    APPLY_TO_COURT = "apply_to_court"  # mandatory for acts of supervision, art. 39(2)
    CHALLENGE_DECISION = "challenge_decision"  # the body's decision in the case, under the CoAO
    NOTHING_FURTHER = "nothing_further"  # no answer is awaited


class Answer(StrEnum):
    ACCEPTED = "accepted"
    PARTLY = "partly"
    REJECTED = "rejected"
    NOT_CONSIDERED = "not_considered"  # оставлен без рассмотрения
    SILENCE = "silence"  # no answer by the end of the term


class ActOutcome(StrEnum):
    """How an act's procedure ended: not signed, issued with nothing awaited, or the
    addressee's answer (silence when the term passed without one)."""

    NOT_SIGNED = "not_signed"
    ISSUED = "issued"
    ACCEPTED = Answer.ACCEPTED.value
    PARTLY = Answer.PARTLY.value
    REJECTED = Answer.REJECTED.value
    NOT_CONSIDERED = Answer.NOT_CONSIDERED.value
    SILENCE = Answer.SILENCE.value


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The office's own duty after a refusal or silence, as the law gives it."""

    step: str  # the duty's step in the act's procedure
    title: str
    term_id: str  # its row of the terms table
    # the head is notified at once: an application to court is mandatory (CL-155 art. 39(2))
    notify_head: bool
    # the duty outlives the act's procedure (a CoAO protest is the assignee's own next matter)
    stays_open: bool


FOLLOW_UP: dict[OnRefusal, FollowUp] = {
    OnRefusal.APPLY_TO_COURT: FollowUp(
        "court-application", "Apply to court", "court_application.drafting", True, False
    ),
    # CoAO art. 826-2(2): the body's decision in the case is protested within its term
    OnRefusal.CHALLENGE_DECISION: FollowUp(
        "challenge-decision",
        "Challenge the decision in the case",
        "admin_offence.protest",
        False,
        True,
    ),
}

# A submission's hearing: its result is reported in a term of its own (CL-155 art. 36(2)).
HEARING_RESULT_TERM = "submission.result_report"
HEARING_NOTICE_TERM = "submission.hearing_notice"


@dataclass(frozen=True, slots=True)
class ActSpec:
    """One act of the catalogue."""

    act: Act
    name_ru: str
    name_kk: str
    act_class: ActClass
    source: str  # the article of the law in force that gives the act
    procedure: ProcedureKind
    template: str
    term_id: str | None  # the addressee's term; None: nothing is awaited from the addressee
    on_refusal: OnRefusal
    # brought against an act, decision or action, which the act must name (CL-155 arts. 33(1),
    # 37(1)(5), (7), (9))
    contests_an_act: bool = False
    may_suspend_contested_act: bool = False  # art. 33(5): the protested act, until the decision
    term_is_maximum: bool = False  # the row's figure is the longest term the act may set
    # the addressee tells the prosecutor of the hearing in advance and reports its result in a
    # term of its own (a submission, CL-155 art. 36(2))
    reports_hearing: bool = False
    # the decree states an administrative offence: the person's identity data, the place, time
    # and CoAO article (CoAO arts. 805(3), 803(2)), asked for when the request lacks them
    states_an_offence: bool = False
    issued_by_flow: str = "issue-act"

    @property
    def awaits_answer(self) -> bool:
        return self.term_id is not None

    @property
    def follow_up(self) -> FollowUp | None:
        """The office's duty when the addressee refuses or is silent; None: nothing follows."""
        return FOLLOW_UP.get(self.on_refusal)

    def name(self, language: str) -> str:
        return self.name_kk if language == "kk" else self.name_ru


_S, _R = ActClass.SUPERVISION, ActClass.RESPONSE

CATALOGUE: dict[Act, ActSpec] = {
    spec.act: spec
    for spec in (
        ActSpec(
            Act.PROTEST,
            "Протест",
            "Наразылық",
            _S,
            "CL-155 art. 33",
            ProcedureKind.PROTEST,
            "protest",
            "protest.consideration",
            OnRefusal.APPLY_TO_COURT,
            contests_an_act=True,
            may_suspend_contested_act=True,
        ),
        ActSpec(
            Act.SUBMISSION,
            "Представление",
            "Ұсыну",
            _S,
            "CL-155 art. 36",
            ProcedureKind.SUBMISSION,
            "submission",
            "submission.consideration",
            OnRefusal.APPLY_TO_COURT,
            reports_hearing=True,
        ),
        ActSpec(
            Act.DECREE_SUSPEND_ACT,
            "Постановление о приостановлении действия акта",
            "Актінің қолданылуын тоқтата тұру туралы қаулы",
            _S,
            "CL-155 art. 37(1)(5)",
            ProcedureKind.DECREE,
            "decree_suspend_act",
            "decree.execution",
            OnRefusal.APPLY_TO_COURT,
            contests_an_act=True,
        ),
        ActSpec(
            Act.DECREE_CANCEL_RESTRICTIONS,
            "Постановление об отмене мер запретительного либо ограничительного характера",
            "Тыйым салу немесе шектеу сипатындағы шараларды жою туралы қаулы",
            _S,
            "CL-155 art. 37(1)(7)",
            ProcedureKind.DECREE,
            "decree_cancel_restrictions",
            "decree.execution",
            OnRefusal.APPLY_TO_COURT,
            contests_an_act=True,
        ),
        ActSpec(
            Act.DECREE_SHORT_SUSPENSION,
            "Постановление о приостановлении акта или действия на срок не более трёх рабочих дней",
            "Актіні немесе әрекетті үш жұмыс күнінен аспайтын мерзімге тоқтата тұру туралы қаулы",
            _S,
            "CL-155 art. 37(1)(9)",
            ProcedureKind.DECREE,
            "decree_short_suspension",
            "decree.short_suspension",
            OnRefusal.APPLY_TO_COURT,
            term_is_maximum=True,
            contests_an_act=True,
        ),
        ActSpec(
            Act.ADMIN_OFFENCE,
            "Постановление о возбуждении дела об административном правонарушении",
            "Әкімшілік құқық бұзушылық туралы іс қозғау туралы қаулы",
            _S,
            "CL-155 art. 37(1)(1); CoAO art. 805",
            ProcedureKind.ADMIN_OFFENCE,
            "admin_offence",
            "admin_offence.consideration",
            OnRefusal.CHALLENGE_DECISION,
            states_an_offence=True,
        ),
        ActSpec(
            Act.CLARIFICATION,
            "Разъяснение о недопустимости нарушений закона",
            "Заң бұзушылыққа жол бермеу туралы түсіндіру",
            _R,
            "CL-155 art. 41",
            ProcedureKind.CLARIFICATION,
            "clarification",
            None,
            OnRefusal.NOTHING_FURTHER,
        ),
        ActSpec(
            Act.COURT_APPLICATION,
            "Заявление в суд",
            "Сотқа арыз",
            _R,
            "CL-155 art. 39(2)",
            ProcedureKind.COURT_APPLICATION,
            "court_application",
            None,
            OnRefusal.NOTHING_FURTHER,
        ),
        ActSpec(
            Act.APPELLATE_PETITION,
            "Апелляционное ходатайство",
            "Апелляциялық өтінішхат",
            _R,
            "CL-155 art. 38",
            ProcedureKind.COURT_ACT,
            "appellate_petition",
            None,
            OnRefusal.NOTHING_FURTHER,
            issued_by_flow="review-court-act",
        ),
    )
}

# The acts the ``issue-act`` flow issues; the appellate petition belongs to the court-act review.
# Term rows this module counts (the office checks them at start-up).
TERMS = (
    HEARING_RESULT_TERM,
    HEARING_NOTICE_TERM,
    *(f.term_id for f in FOLLOW_UP.values()),
    *sorted({s.term_id for s in CATALOGUE.values() if s.term_id}),
)
ISSUED_BY_ACT_FLOW = tuple(a for a, s in CATALOGUE.items() if s.issued_by_flow == "issue-act")


def spec(act: Act | str) -> ActSpec:
    try:
        return CATALOGUE[Act(act)]
    except ValueError:
        known = ", ".join(CATALOGUE)
        raise ValueError(f"{act!r} is not an act of CL-155 art. 32 (one of: {known})") from None


@dataclass(frozen=True, slots=True)
class SetTerm:
    """A term the prosecutor sets in the act instead of the statutory one."""

    n: int
    unit: TermUnit


def addressee_due(
    act: Act, delivered: dt.date, calendar: WorkingCalendar, set_term: SetTerm | None = None
) -> dt.date:
    """The addressee's last day. The prosecutor may set another term where the law lets them:
    a protest, at least 3 working days (CL-155 art. 33(3)); a decree, the term it sets (37(2));
    a short suspension, at most 3 working days (37(1)(9))."""
    entry = spec(act)
    if entry.term_id is None:
        raise ValueError(f"nothing is awaited from the addressee of a {entry.name_ru.lower()}")
    table = default_terms()
    if set_term is None:
        return table.due(entry.term_id, delivered, calendar)
    if entry.term_is_maximum:
        row = table.get(entry.term_id)
        assert row.term is not None and row.unit is not None
        longest = table.due(entry.term_id, delivered, calendar)
        chosen = due_date(delivered, set_term.n, set_term.unit, calendar)
        if set_term.n < 1 or chosen > longest:
            raise TermNotAllowed(
                f"{entry.name_ru}: at most {row.term} {row.unit.value.replace('_', ' ')}"
                f" ({row.source})"
            )
        return chosen
    return table.due(entry.term_id, delivered, calendar, set_term=(set_term.n, set_term.unit))


def check_issue(
    act: Act,
    on: dt.date,
    calendar: WorkingCalendar,
    *,
    set_term: SetTerm | None = None,
    urgent_reason: str | None = None,
    suspend_contested_act: bool = False,
) -> ActSpec:
    """What the prosecutor decided to issue, checked before anything is registered."""
    entry = spec(act)
    if entry.issued_by_flow != "issue-act":
        raise ValueError(f"{entry.name_ru} is issued by the {entry.issued_by_flow} flow")
    if suspend_contested_act and not entry.may_suspend_contested_act:
        raise ValueError(f"{entry.name_ru}: only a protested act is suspended (CL-155 art. 33(5))")
    if set_term is not None:
        if act is Act.SUBMISSION and not urgent_reason:
            raise ValueError(
                "a submission's term other than 30 calendar days is set only where irreversible"
                " consequences for life, health or state security may follow (CL-155 art."
                " 36(2)): give the reason"
            )
        addressee_due(act, on, calendar, set_term)
    return entry


def next_step(act: Act, answer: Answer) -> OnRefusal | None:
    """None when the act was accepted (the matter closes); otherwise what the law gives."""
    if answer is Answer.ACCEPTED:
        return None
    return spec(act).on_refusal


def hearing_result_due(hearing: dt.date, calendar: WorkingCalendar) -> dt.date:
    """A submission's result is reported within 3 working days of its hearing (art. 36(2))."""
    return default_terms().due(HEARING_RESULT_TERM, hearing, calendar)


def hearing_notice_late(notified: dt.date, hearing: dt.date, calendar: WorkingCalendar) -> bool:
    """The prosecutor must be told of a submission's hearing at least 3 working days before it
    (art. 36(2)): a notice given later is recorded as late."""
    row = default_terms().get(HEARING_NOTICE_TERM)
    assert row.term is not None
    days, day = 0, notified
    while day < hearing:  # working days after the notice, up to the hearing day itself
        day += dt.timedelta(days=1)
        days += calendar.is_working_day(day)
    return days < row.term


# --- What the documents show: typed fields instead of free text ---------------------------------


class ContestedAct(BaseModel):
    """The act, decision or action a protest or decree is brought against (CL-155 arts. 33(1),
    37(1)(5), (7), (9)): its name, number, date and the body that adopted it. A protest is
    brought against an act, never against an organisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(
        min_length=3,
        max_length=1000,
        description="the act's kind and name, nominative: «решение акима района «О закрытии"
        " сквера»» / «Скверді жабу туралы» шешім",
    )
    number: str | None = Field(None, max_length=100, description="its number (№)")
    date: dt.date | None = Field(None, description="the date it was adopted")
    issuer: str | None = Field(
        None,
        max_length=500,
        description="the body or official that adopted it, nominative: «аким Бостандыкского"
        " района» / «Бостандық ауданының әкімі»",
    )

    @staticmethod
    def empty() -> dict[str, Any]:
        """The fields of a document brought against no act (a submission, a clarification)."""
        return dict.fromkeys(
            (
                "contested_title",
                "contested_number",
                "contested_date",
                "contested_date_kk",
                "contested_issuer",
            )
        )

    def fields(self) -> dict[str, Any]:
        return {
            "contested_title": self.title,
            "contested_number": self.number,
            "contested_date": f"{self.date:%d.%m.%Y}" if self.date else None,
            "contested_date_kk": kk_date(self.date, DateCase.ATTRIBUTIVE) if self.date else None,
            "contested_issuer": self.issuer,
        }


class OffenderKind(StrEnum):
    PERSON = "person"  # физическое (должностное) лицо
    ENTITY = "entity"  # юридическое лицо


_COAO_ARTICLE = re.compile(r"^\d{1,3}(-\d{1,2})?$")
_COAO_RU = "Кодекса Республики Казахстан об административных правонарушениях"
_IIN = re.compile(r"^\d{12}$")


class AdminOffence(BaseModel):
    """What the decree opening an administrative-offence case must contain: the contents of a
    протокол (CoAO art. 805(3) → art. 803(2)): the person's identity data (a person: name, date of
    birth, residence, IIN, place of work; an entity: name, location, BIN), the place, time and
    essence of the offence, the article of the CoAO's Special Part. The date and place of the
    decree and its author come from the document itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    offender_kind: OffenderKind
    offender_name: str = Field(
        min_length=3, max_length=500, description="surname, name, patronymic or the entity's name"
    )
    birth_date: dt.date | None = Field(None, description="a person's date of birth")
    iin_bin: str = Field(description="ИИН of a person / БИН of an entity, 12 digits")
    address: str = Field(min_length=3, max_length=500, description="residence or location")
    workplace: str | None = Field(None, max_length=500, description="place of work, position")
    id_document: str | None = Field(
        None, max_length=300, description="the identity document: kind, number, date, issuer"
    )
    coao_article: str = Field(description="the article of the CoAO's Special Part, e.g. 462")
    coao_part: int | None = Field(None, ge=1, le=20, description="its part, if any")
    offence_place: str = Field(min_length=3, max_length=500)
    offence_date: dt.date
    witnesses: str | None = Field(None, max_length=2000, description="witnesses, victims")
    explanation: str | None = Field(None, max_length=5000, description="the person's account")
    drawn_up_at: str | None = Field(None, max_length=300, description="place of the decree")

    @model_validator(mode="after")
    def _identity(self) -> AdminOffence:
        if not _IIN.match(self.iin_bin):
            raise ValueError("the IIN or BIN has 12 digits (CoAO art. 803(2)(3))")
        if self.offender_kind is OffenderKind.PERSON and self.birth_date is None:
            raise ValueError("a person's date of birth is required (CoAO art. 803(2)(3))")
        if not _COAO_ARTICLE.match(self.coao_article):
            raise ValueError(
                f"{self.coao_article!r} is not an article of the CoAO's Special Part (art."
                " 803(2)(5)): give its number, e.g. 462 or 82-1"
            )
        return self

    def article(self, language: str) -> str:
        """The article as the decree's sentence needs it: ru instrumental after
        «предусмотренного», kk locative before «көзделген»."""
        if language == "kk":
            code = "Қазақстан Республикасы Әкімшілік құқық бұзушылық туралы кодексінің"
            if self.coao_part:
                return f"{code} {self.coao_article}-бабының {self.coao_part}-бөлігінде"
            return f"{code} {self.coao_article}-бабында"
        part = f"частью {self.coao_part} статьи" if self.coao_part else "статьей"
        return f"{part} {self.coao_article} {_COAO_RU}"

    def fields(self, language: str) -> dict[str, Any]:
        return {
            **self.model_dump(exclude={"birth_date", "offence_date"}),
            "offender_kind": self.offender_kind.value,
            "birth_date": f"{self.birth_date:%d.%m.%Y}" if self.birth_date else None,
            "offence_date": f"{self.offence_date:%d.%m.%Y}",
            "coao_reference": self.article(language),
        }
