"""Rules of appeal review (обращения), pure: competence, repeated appeals, assignment.

APPC art. 65(1): an appeal outside the body's competence is forwarded to the competent body
within three working days, and the applicant told. Art. 76: it is considered within fifteen
working days. Anonymous appeals are not considered (reports of crimes or threats excepted);
a repeated appeal is considered only when it brings new arguments or facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from models.roster import Position, Roster, Staff

DEFAULT_REGISTER = Path(__file__).with_name("data") / "competence.yaml"
GENERAL_AREA = "appeals"


@dataclass(frozen=True, slots=True)
class CompetentBody:
    id: str
    name_ru: str
    name_kk: str

    def name(self, language: str) -> str:
        return self.name_kk if language == "kk" else self.name_ru


@dataclass(frozen=True, slots=True)
class Competence:
    """Either the office considers it in ``area``, or ``redirect_to`` another body."""

    area: str | None
    redirect_to: CompetentBody | None
    reason: str

    @property
    def ours(self) -> bool:
        return self.redirect_to is None


@dataclass(frozen=True, slots=True)
class CompetenceRegister:
    topics: Mapping[str, Competence]

    def decide(self, topic: str | None) -> Competence:
        if topic and topic in self.topics:
            return self.topics[topic]
        return Competence(GENERAL_AREA, None, f"topic {topic!r} is not listed: general supervision")


def load_register(path: Path = DEFAULT_REGISTER) -> CompetenceRegister:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    topics: dict[str, Competence] = {}
    for topic, entry in raw.items():
        if "redirect_to" in entry:
            body = CompetentBody(**entry["redirect_to"])
            topics[topic] = Competence(None, body, f"{topic}: competence of {body.id}")
        elif "area" in entry:
            topics[topic] = Competence(entry["area"], None, f"{topic}: area {entry['area']}")
        else:
            raise ValueError(f"{path}: topic {topic!r} needs an area or redirect_to")
    return CompetenceRegister(topics)


@cache
def default_register() -> CompetenceRegister:
    return load_register()


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text with case and spacing folded: the same appeal sent again matches."""
    folded = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def choose_assignee(
    roster: Roster, day: dt.date, area: str, open_load: Mapping[str, int]
) -> tuple[Staff, str]:
    """An assistant present on ``day`` who supervises ``area``, the least loaded first; with
    nobody such, the deputy supervising the area (or whoever replaces them), then the head's
    replacement for the day."""
    candidates = [
        s
        for s in roster.present(day)
        if s.position in {Position.ASSISTANT, Position.SENIOR_ASSISTANT} and area in s.areas
    ]
    if candidates:
        chosen = min(
            candidates, key=lambda s: (open_load.get(s.id, 0), s.position.rank, s.seniority, s.id)
        )
        return chosen, f"present in area {area} with {open_load.get(chosen.id, 0)} open duties"
    deputy = roster.supervising_deputy(frozenset({area}), day)
    if deputy is not None:
        return deputy, f"no assistant of area {area} present: supervising deputy"
    manager = roster.signatory_on(day).staff
    if manager is None:
        raise LookupError(f"nobody in the office on {day} can take an appeal of area {area}")
    return manager, f"nobody of area {area} present: the person managing the office"


def may_report(roster: Roster, day: dt.date, assignee_id: str | None, reporter: str) -> bool:
    """The assignee, whoever replaces them today, or those above them may report."""
    if assignee_id is None or assignee_id not in roster.staff:
        manager = roster.signatory_on(day).staff
        return manager is not None and manager.id == reporter
    allowed = {assignee_id, roster.replacement_for(assignee_id, day).key}
    allowed |= {t.key for t in roster.escalation_chain(assignee_id, day)}
    return reporter in allowed
