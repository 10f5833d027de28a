"""Demo EDS keys for the demo office: a demo certification authority and a key per staff
member (never for production; in production the keys come from NCA RK)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from models.db import default_engine, transaction
from models.office.roster_store import staff_with_iin

CA_NAME = "Demo CA of the district office (not NCA RK)"
CA_DAYS = 3650  # the demo CA's certificate, valid ten years
KEY_DAYS = 730  # each staff member's demo signing certificate, two years


@dataclass(frozen=True, slots=True)
class Issuer:
    """A certification authority's key and certificate (a demo or test stand-in for NCA RK)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(name: str, not_before: dt.datetime, not_after: dt.datetime) -> Issuer:
    key = _rsa()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return Issuer(key, cert)


def issue_signing_cert(
    ca: Issuer,
    name: str,
    iin: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    *,
    signing: bool = True,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A signing certificate in the NCA RK profile: the IIN in the subject's serialNumber."""
    key = _rsa()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing,
                key_encipherment=not signing,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return key, cert


def write_p12(path: Path, key: rsa.RSAPrivateKey, cert: x509.Certificate, password: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            path.stem.encode(), key, cert, None, serialization.BestAvailableEncryption(password)
        )
    )
    path.chmod(0o600)
    return path


def write_trust(path: Path, *cas: x509.Certificate) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in cas))
    return path


def demo_keys(folder: Path, staff: list[tuple[str, str, str]]) -> dict[str, str]:
    """Once per data folder: a demo CA, its trust store, and ``<staff id>.p12`` for each
    ``(staff id, name, IIN)``, all opened with the password in ``password.txt`` beside them."""
    password_file = folder / "password.txt"
    trust = folder / "trust.pem"
    made = not trust.exists()
    if made:
        now = dt.datetime.now(dt.UTC)
        ca = make_ca(
            "Demo CA of the district office (not NCA RK)", now, now + dt.timedelta(CA_DAYS)
        )
        folder.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12), encoding="utf-8")
        password_file.chmod(0o600)
        password = password_file.read_text(encoding="utf-8").encode()
        for staff_id, name, iin in staff:
            key, cert = issue_signing_cert(ca, name, iin, now, now + dt.timedelta(KEY_DAYS))
            write_p12(folder / f"{staff_id}.p12", key, cert, password)
        write_trust(trust, ca.cert)
    return {
        "folder": str(folder),
        "trust_store": str(trust),
        "password_file": str(password_file),
        "created": str(made).lower(),
    }


def demo_office_keys(folder: Path) -> dict[str, str]:
    """The demo office's EDS keys, made once, for the staff whose IIN the roster knows."""
    with transaction(default_engine()) as session:
        staff = staff_with_iin(session)
    return demo_keys(folder, staff)


def render_eds(d: dict[str, str]) -> str:
    return "\n".join(
        [
            f"Demo EDS keys (a demo CA, not NCA RK): {d['folder']}/STAFF_ID.p12,"
            f" password in {d['password_file']}",
            "  Decide: prosecutor approvals decide ID --decision approve"
            f" --key {d['folder']}/head.p12 --password-file {d['password_file']}",
            "  In the UI form: paste the output of"
            " `prosecutor approvals sign ID --decision approve --key ...` into *signature*",
        ]
    )
