"""Electronic digital signatures (ЭЦП / ЭЦҚ): detached CMS (PKCS#7) SignedData, made with a
staff member's own certificate and key, verified against the office's trust store.

The NCA RK (НУЦ РК) puts the holder's IIN in the certificate subject's serialNumber as
``IIN`` + 12 digits; the prosecutor certifies a decree with an EDS (CPC art. 193(1)(6)).

Libraries do the cryptography: ``asn1crypto`` parses the CMS structure, ``cryptography``
checks the RSA signature over the signed attributes as the library re-encodes them, checks the
certificate chain at a given moment (``x509.verification``), reads PKCS#12 files and signs.

GOST 34.310 (the Kazakh ГОСТ 34.310-2004 keys of the NCA RK, OIDs under 1.2.398.3.10) is an
extension point: register a verifier for its OIDs in :data:`SIGNATURE_ALGORITHMS` and a digest
for GOST 34.311 in :data:`DIGEST_ALGORITHMS`; until then such signatures are refused with a
reason that says so.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7, pkcs12
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from models.office.identifiers import IdentifierError, validate_iin

_IIN_IN_SUBJECT = re.compile(r"^IIN(\d{12})$")
GOST_ARC = "1.2.398.3.10."  # Kazakh GOST algorithms (ГОСТ 34.310 / 34.311)


class SignatureRefused(ValueError):
    """The signature is not accepted; ``reason`` is one line a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SignerCert:
    """Who signed: the certificate holder as the certificate says."""

    iin: str
    common_name: str
    cert_sha256: str
    serial: str  # hex
    not_after: dt.datetime
    signed_at: dt.datetime | None = None  # the signingTime attribute, as the signer claims


# --- algorithm registry (extension point for GOST 34.310) ---------------------------------

DIGEST_ALGORITHMS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}

Verifier = Callable[[object, bytes, bytes, hashes.HashAlgorithm], None]


def _rsa_pkcs1v15(key: object, signature: bytes, data: bytes, digest: hashes.HashAlgorithm) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRefused("the certificate's key is not RSA but the signature says RSA")
    key.verify(signature, data, padding.PKCS1v15(), digest)


SIGNATURE_ALGORITHMS: dict[str, Verifier] = {
    "1.2.840.113549.1.1.1": _rsa_pkcs1v15,  # rsaEncryption
    "1.2.840.113549.1.1.11": _rsa_pkcs1v15,  # sha256WithRSAEncryption
    "1.2.840.113549.1.1.12": _rsa_pkcs1v15,  # sha384WithRSAEncryption
    "1.2.840.113549.1.1.13": _rsa_pkcs1v15,  # sha512WithRSAEncryption
}


def _unsupported(kind: str, oid: str) -> SignatureRefused:
    if oid.startswith(GOST_ARC):
        return SignatureRefused(
            f"GOST 34.310 {kind} ({oid}) is not supported yet: sign with an RSA certificate"
        )
    return SignatureRefused(f"unsupported {kind} algorithm {oid}")


# --- trust store --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustStore:
    """CA certificates the office trusts (the NCA RK chain in production)."""

    roots: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, pem: bytes) -> TrustStore:
        try:
            roots = tuple(x509.load_pem_x509_certificates(pem))
        except ValueError as exc:
            raise SignatureRefused(f"the trust store is not a PEM bundle: {exc}") from exc
        return cls(roots)

    @classmethod
    def load(cls, path: Path) -> TrustStore:
        if not path.is_file():
            raise SignatureRefused(
                f"no trust store at {path} (set PROSECUTOR_EDS_TRUST_STORE to the CA bundle)"
            )
        return cls.from_pem(path.read_bytes())


def configured_trust() -> TrustStore:
    from models.settings import get_settings

    return TrustStore.load(get_settings().resolved_eds_trust_store)


# --- reading a CMS ------------------------------------------------------------------------


def decode(cms: bytes | str) -> bytes:
    """The DER of a CMS given as DER or as base64 text (what the Resume form carries)."""
    raw = cms.encode("ascii", "replace") if isinstance(cms, str) else cms
    if raw[:1] == b"\x30":
        return raw
    try:
        return base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureRefused("malformed signature: neither DER nor base64") from exc


