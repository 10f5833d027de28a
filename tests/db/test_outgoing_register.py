"""The register of outgoing documents (журнал исходящей корреспонденции), on both databases.

Each signed document gets its own outgoing number per office and year, in the transaction that
records the signature; the numbers are unique and without gaps even when many documents are
signed at once; a visa is not a signature and gets no number; nothing leaves unregistered.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.approvals import Decision, document_hash
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.db.tables import Approval, ApprovalStatus, Document, OutgoingCounter
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import document_store
from models.records.document_store import DocumentError
from models.records.rendering import BLANK
from models.timing.calendar import local_date, today
from tests.conftest import Database
from tests.office import OFFICE, eds_of, load_demo_office

STAMPED_DRAFT = (
    f'<p>№ <span class="outgoing-number">{BLANK}</span> от <span class="outgoing-date">{BLANK}'
    "</span></p><p>Ответ заявителю</p>"
)


def _procedure(session: Session, year: int) -> int:
    return procedure_store.register_procedure(
        session, office_code=OFFICE, kind=ProcedureKind.APPEAL, title="A", year=year
    ).id


def _document(session: Session, procedure_id: int, body: str = STAMPED_DRAFT) -> int:
    return document_store.create_document(
        session,
        procedure_id=procedure_id,
        kind="reply",
        language="ru",
        title="Ответ",
        body=body,
        drafted_by="as-3",
    ).id


def _approval(
    session: Session, procedure_id: int, document_id: int, step: str, visa_by: str | None = None
) -> int:
    day = today()
    return approval_store.open_approval(
        session,
        procedure_id=procedure_id,
        step=step,
        document_id=document_id,
        due_date=day,
        day=day,
        drafter_id="as-3",
        visa_by=visa_by,
    ).id


def _decide(database: Database, approval_id: int, signer: str) -> None:
    with sessionmaker(database.engine).begin() as session:
        approval_decisions.record_decision(
            session,
            approval_id=approval_id,
            attempt=1,
            signer_id=signer,
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=eds_of(session, approval_id, signer),
        )


def test_two_documents_of_one_matter_get_their_own_numbers_at_signing(
    database: Database,
) -> None:
    """Each outgoing document has its own number and date from the register, not the matter's
    registration number; the number is stamped on the signed text, which keeps its hash."""
    load_demo_office(database.engine)
    year = today().year
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, year)
        docs = [_document(session, proc, STAMPED_DRAFT + f"<p>{i}</p>") for i in (1, 2)]
        approvals = [_approval(session, proc, d, f"sign-{d}") for d in docs]
    for approval_id in approvals:
        _decide(database, approval_id, "head")
    with sessionmaker(database.engine).begin() as session:
        rows = [session.get_one(Document, d) for d in docs]
        numbers = [r.outgoing_number for r in rows]
        assert numbers == [f"{OFFICE}-{year % 100:02d}/1", f"{OFFICE}-{year % 100:02d}/2"]
        for row in rows:
            assert row.outgoing_date == local_date(dt.datetime.now(dt.UTC))
            assert row.sha256 == document_hash(row.body)  # the signed draft is untouched
            assert row.issued_body is not None and row.outgoing_number in row.issued_body
            assert f"{row.outgoing_date:%d.%m.%Y}" in row.issued_body
            assert BLANK not in row.issued_body
            assert row.issued_sha256 == document_hash(row.issued_body)
        # A document keeps its number: registering it again changes nothing.
        again = document_store.assign_outgoing(session, docs[0], dt.date(year, 12, 31))
        assert again == numbers[0]
        assert document_store.dispatch_document(session, docs[0], "head", "post").dispatched_at


def test_a_visa_gets_no_outgoing_number_reg_cl15(database: Database) -> None:
    """A visa (виза) is not a signature (Regulation cl. 15): the document is not registered and
    cannot be sent."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, today().year)
        doc = _document(session, proc)
        visa = _approval(session, proc, doc, "visa", visa_by="as-1")
    _decide(database, visa, "as-1")
    with sessionmaker(database.engine).begin() as session:
        row = session.get_one(Document, doc)
        assert row.outgoing_number is None and row.issued_body is None
        assert session.scalar(select(OutgoingCounter)) is None
        with pytest.raises(DocumentError, match="not signed"):
            document_store.dispatch_document(session, doc, "as-1", "post")


