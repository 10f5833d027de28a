"""The roster in the database: load a roster file, record absences and acting orders, and read
the whole roster back as the pure :class:`models.office.roster.Roster` its rules work on.

Every write is checked against the roster rules *before* it is flushed, inside the caller's
transaction, so a bad input leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import AbsenceRow, ActingOrderRow, Body, DutyShift, Office, StaffRow
from models.office.roster import Absence, ActingOrder, Roster, RosterError, Shift, Staff
from models.office.schemas import AbsenceIn, ActingOrderIn, RosterFile
from models.records import audit
from models.settings import get_settings


def _staff(row: StaffRow) -> Staff:
    return Staff(
        id=row.id,
        name=row.name,
        position=row.position,
        areas=frozenset(row.areas or ()),
        seniority=row.seniority,
        clearance=row.clearance,
        active=row.active,
        iin=row.iin,
    )


def _absence_row(x: AbsenceIn) -> AbsenceRow:
    return AbsenceRow(
        staff_id=x.staff_id, kind=x.kind, start_date=x.start, end_date=x.end, note=x.note
    )


def _order_row(o: ActingOrder) -> ActingOrderRow:
    return ActingOrderRow(
        acting_id=o.acting_id,
        for_id=o.for_id,
        start_date=o.start,
        end_date=o.end,
        reference=o.reference,
    )


def read_roster(session: Session, office: str | None = None) -> Roster:
    """The roster of one office: its staff, and their absences, acting orders and duty shifts.

    ``office``: that office (the office of a procedure, whose approvals only its own staff may
    sign); by default the office this installation serves: the only one, or the one
    ``PROSECUTOR_OFFICE_CODE`` names when the database holds several. Staff of one office never
    sign, replace or receive escalations for another (Regulation cl. 14-15 are per office).
    """
    code = office or _serving_office(session)
    query = select(StaffRow)
    if code is not None:
        query = query.where(StaffRow.office_code == code)
    staff = {r.id: _staff(r) for r in session.scalars(query)}
    absences = [
        Absence(r.staff_id, r.start_date, r.end_date, r.kind)
        for r in session.scalars(select(AbsenceRow).order_by(AbsenceRow.id))
        if code is None or r.staff_id in staff
    ]
    orders = [
        ActingOrder(r.acting_id, r.for_id, r.start_date, r.end_date, r.reference)
        for r in session.scalars(select(ActingOrderRow).order_by(ActingOrderRow.id))
        if code is None or (r.for_id in staff and r.acting_id in staff)
    ]
    shifts = [
        Shift(r.staff_id, _aware(r.start_at), _aware(r.end_at))
        for r in session.scalars(select(DutyShift).order_by(DutyShift.start_at))
        if code is None or r.staff_id in staff
    ]
    return Roster(staff, absences, orders, shifts)


def _serving_office(session: Session) -> str | None:
    """The office to read by default; None (everyone) while the database holds one office, or
    several without ``PROSECUTOR_OFFICE_CODE`` naming one of them."""
    codes = list(session.scalars(select(Office.code)))
    if len(codes) <= 1:
        return None
    configured = get_settings().office_code
    return configured if configured in codes else None


def office_of(session: Session, staff_id: str) -> str | None:
    """The office ``staff_id`` belongs to (None when unknown)."""
    return session.scalar(select(StaffRow.office_code).where(StaffRow.id == staff_id))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite keeps naive UTC


@dataclass(frozen=True, slots=True)
class LoadResult:
    office: str
    staff: int
    absences_added: int
    acting_orders_added: int


def load_roster_file(session: Session, data: RosterFile, actor: str = "roster-load") -> LoadResult:
    """Upsert the office and its staff; add the file's absences and acting orders not yet known.

    Loading the same file twice changes nothing.
    """
    _refuse_ids_of_other_offices(session, data)
    office = session.get(Office, data.office.code) or Office(code=data.office.code)
    office.name_kk, office.name_ru = data.office.name_kk, data.office.name_ru
    office.address, office.region = data.office.address, data.office.region
    office.phone, office.email = data.office.phone, data.office.email
    session.add(office)
    for s in data.staff:
        row = session.get(StaffRow, s.id) or StaffRow(id=s.id)
        row.office_code, row.name, row.position = office.code, s.name, s.position
        row.areas, row.seniority = sorted(set(s.areas)), s.seniority
        row.clearance, row.active, row.phone = s.clearance, s.active, s.phone
        row.iin = s.iin or row.iin  # a roster file without IINs keeps those known
        session.add(row)
    session.flush()

    roster = read_roster(session, office.code)
    new_absences = [
        (x, a)
        for x, a in ((x, Absence(x.staff_id, x.start, x.end, x.kind)) for x in data.absences)
        if a not in roster.absences
    ]
    new_orders = [
        o
        for o in (
            ActingOrder(x.acting_id, x.for_id, x.start, x.end, x.reference)
            for x in data.acting_orders
        )
        if o not in roster.acting_orders
    ]
    updated = Roster(
        roster.staff,
        roster.absences + [a for _, a in new_absences],
        roster.acting_orders + new_orders,
    )
    updated.validate()
    for o in new_orders:
        updated.check_acting_order(o)
    session.add_all(_absence_row(x) for x, _ in new_absences)
    session.add_all(_order_row(o) for o in new_orders)
    known = {(s.staff_id, s.start.astimezone(dt.UTC)) for s in roster.shifts}
    for shift in data.duty_roster:
        if (shift.staff_id, shift.start.astimezone(dt.UTC)) not in known:
            updated.check_shift(Shift(shift.staff_id, shift.start, shift.end))
            session.add(DutyShift(staff_id=shift.staff_id, start_at=shift.start, end_at=shift.end))
    for b in data.bodies:
        body = session.get(Body, b.id) or Body(id=b.id)
        body.office_code, body.name_ru, body.name_kk = office.code, b.name_ru, b.name_kk
        body.head, body.contact, body.active = b.head, b.contact, True
        session.add(body)
    result = LoadResult(office.code, len(data.staff), len(new_absences), len(new_orders))
    audit.append(
        session,
        actor=actor,
        action="roster.loaded",
        entity_kind="office",
        entity_id=office.code,
        payload={
            "staff": sorted(s.id for s in data.staff),
            "absences_added": result.absences_added,
            "acting_orders_added": result.acting_orders_added,
        },
    )
    session.flush()
    return result


def _refuse_ids_of_other_offices(session: Session, data: RosterFile) -> None:
    """Staff ids, IINs and body ids are unique across the offices of one database: a second
    office's file that reuses one would move that person (or body) to it, taking a head or a
    deputy away from the first office. Refused before anything is written."""
    code = data.office.code
    staff_ids = [s.id for s in data.staff]
    taken = session.execute(
        select(StaffRow.id, StaffRow.office_code)
        .where(StaffRow.id.in_(staff_ids), StaffRow.office_code != code)
        .order_by(StaffRow.id)
    ).all()
    if taken:
        listed = ", ".join(f"{t.id!r} ({t.office_code})" for t in taken)
        raise RosterError(
            f"already staff of another office: {listed}; staff ids are unique across offices,"
            f" give the staff of {code} ids of their own"
        )
    iins = [s.iin for s in data.staff if s.iin]
    holder = session.execute(
        select(StaffRow.id, StaffRow.office_code).where(
            StaffRow.iin.in_(iins), StaffRow.office_code != code
        )
    ).first()
    if iins and holder is not None:
        raise RosterError(
            f"an IIN of this file is already that of {holder.id!r} of office"
            f" {holder.office_code}: one person, one staff record"
        )
    body_ids = [b.id for b in data.bodies]
    body = session.execute(
        select(Body.id, Body.office_code).where(Body.id.in_(body_ids), Body.office_code != code)
    ).first()
    if body_ids and body is not None:
        raise RosterError(
            f"body id {body.id!r} is already in the register of office {body.office_code}:"
            " body ids are unique across offices"
        )


def add_absence(session: Session, data: AbsenceIn, actor: str) -> AbsenceRow:
    """Record an absence. Duty shifts of the person on those days are left to nobody (the
    prosecutor on duty must be present): they are audited; see :func:`uncovered_shifts`."""
    roster = read_roster(session, office_of(session, data.staff_id))
    absence = Absence(data.staff_id, data.start, data.end, data.kind)
    Roster(roster.staff, [*roster.absences, absence], roster.acting_orders).validate()
    row = _absence_row(data)
    session.add(row)
    session.flush()
    uncovered = roster.shifts_left_uncovered(absence)
    audit.append(
        session,
        actor=actor,
        action="roster.absence_added",
        entity_kind="staff",
        entity_id=absence.staff_id,
        payload={
            "kind": absence.kind,
            "from": absence.start,
            "to": absence.end,
            "duty_shifts_uncovered": [s.start.isoformat() for s in uncovered],
        },
    )
    return row


def uncovered_shifts(session: Session, absence: AbsenceIn) -> list[Shift]:
    """Duty shifts of ``absence``'s person on its days: they need another prosecutor."""
    return read_roster(session, office_of(session, absence.staff_id)).shifts_left_uncovered(
        Absence(absence.staff_id, absence.start, absence.end, absence.kind)
    )


