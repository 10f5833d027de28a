"""State prosecution (поддержание государственного обвинения / мемлекеттік айыптауды қолдау),
as pure rules: who prosecutes, the hearings on the calendar, the verdict and the review of it.

- The prosecutor who takes part in the trial upholds the charge on behalf of the state and is
  the state prosecutor (государственный обвинитель) (CPC art. 58(1); CL-155 arts. 22(1), 23);
  his or her part in the main trial is obligatory, save private prosecution (CPC art. 337(1)).
- The court adjourns a hearing to a set date (CPC art. 341(1)).
- A verdict is a conviction or an acquittal (CPC art. 392); it is pronounced in the courtroom
  (CPC art. 402(1)); its copy reaches the convict or acquitted, the defender and the prosecutor
  within 5 сутки, 15 for a large one (CPC art. 404); an acquitted person in custody is released
  in the courtroom (CPC art. 403).
- The prosecutor's апелляционное ходатайство: by the state prosecutor, or by the district
  prosecutor and the deputies whatever their part (CPC art. 414(2)); within 15 сутки of the
  pronouncement (CPC art. 418(1)). The same article lets a convict in custody appeal within
  the same term from the delivery of the copy to him: «осужденным, содержащимся под стражей, –
  в тот же срок со дня вручения ему копии» is the convict's own window, not the prosecutor's.
  The prosecutor's window therefore always runs from the pronouncement; the convict's later
  window is shown so the office knows until when the convict's appeal may come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.office.roster import Position, Roster, Staff
from models.procedures.court_acts import WindowKind, window_end
from models.timing.calendar import WorkingCalendar
from models.timing.terms import TermsTable

AREA = "criminal"
# The positions that may be sent to court as state prosecutor; the head takes it only when
# nobody of the area is present.
PROSECUTING_POSITIONS = frozenset({Position.ASSISTANT, Position.SENIOR_ASSISTANT, Position.DEPUTY})


class EntryKind(StrEnum):
    """What the state prosecutor records."""

    HEARING_SCHEDULED = "hearing_scheduled"  # судебное заседание назначено
    HEARING_ADJOURNED = "hearing_adjourned"  # отложено, CPC art. 341(1)
    VERDICT_PRONOUNCED = "verdict_pronounced"  # приговор провозглашен, CPC art. 402(1)


class VerdictKind(StrEnum):
    """CPC art. 392: a verdict is a conviction or an acquittal; ``other`` is a court's
    постановление that ends the case (e.g. its termination, CPC art. 343)."""

    CONVICTION = "conviction"  # обвинительный приговор, CPC art. 393
    ACQUITTAL = "acquittal"  # оправдательный приговор, CPC art. 394
    OTHER = "other"


class Hearing(BaseModel):
    """One court hearing of the case (судебное заседание / сот отырысы)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on: dt.date
    at: dt.time | None = None
    court_ru: str = Field(min_length=3, max_length=300)
    court_kk: str = Field(min_length=3, max_length=300)
    courtroom: str | None = Field(None, max_length=40)


