"""The desk (рабочий стол / жұмыс үстелі) of each staff member and the office board, as Markdown.

Pure: typed rows in, Markdown out; the rows come from ``models.sweeps.desk_store``. A desk says what
waits for the staff member's signature or report (with a link to the waiting run's page, where
the Resume form is), their terms sorted by urgency with overdue work first and marked, what was
escalated to them and by whom, and today's absences with the acting orders. The board lists
every open matter of the office by due date with its assignee.

Everything is said in the office's language (``ru`` or ``kk``): one vocabulary per language with
the same keys. Dates are ДД.ММ.ГГГГ, times 24-hour in Asia/Almaty. The desks are readable by
everyone with the Prefect UI, so titles are masked like the deadline check's table
(``mask_patterns``) and an IIN is never shown; a title generated in English by older code is
left out rather than shown untranslated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

from models.office.masking import mask_patterns
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import TermUnit

Language = Literal["ru", "kk"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk")
ROWS_PER_SECTION = 200  # a desk stays readable; the board says how many more there are
ROWS_ON_BOARD = 1000
BOARD_KEY = "office-board"


def desk_key(staff_id: str) -> str:
    """The artifact key of a staff member's desk: Prefect keys take only lowercase letters,
    digits and dashes (``dep_1`` and ``Dep.1`` both become ``dep-1``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", staff_id.lower()).strip("-")
    return f"desk-{slug or 'staff'}"


def run_url(ui_url: str, flow_run_id: str) -> str:
    """The waiting run's page in the Prefect UI, where its Resume form is."""
    return f"{ui_url.rstrip('/')}/runs/flow-run/{flow_run_id}"


# --- rows -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffLine:
    id: str
    name: str
    position: str  # models.office.roster.Position value


@dataclass(frozen=True, slots=True)
class WorkItem:
    """An open duty (поручение) or a pending approval (подпись) of a procedure."""

    subject: Literal["duty", "approval", "procedure"]
    id: int
    assignee_id: str | None  # the duty's assignee, the approval's signatory
    registration_number: str
    procedure_kind: str
    step: str
    title: str  # the procedure's title, or the document's for an approval
    due_date: dt.date | None
    due_at: dt.datetime | None = None  # terms in hours (detention)
    unit: TermUnit | None = None  # how the term counts; None: calendar days
    flow_run_id: str | None = None
    body_id: str | None = None  # a body must answer (the duty awaits its answer)
    escalation_level: int = 0
    procedure_status: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationLine:
    subject: str  # duty or approval
    subject_id: int
    registration_number: str
    procedure_kind: str
    step: str
    level: int
    from_staff_id: str | None
    to_staff_id: str | None
    on_date: dt.date


@dataclass(frozen=True, slots=True)
class AbsenceLine:
    staff_id: str
    kind: str  # models.office.roster.AbsenceKind value
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class ActingLine:
    """An acting order (приказ о возложении обязанностей); ``reference``: its number and date."""

    acting_id: str
    for_id: str
    start: dt.date
    end: dt.date
    reference: str


@dataclass(frozen=True)
class OfficeDesks:
    """Everything the desks and the board show, loaded at once for the whole office."""

    on: dt.date
    now: dt.datetime
    staff: dict[str, StaffLine]
    items: list[WorkItem]  # open duties and pending approvals
    escalations: list[EscalationLine] = field(default_factory=list)
    absences: list[AbsenceLine] = field(default_factory=list)
    acting: list[ActingLine] = field(default_factory=list)
    idle_procedures: list[WorkItem] = field(default_factory=list)  # open, no duty or approval
    # How many rows a section has in all, by (section, staff id) and ``BOARD_TOTAL``, when the
    # lists above hold only the rows that can be shown (``models.sweeps.desk_store``); a section not
    # named here has all its rows in the lists.
    totals: dict[tuple[str, str], int] = field(default_factory=dict)

    def total(self, section: str, staff_id: str, rows: int) -> int:
        """How many rows ``section`` of ``staff_id``'s desk has, of which ``rows`` are loaded."""
        return self.totals.get((section, staff_id), rows)


BOARD_TOTAL = ("board", "")  # the key of the board's total in ``OfficeDesks.totals``


# --- urgency ----------------------------------------------------------------------------


class State(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"  # within three days
    IN_TIME = "in_time"
    NO_TERM = "no_term"


class Timing(NamedTuple):
    state: State
    amount: int  # days or hours left (or overdue)
    measure: Literal["working", "calendar", "hours", "none"]
    deadline: dt.datetime | None  # the moment the term ends, for sorting


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ALMATY)


def timing(item: WorkItem, on: dt.date, now: dt.datetime, calendar: WorkingCalendar) -> Timing:
    """How much time is left, or how late: hours for a term in hours (it never moves, CPC art.
    48), working days for a term in working days, otherwise calendar days."""
    if item.due_at is not None:
        hours = (item.due_at - now).total_seconds() / 3600
        if hours < 0:
            return Timing(State.OVERDUE, max(1, int(-hours + 0.999)), "hours", item.due_at)
        state = State.TODAY if item.due_at.astimezone(ALMATY).date() == on else State.SOON
        return Timing(state, int(hours), "hours", item.due_at)
    if item.due_date is None:
        return Timing(State.NO_TERM, 0, "none", None)
    due, deadline = item.due_date, _end_of(item.due_date)
    working = item.unit is TermUnit.WORKING_DAYS
    measure: Literal["working", "calendar"] = "working" if working else "calendar"
    if due < on:
        late = calendar.working_days_between(due, on) if working else (on - due).days
        return Timing(State.OVERDUE, max(1, late), measure, deadline)
    left = calendar.working_days_between(on, due) if working else (due - on).days
    if due == on:
        return Timing(State.TODAY, 0, measure, deadline)
    return Timing(State.SOON if left <= 3 else State.IN_TIME, left, measure, deadline)


def by_urgency(
    items: Iterable[WorkItem], on: dt.date, now: dt.datetime, calendar: WorkingCalendar
) -> list[tuple[WorkItem, Timing]]:
    """Overdue first (the longest overdue on top), then by the moment the term ends; work
    without a term last."""
    timed = [(i, timing(i, on, now, calendar)) for i in items]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        timed,
        key=lambda p: (
            p[1].state is not State.OVERDUE,
            p[1].deadline or far,
            p[0].registration_number,
            p[0].id,
        ),
    )


