"""Written указания of the prosecutor to the investigating body (письменные указания, CPC art.
193(1)(5); CL-155 art. 35(1)(1)).

They are binding on the investigator and the head of the investigating body; an appeal to the
higher prosecutor does not suspend them (CPC art. 193(4); CL-155 art. 35(2)). The code sets no
term of execution: the prosecutor sets one, the office's control term applies otherwise
(``instructions.execution``); on a returned case the term is at most one month (CPC art.
192(7), see ``models.procedures.case_decisions.further_investigation_due``). Each item is
tracked as its own duty of the body, escalated by the daily deadline check like any duty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit
from models.timing.terms import TermsTable, default_terms

EXECUTION_TERM = "instructions.execution"
TERMS = (EXECUTION_TERM,)  # the rows this module counts
MAX_ITEMS = 50
MAX_ITEM_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Item:
    """One указание: what the body must do, and by when."""

    number: int
    text: str
    due_date: dt.date

    @property
    def step(self) -> str:
        """The duty's step: stable, so a replayed run opens no second duty."""
        return f"instruction-{self.number}"


def clean_items(items: list[str]) -> list[str]:
    """The items as given, blank ones dropped; refused when none is left or too many."""
    kept = [" ".join(i.split()) for i in items if i and i.strip()]
    if not kept:
        raise ValueError("указания need at least one item (CPC art. 193(1)(5))")
    if len(kept) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} items in one set of указания")
    too_long = [n for n, i in enumerate(kept, start=1) if len(i) > MAX_ITEM_LENGTH]
    if too_long:
        raise ValueError(f"items {too_long} are longer than {MAX_ITEM_LENGTH} characters")
    return kept


def execution_due(
    start: dt.date,
    calendar: WorkingCalendar,
    due_days: int | None = None,
    table: TermsTable | None = None,
) -> dt.date:
    """The day the указания are due: ``due_days`` сутки when the prosecutor sets them (CPC art.
    48(2)-(4) counting), else the office's control term."""
    table = table or default_terms()
    if due_days is None:
        return table.due(EXECUTION_TERM, start, calendar)
    if due_days < 1:
        raise ValueError("the term of указания is at least one сутки")
    return table.due(EXECUTION_TERM, start, calendar, set_term=(due_days, TermUnit.CALENDAR_DAYS))


def items_due(texts: list[str], due: dt.date) -> list[Item]:
    return [Item(n, text, due) for n, text in enumerate(clean_items(texts), start=1)]
