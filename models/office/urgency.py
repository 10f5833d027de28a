"""Who may act right now, for matters counted in hours (a person held illegally is released
*immediately*: CL-155 art. 10(2)(9); CPC arts. 14(2), 14(4)).

In working hours of a working day it is the person who signs for the office that day (the head,
or the deputy replacing the head, cl. 14-15); outside them, the prosecutor on duty by the duty
roster; with nobody on duty, the signatory of the day, who must then be reached at home.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.office.roster import EscalationTarget, Roster, Staff
from models.settings import get_settings
from models.timing.calendar import ALMATY, WorkingCalendar


def office_hours() -> tuple[dt.time, dt.time]:
    opens, _, closes = get_settings().office_hours.partition("-")
    return dt.time.fromisoformat(opens.strip()), dt.time.fromisoformat(closes.strip())


@dataclass(frozen=True, slots=True)
class Authorised:
    staff: Staff | None  # None: the regional office
    on_duty: bool
    reason: str


def in_working_hours(moment: dt.datetime, calendar: WorkingCalendar) -> bool:
    local = moment.astimezone(ALMATY)
    opens, closes = office_hours()
    return calendar.is_working_day(local.date()) and opens <= local.time() < closes


def authorised_at(roster: Roster, moment: dt.datetime, calendar: WorkingCalendar) -> Authorised:
    day = moment.astimezone(ALMATY).date()
    signatory = roster.signatory_on(day)
    if not in_working_hours(moment, calendar):
        duty = roster.on_duty_at(moment)
        if duty is not None:
            return Authorised(duty, True, "prosecutor on duty outside working hours")
    return Authorised(signatory.staff, False, signatory.reason)


def hourly_chain(
    roster: Roster, moment: dt.datetime, calendar: WorkingCalendar
) -> list[EscalationTarget]:
    """Who an unanswered urgent matter goes to, hour by hour: the person authorised now, the
    head or the person replacing the head, then the regional office."""
    first = authorised_at(roster, moment, calendar)
    day = moment.astimezone(ALMATY).date()
    chain = [EscalationTarget(first.staff, first.reason)] if first.staff else []
    manager = roster.signatory_on(day)
    if manager.staff is not None:
        chain.append(EscalationTarget(manager.staff, manager.reason))
    chain.append(EscalationTarget(None, "beyond the office: regional office"))
    unique: list[EscalationTarget] = []
    for target in chain:
        if target.key not in {t.key for t in unique}:
            unique.append(target)
    return unique
