"""A test CA for EDS signatures: one RSA key and certificate per demo staff member (their demo
IINs), and the bad ones the tests need: an expired certificate, one from another CA, one whose
IIN is on no roster. Written as password-protected .p12 files; made once per test session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from deployments.cli.demo_eds import issue_signing_cert, make_ca, write_p12, write_trust
from deployments.cli.roster import DEMO_ROSTER
from models.office import eds

PASSWORD = b"test-key-password"
UNKNOWN_IIN = "880101310008"  # valid check digit, on no roster
EXPIRED, OTHER_CA, UNKNOWN, NOT_FOR_SIGNING = "expired", "other-ca", "unknown-iin", "no-signing"


def demo_staff() -> list[tuple[str, str, str]]:
    data = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
    return [(s["id"], s["name"], str(s["iin"])) for s in data["staff"]]


def demo_iin(staff_id: str) -> str:
    return next(iin for sid, _, iin in demo_staff() if sid == staff_id)


@dataclass(frozen=True)
class TestCA:
    folder: Path

    @property
    def trust_path(self) -> Path:
        return self.folder / "trust.pem"

    @property
    def password_file(self) -> Path:
        return self.folder / "password.txt"

    def key(self, name: str) -> Path:
        """The .p12 of a demo staff id, or of EXPIRED, OTHER_CA, UNKNOWN, NOT_FOR_SIGNING."""
        return self.folder / f"{name}.p12"

    def sign(self, name: str, content: bytes) -> bytes:
        return eds.sign(content, self.key(name).read_bytes(), PASSWORD)

    def trust(self) -> eds.TrustStore:
        return eds.TrustStore.load(self.trust_path)


def make_test_ca(folder: Path) -> TestCA:
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=30), now + dt.timedelta(days=3650)
    ca_start = now - dt.timedelta(days=1000)  # the CA outlives the expired certificate
    ca = make_ca("Test CA (stand-in for NCA RK)", ca_start, end)
    other = make_ca("Another CA", ca_start, end)
    for staff_id, name, iin in demo_staff():
        write_p12(
            folder / f"{staff_id}.p12", *issue_signing_cert(ca, name, iin, start, end), PASSWORD
        )
    head_name, head_iin = demo_staff()[0][1:]
    bad = {
        EXPIRED: issue_signing_cert(
            ca, head_name, head_iin, start - dt.timedelta(days=400), start - dt.timedelta(days=35)
        ),
        OTHER_CA: issue_signing_cert(other, head_name, head_iin, start, end),
        UNKNOWN: issue_signing_cert(ca, "Посторонний Человек", UNKNOWN_IIN, start, end),
        NOT_FOR_SIGNING: issue_signing_cert(ca, head_name, head_iin, start, end, signing=False),
    }
    for name, (key, cert) in bad.items():
        write_p12(folder / f"{name}.p12", key, cert, PASSWORD)
    write_trust(folder / "trust.pem", ca.cert)
    (folder / "password.txt").write_bytes(PASSWORD)
    return TestCA(folder)


@cache
def session_ca() -> TestCA:
    """The session's CA: made by ``tests/conftest.py`` under the folder it configured."""
    import os

    folder = Path(os.environ["PROSECUTOR_EDS_TRUST_STORE"]).parent
    if not (folder / "trust.pem").exists():
        folder.mkdir(parents=True, exist_ok=True)
        make_test_ca(folder)
    return TestCA(folder)
