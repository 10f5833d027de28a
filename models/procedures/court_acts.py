"""Court acts not yet in force (судебные акты, не вступившие в законную силу): the appeal
window and the prosecutor's апелляционное ходатайство, as pure rules.

- Against a court act not in force the prosecutor brings an апелляционное ходатайство, never a
  protest (CL-155 art. 38; CPC art. 414(2); CivPC art. 401(3); CoAO art. 830(1)).
- It is brought through the court that passed the act and addressed to the appellate court
  (CPC art. 417(1); CivPC art. 403(1); CoAO art. 831(1)).
- The window runs from an event the assistant enters, not from the day the office received the
  act: the pronouncement of a verdict (CPC art. 418(1): for the prosecutor always the
  pronouncement; the delivery of the copy starts only the window of a convict in custody); a
  civil decision in final form (CivPC art. 403(3)); the delivery of a court's decision in an
  administrative-offence case (CoAO art. 832(1)).
- Its content: CPC art. 423(1), CivPC art. 404(1), CoAO art. 833(1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, kk_date
from models.timing.deadlines import TermUnit
from models.timing.terms import TermsTable, default_terms

MARGIN_TERM = "court.review_margin"

_CL155 = {
    "ru": "статьей 38 Конституционного закона Республики Казахстан «О прокуратуре»",
    "kk": "«Прокуратура туралы» Қазақстан Республикасы Конституциялық заңының 38-бабын",
}


class WindowKind(StrEnum):
    """Which appeal window runs, and from which event."""

    CRIMINAL_VERDICT = "criminal_verdict"  # приговор: from its pronouncement
    CIVIL_DECISION = "civil_decision"  # решение: from the decision in final form
    ADMIN_OFFENCE_DECISION = "admin_offence_decision"  # постановление суда по делу об АП


@dataclass(frozen=True, slots=True)
class WindowRule:
    term_id: str  # the row of the terms table
    starts_with: str  # the event the window runs from, for the form
    source: str  # where the window and its start are set
    act_name: dict[str, str]  # the kind of act, by language
    legal_grounds: dict[str, str]  # the articles the petition rests on, by language
    restoration: str | None  # where a missed window is restored


WINDOWS: dict[WindowKind, WindowRule] = {
    WindowKind.CRIMINAL_VERDICT: WindowRule(
        "court.criminal_appeal",
        "the pronouncement of the verdict",
        "CPC art. 418(1)",
        {"ru": "приговор", "kk": "үкім"},
        {
            "ru": "статьями 414-418, 423 Уголовно-процессуального кодекса Республики Казахстан",
            "kk": "Қазақстан Республикасы Қылмыстық-процестік кодексінің 414-418, 423-баптарын",
        },
        "CPC art. 419",
    ),
    WindowKind.CIVIL_DECISION: WindowRule(
        "court.civil_appeal",
        "the decision in final form",
        "CivPC art. 403(3)",
        {"ru": "решение", "kk": "шешім"},
        {
            "ru": "статьями 401, 403, 404 Гражданского процессуального кодекса Республики "
            "Казахстан",
            "kk": "Қазақстан Республикасы Азаматтық процестік кодексінің 401, 403, 404-баптарын",
        },
        "CivPC art. 403(5)",
    ),
    WindowKind.ADMIN_OFFENCE_DECISION: WindowRule(
        "court.admin_offence_petition",
        "the delivery of the court's decision",
        "CoAO art. 832(1)",
        {"ru": "постановление", "kk": "қаулы"},
        {
            "ru": "статьями 830-833 Кодекса Республики Казахстан об административных "
            "правонарушениях",
            "kk": "Әкімшілік құқық бұзушылық туралы Қазақстан Республикасы кодексінің "
            "830-833-баптарын",
        },
        None,
    ),
}

# Term rows this module counts (the office checks them at start-up).
TERMS = (MARGIN_TERM, *(w.term_id for w in WINDOWS.values()))

_WHOLE = {"ru": "в полном объеме", "kk": "толық көлемде"}
# The act in the case the petition's subject line needs: ru accusative «на приговор» (same as the
# nominative for these), kk dative «үкімге».
_KK_DATIVE = {"үкім": "үкімге", "шешім": "шешімге", "қаулы": "қаулыға"}


def check_dates(
    act_date: dt.date, window_starts_on: dt.date, received_on: dt.date, on: dt.date
) -> None:
    """The dates an assistant enters must be possible on ``on``: the window starts with an
    event that has happened (CPC art. 418(1); CivPC art. 403(3)), not before the act itself,
    and the office cannot receive the act before that event."""
    if window_starts_on > on:
        raise ValueError(f"the window cannot start in the future ({window_starts_on})")
    if received_on > on:
        raise ValueError(f"a court act cannot be received in the future ({received_on})")
    if window_starts_on < act_date:
        raise ValueError("the window cannot start before the court act was passed")
    if received_on < window_starts_on:
        raise ValueError(
            "the act cannot be received before the window starts: enter the date of the "
            "pronouncement, delivery or final form as the window's start"
        )


class ReviewOutcome(StrEnum):
    """How the review of a court act ends."""

    APPEALED = "appealed"  # апелляционное ходатайство signed and brought through the court
    NO_GROUNDS = "no_grounds"  # the assistant found no grounds to appeal


class CourtAct(BaseModel):
    """The court act under review, as the assistant enters it (typed, not a free title)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: WindowKind
    case_number: str = Field(min_length=1, max_length=100, description="№ дела")
    act_date: dt.date = Field(description="the date of the act")
    window_starts_on: dt.date
    received_on: dt.date = Field(description="recorded; does not move the window")
    court_name_ru: str = Field(min_length=3, max_length=300)
    court_name_kk: str = Field(min_length=3, max_length=300)
    appellate_court_ru: str = Field(min_length=3, max_length=300)
    appellate_court_kk: str = Field(min_length=3, max_length=300)

    @model_validator(mode="after")
    def _possible_dates(self) -> CourtAct:
        check_dates(self.act_date, self.window_starts_on, self.received_on, today())
        return self

    @property
    def rule(self) -> WindowRule:
        return WINDOWS[self.kind]

    def window_end(self, calendar: WorkingCalendar, terms: TermsTable | None = None) -> dt.date:
        """From the event entered as the window's start; the day of receipt plays no part."""
        return window_end(self.kind, self.window_starts_on, calendar, terms)

    def title(self) -> str:
        return f"Court act: {self.kind} No. {self.case_number} of {self.act_date:%d.%m.%Y}"


