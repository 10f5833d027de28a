"""Every deadline check signs the audit log's head into the checkpoint file (outside the
database) and publishes it as the ``audit-checkpoint`` artifact; a tampered log gets no
checkpoint, and the artifact says so, while the deadlines are still checked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from flows.check_deadlines import check_deadlines
from models.settings import get_settings
from tests.conftest import Database
from tests.office import load_demo_office
from tests.reliability.test_audit_tamper import (
    _as_owner,
    checkpoint_files,  # noqa: F401 - autouse: this test's own checkpoint file and key
)

pytestmark = pytest.mark.usefixtures("prefect_harness")

ON = dt.date(2026, 12, 9)  # a Wednesday, a working day


def _artifact() -> str:
    with get_client(sync_client=True) as client:
        [artifact] = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=["audit-checkpoint"])
            ),
            limit=1,
        )
    assert isinstance(artifact.data, str)
    return artifact.data


def test_each_deadline_check_writes_a_signed_checkpoint(database: Database) -> None:
    load_demo_office(database.engine)
    first = check_deadlines(on=ON).audit_checkpoint
    assert first["written"] and first["seq"] >= 1
    lines = get_settings().resolved_audit_checkpoints.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [first["hash"]]
    assert first["hash"] in _artifact()

    _as_owner(database, f"DELETE FROM audit_log WHERE seq = {first['seq']}")
    second = check_deadlines(on=ON)
    assert second.skipped is False  # the deadlines were still checked
    assert not second.audit_checkpoint["written"]
    assert "INVALID" in _artifact()
    assert len(get_settings().resolved_audit_checkpoints.read_text().splitlines()) == 1
