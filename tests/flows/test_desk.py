"""The desks published as Prefect artifacts in the test harness, read back with the client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactCollectionFilter,
    ArtifactCollectionFilterKey,
    ArtifactFilter,
    ArtifactFilterKey,
)
from sqlalchemy.orm import sessionmaker

from flows.check_deadlines import check_deadlines
from flows.refresh_desks import DeskRefresh, refresh_desks
from models.settings import get_settings
from models.sweeps.desk import BOARD_KEY, desk_key
from tests.conftest import Database
from tests.office import absent, acting, load_demo_office, pending_approval, procedure_with_duty

pytestmark = pytest.mark.usefixtures("prefect_harness")

MONDAY = dt.date(2026, 12, 7)  # a working week: 7-11 December 2026
ON = MONDAY + dt.timedelta(days=2)
STAFF = ("head", "dep-1", "dep-2", "sa-1", "as-1", "as-2", "as-3")


def latest(key: str) -> str:
    with get_client(sync_client=True) as client:
        [artifact] = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key])),
            limit=1,
        )
    assert isinstance(artifact.data, str)
    return artifact.data


def versions(key: str) -> int:
    with get_client(sync_client=True) as client:
        return len(
            client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), limit=200
            )
        )


@pytest.fixture
def kazakh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PROSECUTOR_DESK_LANGUAGE", "kk")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PROSECUTOR_DESK_LANGUAGE")
    get_settings.cache_clear()


def office_with_work(database: Database) -> str:
    """The demo office; the head on leave with the first deputy acting; a late reply awaiting
    the deputy's signature and an assistant's duty in time. Returns the late one's number."""
    load_demo_office(database.engine)
    absent(database.engine, "head", MONDAY, MONDAY + dt.timedelta(days=10))
    acting(database.engine, "dep-1", "head", MONDAY, MONDAY + dt.timedelta(days=10))
    with sessionmaker(database.engine).begin() as session:
        procedure_with_duty(session, assignee="dep-1", due=ON + dt.timedelta(days=6))
        late = pending_approval(session, due=MONDAY - dt.timedelta(days=3), day=MONDAY)
    return late.registration_number


def test_refresh_publishes_every_desk_and_the_board(database: Database) -> None:
    number = office_with_work(database)
    result = refresh_desks(on=ON)
    assert result == DeskRefresh(skipped=False, published=len(STAFF) + 1)
    deputy = latest(desk_key("dep-1"))
    waiting = deputy.split("## Мои сроки")[1].splitlines()
    rows = [r for r in waiting if r.startswith("| ") and "---" not in r][1:]
    assert "ПРОСРОЧЕНО" in rows[0] and number in rows[0]  # the late signature, first
    assert "ПРОСРОЧЕНО" not in rows[1]
    assert "№" in deputy or "No. 7" in deputy  # the acting order under today's absences
    board = latest(BOARD_KEY)
    assert number in board and "Омарова Айгүл Бекенқызы (dep-1)" in board
    for staff_id in STAFF:
        assert latest(desk_key(staff_id)).startswith("# Рабочий стол: ")


def test_an_unchanged_desk_is_not_published_again(database: Database) -> None:
    office_with_work(database)
    refresh_desks(on=ON)
    before = versions(desk_key("as-3"))
    refresh_desks(on=ON)
    assert versions(desk_key("as-3")) == before


@pytest.mark.usefixtures("kazakh")
def test_the_deadline_check_refreshes_the_desks_in_the_offices_language(
    database: Database,
) -> None:
    number = office_with_work(database)
    check_deadlines(on=ON, force=True)
    deputy = latest(desk_key("dep-1"))
    assert deputy.startswith("# Жұмыс үстелі: Омарова Айгүл Бекенқызы")
    assert "МЕРЗІМІ ӨТКЕН" in deputy and number in deputy
    assert "ПРОСРОЧЕНО" not in deputy