def escalation_order(e: EscalationLine) -> tuple[int, int, bool, int]:
    """The latest escalation first, the higher level first; then duties before approvals and by
    the subject's record (a subject is escalated once per level, so the order is total)."""
    return (-e.on_date.toordinal(), -e.level, e.subject != "duty", e.subject_id)


# --- words ------------------------------------------------------------------------------

_PROCEDURE_KINDS = {
    "ru": {
        "appeal": "обращение",
        "inspection": "проверка",
        "protest": "протест",
        "submission": "представление",
        "order": "предписание",
        "court_act": "пересмотр судебного акта",
        "coordination": "координация",
        "release": "освобождение задержанного",
        "suspension_demand": "требование о приостановлении",
        "admin_offence": "административное правонарушение",
        "decree": "постановление",
        "clarification": "разъяснение",
        "court_application": "заявление в суд",
        "criminal_case": "уголовное дело",
        "detention": "задержание",
        "cpc_complaint": "жалоба по УПК",
        "case_decision": "решение по оконченному делу",
        "instructions": "указания",
        "state_prosecution": "государственное обвинение",
    },
    "kk": {
        "appeal": "өтініш",
        "inspection": "тексеру",
        "protest": "наразылық",
        "submission": "ұсыну",
        "order": "нұсқама",
        "court_act": "сот актісін қайта қарау",
        "coordination": "үйлестіру",
        "release": "ұсталғанды босату",
        "suspension_demand": "тоқтата тұру туралы талап",
        "admin_offence": "әкімшілік құқық бұзушылық",
        "decree": "қаулы",
        "clarification": "түсіндіру",
        "court_application": "сотқа арыз",
        "criminal_case": "қылмыстық іс",
        "detention": "ұстау",
        "cpc_complaint": "ҚПК бойынша шағым",
        "case_decision": "аяқталған іс бойынша шешім",
        "instructions": "нұсқаулар",
        "state_prosecution": "мемлекеттік айыптау",
    },
}