def test_a_letter_naming_another_signatory_is_redrafted_not_signed_reg_cl15(
    database: Database,
) -> None:
    """A letter is signed by the person it names (cl. 15): the head, authorised today, may not
    sign a letter drafted for dep-1. The refusal asks for it to be redrafted in the head's name,
    gives no signature and no number, and says the same when the run replays the decision."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, today().year)
        doc = document_store.create_document(
            session,
            procedure_id=proc,
            kind="reply",
            language="ru",
            title="Ответ",
            body=STAMPED_DRAFT,
            drafted_by="as-3",
            signatory_id="dep-1",
        ).id
        approval = _approval(session, proc, doc, "sign")
    outcomes = []
    for _ in range(2):  # the decision, then the same attempt read back by a replayed run
        with sessionmaker(database.engine).begin() as session:
            outcomes.append(
                approval_decisions.record_decision(
                    session,
                    approval_id=approval,
                    attempt=1,
                    signer_id="head",
                    decision=Decision.APPROVE,
                    comment=None,
                    at=dt.datetime.now(dt.UTC),
                    cms=eds_of(session, approval, "head"),
                )
            )
    first, replayed = outcomes
    assert first == replayed
    assert first.redraft and first.redraft_for == "head"
    assert not first.accepted and first.signature_id is None
    assert "drafted for signature by dep-1" in first.reason
    with sessionmaker(database.engine).begin() as session:
        row = session.get_one(Document, doc)
        assert row.outgoing_number is None and row.issued_body is None
        # the redraft gets its own approval: this one waits for nobody any more
        assert session.get_one(Approval, approval).status is ApprovalStatus.WITHDRAWN
        restarted = approval_decisions.decided_outcome(session, approval)
        assert restarted.redraft_for == "head" and not restarted.accepted
        late = approval_decisions.record_decision(
            session,
            approval_id=approval,
            attempt=None,
            signer_id="dep-1",
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=eds_of(session, approval, "dep-1"),
        )
        assert not late.accepted and "withdrawn" in late.reason


def test_dispatch_refuses_a_signed_document_without_an_outgoing_number(
    database: Database,
) -> None:
    """Nothing leaves the office unregistered, even with a signature recorded."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, today().year)
        doc = _document(session, proc)
        approval = _approval(session, proc, doc, "sign")
    _decide(database, approval, "head")
    with sessionmaker(database.engine).begin() as session:
        row = session.get_one(Document, doc)
        row.outgoing_number = row.issued_body = None  # as if registration had been skipped
        session.flush()
        with pytest.raises(DocumentError, match="no outgoing number"):
            document_store.dispatch_document(session, doc, "head", "post")


def test_a_rolled_back_signature_gives_its_number_back(database: Database) -> None:
    """Gap-free: the counter moves in the signature's transaction, so a signature that is not
    committed leaves no hole in the register."""
    load_demo_office(database.engine)
    year = today().year
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, year)
        first, second = _document(session, proc), _document(session, proc, "<p>другой</p>")
    session = sessionmaker(database.engine)()
    try:
        document_store.assign_outgoing(session, first, dt.date(year, 6, 1))
        session.rollback()
    finally:
        session.close()
    with sessionmaker(database.engine).begin() as session:
        number = document_store.assign_outgoing(session, second, dt.date(year, 6, 1))
    assert number == f"{OFFICE}-{year % 100:02d}/1"


def test_numbers_are_per_year(database: Database) -> None:
    """The register starts again from 1 each year (the year is part of the number)."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, 2026)
        a, b = _document(session, proc), _document(session, proc, "<p>b</p>")
        assert document_store.assign_outgoing(session, a, dt.date(2026, 12, 31)) == (
            f"{OFFICE}-26/1"
        )
        assert document_store.assign_outgoing(session, b, dt.date(2027, 1, 4)) == (f"{OFFICE}-27/1")


THREADS, PER_THREAD = 8, 25


def test_numbers_are_unique_and_gap_free_under_concurrent_signing(database: Database) -> None:
    """8 signers at once, 25 documents each, each registered in its own transaction: the set of
    numbers is exactly 1..200 (the counter row is locked while a number is given)."""
    load_demo_office(database.engine)
    year = today().year
    with sessionmaker(database.engine).begin() as session:
        proc = _procedure(session, year)
        docs = [_document(session, proc, f"<p>{i}</p>") for i in range(THREADS * PER_THREAD)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def sign(batch: list[int]) -> None:
        try:
            barrier.wait()
            for document_id in batch:
                with sessionmaker(database.engine).begin() as session:
                    document_store.assign_outgoing(session, document_id, dt.date(year, 3, 2))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(docs[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessionmaker(database.engine).begin() as session:
        rows = session.execute(
            select(Document.outgoing_seq, Document.outgoing_number).where(Document.id.in_(docs))
        ).all()
        last_seq = session.get_one(OutgoingCounter, (OFFICE, year)).last_seq
    seqs = sorted(seq for seq, _ in rows)
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    assert len({number for _, number in rows}) == THREADS * PER_THREAD
    assert last_seq == THREADS * PER_THREAD
