"""`prosecutor start --postgres URL`: the office's database and the Prefect server's, side by
side on one PostgreSQL server."""

from __future__ import annotations

import pytest

from deployments.cli.errors import BadInput
from deployments.postgres import split


def test_one_url_gives_the_office_and_prefect_databases_with_their_drivers() -> None:
    urls = split("postgresql://office:s3cret@db.local:5433/prosecutor")
    assert urls.domain == "postgresql+psycopg://office:s3cret@db.local:5433/prosecutor"
    assert urls.prefect == "postgresql+asyncpg://office:s3cret@db.local:5433/prosecutor_prefect"


@pytest.mark.parametrize(
    "bad", ["sqlite:///office.db", "postgresql://localhost", "not a url at all"]
)
def test_anything_but_a_postgresql_database_is_refused_clearly(bad: str) -> None:
    with pytest.raises(BadInput, match="--postgres"):
        split(bad)