_PROCEDURE_STATUSES = {
    "ru": {
        "registered": "зарегистрировано",
        "in_progress": "в работе",
        "awaiting_approval": "ждёт подписи",
        "awaiting_answer": "ждёт ответа",
        "suspended": "приостановлено",
        "closed": "закрыто",
        "redirected": "перенаправлено",
        "rejected": "отклонено",
    },
    "kk": {
        "registered": "тіркелді",
        "in_progress": "жұмыста",
        "awaiting_approval": "қол қоюды күтуде",
        "awaiting_answer": "жауап күтуде",
        "suspended": "тоқтатыла тұрды",
        "closed": "жабылды",
        "redirected": "жолданды",
        "rejected": "қабылданбады",
    },
}

_POSITIONS = {
    "ru": {
        "district_prosecutor": "прокурор района",
        "deputy": "заместитель прокурора района",
        "senior_assistant": "старший помощник прокурора района",
        "assistant": "помощник прокурора района",
    },
    "kk": {
        "district_prosecutor": "аудан прокуроры",
        "deputy": "аудан прокурорының орынбасары",
        "senior_assistant": "аудан прокурорының аға көмекшісі",
        "assistant": "аудан прокурорының көмекшісі",
    },
}

_ABSENCES = {
    "ru": {
        "leave": "отпуск",
        "business_trip": "командировка",
        "sick_leave": "больничный",
        "training": "обучение",
    },
    "kk": {
        "leave": "демалыс",
        "business_trip": "іссапар",
        "sick_leave": "еңбекке жарамсыздық парағы",
        "training": "оқу",
    },
}

# Duty steps by their stem (a step is often numbered: ``demand-1-2``, ``item-3-police``).
_STEPS = {
    "ru": {
        "consider": "рассмотрение и отчёт",
        "redirect": "перенаправление по компетенции",
        "classify": "определение порядка рассмотрения",
        "cpc-complaint": "жалоба по статье 105 УПК",
        "registration": "регистрация проверки",
        "inspect": "проведение проверки",
        "demand": "истребование документов",
        "summons": "вызов для объяснений",
        "pg-consent": "согласие на продление проверки",
        "certificate-acknowledgement": "ознакомление со справкой",
        "conclusion": "заключение по судебному акту",
        "extension-notice": "уведомление о продлении срока",
        "request": "запрос сведений",
        "file-access": "ознакомление с материалами",
        "investigation-term": "срок досудебного расследования",
        "notice-start": "уведомление о начале расследования",
        "instruction": "исполнение указания",
        "instructions": "указания органу расследования",
        "agenda": "повестка координационного совещания",
        "item": "исполнение решения совещания",
        "confirm-release": "подтверждение освобождения",
        "release-order": "постановление об освобождении",
        "detention-notice": "уведомление о задержании",
        "detention-limit": "предельный срок задержания",
        "body-letter": "письмо руководителю органа",
        "other": "поручение",
    },
    "kk": {
        "consider": "қарау және есеп беру",
        "redirect": "құзыреті бойынша жолдау",
        "classify": "қарау тәртібін анықтау",
        "cpc-complaint": "ҚПК 105-бабы бойынша шағым",
        "registration": "тексеруді тіркеу",
        "inspect": "тексеру жүргізу",
        "demand": "құжаттарды талап ету",
        "summons": "түсініктеме алуға шақыру",
        "pg-consent": "тексеруді ұзартуға келісім",
        "certificate-acknowledgement": "анықтамамен таныстыру",
        "conclusion": "сот актісі бойынша қорытынды",
        "extension-notice": "мерзімді ұзарту туралы хабарлама",
        "request": "мәліметтер сұрату",
        "file-access": "материалдармен таныстыру",
        "investigation-term": "сотқа дейінгі тергеп-тексеру мерзімі",
        "notice-start": "тергеп-тексерудің басталғаны туралы хабарлама",
        "instruction": "нұсқауды орындау",
        "instructions": "тергеу органына нұсқаулар",
        "agenda": "үйлестіру кеңесінің күн тәртібі",
        "item": "кеңес шешімін орындау",
        "confirm-release": "босатуды растау",
        "release-order": "босату туралы қаулы",
        "detention-notice": "ұстау туралы хабарлама",
        "detention-limit": "ұстаудың шекті мерзімі",
        "body-letter": "орган басшысына хат",
        "other": "тапсырма",
    },
}

