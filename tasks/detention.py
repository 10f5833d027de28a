"""Steps of the control of a detention (CPC arts. 128-134): its terms registered as duties
counted in hours, given to whoever is authorised right now (at night, the prosecutor on duty)."""

from __future__ import annotations

import datetime as dt

from models.db import transaction
from models.office.roster_store import read_roster
from models.office.urgency import authorised_at
from models.procedures import detention
from models.timing.calendar import WorkingCalendar
from tasks.step import step


@step
def open_detention_control(number: str) -> detention.Control:
    """The 12-hour notice (CPC art. 131(3)) and the limit (CPC arts. 14(2), 131(4)) as duties
    with ``due_at``, once per detention: a replayed run finds them and changes nothing."""
    now = dt.datetime.now(dt.UTC)
    with transaction() as session:
        proc = detention.detention_by_number(session, number)
        assignee = proc.assignee_id
        if assignee is None:
            who = authorised_at(read_roster(session), now, WorkingCalendar())
            assignee = who.staff.id if who.staff else None
        return detention.open_control(session, number, assignee, "detention-control")
