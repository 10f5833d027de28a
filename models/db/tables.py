"""SQLAlchemy 2 tables of the office. Statuses are checked by the database, not only by Python."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.office.roster import AbsenceKind, Position
from models.procedures import ProcedureKind, ProcedureStatus

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, stored in UTC and read back aware. SQLite keeps no zone: without this a time
    given in Almaty would be stored as its wall clock and read back as if it were UTC, five
    hours off (a detention limit, a duty shift). A naive value is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON}


def str_enum(enum: type[StrEnum], name: str) -> SAEnum:
    """A string column restricted to the enum's values by a CHECK constraint."""
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class DutyStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # returned for rework (на доработку)
    WITHDRAWN = "withdrawn"


class AccessLevel(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"  # for official use (ДСП)
    SECRET = "secret"  # state secrets: staff with clearance only (cl. 8, obligation 5)


class Office(Base):
    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))  # letterhead contacts
    email: Mapped[str | None] = mapped_column(String(120))


class StaffRow(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[Position] = mapped_column(str_enum(Position, "position"))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    seniority: Mapped[int] = mapped_column(Integer, default=100)
    clearance: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    phone: Mapped[str | None] = mapped_column(String(50))  # the executor's phone in a letter
    # ЖСН / ИИН: the holder named by the staff member's EDS certificate (NCA RK)
    iin: Mapped[str | None] = mapped_column(String(12), unique=True)


class AbsenceRow(Base):
    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ordered"),
        Index(None, "staff_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[AbsenceKind] = mapped_column(str_enum(AbsenceKind, "absence_kind"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))


class ActingOrderRow(Base):
    """Приказ о возложении обязанностей: ``acting_id`` performs ``for_id``'s duties."""

    __tablename__ = "acting_orders"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ordered"),
        CheckConstraint("acting_id <> for_id", name="not_self"),
        Index(None, "for_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acting_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    for_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")


class DutyShift(Base):
    """A shift of the prosecutor on duty (дежурство) outside working hours."""

    __tablename__ = "duty_shifts"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ordered"),
        UniqueConstraint("staff_id", "start_at"),
        Index(None, "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]


class Body(Base):
    """A law-enforcement or other state body of the district (Regulation cl. 6.3, 7.4)."""

    __tablename__ = "bodies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200))
    head: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)


class Procedure(Base):
    """A registered matter of the office: an appeal, an inspection, a protest, ..."""

    __tablename__ = "procedures"
    __table_args__ = (
        UniqueConstraint("office_code", "kind", "year", "seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index(None, "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    kind: Mapped[ProcedureKind] = mapped_column(str_enum(ProcedureKind, "procedure_kind"))
    year: Mapped[int]
    seq: Mapped[int]
    registration_number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[ProcedureStatus] = mapped_column(str_enum(ProcedureStatus, "procedure_status"))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    area: Mapped[str | None] = mapped_column(String(40))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    opened_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    closed_at: Mapped[dt.datetime | None]
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # kind-specific facts
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Duty(Base):
    """A step of a procedure with its own assignee and due date (поручение, этап)."""

    __tablename__ = "duties"
    __table_args__ = (
        UniqueConstraint("procedure_id", "step"),
        CheckConstraint("escalation_level >= 0", name="level_non_negative"),
        Index(None, "status", "due_date"),
        Index(None, "status", "due_at"),
        Index(None, "assignee_id", "status"),
        Index(None, "status", "escalation_level", "due_date"),  # the sweep's ranges (0014)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    step: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    body_id: Mapped[str | None] = mapped_column(ForeignKey("bodies.id"))  # a body must execute it
    status: Mapped[DutyStatus] = mapped_column(str_enum(DutyStatus, "duty_status"))
    term_id: Mapped[str | None] = mapped_column(String(60))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_at: Mapped[dt.datetime | None]  # for terms in hours (release of the detained)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    escalation_level: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)  # what came back from outside
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Document(Base):
    """A document of the office with the SHA-256 of its exact text."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    kind: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    access_level: Mapped[AccessLevel] = mapped_column(
        str_enum(AccessLevel, "access_level"), default=AccessLevel.PUBLIC
    )
    drafted_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    dispatched_at: Mapped[dt.datetime | None]  # sent to its addressee (recorded once)
    # who the text names as signatory: only that person may sign it (None: not named)
    signatory_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    # register of outgoing documents (исходящий номер): given at signing, per office and year
    outgoing_seq: Mapped[int | None]
    outgoing_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    outgoing_date: Mapped[dt.date | None] = mapped_column(Date)
    # the signed text with the registration stamp filled in, as it leaves the office
    issued_body: Mapped[str | None] = mapped_column(Text)
    issued_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class OutgoingCounter(Base):
    """The last outgoing number an office gave in a year: one row, locked while numbering."""

    __tablename__ = "outgoing_counters"

    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class RegistrationCounter(Base):
    """The last registration number an office gave to a kind of procedure in a year (журнал
    регистрации): one row, locked while a number is given, so numbers are unique and gap-free
    under concurrent intake."""

    __tablename__ = "registration_counters"

    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Approval(Base):
    """A request that the signatory of the day approve and sign a document."""

    __tablename__ = "approvals"
    __table_args__ = (
        UniqueConstraint("procedure_id", "step"),
        Index(None, "status", "due_date"),
        Index(None, "status", "due_at"),
        Index(None, "status", "escalation_level", "due_date"),  # the sweep's ranges (0014)
        CheckConstraint("escalation_level >= 0", name="level_non_negative"),
        CheckConstraint("authority IN ('signatory', 'visa', 'on_call')", name="authority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    step: Mapped[str] = mapped_column(String(80))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    document_sha256: Mapped[str] = mapped_column(String(64))
    signatory_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))  # None: regional
    visa_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))  # None: office signature
    # signatory: who signs that day; visa: visa_by or their replacement; on_call: whoever is
    # authorised at the moment of decision, by the hour (urgent matters)
    authority: Mapped[str] = mapped_column(String(16), default="signatory")
    drafter_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[ApprovalStatus] = mapped_column(str_enum(ApprovalStatus, "approval_status"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime | None]  # urgent matters: due by the hour
    requested_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    escalation_level: Mapped[int] = mapped_column(default=0)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ApprovalDecision(Base):
    """Every decision given on an approval, accepted or refused, in the order given."""

    __tablename__ = "approval_decisions"
    __table_args__ = (
        UniqueConstraint("approval_id", "attempt"),
        CheckConstraint("decision IN ('approve', 'reject', 'return')", name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"))
    attempt: Mapped[int | None]  # the flow's n-th wait; None for a refusal at the terminal
    signer_id: Mapped[str] = mapped_column(String(40))  # as given: may name nobody on the roster
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    accepted: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(20), default="flow")  # flow (UI form) or cli
    decided_at: Mapped[dt.datetime]
    # the EDS (ЭЦП) given with the decision, accepted or refused, and whose certificate it was
    cms: Mapped[bytes | None] = mapped_column(LargeBinary)
    signer_iin: Mapped[str | None] = mapped_column(String(12))
    cert_sha256: Mapped[str | None] = mapped_column(String(64))


class Signature(Base):
    """Who signed which exact text, and when (one signature per approval)."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    signer_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    acting: Mapped[bool] = mapped_column(default=False)
    document_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # the document's own EDS: a detached CMS over the exact text (None: made before EDS)
    cms: Mapped[bytes | None] = mapped_column(LargeBinary)
    signer_iin: Mapped[str | None] = mapped_column(String(12))
    cert_sha256: Mapped[str | None] = mapped_column(String(64))


class ReadChallenge(Base):
    """A one-time challenge to sign before reading a secret document: random, short-lived,
    used once, so a signature to read cannot be replayed."""

    __tablename__ = "read_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    reader_id: Mapped[str | None] = mapped_column(String(40))
    cms: Mapped[bytes | None] = mapped_column(LargeBinary)


class Escalation(Base):
    """One step up of overdue work; unique per subject and level, so a rerun adds nothing."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("subject_kind", "subject_id", "level"),
        CheckConstraint("subject_kind IN ('duty', 'approval')", name="subject_kind"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    level: Mapped[int]
    from_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    to_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))  # None: regional
    reason: Mapped[str] = mapped_column(String(500))
    on_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class AppealStatus(StrEnum):
    REGISTERED = "registered"
    REJECTED = "rejected"  # invalid input, kept with the reason


class AppealRow(Base):
    """An appeal (обращение) as received: stored and numbered before anything else happens."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(
            "(status = 'rejected') = (procedure_id IS NULL)", name="registered_has_procedure"
        ),
        CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)", name="rejected_has_reason"
        ),
        Index(None, "applicant_id", "text_sha256"),
        Index(None, "status", "review_flow_run_id"),
        # one registration per external id; rejected attempts may repeat and be corrected
        Index(
            "uq_appeals_external_id_registered",
            "external_id",
            unique=True,
            sqlite_where=text("status = 'registered'"),
            postgresql_where=text("status = 'registered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus, "appeal_status"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)  # the input exactly as received
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"), unique=True)
    applicant_id: Mapped[str | None] = mapped_column(String(12))  # IIN or BIN
    applicant_name: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(2))
    channel: Mapped[str | None] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(300))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[dt.datetime]
    stored_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    event_emitted_at: Mapped[dt.datetime | None]
    review_flow_run_id: Mapped[str | None] = mapped_column(String(36))


class InboxSource(StrEnum):
    """Where a record from outside the office comes from (each through its own adapter)."""

    ERDR = "erdr"  # ЕРДР: a case registered in the Unified Register of Pre-trial Investigations
    DETENTION = "detention"  # протокол задержания sent by the body that detained
    COMPLAINT = "complaint"  # жалоба на действия органа расследования (CPC art. 105)
    CASE_SUBMITTED = "case_submitted"  # an investigated case sent to the prosecutor


class InboxStatus(StrEnum):
    REGISTERED = "registered"
    REJECTED = "rejected"  # kept with its reason, never lost


class InboxRecord(Base):
    """A record from outside (ERDR, a detention protocol, a complaint, a finished case) as
    received: stored and numbered before it is announced to Prefect, so nothing is lost if the
    server is down (announced later by reconciling)."""

    __tablename__ = "inbox_records"
    __table_args__ = (
        CheckConstraint(
            "(status = 'rejected') = (procedure_id IS NULL)", name="registered_has_procedure"
        ),
        CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)", name="rejected_has_reason"
        ),
        Index(None, "source", "status", "event_emitted_at"),
        # one registration per source and external id; rejected attempts may be corrected
        Index(
            "uq_inbox_records_source_external_id_registered",
            "source",
            "external_id",
            unique=True,
            sqlite_where=text("status = 'registered'"),
            postgresql_where=text("status = 'registered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[InboxSource] = mapped_column(str_enum(InboxSource, "inbox_source"))
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[InboxStatus] = mapped_column(str_enum(InboxStatus, "inbox_status"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)  # exactly as received
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"), unique=True)
    received_at: Mapped[dt.datetime | None]
    stored_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    event_emitted_at: Mapped[dt.datetime | None]


class Notification(Base):
    """A reminder, reassignment or escalation sent to a staff member or the regional office."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "(recipient_id IS NULL) <> (external_recipient IS NULL)", name="one_recipient"
        ),
        Index(None, "recipient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)  # a rerun sends nothing
    recipient_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    external_recipient: Mapped[str | None] = mapped_column(String(80))  # e.g. regional_office
    kind: Mapped[str] = mapped_column(String(20))  # reminder, reassignment, escalation, ...
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    on_date: Mapped[dt.date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class AuditEntry(Base):
    """Append-only, hash-chained audit log: each entry's hash covers the previous one's."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    entity_kind: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # no fork of the chain
    hash: Mapped[str] = mapped_column(String(64), unique=True)