_LABELS = {
    "ru": {
        "desk_title": "Рабочий стол: {name}",
        "board_title": "Сводка прокуратуры: все открытые дела",
        "open_matters": "Открытые дела и поручения по срокам",
        "as_of": "По состоянию на {when} (время Алматы)",
        "waiting": "Ждёт моей подписи или отчёта",
        "terms": "Мои сроки",
        "escalated": "Передано мне в порядке эскалации",
        "absent": "Отсутствуют сегодня; приказы об исполнении обязанностей",
        "what": "Что",
        "number": "Номер",
        "kind": "Вид",
        "due": "Срок",
        "left": "Осталось / просрочено",
        "state": "Состояние",
        "run": "Решение",
        "open_run": "открыть запуск",
        "from": "От кого",
        "level": "Уровень",
        "date": "Дата",
        "staff": "Сотрудник",
        "absence": "Причина",
        "period": "Период",
        "acting": "Исполняет обязанности",
        "order": "Приказ (номер и дата)",
        "assignee": "Исполнитель",
        "status": "Статус",
        "nothing": "Нет.",
        "more": "…и ещё {n}.",
        "overdue": "ПРОСРОЧЕНО",
        "today": "истекает сегодня",
        "soon": "скоро",
        "in_time": "в срок",
        "no_term": "без срока",
        "late_by": "просрочено на {amount}",
        "left_for": "осталось {amount}",
        "last_day": "последний день",
        "working": "{n} раб. дн.",
        "calendar": "{n} кал. дн.",
        "hours": "{n} ч",
        "sign": "подпись: {what}",
        "body_answer": "ответ органа: {what}",
        "approval": "подпись",
        "duty": "поручение",
        "procedure": "дело",
        "regional_office": "областная прокуратура",
        "unassigned": "не назначен",
        "no_order": "приказа нет",
        "period_value": "{start} – {end}",
        "level_value": "{n}-й",
        "no_link": "нет",
    },
    "kk": {
        "desk_title": "Жұмыс үстелі: {name}",
        "board_title": "Прокуратура бойынша жиынтық: барлық ашық істер",
        "open_matters": "Мерзімдері бойынша ашық істер мен тапсырмалар",
        "as_of": "{when} жағдай бойынша (Алматы уақыты)",
        "waiting": "Менің қолымды немесе есебімді күтеді",
        "terms": "Менің мерзімдерім",
        "escalated": "Маған эскалация тәртібімен берілді",
        "absent": "Бүгін жұмыста жоқтар; міндеттерді атқару туралы бұйрықтар",
        "what": "Не",
        "number": "Нөмірі",
        "kind": "Түрі",
        "due": "Мерзімі",
        "left": "Қалды / өтті",
        "state": "Жағдайы",
        "run": "Шешім",
        "open_run": "іске қосуды ашу",
        "from": "Кімнен",
        "level": "Деңгейі",
        "date": "Күні",
        "staff": "Қызметкер",
        "absence": "Себебі",
        "period": "Кезеңі",
        "acting": "Міндетін атқарады",
        "order": "Бұйрық (нөмірі мен күні)",
        "assignee": "Орындаушы",
        "status": "Мәртебесі",
        "nothing": "Жоқ.",
        "more": "…тағы {n}.",
        "overdue": "МЕРЗІМІ ӨТКЕН",
        "today": "бүгін аяқталады",
        "soon": "жақында",
        "in_time": "мерзімінде",
        "no_term": "мерзімсіз",
        "late_by": "{amount} кешіктірілді",
        "left_for": "{amount} қалды",
        "last_day": "соңғы күн",
        "working": "{n} жұм. күн",
        "calendar": "{n} күнт. күн",
        "hours": "{n} сағ",
        "sign": "қол қою: {what}",
        "body_answer": "органның жауабы: {what}",
        "approval": "қол қою",
        "duty": "тапсырма",
        "procedure": "іс",
        "regional_office": "облыстық прокуратура",
        "unassigned": "тағайындалмаған",
        "no_order": "бұйрық жоқ",
        "period_value": "{start} – {end}",
        "level_value": "{n}-деңгей",
        "no_link": "жоқ",
    },
}

VOCABULARY: dict[str, dict[str, dict[str, str]]] = {
    "labels": _LABELS,
    "procedure_kinds": _PROCEDURE_KINDS,
    "procedure_statuses": _PROCEDURE_STATUSES,
    "positions": _POSITIONS,
    "absences": _ABSENCES,
    "steps": _STEPS,
}


