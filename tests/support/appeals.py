"""One appeal factory (обращение) for every test tier: a valid appeal as a dict, as JSON, as a
file or as the ``AppealIn`` schema, with any field changed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from models.office.schemas import AppealIn

IIN = "850315400015"  # a valid IIN: its check digit follows the published rule


def appeal(
    external_id: str | None = "eo-1",
    *,
    iin: str = IIN,
    last_name: str = "A",
    first_name: str = "B",
    received_at: dt.datetime | str | None = None,
    **change: Any,
) -> dict[str, Any]:
    """A valid appeal of an individual about unpaid wages, received an hour ago unless
    ``received_at`` says otherwise; ``change`` replaces top-level fields (``contact``,
    ``language``, ``channel``, ``topic``, ``subject``, ``text``, ...). No ``external_id`` when
    it is None."""
    when = received_at or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    data: dict[str, Any] = {
        "external_id": external_id,
        "applicant": {
            "kind": "individual",
            "iin": iin,
            "last_name": last_name,
            "first_name": first_name,
        },
        "contact": {"email": "a@example.kz"},
        "language": "ru",
        "channel": "email",
        "topic": "labour_rights",
        "subject": "Невыплата зарплаты",
        "text": f"Три месяца не платят заработную плату ({external_id}).",
        "received_at": when if isinstance(when, str) else when.isoformat(),
    }
    if external_id is None:
        del data["external_id"]
    return data | change


def appeal_json(external_id: str | None = "eo-1", **fields: Any) -> str:
    """:func:`appeal` as the JSON text the office takes in."""
    return json.dumps(appeal(external_id, **fields), ensure_ascii=False)


def appeal_file(folder: Path, external_id: str = "eo-1", **fields: Any) -> Path:
    """:func:`appeal` written to ``<folder>/<external_id>.json`` for ``prosecutor appeals
    submit``."""
    path = folder / f"{external_id}.json"
    path.write_text(appeal_json(external_id, **fields), encoding="utf-8")
    return path


def appeal_in(external_id: str | None = "eo-1", **fields: Any) -> AppealIn:
    """:func:`appeal` as the validated schema object."""
    return AppealIn.model_validate(appeal(external_id, **fields))
