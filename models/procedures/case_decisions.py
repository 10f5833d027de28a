"""The prosecutor's decision on a finished case (решение прокурора по оконченному делу).

The investigation ends when the case is sent to the prosecutor in one of the forms of CPC art.
192(2); for each the code gives the prosecutor a term to study it and a closed list of decisions:

- отчет о завершении досудебного расследования: ten сутки, a complex case up to one month (CPC
  art. 302(2)); the prosecutor draws up the обвинительный акт and commits the accused to trial
  (arts. 302(1)(1), 302-1, 304, 305(1)) or returns the case for additional investigation (art.
  302(1)(3));
- протокол ускоренного досудебного расследования: three сутки (art. 190(7)); approve it and send
  the case to court (190(7)(1)) or send it for inquiry or investigation (190(7)(2));
- протокол об уголовном проступке: one сутки, at once where the suspect is detained (art.
  528(3)); approve and send to court (528(3)(1)) or refuse and return it (528(3)(2));
- постановление о прекращении: ten сутки (art. 290(1)); approve it (290(1)(1)) or refuse it by a
  motivated decree returning the case with указания (290(1)(2)).

A returned case, or one whose termination was refused, is investigated in the term the
prosecutor sets, at most one month (art. 192(7)). Every decision here is the head's own power
(CPC art. 193(2)(8)-(10)): the document is signed by the head or the deputy replacing the head.
Not modelled yet: the prosecutor's own termination (arts. 35-36), a new protocol (190(7)(4)) and
a procedural agreement (190(7)(5), 302(1)(5)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.timing.calendar import ALMATY, WorkingCalendar, local_date
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import TermNotAllowed, TermsTable, default_terms


class CaseForm(StrEnum):
    """The form in which the case reached the prosecutor (CPC art. 192(2))."""

    COMPLETION_REPORT = "completion_report"  # отчет о завершении досудебного расследования
    ACCELERATED_PROTOCOL = "accelerated_protocol"  # протокол ускоренного расследования
    MISDEMEANOUR_PROTOCOL = "misdemeanour_protocol"  # протокол об уголовном проступке
    TERMINATION_DECREE = "termination_decree"  # постановление о прекращении уголовного дела


class Outcome(StrEnum):
    SEND_TO_COURT = "send_to_court"  # утвердить (составить обвинительный акт), предать суду
    RETURN = "return"  # вернуть для дополнительного расследования с указаниями
    APPROVE_TERMINATION = "approve_termination"  # утвердить постановление о прекращении
    REFUSE_TERMINATION = "refuse_termination"  # отказать в утверждении, вернуть с указаниями


class Addressee(StrEnum):
    COURT = "court"  # the court the case is under the jurisdiction of
    BODY = "body"  # the investigating body (орган досудебного расследования)


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """What one decision produces: its document, the article it rests on, where it goes."""

    outcome: Outcome
    document: str  # the template kind (kk and ru)
    source: str
    addressee: Addressee
    gives_instructions: bool = False  # the document carries указания tracked item by item
    addressee_term: str | None = None  # the term row the addressee then works within


@dataclass(frozen=True, slots=True)
class FormRule:
    form: CaseForm
    name_ru: str
    name_kk: str
    term_id: str  # the prosecutor's term to study and decide
    outcomes: tuple[OutcomeRule, ...]

    def outcome(self, outcome: Outcome) -> OutcomeRule:
        for rule in self.outcomes:
            if rule.outcome is outcome:
                return rule
        allowed = ", ".join(r.outcome.value for r in self.outcomes)
        raise OutcomeNotAllowed(
            f"{outcome.value} is not a decision on a {self.form.value} ({allowed}; {self.source})"
        )

    @property
    def source(self) -> str:
        return default_terms().get(self.term_id).source


class OutcomeNotAllowed(ValueError):
    """A decision the code does not allow on this form of a finished case."""


FURTHER = "case_decision.further_investigation"
MISDEMEANOUR_COURT_TERM = "case_decision.misdemeanour_court"  # the court's term, CPC art. 528
COMMITTAL = "committal_to_court"


def _returned(source: str) -> OutcomeRule:
    return OutcomeRule(Outcome.RETURN, "case_return", source, Addressee.BODY, True, FURTHER)


RULES: dict[CaseForm, FormRule] = {
    CaseForm.COMPLETION_REPORT: FormRule(
        CaseForm.COMPLETION_REPORT,
        "отчет о завершении досудебного расследования",
        "сотқа дейінгі тергеп-тексеруді аяқтау туралы есеп",
        "case_decision.completion_report",
        (
            OutcomeRule(
                Outcome.SEND_TO_COURT,
                COMMITTAL,
                "CPC arts. 302(1)(1), 302-1, 304, 305(1)",
                Addressee.COURT,
            ),
            _returned("CPC art. 302(1)(3)"),
        ),
    ),
    CaseForm.ACCELERATED_PROTOCOL: FormRule(
        CaseForm.ACCELERATED_PROTOCOL,
        "протокол ускоренного досудебного расследования",
        "жеделдетілген сотқа дейінгі тергеп-тексеру хаттамасы",
        "case_decision.accelerated_protocol",
        (
            OutcomeRule(Outcome.SEND_TO_COURT, COMMITTAL, "CPC art. 190(7)(1)", Addressee.COURT),
            _returned("CPC art. 190(7)(2)"),
        ),
    ),
    CaseForm.MISDEMEANOUR_PROTOCOL: FormRule(
        CaseForm.MISDEMEANOUR_PROTOCOL,
        "протокол об уголовном проступке",
        "қылмыстық теріс қылық туралы хаттама",
        "case_decision.misdemeanour_protocol",
        (
            OutcomeRule(
                Outcome.SEND_TO_COURT,
                COMMITTAL,
                "CPC art. 528(3)(1)",
                Addressee.COURT,
                addressee_term=MISDEMEANOUR_COURT_TERM,
            ),
            _returned("CPC art. 528(3)(2)"),
        ),
    ),
    CaseForm.TERMINATION_DECREE: FormRule(
        CaseForm.TERMINATION_DECREE,
        "постановление о прекращении уголовного дела",
        "қылмыстық істі тоқтату туралы қаулы",
        "case_decision.termination_decree",
        (
            OutcomeRule(
                Outcome.APPROVE_TERMINATION,
                "termination_approval",
                "CPC art. 290(1)(1), 290(2)",
                Addressee.BODY,
            ),
            OutcomeRule(
                Outcome.REFUSE_TERMINATION,
                "termination_refusal",
                "CPC art. 290(1)(2)",
                Addressee.BODY,
                True,
                FURTHER,
            ),
        ),
    ),
}
# Term rows this module counts (the office checks them at start-up).
TERMS = tuple(
    sorted(
        {
            term_id
            for rule in RULES.values()
            for term_id in (rule.term_id, *(o.addressee_term for o in rule.outcomes))
            if term_id
        }
    )
)


def rule_for(form: CaseForm | str) -> FormRule:
    return RULES[CaseForm(form)]


def allowed_outcomes(form: CaseForm | str) -> tuple[Outcome, ...]:
    return tuple(r.outcome for r in rule_for(form).outcomes)


def study_due(
    form: CaseForm | str,
    received_at: dt.datetime | dt.date,
    calendar: WorkingCalendar,
    *,
    detained: bool = False,
    complex_case: bool = False,
    table: TermsTable | None = None,
) -> dt.date:
    """The last day of the prosecutor's term to decide, counted from the case's receipt (the
    day of receipt not counted, a non-working last day moved: CPC art. 48(2)-(4)).

    A misdemeanour case whose suspect is detained is decided at once (CPC art. 528(3)): the day
    of receipt, never moved. A complex completion-report case may take up to one month (CPC art.
    302(2))."""
    table = table or default_terms()
    rule = rule_for(form)
    if rule.form is CaseForm.MISDEMEANOUR_PROTOCOL and detained:
        return local_date(received_at)
    if complex_case:
        if rule.form is not CaseForm.COMPLETION_REPORT:
            raise TermNotAllowed(
                f"only a completion-report case may take up to one month (CPC art. 302(2)); "
                f"a {rule.form.value} is decided within {table.get(rule.term_id).source}"
            )
        return table.latest_extended_due(rule.term_id, local_date(received_at), calendar)
    return table.due(rule.term_id, received_at, calendar)


def further_investigation_due(
    start: dt.date,
    calendar: WorkingCalendar,
    set_days: int | None = None,
    table: TermsTable | None = None,
) -> dt.date:
    """The term of a returned case: the one the prosecutor sets in сутки, at most one month
    from the case's receipt by the investigator (CPC art. 192(7)); one month when none is set."""
    table = table or default_terms()
    longest = table.due(FURTHER, start, calendar)
    if set_days is None:
        return longest
    if set_days < 1:
        raise TermNotAllowed("a term of further investigation is at least one сутки")
    due = due_date(start, set_days, TermUnit.CALENDAR_DAYS, calendar)
    if due > longest:
        raise TermNotAllowed(
            f"{set_days} сутки end on {due}, past one month ({longest}): the prosecutor sets at "
            f"most one month for a returned case (CPC art. 192(7))"
        )
    return due


