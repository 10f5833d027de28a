"""Run logs go to the Prefect server, where everyone with the UI reads them: identifiers,
e-mail addresses and phone numbers in a run's log messages are masked before they leave."""

from __future__ import annotations

import logging

from models.masking import mask_patterns

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_patterns(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Idempotent: once per logger."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(PersonalDataFilter())
