"""Supervision of a criminal case under pre-trial investigation (надзор за досудебным
расследованием, CPC art. 193): the term of the investigation by its form, how far and by whom it
may be extended, and who the procedural prosecutor (процессуальный прокурор) is.

Pure rules: no database, no Prefect. The figures are rows of ``terms-pretrial.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from models.office.roster import Position, Roster, Staff
from models.timing.calendar import WorkingCalendar, local_date
from models.timing.deadlines import TermUnit, due_moment
from models.timing.terms import TermsTable

# Term rows this module counts (the office checks them at start-up).
NOTICE_TERM = "pretrial.notice_start"  # the notice of the start, in hours
EXTENSION_REQUEST_TERM = "pretrial.extension_request"  # an extension request before the term ends
EXTENSION_DISTRICT_TERM = "pretrial.extension_district"  # the district prosecutor's extension
EXTENSION_REGIONAL_TERM = "pretrial.extension_regional"  # the regional prosecutor's extension

AREA = "criminal"


class InvestigationForm(StrEnum):
    """Форма досудебного расследования (CPC art. 189(1))."""

    INQUIRY = "inquiry"  # дознание / анықтау, CPC arts. 189(2), 191
    INVESTIGATION = "investigation"  # предварительное следствие / алдын ала тергеу, art. 189(3)
    PROTOCOL = "protocol"  # протокольная форма / хаттамалық нысан, arts. 189(6), 526


FORM_NAMES: dict[InvestigationForm, dict[str, str]] = {
    InvestigationForm.INQUIRY: {"ru": "дознание", "kk": "анықтау"},
    InvestigationForm.INVESTIGATION: {"ru": "предварительное следствие", "kk": "алдын ала тергеу"},
    InvestigationForm.PROTOCOL: {"ru": "протокольная форма", "kk": "хаттамалық нысан"},
}

# The term row of each form (CPC art. 192(2) para. 3; art. 526(1) for the protocol form).
TERM_OF_FORM: dict[InvestigationForm, str] = {
    InvestigationForm.INQUIRY: "pretrial.inquiry",
    InvestigationForm.INVESTIGATION: "pretrial.investigation",
    InvestigationForm.PROTOCOL: "pretrial.protocol",
}
TERMS = (
    *TERM_OF_FORM.values(),
    NOTICE_TERM,
    EXTENSION_REQUEST_TERM,
    EXTENSION_DISTRICT_TERM,
    EXTENSION_REGIONAL_TERM,
)


def investigation_due(
    form: InvestigationForm,
    registered_at: dt.datetime,
    calendar: WorkingCalendar,
    terms: TermsTable,
    suspect_questioned_at: dt.datetime | None = None,
) -> dt.date:
    """Last day of the investigation term: one month (inquiry) or two (preliminary
    investigation) from the registration in ЕРДР (CPC art. 192(2)); ten сутки from questioning
    the suspect in the protocol form (CPC art. 526(1)), from the registration while that moment
    is not known (the earliest it can end: the office is reminded early, never late)."""
    start = registered_at
    if form is InvestigationForm.PROTOCOL and suspect_questioned_at is not None:
        start = max(registered_at, suspect_questioned_at)
    return terms.due(TERM_OF_FORM[form], start, calendar)


def notice_due_at(registered_at: dt.datetime, terms: TermsTable) -> dt.datetime:
    """The moment the notice of the start of the investigation is overdue (CPC art. 196(1):
    «немедленно»; 24 hours is the office's control term, row pretrial.notice_start)."""
    hours = terms.figure(NOTICE_TERM, TermUnit.HOURS)
    # in UTC: a database without time zones (SQLite) keeps the wall time it is given
    return due_moment(registered_at, hours).astimezone(dt.UTC)


def request_deadline(current_due: dt.date, terms: TermsTable) -> dt.date:
    """The last day the ruling on an extension may reach the district prosecutor: five сутки
    before the term ends (CPC art. 192(6))."""
    days = terms.figure(EXTENSION_REQUEST_TERM, TermUnit.CALENDAR_DAYS)
    return current_due - dt.timedelta(days=days)


class ExtensionGround(StrEnum):
    """Why the investigator asks (CPC art. 192(4)-(5))."""

    COMPLEXITY = "complexity"  # сложность дела: the district prosecutor
    SPECIAL_COMPLEXITY = "special_complexity"  # особая сложность: the regional prosecutor
    FOREIGN_TRANSFER = "foreign_transfer"  # передача в иностранное государство: regional


class Authority(StrEnum):
    """Who may extend the term."""

    DISTRICT = "district"  # районный прокурор, CPC art. 192(4) para. 2: up to 3 months
    REGIONAL = "regional"  # прокурор области и заместители, art. 192(4) para. 3: up to 12
    PROSECUTOR_GENERAL = "prosecutor_general"  # Генеральный Прокурор, art. 192(5)
    NONE = "none"  # nothing to extend, or a form whose term is not extended


@dataclass(frozen=True, slots=True)
class ExtensionRoute:
    authority: Authority
    reason: str
    district_limit: dt.date | None = None

    @property
    def here(self) -> bool:
        """The district office itself may grant it."""
        return self.authority is Authority.DISTRICT


def district_limit(
    registered_at: dt.datetime, calendar: WorkingCalendar, terms: TermsTable
) -> dt.date:
    """The furthest the district prosecutor may extend to: three months from the registration
    in ЕРДР (CPC art. 192(4) para. 2), the last day moved off a day off (CPC art. 48(4))."""
    return terms.due(EXTENSION_DISTRICT_TERM, registered_at, calendar)


def extension_route(
    form: InvestigationForm,
    registered_at: dt.datetime,
    current_due: dt.date,
    requested_until: dt.date,
    ground: ExtensionGround,
    calendar: WorkingCalendar,
    terms: TermsTable,
) -> ExtensionRoute:
    """Who may decide a reasoned request to extend the term to ``requested_until``.

    The district prosecutor extends for complexity up to three months in all (CPC art. 192(4)
    para. 2); special complexity or a transfer abroad, or a longer term up to twelve months, is
    for the regional prosecutor (para. 3); beyond that the Prosecutor General (art. 192(5)).
    """
    if form is InvestigationForm.PROTOCOL:
        return ExtensionRoute(
            Authority.NONE,
            "the protocol form is not extended: the head of the inquiry body appoints inquiry or"
            " preliminary investigation (CPC arts. 189(4), 526(1))",
        )
    if requested_until <= current_due:
        return ExtensionRoute(
            Authority.NONE,
            f"the term already runs to {current_due:%d.%m.%Y}: nothing to extend",
        )
    limit = district_limit(registered_at, calendar, terms)
    regional = terms.due(EXTENSION_REGIONAL_TERM, registered_at, calendar)
    if requested_until > regional:
        return ExtensionRoute(
            Authority.PROSECUTOR_GENERAL,
            f"beyond twelve months ({regional:%d.%m.%Y}): only the Prosecutor General or a"
            " deputy, in exceptional cases (CPC art. 192(5))",
            limit,
        )
    if ground is not ExtensionGround.COMPLEXITY:
        return ExtensionRoute(
            Authority.REGIONAL,
            "special complexity or a transfer abroad: the regional prosecutor (CPC art. 192(4)"
            " para. 3)",
            limit,
        )
    if requested_until > limit:
        return ExtensionRoute(
            Authority.REGIONAL,
            f"beyond three months ({limit:%d.%m.%Y}), the district prosecutor's limit: the"
            " regional prosecutor (CPC art. 192(4) para. 3)",
            limit,
        )
    return ExtensionRoute(
        Authority.DISTRICT,
        f"complexity, within three months ({limit:%d.%m.%Y}): the district prosecutor (CPC art."
        " 192(4) para. 2)",
        limit,
    )


def request_is_late(received_on: dt.date, current_due: dt.date, terms: TermsTable) -> bool:
    """The ruling reached the office later than five сутки before the term ends (CPC art.
    192(6)): still decided, but the lateness is recorded as a breach by the body."""
    return received_on > request_deadline(current_due, terms)


_PROSECUTORS = frozenset({Position.ASSISTANT, Position.SENIOR_ASSISTANT, Position.DEPUTY})


def choose_procedural_prosecutor(
    roster: Roster, day: dt.date, open_load: Mapping[str, int], area: str = AREA
) -> tuple[Staff, str]:
    """The procedural prosecutor: an assistant, senior assistant or deputy supervising the
    criminal area, present on ``day``, with the fewest open duties (then junior first, so a
    deputy is not loaded while an assistant is free); with nobody such, the person managing the
    office that day (Regulation cl. 14-15)."""
    candidates = [s for s in roster.present(day) if s.position in _PROSECUTORS and area in s.areas]
    if candidates:
        chosen = min(
            candidates,
            key=lambda s: (open_load.get(s.id, 0), -s.position.rank, s.seniority, s.id),
        )
        return chosen, f"present in area {area} with {open_load.get(chosen.id, 0)} open duties"
    manager = roster.signatory_on(day).staff
    if manager is None:
        raise LookupError(f"nobody in the office on {day} can supervise a criminal case")
    return manager, f"nobody of area {area} present: the person managing the office"


def registered_on(registered_at: dt.datetime) -> dt.date:
    return local_date(registered_at)