def decision_problems(
    form: CaseForm | str,
    outcome: Outcome,
    instructions: list[str],
    court: str | None,
    grounds: str | None = None,
) -> list[str]:
    """Why a decision cannot be drafted as given (empty: it can). ``grounds``, when given, are
    checked too: a decree returning a case is motivated (CPC art. 290(1)(2))."""
    try:
        rule = rule_for(form).outcome(outcome)
    except OutcomeNotAllowed as exc:
        return [str(exc)]
    problems = []
    if rule.gives_instructions and not [i for i in instructions if i.strip()]:
        problems.append(
            f"a case returned under {rule.source} goes back with written указания on the "
            "investigative actions to take (CPC arts. 193(1)(5), 290(1)(2)): list them"
        )
    if rule.gives_instructions and grounds is not None and not grounds.strip():
        problems.append(
            f"a decree under {rule.source} is motivated (CPC art. 290(1)(2)): give the grounds"
        )
    if rule.addressee is Addressee.COURT and not (court or "").strip():
        problems.append(
            "name the court the case is under the jurisdiction of (CPC art. 305(1): the case goes "
            "to the court it is under the jurisdiction of)"
        )
    return problems


class CaseSubmission(BaseModel):
    """A finished case as the investigating body sends it (the record of ``prosecutor cases
    submit``). The accused's name stays in the office's database: it never goes to Prefect."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str | None = Field(None, max_length=100)
    erdr_number: str = Field(
        pattern=r"^\d{15}$", description="the case's number in ЕРДР (15 digits)"
    )
    form: CaseForm
    body_id: str = Field(min_length=1, max_length=40, description="the investigating body")
    investigator: str = Field(
        min_length=3, max_length=300, description="position and name of the investigator"
    )
    received_at: dt.datetime = Field(description="the moment the prosecutor received the case")
    accused: str = Field(min_length=3, max_length=300)
    cc_article: str = Field(
        min_length=1, max_length=200, description="article, part, item of the Criminal Code"
    )
    detained: bool = Field(False, description="the suspect is detained under CPC art. 128")
    complex_case: bool = Field(
        False, description="a complex, multi-episode case: up to one month (CPC art. 302(2))"
    )

    @field_validator("received_at")
    @classmethod
    def _in_almaty(cls, value: dt.datetime) -> dt.datetime:
        """A moment without a zone is Almaty time, where the office receives the case."""
        return value if value.tzinfo else value.replace(tzinfo=ALMATY)

    def due(self, calendar: WorkingCalendar) -> dt.date:
        return study_due(
            self.form,
            self.received_at,
            calendar,
            detained=self.detained,
            complex_case=self.complex_case,
        )