class Words:
    """The vocabulary of one language."""

    def __init__(self, language: Language) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"the desk speaks ru or kk, not {language!r}")
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return _LABELS[self.language][key].format(**values)

    def table(self, name: str, key: str, fallback: str | None = None) -> str:
        words = VOCABULARY[name][self.language]
        return words.get(key) or (words[fallback] if fallback else key)

    def step(self, step: str) -> str:
        """A duty's step by its stem: the longest known stem the step begins with."""
        steps = _STEPS[self.language]
        stems = [s for s in steps if step == s or step.startswith(f"{s}-")]
        return steps[max(stems, key=len)] if stems else steps["other"]


def fmt_date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def fmt_moment(moment: dt.datetime) -> str:
    return f"{moment.astimezone(ALMATY):%d.%m.%Y %H:%M}"


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cell(text: str) -> str:
    """Text as one Markdown table cell: no pipe or line break may end the cell early."""
    return " ".join(text.replace("|", "/").split())


def shown_title(title: str, language: Language) -> str:
    """A title as the desk may show it: the part in the desk's language of a bilingual
    ``ru / kk`` title, masked (an identifier, a phone, an e-mail); empty when it is written in
    Latin letters (generated by older code in English, or not in the office's languages)."""
    parts = [p.strip() for p in title.split(" / ")]
    if len(parts) == 2:
        title = parts[0] if language == "ru" else parts[1]
    masked = mask_patterns(title)
    return _cell(masked) if _CYRILLIC.search(masked) else ""


