"""A procedure's page, as the Prefect UI shows it to everyone who can log in: the applicant's
personal data masked (Law of the RK No. 94-V, art. 1), on both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from models.db.tables import AppealRow
from models.procedures.timeline import procedure_timeline
from tests.conftest import Database
from tests.db.test_appeal_intake import raw, take
from tests.office import load_demo_office

IIN = "850315400015"


def test_the_page_shows_the_applicant_masked_and_nothing_of_them_in_full(
    database: Database,
) -> None:
    load_demo_office(database.engine)
    appeal = raw(
        iin=IIN,
        last_name="Сейтқали",
        first_name="Әсел",
        contact={"address": "Алматы, Абай даңғылы 10", "phone": "+7 701 555 01 01"},
        subject="Жалоба Сейтқали Әсел, тел. +7 701 555 01 01",
    )
    result = take(database, appeal)
    with sessionmaker(database.engine).begin() as session:
        procedure_id = session.scalar(
            select(AppealRow.procedure_id).where(AppealRow.id == result.appeal_id)
        )
        assert procedure_id is not None
        page = procedure_timeline(session, procedure_id)
    assert "applicant: С. Ә. (IIN ********0015)" in page
    assert result.registration_number in page
    for personal in (IIN, "Сейтқали", "Әсел", "Абай даңғылы", "555 01 01"):
        assert personal not in page
