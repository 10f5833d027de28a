"""The office roster and its rules (Regulation clauses 10-15), pure and storage-free.

- Who signs on a day (cl. 15): the district prosecutor; when absent, the deputy named in an acting
  order (приказ о возложении обязанностей) for that day; else the senior deputy present (cl. 14.2);
  when nobody of them is present, the regional office.
- An acting order for the head (исполнение обязанностей районного прокурора) names a deputy: the
  deputy replaces the head (cl. 14.2), so an order naming anyone else is refused for any day a
  deputy is present, and ignored on such a day if one was stored before the rule.
- The prosecutor on duty (дежурный прокурор) is present on every day of the shift: a shift of an
  absent person is refused, and a shift whose prosecutor fell ill or left meanwhile covers nobody.
- Who replaces an absent staff member: the person named in an acting order, else a colleague of
  the same rank present who shares an area of supervision, else the deputy supervising the area,
  else whoever manages the office that day.
- Who a duty escalates to: an assistant's to the deputy supervising the area, then to the head
  (or the person replacing the head); a deputy's to the head; the head's to the acting deputy
  when the head is away; beyond the office to the regional office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from models.timing.calendar import ALMATY


class Position(StrEnum):
    DISTRICT_PROSECUTOR = "district_prosecutor"  # аудан прокуроры / прокурор района
    DEPUTY = "deputy"  # орынбасар / заместитель прокурора
    SENIOR_ASSISTANT = "senior_assistant"  # аға көмекші / старший помощник
    ASSISTANT = "assistant"  # көмекші / помощник

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Position.DISTRICT_PROSECUTOR: 0,
    Position.DEPUTY: 1,
    Position.SENIOR_ASSISTANT: 2,
    Position.ASSISTANT: 3,
}


class AbsenceKind(StrEnum):
    LEAVE = "leave"  # отпуск
    BUSINESS_TRIP = "business_trip"  # командировка
    SICK_LEAVE = "sick_leave"  # больничный
    TRAINING = "training"  # обучение


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name: str
    position: Position
    areas: frozenset[str] = frozenset()
    seniority: int = 100  # lower is more senior; orders deputies for cl. 14 and colleagues
    clearance: bool = False  # access to state secrets (CL-155 art. 10(2)(4))
    active: bool = True
    iin: str | None = None  # ЖСН / ИИН, the holder of the staff member's EDS certificate


@dataclass(frozen=True, slots=True)
class Absence:
    staff_id: str
    start: dt.date
    end: dt.date  # inclusive
    kind: AbsenceKind

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Absence) -> bool:
        return (
            self.staff_id == other.staff_id and self.start <= other.end and other.start <= self.end
        )


@dataclass(frozen=True, slots=True)
class ActingOrder:
    """An order that ``acting_id`` performs the duties of ``for_id`` over a period (inclusive)."""

    acting_id: str
    for_id: str
    start: dt.date
    end: dt.date
    reference: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Shift:
    """``staff_id`` is the prosecutor on duty from ``start`` to ``end`` (aware moments)."""

    staff_id: str
    start: dt.datetime
    end: dt.datetime

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


class RosterError(ValueError):
    pass


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def shift_days(shift: Shift) -> list[dt.date]:
    """The local (Almaty) days a shift touches; a shift ending at midnight does not touch the
    next day."""
    first = shift.start.astimezone(ALMATY).date()
    last = (shift.end - dt.timedelta(microseconds=1)).astimezone(ALMATY).date()
    return list(_days(first, max(first, last)))


@dataclass(frozen=True, slots=True)
class Signatory:
    """Who signs on behalf of the office on a day; ``staff`` None means the regional office."""

    staff: Staff | None
    acting: bool
    reason: str

    @property
    def is_regional_office(self) -> bool:
        return self.staff is None


REGIONAL_OFFICE = "regional_office"


@dataclass(frozen=True, slots=True)
class EscalationTarget:
    staff: Staff | None  # None: beyond the office, to the regional office
    reason: str

    @property
    def key(self) -> str:
        return self.staff.id if self.staff else REGIONAL_OFFICE


@dataclass
class Roster:
    staff: dict[str, Staff]
    absences: list[Absence] = field(default_factory=list)
    acting_orders: list[ActingOrder] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        staff: Iterable[Staff],
        absences: Iterable[Absence] = (),
        acting_orders: Iterable[ActingOrder] = (),
        shifts: Iterable[Shift] = (),
    ) -> Roster:
        roster = cls({s.id: s for s in staff}, list(absences), list(acting_orders), list(shifts))
        roster.validate()
        return roster

    # -- consistency -------------------------------------------------------------------------
    def validate(self) -> None:
        heads = [
            s
            for s in self.staff.values()
            if s.active and s.position is Position.DISTRICT_PROSECUTOR
        ]
        if len(heads) > 1:
            raise RosterError(f"an office has one district prosecutor, found {len(heads)}")
        for a in self.absences:
            self.member(a.staff_id)
            if a.end < a.start:
                raise RosterError(f"absence of {a.staff_id} ends before it starts")
        for i, a in enumerate(self.absences):
            for b in self.absences[i + 1 :]:
                if a.overlaps(b):
                    raise RosterError(
                        f"absences of {a.staff_id} overlap:"
                        f" {a.start}..{a.end} and {b.start}..{b.end}"
                    )
        for o in self.acting_orders:
            self.member(o.acting_id)
            self.member(o.for_id)
            if o.acting_id == o.for_id:
                raise RosterError(f"{o.acting_id} cannot act for themselves")
            if o.end < o.start:
                raise RosterError(f"acting order {o.reference or ''} ends before it starts".strip())
        for shift in self.shifts:
            self.member(shift.staff_id)
            if shift.end <= shift.start:
                raise RosterError(f"a duty shift of {shift.staff_id} ends before it starts")
        for i, a in enumerate(self.acting_orders):
            for b in self.acting_orders[i + 1 :]:
                if a.for_id == b.for_id and a.start <= b.end and b.start <= a.end:
                    raise RosterError(
                        f"two acting orders for {a.for_id} overlap: {a.start}..{a.end} and"
                        f" {b.start}..{b.end}"
                    )

    def member(self, staff_id: str) -> Staff:
        try:
            return self.staff[staff_id]
        except KeyError:
            raise RosterError(f"unknown staff member {staff_id!r}") from None

    # -- presence ----------------------------------------------------------------------------
    def absence_on(self, staff_id: str, day: dt.date) -> Absence | None:
        return next((a for a in self.absences if a.staff_id == staff_id and a.covers(day)), None)

    def is_present(self, staff_id: str, day: dt.date) -> bool:
        s = self.member(staff_id)
        return s.active and self.absence_on(staff_id, day) is None

    def head(self) -> Staff | None:
        return next(
            (
                s
                for s in self.staff.values()
                if s.active and s.position is Position.DISTRICT_PROSECUTOR
            ),
            None,
        )

    def _by_seniority(self, people: Iterable[Staff]) -> list[Staff]:
        return sorted(people, key=lambda s: (s.position.rank, s.seniority, s.id))

    def present(self, day: dt.date, position: Position | None = None) -> list[Staff]:
        return self._by_seniority(
            s
            for s in self.staff.values()
            if (position is None or s.position is position) and self.is_present(s.id, day)
        )

    def acting_for(self, staff_id: str, day: dt.date) -> Staff | None:
        """The person an acting order names for ``staff_id`` on ``day``, if present."""
        for o in self.acting_orders:
            if o.for_id == staff_id and o.covers(day) and self.is_present(o.acting_id, day):
                return self.staff[o.acting_id]
        return None

    # -- clauses 14-15: who manages and signs --------------------------------------------------
    def signatory_on(self, day: dt.date) -> Signatory:
        head = self.head()
        if head is not None and self.is_present(head.id, day):
            return Signatory(head, acting=False, reason="the district prosecutor is present")
        deputies = self.present(day, Position.DEPUTY)
        if head is not None:
            acting = self.acting_for(head.id, day)
            if acting is not None and (acting.position is Position.DEPUTY or not deputies):
                return Signatory(
                    acting, acting=True, reason="acting order for the district prosecutor"
                )
        if deputies:
            return Signatory(
                deputies[0],
                acting=True,
                reason="senior deputy present replaces the district prosecutor",
            )
        return Signatory(
            None, acting=True, reason="neither the district prosecutor nor a deputy is present"
        )

    def on_duty_at(self, moment: dt.datetime) -> Staff | None:
        """The prosecutor on duty at ``moment`` by the duty roster, if present that day (a
        prosecutor on leave or sick leave is on duty for nobody)."""
        day = moment.astimezone(ALMATY).date()
        for shift in self.shifts:
            if shift.covers(moment) and self.is_present(shift.staff_id, day):
                return self.staff[shift.staff_id]
        return None

    # -- new entries: checked when they are made -------------------------------------------------
    def check_acting_order(self, order: ActingOrder) -> None:
        """Refuse an acting order for the head naming a non-deputy on a day a deputy is present.

        Regulation cl. 14.2, 15: the deputy, where there is one, manages the office and signs when
        the district prosecutor is absent. Checked for new orders only: the roster keeps no dates
        of appointment, so an old order is not judged against deputies appointed since.
        """
        head = self.head()
        acting = self.member(order.acting_id)
        if head is None or order.for_id != head.id or acting.position is Position.DEPUTY:
            return
        for day in _days(order.start, order.end):
            deputies = [d for d in self.present(day, Position.DEPUTY) if d.id != acting.id]
            if deputies:
                raise RosterError(
                    f"acting order for the district prosecutor refused: {acting.id} is a"
                    f" {acting.position.value}, and deputy {deputies[0].id} is present on {day};"
                    " the deputy replaces the head (Regulation cl. 14.2, 15). Name a deputy, or"
                    " record the deputies' absence first"
                )

    def check_shift(self, shift: Shift) -> None:
        """Refuse a duty shift of someone absent (or no longer serving) on a day it covers."""
        person = self.member(shift.staff_id)
        for day in shift_days(shift):
            if not self.is_present(person.id, day):
                absence = self.absence_on(person.id, day)
                why = absence.kind.value if absence else "not in service"
                raise RosterError(
                    f"duty shift refused: {person.id} is absent on {day} ({why}); the prosecutor"
                    " on duty must be present on the duty day: assign someone present"
                )

    def shifts_left_uncovered(self, absence: Absence) -> list[Shift]:
        """Duty shifts of the absent person on the days of ``absence``: nobody covers them now."""
        return [
            s
            for s in self.shifts
            if s.staff_id == absence.staff_id and any(absence.covers(d) for d in shift_days(s))
        ]

    def may_sign(self, staff_id: str, day: dt.date) -> bool:
        signatory = self.signatory_on(day)
        return signatory.staff is not None and signatory.staff.id == staff_id

    # -- replacement of any absent staff member -------------------------------------------------
    def replacement_for(self, staff_id: str, day: dt.date) -> EscalationTarget:
        """Who does ``staff_id``'s work on ``day`` (themselves when present)."""
        person = self.member(staff_id)
        if self.is_present(staff_id, day):
            return EscalationTarget(person, "present")
        acting = self.acting_for(staff_id, day)
        if acting is not None:
            return EscalationTarget(acting, f"acting order for {staff_id}")
        if person.position is Position.DISTRICT_PROSECUTOR:
            return self._manager_on(day)
        peers = [
            s
            for s in self.present(day, person.position)
            if s.id != staff_id and (not person.areas or s.areas & person.areas)
        ]
        if person.position is not Position.DEPUTY and peers:
            return EscalationTarget(peers[0], f"colleague sharing the area of {staff_id}")
        supervisor = self.supervising_deputy(person.areas, day, exclude=staff_id)
        if person.position is not Position.DEPUTY and supervisor is not None:
            return EscalationTarget(supervisor, f"deputy supervising the area of {staff_id}")
        if person.position is Position.DEPUTY and peers:
            return EscalationTarget(peers[0], f"deputy sharing the area of {staff_id}")
        return self._manager_on(day)

    def supervising_deputy(
        self, areas: frozenset[str], day: dt.date, exclude: str | None = None
    ) -> Staff | None:
        """The present deputy supervising one of ``areas``, or replacing the one who does."""
        for deputy in self._by_seniority(
            s for s in self.staff.values() if s.active and s.position is Position.DEPUTY
        ):
            if deputy.id == exclude or not (deputy.areas & areas):
                continue
            if self.is_present(deputy.id, day):
                return deputy
            acting = self.acting_for(deputy.id, day)
            if acting is not None and acting.id != exclude:
                return acting
        return None

    def _manager_on(self, day: dt.date) -> EscalationTarget:
        signatory = self.signatory_on(day)
        if signatory.staff is None:
            return EscalationTarget(None, "nobody manages the office today: regional office")
        return EscalationTarget(signatory.staff, signatory.reason)

    # -- escalation ----------------------------------------------------------------------------
    def escalation_chain(self, staff_id: str, day: dt.date) -> list[EscalationTarget]:
        """Successive levels an overdue duty of ``staff_id`` goes to, up to the regional office."""
        person = self.member(staff_id)
        chain: list[EscalationTarget] = []
        if person.position.rank >= Position.SENIOR_ASSISTANT.rank:
            deputy = self.supervising_deputy(person.areas, day, exclude=staff_id)
            if deputy is not None:
                chain.append(EscalationTarget(deputy, f"deputy supervising the area of {staff_id}"))
        is_head = person.position is Position.DISTRICT_PROSECUTOR
        if not is_head or not self.is_present(staff_id, day):
            # the head's own overdue work goes to whoever replaces the head while away
            chain.append(self._manager_on(day))
        chain.append(EscalationTarget(None, "beyond the office: regional office"))
        unique: list[EscalationTarget] = []
        for target in chain:
            if target.key != staff_id and target.key not in {t.key for t in unique}:
                unique.append(target)
        return unique

    def escalation_target(self, staff_id: str, day: dt.date, level: int = 1) -> EscalationTarget:
        """Level 1 is the first step up; past the end of the chain stays at the regional office."""
        if level < 1:
            raise ValueError("escalation levels start at 1")
        chain = self.escalation_chain(staff_id, day)
        return chain[min(level, len(chain)) - 1]
