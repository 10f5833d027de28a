"""Cases registered in the Unified Register of Pre-trial Investigations (Единый реестр
досудебных расследований, ЕРДР): the record the office receives, and where records come from.

The start of a pre-trial investigation is its registration in ЕРДР (CPC art. 179(1)); the term
of the investigation runs from that moment (CPC art. 192(2)). The order of keeping ЕРДР is set
by the Prosecutor General (CPC art. 180(3)); the CPC fixes no format of the ЕРДР number, so it is
checked only to be digits.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from models.procedures.criminal_cases import InvestigationForm
from models.settings import get_settings

# Leeway for clocks of the two systems: a registration "in the future" beyond it is an error.
_CLOCK_SKEW = dt.timedelta(minutes=10)


class ErdrCase(BaseModel):
    """One case as ЕРДР sends it (one JSON object, one line of a ``.jsonl`` file).

    ``summary`` (фабула) and ``investigator`` may carry personal data: they stay in the office's
    database, never in Prefect parameters, events or logs.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=100, description="id of the record in ЕРДР")
    erdr_number: str = Field(
        min_length=6,
        max_length=30,
        pattern=r"^\d+$",
        description="номер ЕРДР: digits (15 in practice; the CPC fixes no format)",
    )
    registered_at: AwareDatetime = Field(
        description="moment of registration in ЕРДР: the start of the pre-trial investigation"
        " (CPC art. 179(1)), from which its term runs (CPC art. 192(2))"
    )
    cc_article: str = Field(
        max_length=60,
        pattern=r"^\d{1,3}(-\d{1,2})?(\s*(ч|п|ч\.|п\.)\s*\d{1,2}\)?)*$",
        description="article of the Criminal Code with its part, e.g. «188 ч.2»",
    )
    form: InvestigationForm = Field(description="форма досудебного расследования (CPC art. 189)")
    body: str = Field(min_length=3, max_length=300, description="the investigating body")
    investigator: str = Field(
        min_length=3, max_length=200, description="the investigator or inquiry officer"
    )
    summary: str = Field("", max_length=10000, description="фабула (may carry personal data)")
    office_code: str = Field(min_length=1, max_length=20, description="the supervising office")
    suspect_questioned_at: AwareDatetime | None = Field(
        None,
        description="protocol form: when the suspect was questioned (CPC art. 526(1))",
    )

    @field_validator("registered_at")
    @classmethod
    def _not_in_future(cls, value: dt.datetime) -> dt.datetime:
        if value > dt.datetime.now(dt.UTC) + _CLOCK_SKEW:
            raise ValueError("the registration in ЕРДР cannot be in the future")
        return value


class ErdrAdapter(Protocol):
    """Where ЕРДР records come from: each call yields raw JSON texts, each record once."""

    def fetch(self) -> Iterable[str]: ...


def default_inbox() -> Path:
    return get_settings().data_dir / "inbox" / "erdr"


class InboxFolderAdapter:
    """Records dropped as ``*.jsonl`` files in a folder (default ``<data dir>/inbox/erdr``).

    A file is moved to ``processed/`` once all its lines were handed out, so it is read once.
    A run that stops half-way leaves the file in place: the next poll reads it again, and the
    records already stored are found as duplicates by their ЕРДР id, not registered twice.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_inbox()

    @property
    def processed(self) -> Path:
        return self.folder / "processed"

    def fetch(self) -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for file in sorted(self.folder.glob("*.jsonl")):
            yield from _lines(file)
            self.processed.mkdir(parents=True, exist_ok=True)
            shutil.move(file, _free_name(self.processed / file.name))


def _lines(file: Path) -> Iterator[str]:
    # not UTF-8: kept as received (escaped), so the record is stored as rejected, not lost
    text = file.read_bytes().decode("utf-8", errors="backslashreplace")
    for line in text.splitlines():
        if line.strip():
            yield line


def _free_name(target: Path) -> Path:
    """A file of the same name processed before is kept: the new one gets a suffix."""
    n = 1
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        n += 1
    return candidate
