"""The Kazakhstan working-day calendar (өндірістік күнтізбе / производственный календарь).

Base: the `holidays` package's KZ calendar (version 0.101 or later: earlier ones get 31 August
2026, 30 August 2027 and 15 March 2027 wrong), which knows public holidays (Law "On holidays in
the Republic of Kazakhstan"), holidays moved off a weekend (LC art. 84(5) for the exceptions),
transferred days off and the weekend days that became working days. Transfers are made by the
authorised body on labour (LC art. 85(3), since 2023; before, by Government decree). On top of
it: a local override file (``models/timing/data/calendar_overrides.yaml``) for transfers the package
does not know yet and for religious days whose official date differs from the package's
estimate. Unconfirmed override entries are kept in the file for review but not applied, so a
doubt never moves a deadline later; only those dated today or later are listed for review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml

ALMATY = ZoneInfo("Asia/Almaty")
DEFAULT_OVERRIDES = Path(__file__).with_name("data") / "calendar_overrides.yaml"


class OverrideKind(StrEnum):
    DAY_OFF = "day_off"  # a day off the package does not know (transfer, official religious date)
    WORKING_DAY = "working_day"  # a weekend day made a working day by a transfer (LC art. 85(3))
    NOT_A_HOLIDAY = "not_a_holiday"  # the package's holiday is wrong (an estimate that moved)


@dataclass(frozen=True, slots=True)
class Override:
    date: dt.date
    kind: OverrideKind
    name: str
    source: str
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class DayStatus:
    date: dt.date
    working: bool
    reason: str


def load_overrides(path: Path = DEFAULT_OVERRIDES) -> list[Override]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    overrides = []
    for i, entry in enumerate(raw.get("overrides") or []):
        try:
            overrides.append(
                Override(
                    date=dt.date.fromisoformat(str(entry["date"])),
                    kind=OverrideKind(entry["kind"]),
                    name=str(entry["name"]),
                    source=str(entry["source"]),
                    confirmed=bool(entry.get("confirmed", True)),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}: override #{i + 1} is invalid: {exc}") from exc
    seen: dict[dt.date, Override] = {}
    for o in overrides:
        if o.confirmed and o.date in seen:
            raise ValueError(f"{path}: two confirmed overrides for {o.date}")
        if o.confirmed:
            seen[o.date] = o
    return overrides


class WorkingCalendar:
    """Working days of the Republic of Kazakhstan (five-day week, Saturday and Sunday off)."""

    def __init__(self, overrides: list[Override] | None = None) -> None:
        applied = [o for o in (overrides if overrides is not None else load_overrides())]
        self._overrides = {o.date: o for o in applied if o.confirmed}
        self._unconfirmed = [o for o in applied if not o.confirmed]

    @property
    def pending_review(self) -> list[Override]:
        """Unconfirmed entries still to be decided: today or later (a past doubt is moot)."""
        return self.pending_review_on(today())

    def pending_review_on(self, day: dt.date) -> list[Override]:
        return [o for o in self._unconfirmed if o.date >= day]

    @cached_property
    def _kz(self) -> holidays.HolidayBase:
        # Years are added lazily by the package as dates are queried.
        return holidays.country_holidays("KZ")

    def status(self, day: dt.date) -> DayStatus:
        override = self._overrides.get(day)
        if override is not None:
            working = override.kind is OverrideKind.WORKING_DAY or (
                override.kind is OverrideKind.NOT_A_HOLIDAY and day.weekday() < 5
            )
            return DayStatus(day, working, f"{override.name} ({override.source})")
        names = self._kz.get_list(day)
        if names:
            return DayStatus(day, False, "public holiday: " + "; ".join(names))
        if day in self._kz.weekend_workdays:
            return DayStatus(day, True, "weekend working day (transfer of days off, LC art. 85(3))")
        if day.weekday() >= 5:
            return DayStatus(day, False, "weekend")
        return DayStatus(day, True, "working day")

    def is_working_day(self, day: dt.date) -> bool:
        return self.status(day).working

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def on_or_next_working_day(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def local_date(moment: dt.datetime | dt.date) -> dt.date:
    """The date in Asia/Almaty of a moment; a naive datetime is taken as Almaty time."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            return moment.date()
        return moment.astimezone(ALMATY).date()
    return moment


def today() -> dt.date:
    return dt.datetime.now(ALMATY).date()