def encode(cms: bytes) -> str:
    return base64.b64encode(cms).decode("ascii")


@dataclass(frozen=True, slots=True)
class _Parsed:
    signer_info: asn1_cms.SignerInfo
    certificate: x509.Certificate
    others: list[x509.Certificate]


def _parse(cms: bytes | str) -> _Parsed:
    der = decode(cms)
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise SignatureRefused("malformed signature: not a CMS SignedData")
        signed = info["content"]
        signers = list(signed["signer_infos"])
        if len(signers) != 1:
            raise SignatureRefused(f"one signer expected, the signature has {len(signers)}")
        signer_info = signers[0]
        sid = signer_info["sid"]
        certs = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate"]
        if sid.name != "issuer_and_serial_number":
            raise SignatureRefused("malformed signature: signer not named by issuer and serial")
        wanted = sid.chosen
        own = next(
            (
                c
                for c in certs
                if c.serial_number == wanted["serial_number"].native
                and c.issuer == wanted["issuer"]
            ),
            None,
        )
        if own is None:
            raise SignatureRefused("malformed signature: the signer's certificate is not in it")
        certificate = x509.load_der_x509_certificate(own.dump())
        others = [x509.load_der_x509_certificate(c.dump()) for c in certs if c is not own]
    except SignatureRefused:
        raise
    except Exception as exc:  # any parse failure of outside input is a malformed signature
        raise SignatureRefused(f"malformed signature: {type(exc).__name__}") from exc
    return _Parsed(signer_info, certificate, others)


def _attribute(signer_info: asn1_cms.SignerInfo, name: str) -> object | None:
    for attr in signer_info["signed_attrs"] or []:
        if attr["type"].native == name:
            values = attr["values"]
            return values[0] if len(values) == 1 else None
    return None


def holder_iin(cert: x509.Certificate) -> str:
    """The IIN in the subject's serialNumber (``IIN`` + 12 digits, NCA RK profile)."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        match = _IIN_IN_SUBJECT.match(str(attr.value))
        if match:
            try:
                return validate_iin(match.group(1))
            except IdentifierError as exc:
                raise SignatureRefused(f"the certificate's IIN is not valid: {exc}") from exc
    raise SignatureRefused("the certificate has no IIN in its subject serialNumber")


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _signer(cert: x509.Certificate, iin: str, signed_at: dt.datetime | None) -> SignerCert:
    return SignerCert(
        iin=iin,
        common_name=_common_name(cert),
        cert_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        serial=format(cert.serial_number, "x"),
        not_after=cert.not_valid_after_utc,
        signed_at=signed_at,
    )


def inspect(cms: bytes | str) -> tuple[str | None, str | None]:
    """The certificate's IIN and SHA-256, read WITHOUT verifying: to store with a refusal."""
    try:
        cert = _parse(cms).certificate
    except SignatureRefused:
        return None, None
    try:
        iin: str | None = holder_iin(cert)
    except SignatureRefused:
        iin = None
    return iin, cert.fingerprint(hashes.SHA256()).hex()


# --- verifying ----------------------------------------------------------------------------


def _check_signature(parsed: _Parsed, content: bytes) -> dt.datetime | None:
    info = parsed.signer_info
    digest_oid = info["digest_algorithm"]["algorithm"].dotted
    if digest_oid not in DIGEST_ALGORITHMS:
        raise _unsupported("digest", digest_oid)
    digest = DIGEST_ALGORITHMS[digest_oid]()
    sig_oid = info["signature_algorithm"]["algorithm"].dotted
    if sig_oid not in SIGNATURE_ALGORITHMS:
        raise _unsupported("signature", sig_oid)
    if info["signed_attrs"].native is None:
        raise SignatureRefused("malformed signature: no signed attributes")
    content_type = _attribute(info, "content_type")
    message_digest = _attribute(info, "message_digest")
    if content_type is None or content_type.native != "data" or message_digest is None:
        raise SignatureRefused("malformed signature: content type or message digest missing")
    hasher = hashes.Hash(digest)
    hasher.update(content)
    if message_digest.native != hasher.finalize():
        raise SignatureRefused("the signature is over other bytes than these (digest mismatch)")
    # The signature covers the DER of the signed attributes as a SET (RFC 5652 5.4): the
    # library re-tags its own parse of them.
    signed_bytes = info["signed_attrs"].untag().dump()
    try:
        SIGNATURE_ALGORITHMS[sig_oid](
            parsed.certificate.public_key(), info["signature"].native, signed_bytes, digest
        )
    except InvalidSignature as exc:
        raise SignatureRefused("the signature does not match the certificate's key") from exc
    signing_time = _attribute(info, "signing_time")
    return signing_time.native if signing_time is not None else None


