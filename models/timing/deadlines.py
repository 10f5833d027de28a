"""Deadline arithmetic (исчисление сроков) on the Kazakhstan working-day calendar.

The rules and their sources are rows of the terms table (``models/timing/data/terms.yaml``,
section ``calendar_rules``); in short:
- the day of the starting event is not counted: a term runs from the next day (Civil Code
  art. 173; APPC art. 76(2); CPC art. 48(2));
- N working days: the term ends on the N-th working day after the start;
- N calendar days and N months: a last day that falls on a non-working day moves to the next
  working day (Civil Code art. 175); a month term ends on the same date of the last month, or on
  that month's last day when it has no such date (Civil Code art. 174(3));
- hours (detention): counted from the moment, never moved (CPC art. 48(4)-(5)).

Code-specific "сутки" (days) map onto these units: CPC сутки include non-working time and end at
24:00 of the last day, moved to the next working day when it is non-working (CPC art. 48(3)-(4)),
which is CALENDAR_DAYS; CoAO сутки exclude non-working time (CoAO art. 739(3)), which is
WORKING_DAYS.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from enum import StrEnum

from models.timing.calendar import ALMATY, WorkingCalendar, local_date


class TermUnit(StrEnum):
    """Units of the terms table; CPC сутки are CALENDAR_DAYS, CoAO сутки WORKING_DAYS (above)."""

    SAME_DAY = "same_day"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    YEARS = "years"
    HOURS = "hours"


def add_months(start: dt.date, months: int) -> dt.date:
    """Same date ``months`` later, or the last day of that month when it has no such date."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def due_date(
    start: dt.date | dt.datetime, n: int, unit: TermUnit, calendar: WorkingCalendar
) -> dt.date:
    """Last day of a term of ``n`` ``unit`` that starts with an event on ``start``."""
    if n < 0:
        raise ValueError(f"a term cannot be negative: {n}")
    unit = TermUnit(unit)
    day = local_date(start)
    match unit:
        case TermUnit.SAME_DAY:
            return calendar.on_or_next_working_day(day)
        case TermUnit.WORKING_DAYS:
            for _ in range(n):
                day = calendar.next_working_day(day)
            return calendar.on_or_next_working_day(day)
        case TermUnit.CALENDAR_DAYS:
            return calendar.on_or_next_working_day(day + dt.timedelta(days=n))
        case TermUnit.MONTHS:
            return calendar.on_or_next_working_day(add_months(day, n))
        case TermUnit.YEARS:
            return calendar.on_or_next_working_day(add_months(day, 12 * n))
        case TermUnit.HOURS:
            raise ValueError("a term in hours has a moment, not a day: use due_moment()")
    raise AssertionError(unit)  # pragma: no cover - StrEnum is exhaustive


def due_moment(start: dt.datetime, hours: int) -> dt.datetime:
    """End of a term counted in hours: not moved by days off (detention periods)."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=ALMATY)
    if hours < 0:
        raise ValueError(f"a term cannot be negative: {hours}")
    return start + dt.timedelta(hours=hours)
