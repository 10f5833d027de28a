"""The words the layers share: event names, duty steps, pause keys.

Every layer imports them from here (``models`` imports nothing above it), so a name is typed
once: a flow, the CLI that resumes it, the sweep that reconciles it and the trigger in
``prefect.yaml`` agree because they read the same constant.
"""

from __future__ import annotations

from enum import StrEnum

# --- Events the office emits to Prefect (after the data they announce is stored) -------------
# The triggers in prefect.yaml match these names; tests/rules/test_vocabulary.py holds them
# to the file.
EVENT_PREFIX = "prosecutor."
APPEAL_RECEIVED = "prosecutor.appeal.received"
INFORMATION_ANSWERED = "prosecutor.information.answered"
COORDINATION_REPORTED = "prosecutor.coordination.reported"
RELEASE_CONFIRMED = "prosecutor.release.confirmed"
BODY_OVERDUE = "prosecutor.body.overdue"  # a body missed the term of a duty given to it
RESPONSE_DECIDED = "prosecutor.response.decided"  # an inspection decided its act of response
# Supervision of pre-trial investigation: each announces a stored inbox record's procedure.
CASE_REGISTERED = "prosecutor.case.registered"  # a case registered in ЕРДР
DETENTION_RECORDED = "prosecutor.detention.recorded"  # a detention protocol
COMPLAINT_RECEIVED = "prosecutor.complaint.received"  # a complaint under CPC art. 105
CASE_SUBMITTED = "prosecutor.case.submitted"  # a finished case sent to the prosecutor

# Resources the events are about: "prosecutor.duty.17", "prosecutor.appeal.<number>".
DUTY_RESOURCE = "prosecutor.duty."


def duty_resource(duty_id: int) -> str:
    return f"{DUTY_RESOURCE}{duty_id}"


def duty_of_resource(resource_id: str) -> int:
    """The duty id of a ``prosecutor.duty.<id>`` resource; ValueError for anything else."""
    if not resource_id.startswith(DUTY_RESOURCE):
        raise ValueError(f"not a duty resource: {resource_id!r}")
    return int(resource_id.removeprefix(DUTY_RESOURCE))


INSPECTION_RESOURCE = "prosecutor.inspection."  # an inspection, by its registration number


def inspection_resource(registration_number: str) -> str:
    return f"{INSPECTION_RESOURCE}{registration_number}"


# --- Duty steps (шаги): a duty is keyed by (procedure, step) --------------------------------
class Step(StrEnum):
    """The fixed steps of the procedures; steps repeated within one procedure carry a suffix
    made by :func:`numbered` (``request-2-1``) or :func:`keyed` (``sign-41``)."""

    CONSIDER = "consider"  # рассмотрение обращения / жалобы
    CLASSIFY = "classify"  # the appeal's ground, when intake could not tell
    REDIRECT = "redirect"  # направление по компетенции
    CPC_COMPLAINT = "cpc-complaint"  # a complaint under CPC art. 105 found in an appeal
    REGISTRATION = "registration"  # a court act's registration for review
    CONCLUSION = "conclusion"  # the prosecutor's conclusion on a court act
    STUDY = "study"  # study of a finished case (изучение уголовного дела)
    INSTRUCTIONS = "instructions"  # указания to the investigating body
    INSPECT = "inspect"  # an inspection's work on site
    AGENDA = "agenda"  # a coordination meeting's agenda
    RELEASE_ORDER = "release-order"  # постановление об освобождении
    CONFIRM_RELEASE = "confirm-release"  # the facility confirms the release
    INVESTIGATION_TERM = "investigation-term"  # срок досудебного расследования
    NOTICE_START = "notice-start"  # уведомление о начале досудебного расследования
    DETENTION_NOTICE = "detention-notice"  # уведомление о задержании
    DETENTION_LIMIT = "detention-limit"  # срок задержания в часах
    HEARING = "hearing"  # a hearing of a state prosecution (keyed by its number)
    EXTENSION_NOTICE = "extension-notice"  # notice of a longer review (keyed by its date)
    REQUEST = "request"  # запрос информации (numbered by report and item)
    SUMMONS = "summons"  # вызов для объяснений (numbered by report and item)
    FILE_ACCESS = "file-access"  # ознакомление заявителя с материалами (APPC art. 75(1))
    SIGN = "sign"  # подписание исходящего документа (keyed by the document)
    VISA = "visa"  # виза before the signature (keyed by the document)
    CONSIDERATION = "consideration"  # the addressee considers an act of response


class LetterStep(StrEnum):
    """Steps of the signing of an outgoing document, keyed by the attempt (``reply-2``) or by
    the item it is about (``body-letter-17``): each attempt is signed once."""

    REPLY = "reply"  # ответ заявителю
    INTERIM = "interim"  # промежуточный ответ
    EXTEND = "extend"  # уведомление о продлении срока рассмотрения
    TERMINATE = "terminate"  # уведомление о прекращении (a repeated appeal)
    PETITION = "petition"  # апелляционное ходатайство
    AGENDA = "agenda"  # повестка координационного совещания
    RESOLUTION = "resolution"  # постановление координационного совещания
    BODY_LETTER = "body-letter"  # письмо руководителю органа
    DECISION = "decision"  # решение по жалобе / по оконченному делу
    EXTENSION = "extension"  # продление срока (жалоба, досудебное расследование)
    CERTIFICATE = "certificate"  # справка о результатах проверки
    COURT_APPLICATION = "court-application"  # заявление в суд


def numbered(step: str, *numbers: int) -> str:
    """A step repeated within a procedure: ``numbered("request", 2, 1)`` → ``request-2-1``."""
    return "-".join([step, *(str(n) for n in numbers)])


def keyed(step: str, key: object) -> str:
    """A step per document, date or item: ``keyed("sign", 41)`` → ``sign-41``."""
    return f"{step}-{key}"


# --- Pause keys: what a waiting run waits for ------------------------------------------------
# A run suspended on a key is resumed by the command or the event that gives its answer; the
# key must be the same on every replay of the run.
def approval_key(approval_id: int, attempt: int) -> str:
    """The form of the ``attempt``-th decision on approval ``approval_id``."""
    return f"approval-{approval_id}-{attempt}"


def approval_prefix(approval_id: int) -> str:
    """Every decision form of approval ``approval_id`` starts with this."""
    return f"approval-{approval_id}-"


def answer_key(duty_id: int) -> str:
    """The form that receives the answer to duty ``duty_id`` (a body's or a facility's)."""
    return f"answer-{duty_id}"


def attempt_key(form: str, attempt: int) -> str:
    """The ``attempt``-th form of a kind in one run: ``report-2``, ``conclusion-1``."""
    return f"{form}-{attempt}"
