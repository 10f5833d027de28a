"""Run logs go to the Prefect server, where everyone with the UI reads them: identifiers,
e-mail addresses and phone numbers in a run's log messages are masked before they leave, and so
are the names and contacts of the parties of every procedure this process has shown (in any
grammatical case, see ``models.office.masking``)."""

from __future__ import annotations

import logging
import threading

from models.office.masking import mask_patterns, redact
from models.procedures.parties import PersonalData

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")

# The parties' values known in this process: a served run is a process of its own, so this is
# the run's procedure (and, in a shared process, masking more than one run's parties is safe).
_KNOWN_NAMES: set[str] = set()
_KNOWN_OTHER: set[str] = set()
_LOCK = threading.Lock()


def remember(personal: PersonalData) -> None:
    """Mask these values in every run log written from now on in this process."""
    with _LOCK:
        _KNOWN_NAMES.update(n for n in personal.names if n and n.strip())
        _KNOWN_OTHER.update(v for v in personal.other if v and v.strip())


def forget() -> None:
    """Forget the remembered parties (a process starting on other work, or a test)."""
    with _LOCK:
        _KNOWN_NAMES.clear()
        _KNOWN_OTHER.clear()


def mask_known(text: str) -> str:
    """``text`` with the remembered parties' values and every identifier, phone and e-mail
    masked."""
    with _LOCK:
        names, other = tuple(_KNOWN_NAMES), tuple(_KNOWN_OTHER)
    return redact(text, names, other) if names or other else mask_patterns(text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_known(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Idempotent: once per logger."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(PersonalDataFilter())
