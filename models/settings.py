"""Settings of the system, read from the environment (prefix ``PROSECUTOR_``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROSECUTOR_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="folder of the embedded SQLite database")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default a SQLite file in data_dir"
    )
    office_code: str = "DEFAULT"
    office_hours: str = Field(
        "09:00-18:00",
        description="working hours in Almaty; outside them the prosecutor on duty acts",
    )
    inspection_extension_needs_consent: bool = Field(
        True,
        description="extending an inspection needs the Prosecutor General's consent (PG order"
        " No. 32 of 17 January 2023, not available: to be confirmed)",
    )
    eds_trust_store: Path | None = Field(
        None,
        description="PEM bundle of the CA certificates trusted for EDS (ЭЦП) signatures: the"
        " NCA RK chain in production; default data_dir/eds/trust.pem",
    )
    eds_required: bool = Field(
        True,
        description="decisions on approvals need an EDS signature; false only for tests that"
        " are not about signatures (a decision without one is audited as self-declared)",
    )
    audit_checkpoints: Path | None = Field(
        None,
        description="JSON-lines file of signed checkpoints of the audit log's head, kept outside"
        " the database it protects; default data_dir/audit/checkpoints.jsonl",
    )
    run_stuck_minutes: int = Field(
        30,
        description="a run resumed or pending this long without starting is stuck: `prosecutor"
        " reconcile` starts a fresh one",
    )
    audit_checkpoint_key: Path | None = Field(
        None,
        description="Ed25519 key signing the checkpoints (made on first use, mode 0600);"
        " default data_dir/audit/checkpoint.key",
    )

    desk_language: Literal["ru", "kk"] = Field(
        "ru", description="language of the staff desks and the office board in the Prefect UI"
    )
    four_eyes: bool = Field(
        True,
        description="the drafter of a document may not approve it unless they sign for the"
        " office that day (принцип «четырёх глаз»)",
    )
    pause_poll_seconds: int = Field(
        10, ge=1, description="how often a paused run (outside a deployment) looks for its decision"
    )
    postgres_url: str | None = Field(
        None,
        description="postgresql://USER@HOST/NAME for `prosecutor start`: the office's database"
        " NAME and the Prefect server's NAME_prefect on that server (default: SQLite files)",
    )
    serve_limit: int = Field(
        8,
        ge=0,
        description="flow runs at once per `prosecutor serve` process (0: no limit); a burst"
        " beyond what the machine and the Prefect server can take makes the server refuse",
    )
    warm_runs: bool = Field(
        True,
        description="`prosecutor serve` forks each flow run from a warm process that has imported"
        " Prefect and the flows once (false: Prefect's own fresh process per run)",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'prosecutor.db').resolve()}"

    @property
    def resolved_eds_trust_store(self) -> Path:
        return self.eds_trust_store or self.data_dir / "eds" / "trust.pem"

    @property
    def resolved_audit_checkpoints(self) -> Path:
        return self.audit_checkpoints or self.data_dir / "audit" / "checkpoints.jsonl"

    @property
    def resolved_audit_checkpoint_key(self) -> Path:
        return self.audit_checkpoint_key or self.data_dir / "audit" / "checkpoint.key"


@cache
def get_settings() -> Settings:
    return Settings()