def window_end(
    kind: WindowKind,
    starts_on: dt.date,
    calendar: WorkingCalendar,
    terms: TermsTable | None = None,
) -> dt.date:
    """The last day to bring the petition: the kind's term row counted from its starting event,
    the day of the event not counted; a last day off moves to the next working day (CPC art.
    48(2), 48(4); CivPC art. 123(4); CoAO art. 739)."""
    return (terms or default_terms()).due(WINDOWS[kind].term_id, starts_on, calendar)


def conclusion_due(
    end: dt.date,
    calendar: WorkingCalendar,
    *,
    received_on: dt.date,
    margin: int | None = None,
    terms: TermsTable | None = None,
) -> dt.date:
    """The assistant's conclusion: ``margin`` working days before the window ends (office
    practice, court.review_margin), so the head signs in time; never before the act arrived."""
    if margin is None:
        margin = (terms or default_terms()).figure(MARGIN_TERM, TermUnit.WORKING_DAYS)
    day = end
    for _ in range(margin):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    return max(day, received_on)


def window_closed(end: dt.date, on: dt.date) -> bool:
    """Past its last day the petition needs the term restored first (CPC art. 419; CivPC art.
    403(5))."""
    return on > end


def missing_content(grounds: str, request: str) -> list[str]:
    """What a petition lacks of the content the codes require: the reasons the act is unlawful
    or unfounded and the request (CPC art. 423(1)(5); CivPC art. 404(1)(4)-(5); CoAO art.
    833(1)(4)-(5))."""
    return [name for name, text in (("grounds", grounds), ("request", request)) if not text.strip()]


def addressee(act: CourtAct, language: str) -> tuple[str, str]:
    """The appellate court, and the court the petition goes through (CPC art. 417(1); CivPC
    art. 403(1); CoAO art. 831(1)). Names are kept as entered: the appellate court in the case
    the line needs (ru accusative after «В», kk dative), the first-instance court nominative
    (a court's accusative after «через» is its nominative; kk «арқылы» takes the nominative)."""
    if language == "kk":
        return act.appellate_court_kk, f"{act.court_name_kk} арқылы"
    return f"В {act.appellate_court_ru}", f"через {act.court_name_ru}"


def petition_fields(
    act: CourtAct,
    language: str,
    *,
    grounds: str,
    request: str,
    scope: str | None = None,
    attachments: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """What the petition template shows: the appellate court, the act (kind, date, case
    number) and the court that passed it, the part reviewed, the grounds and the request
    (CPC art. 423(1); CivPC art. 404(1); CoAO art. 833(1))."""
    if language not in ("ru", "kk"):
        raise ValueError(f"documents are issued in kk or ru, not {language!r}")
    to, through = addressee(act, language)
    rule = act.rule
    return {
        "addressee_name": to,
        "addressee_address": through,
        "act_name": rule.act_name[language],
        "act_name_dative": _KK_DATIVE[rule.act_name["kk"]] if language == "kk" else None,
        "act_date": f"{act.act_date:%d.%m.%Y}",
        "act_date_kk": kk_date(act.act_date, DateCase.ATTRIBUTIVE),
        "case_number": act.case_number,
        "court_name": act.court_name_kk if language == "kk" else act.court_name_ru,
        "scope": (scope or "").strip() or _WHOLE[language],
        "grounds": grounds,
        "request": request,
        "attachments": list(attachments),
        "legal_grounds": f"{_CL155[language]}, {rule.legal_grounds[language]}",
    }
