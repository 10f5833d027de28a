"""Statutory terms as data (процессуальные сроки): one validated table, one row per term."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, add_months, due_date

DEFAULT_TERMS = Path(__file__).with_name("data") / "terms.yaml"


class SourceStatus(StrEnum):
    CONFIRMED = "confirmed"
    TO_BE_CONFIRMED = "to_be_confirmed"
    OFFICE_PRACTICE = "office_practice"


def _open_needs_note(row_id: str, status: SourceStatus, note: str | None) -> None:
    """A row to be confirmed must say what is open, so a reviewer knows what to check."""
    if status is SourceStatus.TO_BE_CONFIRMED and not note:
        raise ValueError(f"{row_id}: a to_be_confirmed row needs a note saying what is open")


class Extension(BaseModel):
    """How a term may be extended, and by whom."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authority: str
    max_total: int | None = Field(None, gt=0, description="the whole term may reach this")
    max_extra: int | None = Field(None, gt=0, description="this may be added to the term")
    unit: TermUnit | None = None
    counted_from: str | None = None
    notice_term: str | None = None

    @model_validator(mode="after")
    def _unit_with_figure(self) -> Extension:
        if (self.max_total or self.max_extra) and self.unit is None:
            raise ValueError("an extension with a figure needs a unit")
        return self


class ProsecutorSetTerm(BaseModel):
    """The prosecutor may set the term in the act (установленный прокурором срок).

    ``minimum`` is the least the law allows (e.g. protest: 3 working days, CL-155 art. 33(3));
    none when the law names no floor (e.g. постановление, CL-155 art. 37(2)).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: int | None = Field(None, gt=0)
    unit: TermUnit | None = None
    source: str = Field(min_length=3)
    condition: str | None = None

    @model_validator(mode="after")
    def _minimum_with_unit(self) -> ProsecutorSetTerm:
        if (self.minimum is None) != (self.unit is None):
            raise ValueError("a minimum needs both a figure and a unit, or neither")
        return self


class MissingTerms(LookupError):
    """The code counts terms that the table has no row for: the office must not start."""


class TermNotAllowed(ValueError):
    """A term set by the prosecutor that the law does not allow for this row."""


class Term(BaseModel):
    """One statutory term: procedure, figure, unit, start event, extension rule, legal source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)?$")
    procedure: str
    description: str
    term: int | None = Field(None, ge=0)
    unit: TermUnit | None = None
    start_event: str
    extension: Extension | None = None
    prosecutor_may_set: ProsecutorSetTerm | None = None
    source: str = Field(min_length=3)
    status: SourceStatus
    note: str | None = Field(None, min_length=3, description="what is still open")

    @model_validator(mode="after")
    def _figure_and_unit_together(self) -> Term:
        if (self.term is None) != (self.unit is None):
            raise ValueError(f"{self.id}: a term needs both a figure and a unit, or neither")
        _open_needs_note(self.id, self.status, self.note)
        return self

    @property
    def is_rule_only(self) -> bool:
        return self.term is None


class CalendarRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    rule: str
    source: str
    status: SourceStatus
    note: str | None = Field(None, min_length=3, description="what is still open")

    @model_validator(mode="after")
    def _open_has_note(self) -> CalendarRule:
        _open_needs_note(self.id, self.status, self.note)
        return self


class TermsTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    calendar_rules: tuple[CalendarRule, ...]
    terms: tuple[Term, ...]

    @model_validator(mode="after")
    def _unique_and_linked(self) -> TermsTable:
        ids = [t.id for t in self.terms]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate term ids: {sorted(duplicates)}")
        for t in self.terms:
            notice = t.extension.notice_term if t.extension else None
            if notice and notice not in ids:
                raise ValueError(f"{t.id}: extension notice term {notice!r} is not in the table")
        return self

    def get(self, term_id: str) -> Term:
        for t in self.terms:
            if t.id == term_id:
                return t
        raise KeyError(f"no statutory term {term_id!r}")

    def figure(self, term_id: str, unit: TermUnit) -> int:
        """The row's figure, which the code counts in ``unit``: a row without one, or in another
        unit, is an error (never a silent default)."""
        t = self.get(term_id)
        if t.term is None or t.unit is not unit:
            raise ValueError(f"{term_id} must be a figure in {unit.value.replace('_', ' ')}")
        return t.term

    def rule(self, rule_id: str) -> CalendarRule:
        for r in self.calendar_rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"no calendar rule {rule_id!r}")

    def due(
        self,
        term_id: str,
        start: dt.date | dt.datetime,
        calendar: WorkingCalendar,
        set_term: tuple[int, TermUnit] | None = None,
    ) -> dt.date:
        """Last day of the row's term, or of the term the prosecutor set (``set_term``).

        A set term is allowed only where the row has ``prosecutor_may_set``, and must not end
        before the legal minimum counted from the same start (e.g. CL-155 art. 33(3)).
        """
        t = self.get(term_id)
        if set_term is not None:
            return _set_term_due(t, start, calendar, set_term)
        if t.term is None or t.unit is None:
            raise ValueError(f"{term_id} is a rule without a term")
        return due_date(start, t.term, t.unit, calendar)

    def latest_extended_due(
        self, term_id: str, start: dt.date, calendar: WorkingCalendar
    ) -> dt.date:
        """The furthest a term can be extended to by its extension rule."""
        t = self.get(term_id)
        ext = t.extension
        if ext is None or ext.unit is None:
            raise ValueError(f"{term_id} has no extension with a figure")
        if ext.max_total is not None:
            return due_date(start, ext.max_total, ext.unit, calendar)
        assert ext.max_extra is not None
        base = self.due(term_id, start, calendar)
        if ext.unit is TermUnit.MONTHS:
            return calendar.on_or_next_working_day(add_months(base, ext.max_extra))
        return due_date(base, ext.max_extra, ext.unit, calendar)


def _set_term_due(
    t: Term,
    start: dt.date | dt.datetime,
    calendar: WorkingCalendar,
    set_term: tuple[int, TermUnit],
) -> dt.date:
    allowed = t.prosecutor_may_set
    if allowed is None:
        raise TermNotAllowed(
            f"{t.id}: the prosecutor may not set another term; the law fixes it ({t.source})"
        )
    n, unit = set_term
    due = due_date(start, n, TermUnit(unit), calendar)
    if allowed.minimum is not None and allowed.unit is not None:
        floor = due_date(start, allowed.minimum, allowed.unit, calendar)
        if due < floor:
            raise TermNotAllowed(
                f"{t.id}: a term set by the prosecutor must be at least {allowed.minimum} "
                f"{allowed.unit.value.replace('_', ' ')} ({allowed.source}); "
                f"{n} {TermUnit(unit).value.replace('_', ' ')} ends on {due}, before {floor}"
            )
    return due


def load_terms(path: Path = DEFAULT_TERMS) -> TermsTable:
    """The table in ``path``, with the rows of its sibling files ``terms-*.yaml`` (one per
    area of supervision, e.g. ``terms-pretrial.yaml`` for the CPC) added to its ``terms``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for part in sorted(path.parent.glob(f"{path.stem}-*.yaml")):
        data["terms"] = [
            *data["terms"],
            *(yaml.safe_load(part.read_text(encoding="utf-8")).get("terms") or []),
        ]
    return TermsTable.model_validate(data)


@cache
def default_terms() -> TermsTable:
    return load_terms()


def declared_terms(modules: Iterable[ModuleType]) -> set[str]:
    """The term ids the modules declare: each module that counts a term lists every id it uses
    in its ``TERMS`` constant (one place per module)."""
    return {term_id for m in modules for term_id in getattr(m, "TERMS", ())}


def require_terms(term_ids: Iterable[str], table: TermsTable | None = None) -> None:
    """Fail at start-up, not on the day a term is first counted, when a row is missing."""
    known = {t.id for t in (table or default_terms()).terms}
    missing = sorted(set(term_ids) - known)
    if missing:
        raise MissingTerms(f"the terms table has no row for {', '.join(missing)}")