def _check_validity(cert: x509.Certificate, at: dt.datetime) -> None:
    if at < cert.not_valid_before_utc:
        raise SignatureRefused(
            f"the certificate is not yet valid at {at:%Y-%m-%d %H:%M} UTC"
            f" (from {cert.not_valid_before_utc:%Y-%m-%d})"
        )
    if at > cert.not_valid_after_utc:
        raise SignatureRefused(
            f"the certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}"
            f" (checked at {at:%Y-%m-%d %H:%M} UTC)"
        )


def _check_chain(parsed: _Parsed, trust: TrustStore, at: dt.datetime) -> None:
    if not trust.roots:
        raise SignatureRefused("the trust store is empty")
    verifier = (
        PolicyBuilder()
        .store(Store(list(trust.roots)))
        .time(at.replace(tzinfo=None) if at.tzinfo is None else at.astimezone(dt.UTC))
        # EDS certificates carry no TLS names or purposes: the leaf's extensions are checked
        # below (key usage, IIN), CA certificates keep the library's defaults.
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    try:
        verifier.verify(parsed.certificate, parsed.others)
    except VerificationError as exc:
        raise SignatureRefused(
            "the certificate is not issued by a CA of the office's trust store"
        ) from exc


def _check_key_usage(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise SignatureRefused("the certificate has no key usage extension") from exc
    if not (usage.digital_signature or usage.content_commitment):
        raise SignatureRefused(
            "the certificate's key usage allows neither digitalSignature nor nonRepudiation"
        )


def verify(cms: bytes | str, content: bytes, trust: TrustStore, at: dt.datetime) -> SignerCert:
    """Check that ``cms`` is a valid signature over exactly ``content`` by a certificate of the
    trust store, valid at ``at``, for signing, naming an IIN; who signed. Raises
    :class:`SignatureRefused` with the reason otherwise."""
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    parsed = _parse(cms)
    signed_at = _check_signature(parsed, content)
    _check_validity(parsed.certificate, at)
    _check_chain(parsed, trust, at)
    _check_key_usage(parsed.certificate)
    return _signer(parsed.certificate, holder_iin(parsed.certificate), signed_at)


# --- signing (the CLI and the tests) ------------------------------------------------------


def load_p12(p12: bytes, password: bytes | None) -> pkcs12.PKCS12KeyAndCertificates:
    try:
        bundle = pkcs12.load_pkcs12(p12, password)
    except ValueError as exc:
        raise SignatureRefused("cannot open the key file: wrong password or not PKCS#12") from exc
    if bundle.key is None or bundle.cert is None:
        raise SignatureRefused("the key file holds no key and certificate")
    return bundle


def sign(content: bytes, p12: bytes, password: bytes | None) -> bytes:
    """A detached CMS SignedData (DER, SHA-256, with signingTime) over ``content``."""
    bundle = load_p12(p12, password)
    key = bundle.key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureRefused("only RSA keys can sign here (GOST 34.310: not supported yet)")
    assert bundle.cert is not None
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(bundle.cert.certificate, key, hashes.SHA256())
    )
    for extra in bundle.additional_certs:
        builder = builder.add_certificate(extra.certificate)
    return builder.sign(
        Encoding.DER,
        [
            pkcs7.PKCS7Options.DetachedSignature,
            pkcs7.PKCS7Options.Binary,  # the exact bytes: no MIME line-ending rewrite
            pkcs7.PKCS7Options.NoCapabilities,
        ],
    )


def masked_iin(iin: str | None) -> str:
    """An IIN shown to people: only its last 4 digits."""
    return f"********{iin[-4:]}" if iin else "-"


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
