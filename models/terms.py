"""Statutory terms as data (процессуальные сроки): one validated table, one row per term."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.calendar import WorkingCalendar
from models.deadlines import TermUnit, add_months, due_date

DEFAULT_TERMS = Path(__file__).with_name("data") / "terms.yaml"


class SourceStatus(StrEnum):
    CONFIRMED = "confirmed"
    TO_BE_CONFIRMED = "to_be_confirmed"
    OFFICE_PRACTICE = "office_practice"


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


class Term(BaseModel):
    """One statutory term: procedure, figure, unit, start event, extension rule, legal source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    procedure: str
    description: str
    term: int | None = Field(None, ge=0)
    unit: TermUnit | None = None
    start_event: str
    extension: Extension | None = None
    source: str = Field(min_length=3)
    status: SourceStatus

    @model_validator(mode="after")
    def _figure_and_unit_together(self) -> Term:
        if (self.term is None) != (self.unit is None):
            raise ValueError(f"{self.id}: a term needs both a figure and a unit, or neither")
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

    def rule(self, rule_id: str) -> CalendarRule:
        for r in self.calendar_rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"no calendar rule {rule_id!r}")

    def due(self, term_id: str, start: dt.date | dt.datetime, calendar: WorkingCalendar) -> dt.date:
        t = self.get(term_id)
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


def load_terms(path: Path = DEFAULT_TERMS) -> TermsTable:
    return TermsTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_terms() -> TermsTable:
    return load_terms()
