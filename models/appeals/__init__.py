"""Rules of appeal review (обращения), pure: competence, anonymous and repeated appeals, the
extension of the term, assignment.

The law in force is CL-155 art. 24 (lex specialis); the APPC applies where it says nothing:
- 24(1): the prosecutor considers appeals only on the grounds of a closed list (items 1-7); the
  rest is forwarded to the competent body within three working days, the applicant notified
  (APPC art. 65(1)). Each topic of the competence register names its ground or its body; a topic
  the register does not fix (or does not list) is classified by the assigned assistant in the
  first report, within the same three working days: one of the seven grounds, or none → forward.
- 24(3)-(5): fifteen working days from receipt; the head or a deputy may extend it by a reasoned
  decision to a reasonable term of at most two months, the applicant told in three working days.
- 24(4) ¶2: an appeal answered by an inspection gets an interim reply, and the final reply within
  ten working days after the inspection ends.
- 24(6): anonymous appeals are not considered, except information on prepared or committed
  criminal offences or a threat to national (including public) security.
- 24(8): a repeated appeal is ended only when it brings nothing new AND the earlier one was
  answered.
- 24(9): complaints governed by the CPC (on investigators' actions, CPC art. 105) are not appeals.
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

from models.office.roster import Position, Roster, Staff

DEFAULT_REGISTER = Path(__file__).with_name("data") / "competence.yaml"
GENERAL_AREA = "appeals"
NO_GROUND = 0  # the assistant's classification: none of the grounds of 24(1) → forward

# CL-155 art. 24(1) items 1-7, as a reply states them.
GROUNDS: dict[int, dict[str, str]] = {
    1: {
        "ru": "защита прав лиц, которые не могут самостоятельно осуществлять их защиту,"
        " несовершеннолетних и неограниченного круга лиц",
        "kk": "өз құқықтарын өздері қорғай алмайтын адамдардың, кәмелетке толмағандардың және"
        " шектелмеген адамдар тобының құқықтарын қорғау",
    },
    2: {
        "ru": "защита прав и законных интересов, защита которых должным образом не"
        " обеспечивается уполномоченным органом либо такой орган отсутствует",
        "kk": "уәкілетті орган тиісінше қорғауды қамтамасыз етпейтін не ондай орган болмаған"
        " жағдайда құқықтар мен заңды мүдделерді қорғау",
    },
    3: {
        "ru": "защита прав субъектов частного предпринимательства от вмешательства в их"
        " деятельность",
        "kk": "жеке кәсіпкерлік субъектілерінің құқықтарын олардың қызметіне араласудан қорғау",
    },
    4: {
        "ru": "предотвращение угрозы конституционному строю и национальной безопасности",
        "kk": "конституциялық құрылысқа және ұлттық қауіпсіздікке төнетін қатердің алдын алу",
    },
    5: {
        "ru": "нарушения законности, неустранение которых влечет причинение вреда жизни и"
        " здоровью человека",
        "kk": "жойылмауы адамның өмірі мен денсаулығына зиян келтіретін заңдылықты бұзушылықтар",
    },
    6: {
        "ru": "поручение Президента Республики Казахстан",
        "kk": "Қазақстан Республикасы Президентінің тапсырмасы",
    },
    7: {"ru": "поручение Генерального Прокурора", "kk": "Бас Прокурордың тапсырмасы"},
}


class ExtensionRefused(ValueError):
    """An extension outside CL-155 art. 24(4)."""


@dataclass(frozen=True, slots=True)
class CompetentBody:
    id: str
    name_ru: str
    name_kk: str

    def name(self, language: str) -> str:
        return self.name_kk if language == "kk" else self.name_ru


@dataclass(frozen=True, slots=True)
class Competence:
    """What the office does with a topic: consider it in ``area`` on ``ground`` (None: the
    assistant classifies it), forward it ``redirect_to`` another body, or, for a complaint the
    CPC governs, handle it under ``cpc_term`` outside the appeal review (CL-155 art. 24(9))."""

    area: str | None
    redirect_to: CompetentBody | None
    reason: str
    ground: int | None = None
    anonymous_considered: bool = False  # CL-155 art. 24(6): crimes, threats to security
    cpc_term: str | None = None

    @property
    def ours(self) -> bool:
        return self.redirect_to is None and self.cpc_term is None

    @property
    def needs_classification(self) -> bool:
        return self.ours and self.ground is None


@dataclass(frozen=True, slots=True)
class CompetenceRegister:
    topics: Mapping[str, Competence]

    def decide(self, topic: str | None) -> Competence:
        if topic and topic in self.topics:
            return self.topics[topic]
        # Not listed: no ground is presumed (24(1) is a closed list); the assistant classifies.
        return Competence(GENERAL_AREA, None, f"topic {topic!r} is not listed: to classify")


def _ground(topic: str, value: object) -> int | None:
    if value == "classify":
        return None
    if isinstance(value, int) and value in GROUNDS:
        return value
    raise ValueError(f"topic {topic!r}: ground must be 1-7 of CL-155 art. 24(1) or 'classify'")


def _entry(topic: str, entry: Mapping[str, object]) -> Competence:
    anonymous = bool(entry.get("anonymous_considered", False))
    if "redirect_to" in entry:
        body = CompetentBody(**entry["redirect_to"])  # type: ignore[arg-type]
        return Competence(None, body, f"{topic}: competence of {body.id}", None, anonymous)
    if "cpc_complaint" in entry:
        term = str(entry["cpc_complaint"])
        area = str(entry.get("area", "criminal"))
        return Competence(area, None, f"{topic}: CPC complaint ({term})", None, anonymous, term)
    if "area" in entry and "ground" in entry:
        ground = _ground(topic, entry["ground"])
        area = str(entry["area"])
        return Competence(area, None, f"{topic}: area {area}", ground, anonymous)
    raise ValueError(f"topic {topic!r} needs area and ground, redirect_to or cpc_complaint")


def load_register(path: Path = DEFAULT_REGISTER) -> CompetenceRegister:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    try:
        return CompetenceRegister({topic: _entry(topic, entry) for topic, entry in raw.items()})
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


@cache
def default_register() -> CompetenceRegister:
    return load_register()


def considered_when_anonymous(competence: Competence) -> bool:
    """CL-155 art. 24(6): an anonymous appeal is considered only when it carries information
    on a prepared or committed criminal offence or a threat to national (public) security;
    the intake knows it by the topic (``crime_report``, ``national_security``)."""
    return competence.anonymous_considered


def repeat_is_ended(brings_nothing_new: bool, earlier_answered: bool) -> bool:
    """CL-155 art. 24(8): both conditions, not either."""
    return brings_nothing_new and earlier_answered


def check_extension(
    requested: dt.date, current_due: dt.date, latest: dt.date, decided_on: dt.date
) -> None:
    """CL-155 art. 24(4): a reasonable term chosen by the head or a deputy, at most two months
    from receipt (``latest``); it must move the term later and not into the past."""
    if requested > latest:
        raise ExtensionRefused(
            f"{requested:%d.%m.%Y} is beyond two months from receipt ({latest:%d.%m.%Y}),"
            " CL-155 art. 24(4)"
        )
    if requested <= current_due or requested < decided_on:
        raise ExtensionRefused(
            f"{requested:%d.%m.%Y} does not extend the term (now {current_due:%d.%m.%Y})"
        )


def report_problem(
    *,
    needs_ground: bool,
    ground: int | None,
    forward_to: str | None,
    final: bool,
    inspection_open: bool,
    inspection_ended_on: dt.date | None,
) -> str | None:
    """Why a consideration report cannot be accepted, or None."""
    if ground == NO_GROUND and not (forward_to or "").strip():
        return "ground 0 (none of CL-155 art. 24(1)) needs the competent body to forward to"
    if needs_ground and ground is None:  # classified in the first report, within APPC 65(1)'s days
        return "classify the appeal: a ground of CL-155 art. 24(1) (1-7), or 0 to forward it"
    if final and inspection_open and inspection_ended_on is None:
        return "the final reply follows the inspection's end: report its end date (24(4))"
    return None


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