def add_duty_shift(
    session: Session, staff_id: str, start: dt.datetime, end: dt.datetime, actor: str
) -> DutyShift:
    """Put ``staff_id`` on duty from ``start`` to ``end``: refused unless present on its days."""
    shift = Shift(staff_id, start, end)
    roster = read_roster(session, office_of(session, staff_id))
    Roster(roster.staff, roster.absences, roster.acting_orders, [shift]).validate()
    roster.check_shift(shift)
    row = DutyShift(staff_id=staff_id, start_at=start, end_at=end)
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="roster.duty_shift_added",
        entity_kind="staff",
        entity_id=staff_id,
        payload={"from": start.isoformat(), "to": end.isoformat()},
    )
    return row


def add_acting_order(session: Session, data: ActingOrderIn, actor: str) -> ActingOrderRow:
    roster = read_roster(session, office_of(session, data.for_id))
    order = ActingOrder(data.acting_id, data.for_id, data.start, data.end, data.reference)
    Roster(roster.staff, roster.absences, [*roster.acting_orders, order]).validate()
    roster.check_acting_order(order)
    row = _order_row(order)
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="roster.acting_order_added",
        entity_kind="staff",
        entity_id=order.for_id,
        payload={
            "acting": order.acting_id,
            "from": order.start,
            "to": order.end,
            "reference": order.reference,
        },
    )
    return row