class Verdict(BaseModel):
    """The verdict as the state prosecutor enters it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: VerdictKind
    pronounced_on: dt.date
    convict_in_custody: bool = False
    copy_delivered_on: dt.date | None = Field(
        None, description="the copy delivered to the convict in custody (CPC art. 404)"
    )

    @model_validator(mode="after")
    def _custody_of_a_convict(self) -> Verdict:
        if self.convict_in_custody and self.kind is not VerdictKind.CONVICTION:
            raise ValueError(
                "only a convict stays in custody: an acquitted person is released in the "
                "courtroom (CPC art. 403)"
            )
        if self.copy_delivered_on is not None and self.copy_delivered_on < self.pronounced_on:
            raise ValueError("the copy cannot be delivered before the verdict is pronounced")
        return self


class EntryRefused(ValueError):
    """An entry the rules refuse; the message says why, for the next form."""


def check_hearing(hearing: Hearing, on: dt.date) -> None:
    """A hearing put on the calendar on ``on`` cannot lie in the past."""
    if hearing.on < on:
        raise EntryRefused(f"a hearing cannot be scheduled in the past ({hearing.on:%d.%m.%Y})")


def check_adjournment(open_hearings: Sequence[Hearing], reason: str) -> None:
    """An adjournment needs a hearing to adjourn and its reason (CPC art. 341(1))."""
    if not open_hearings:
        raise EntryRefused("no hearing on the calendar to adjourn")
    if not reason.strip():
        raise EntryRefused("say why the court adjourned the hearing (CPC art. 341(1))")


def check_verdict(verdict: Verdict, hearings: Iterable[Hearing], on: dt.date) -> None:
    """The verdict is pronounced at a hearing: not in the future, not before the first
    hearing; its copy cannot have been delivered in the future."""
    if verdict.pronounced_on > on:
        raise EntryRefused(
            f"a verdict cannot be pronounced in the future ({verdict.pronounced_on})"
        )
    if verdict.copy_delivered_on is not None and verdict.copy_delivered_on > on:
        raise EntryRefused("the copy cannot be delivered in the future")
    first = min((h.on for h in hearings), default=None)
    if first is not None and verdict.pronounced_on < first:
        raise EntryRefused(
            f"the verdict ({verdict.pronounced_on:%d.%m.%Y}) cannot precede the first hearing "
            f"({first:%d.%m.%Y})"
        )


def held_by(hearings: Mapping[str, Hearing], on: dt.date) -> list[str]:
    """The hearings (by key) whose day has come by ``on``: they took place."""
    return [key for key, h in hearings.items() if h.on <= on]


def hearing_state(duty_status: str, adjourned_reason: str | None) -> str:
    """What became of a hearing, from its duty: open - scheduled, done - held, cancelled -
    adjourned by the court (with its reason) or dropped because the verdict came first."""
    if duty_status == "open":
        return "scheduled"
    if duty_status == "done":
        return "held"
    return "adjourned" if adjourned_reason else "dropped"


def choose_state_prosecutor(
    roster: Roster, day: dt.date, open_load: Mapping[str, int], area: str = AREA
) -> tuple[Staff, str]:
    """An assistant or deputy of ``area`` present on ``day``, the least loaded first (an
    assistant before a deputy at equal load); with nobody such, the person managing the office
    that day (a district prosecutor is a prosecutor too, CPC art. 58(1))."""
    candidates = [
        s for s in roster.present(day) if s.position in PROSECUTING_POSITIONS and area in s.areas
    ]
    if candidates:
        chosen = min(
            candidates,
            key=lambda s: (
                open_load.get(s.id, 0),
                s.position is Position.DEPUTY,
                s.seniority,
                s.id,
            ),
        )
        return chosen, f"present in area {area} with {open_load.get(chosen.id, 0)} open duties"
    manager = roster.signatory_on(day).staff
    if manager is None:
        raise LookupError(f"nobody in the office on {day} can prosecute in area {area}")
    return manager, f"nobody of area {area} present: the person managing the office"


def review_window(verdict: Verdict) -> tuple[WindowKind, dt.date]:
    """The prosecutor's appeal window and the day it runs from: the pronouncement, whatever
    the verdict and wherever the convict is (CPC art. 418(1))."""
    return WindowKind.CRIMINAL_VERDICT, verdict.pronounced_on


def convict_window_end(
    verdict: Verdict, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date | None:
    """Until when a convict in custody may appeal: 15 сутки from the delivery of the copy
    (CPC art. 418(1)); None while the copy is not delivered or nobody is in custody."""
    if not verdict.convict_in_custody or verdict.copy_delivered_on is None:
        return None
    # the same 15 сутки row as the prosecutor's, run from the delivery
    return window_end(WindowKind.CRIMINAL_VERDICT, verdict.copy_delivered_on, calendar, terms)


def review_parameters(
    verdict: Verdict,
    *,
    case_number: str,
    court_ru: str,
    court_kk: str,
    appellate_court_ru: str,
    appellate_court_kk: str,
    received_on: dt.date | None = None,
    language: str = "ru",
    state_prosecutor: str | None = None,
) -> dict[str, Any]:
    """The parameters the review of the court act (review-court-act) starts with; the state
    prosecutor concludes on it and brings the petition (CPC art. 414(2)). The act's
    date is the pronouncement (CPC art. 402(1)); ``received_on``: the day the office received
    the copy, recorded only (the state prosecutor heard it pronounced: by default that day)."""
    kind, starts_on = review_window(verdict)
    return {
        "window_kind": kind.value,
        "case_number": case_number,
        "act_date": verdict.pronounced_on,
        "window_starts_on": starts_on,
        "received_on": max(received_on or verdict.pronounced_on, verdict.pronounced_on),
        "court_name_ru": court_ru,
        "court_name_kk": court_kk,
        "appellate_court_ru": appellate_court_ru,
        "appellate_court_kk": appellate_court_kk,
        "area": AREA,
        "language": language,
        "assistant": state_prosecutor,
    }