class Renderer:
    """Markdown of the desks and the board in one language."""

    def __init__(
        self,
        data: OfficeDesks,
        language: Language,
        ui_url: str,
        calendar: WorkingCalendar,
    ) -> None:
        self.data, self.w, self.ui_url, self.calendar = data, Words(language), ui_url, calendar
        self.language = language

    # -- pieces --
    def person(self, staff_id: str | None, regional: bool = False) -> str:
        if staff_id is None:
            return self.w("regional_office") if regional else self.w("unassigned")
        staff = self.data.staff.get(staff_id)
        return _cell(f"{staff.name} ({staff_id})") if staff else _cell(staff_id)

    def what(self, item: WorkItem) -> str:
        title = shown_title(item.title, self.language)
        if item.subject == "approval":
            return self.w("sign", what=title or self.w("approval"))
        if item.subject == "procedure":
            return title or self.w("procedure")
        step = self.w.step(item.step)
        if item.body_id:
            step = self.w("body_answer", what=step)
        return f"{step}: {title}" if title else step

    def number(self, item: WorkItem) -> str:
        kind = self.w.table("procedure_kinds", item.procedure_kind)
        return f"{kind} {item.registration_number}"

    def due(self, item: WorkItem) -> str:
        if item.due_at is not None:
            return fmt_moment(item.due_at)
        return fmt_date(item.due_date) if item.due_date else "—"

    def left(self, t: Timing) -> str:
        if t.state is State.NO_TERM:
            return self.w("no_term")
        if t.state is State.TODAY and t.measure != "hours":
            return self.w("last_day")
        amount = self.w(t.measure, n=t.amount)
        return self.w("late_by" if t.state is State.OVERDUE else "left_for", amount=amount)

    def mark(self, t: Timing) -> str:
        return f"**{self.w('overdue')}**" if t.state is State.OVERDUE else self.w(t.state.value)

    def link(self, item: WorkItem) -> str:
        if not item.flow_run_id:
            return self.w("no_link")
        return f"[{self.w('open_run')}]({run_url(self.ui_url, item.flow_run_id)})"

    @staticmethod
    def table(head: Sequence[str], rows: Sequence[Sequence[str]], limit: int) -> list[str]:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows[:limit]]
        return lines

    def section(
        self,
        title: str,
        head: Sequence[str],
        rows: list[list[str]],
        limit: int,
        total: int | None = None,
    ) -> str:
        """A table of the first ``limit`` rows; ``total``: how many there are in all, when only
        the first of them were loaded (default: all of ``rows``)."""
        lines = [f"## {title}", ""]
        if not rows:
            return "\n".join([*lines, self.w("nothing"), ""])
        lines += self.table(head, rows, limit)
        count = len(rows) if total is None else max(total, len(rows))
        if count > limit:
            lines += ["", self.w("more", n=count - limit)]
        return "\n".join([*lines, ""])

    def header(self, title: str) -> str:
        return f"# {title}\n\n{self.w('as_of', when=fmt_moment(self.data.now))}\n"

    # -- sections --
    def absences(self) -> str:
        w, on = self.w, self.data.on
        rows: list[list[str]] = []
        acting = [a for a in self.data.acting if a.start <= on <= a.end]
        absent = sorted(
            (a for a in self.data.absences if a.start <= on <= a.end), key=lambda a: a.staff_id
        )
        covered: set[tuple[str, str]] = set()
        for a in absent:
            orders = [o for o in acting if o.for_id == a.staff_id] or [None]
            for o in orders:
                if o is not None:
                    covered.add((o.acting_id, o.for_id))
                rows.append(
                    [
                        self.person(a.staff_id),
                        w.table("absences", a.kind),
                        w("period_value", start=fmt_date(a.start), end=fmt_date(a.end)),
                        self.person(o.acting_id) if o else "—",
                        _cell(o.reference) if o and o.reference else w("no_order"),
                    ]
                )
        for o in acting:  # an order for someone present (e.g. a vacancy) is still in force
            if (o.acting_id, o.for_id) not in covered:
                rows.append(
                    [
                        self.person(o.for_id),
                        "—",
                        w("period_value", start=fmt_date(o.start), end=fmt_date(o.end)),
                        self.person(o.acting_id),
                        _cell(o.reference) if o.reference else w("no_order"),
                    ]
                )
        head = [w("staff"), w("absence"), w("period"), w("acting"), w("order")]
        return self.section(w("absent"), head, rows, ROWS_PER_SECTION)

    def desk(self, staff_id: str) -> str:
        w, d = self.w, self.data
        staff = d.staff[staff_id]
        mine = by_urgency(
            (i for i in d.items if i.assignee_id == staff_id), d.on, d.now, self.calendar
        )
        waiting = [
            [self.mark(t), self.due(i), self.link(i), self.what(i), self.number(i)]
            for i, t in mine
            if i.flow_run_id
        ]
        terms = [
            [self.mark(t), self.due(i), self.left(t), self.what(i), self.number(i)] for i, t in mine
        ]
        escalated = [
            [
                fmt_date(e.on_date),
                self.person(e.from_staff_id),
                w("level_value", n=e.level),
                w.step(e.step) if e.subject == "duty" else w("approval"),
                self.w.table("procedure_kinds", e.procedure_kind) + f" {e.registration_number}",
            ]
            for e in sorted(d.escalations, key=escalation_order)
            if e.to_staff_id == staff_id
        ]
        position = w.table("positions", staff.position)
        return "\n".join(
            [
                self.header(w("desk_title", name=f"{_cell(staff.name)}, {position}")),
                self.section(
                    w("waiting"),
                    [w("state"), w("due"), w("run"), w("what"), w("number")],
                    waiting,
                    ROWS_PER_SECTION,
                    d.total("waiting", staff_id, len(waiting)),
                ),
                self.section(
                    w("terms"),
                    [w("state"), w("due"), w("left"), w("what"), w("number")],
                    terms,
                    ROWS_PER_SECTION,
                    d.total("terms", staff_id, len(terms)),
                ),
                self.section(
                    w("escalated"),
                    [w("date"), w("from"), w("level"), w("what"), w("number")],
                    escalated,
                    ROWS_PER_SECTION,
                    d.total("escalated", staff_id, len(escalated)),
                ),
                self.absences(),
            ]
        )

    def board(self) -> str:
        w, d = self.w, self.data
        rows = [
            [
                self.mark(t),
                self.due(i),
                self.left(t),
                self.number(i),
                self.what(i),
                self.person(i.assignee_id),
                self.link(i),
            ]
            for i, t in by_urgency([*d.items, *d.idle_procedures], d.on, d.now, self.calendar)
        ]
        head = [w("state"), w("due"), w("left"), w("number"), w("what"), w("assignee"), w("run")]
        return "\n".join(
            [
                self.header(w("board_title")),
                self.section(
                    w("open_matters"),
                    head,
                    rows,
                    ROWS_ON_BOARD,
                    d.total(*BOARD_TOTAL, len(rows)),
                ),
                self.absences(),
            ]
        )


def render_all(
    data: OfficeDesks, language: Language, ui_url: str, calendar: WorkingCalendar
) -> dict[str, str]:
    """Every desk by its artifact key, and the board under ``office-board``."""
    renderer = Renderer(data, language, ui_url, calendar)
    pages = {desk_key(s): renderer.desk(s) for s in sorted(data.staff)}
    pages[BOARD_KEY] = renderer.board()
    return pages