def staff_by_iin(session: Session, iin: str) -> StaffRow | None:
    """The staff member an EDS certificate's IIN names, if any."""
    return session.scalar(select(StaffRow).where(StaffRow.iin == iin))


def staff_exists(session: Session, staff_id: str) -> bool:
    return session.get(StaffRow, staff_id) is not None


def has_staff(session: Session) -> bool:
    """Whether any office's staff is recorded (an empty database gets the demo office)."""
    return session.scalar(select(StaffRow.id).limit(1)) is not None


def staff_with_iin(session: Session) -> list[tuple[str, str, str]]:
    """``(staff id, name, IIN)`` of each staff member whose IIN is recorded: whom an EDS
    certificate can name."""
    rows = session.execute(
        select(StaffRow.id, StaffRow.name, StaffRow.iin)
        .where(StaffRow.iin.is_not(None))
        .order_by(StaffRow.id)
    )
    return [(staff_id, name, iin) for staff_id, name, iin in rows if iin]


def body_exists(session: Session, body_id: str) -> bool:
    """A body of the register (орган) with this id."""
    return session.get(Body, body_id) is not None


def office_code(session: Session) -> str:
    """The office procedures are registered under: the roster's only office, or the one named
    by ``PROSECUTOR_OFFICE_CODE`` when the database holds several."""
    codes = list(session.scalars(select(Office.code)))
    if len(codes) == 1:
        return codes[0]
    configured = get_settings().office_code
    if configured in codes:
        return configured
    raise RosterError("set PROSECUTOR_OFFICE_CODE: the roster has no office, or several")
