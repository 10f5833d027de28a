"""EDS (ЭЦП) signatures: detached CMS over exact bytes, verified against the office's trust
store at a moment. The NCA RK profile puts the holder's IIN in the subject's serialNumber as
``IIN`` + 12 digits; CPC art. 193(1)(6) has the prosecutor certify decrees with an EDS."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from asn1crypto import cms as asn1_cms

from models.office import eds
from tests.eds_ca import EXPIRED, NOT_FOR_SIGNING, OTHER_CA, UNKNOWN_IIN, demo_iin, session_ca

TEXT = "ПОСТАНОВЛЕНИЕ\nо признании незаконным\r\nтекст документа\n".encode()
NOW = dt.datetime.now(dt.UTC)


def refusal(cms: bytes | str, content: bytes = TEXT, at: dt.datetime = NOW) -> str:
    with pytest.raises(eds.SignatureRefused) as info:
        eds.verify(cms, content, session_ca().trust(), at)
    return info.value.reason


def test_own_certificate_over_the_exact_bytes_names_the_holder() -> None:
    cms = session_ca().sign("dep-1", TEXT)
    signer = eds.verify(cms, TEXT, session_ca().trust(), NOW)
    assert signer.iin == demo_iin("dep-1")
    assert signer.common_name == "Омарова Айгүл Бекенқызы"
    assert signer.signed_at is not None and abs(signer.signed_at - NOW) < dt.timedelta(minutes=5)
    # the Resume form carries it as base64 text, wrapped or not
    wrapped = "\n".join(eds.encode(cms)[i : i + 64] for i in range(0, len(eds.encode(cms)), 64))
    assert eds.verify(wrapped, TEXT, session_ca().trust(), NOW) == signer


def test_signature_over_other_bytes_is_refused() -> None:
    cms = session_ca().sign("head", TEXT)
    assert "other bytes" in refusal(cms, TEXT.replace(b"\r\n", b"\n"))
    assert "other bytes" in refusal(cms, TEXT + b" ")


def test_tampered_signature_value_is_refused() -> None:
    """The RSA signature over the signed attributes is checked, not only the digest."""
    info = asn1_cms.ContentInfo.load(session_ca().sign("head", TEXT))
    signer = info["content"]["signer_infos"][0]
    value = bytearray(signer["signature"].native)
    value[10] ^= 0xFF
    signer["signature"] = bytes(value)
    assert "does not match the certificate's key" in refusal(info.dump(force=True))


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (EXPIRED, "expired"),
        (OTHER_CA, "not issued by a CA of the office's trust store"),
        (NOT_FOR_SIGNING, "neither digitalSignature nor nonRepudiation"),
    ],
)
def test_bad_certificates_are_refused_with_the_reason(key: str, reason: str) -> None:
    assert reason in refusal(session_ca().sign(key, TEXT))


def test_validity_is_checked_at_the_moment_given() -> None:
    """A certificate valid today was not valid before it was issued; an expired one was valid
    while it lasted (``documents verify`` checks at signing time)."""
    cms = session_ca().sign("head", TEXT)
    assert "not yet valid" in refusal(cms, at=NOW - dt.timedelta(days=365))
    old = session_ca().sign(EXPIRED, TEXT)
    when = NOW - dt.timedelta(days=100)  # inside the expired certificate's life
    assert eds.verify(old, TEXT, session_ca().trust(), when).iin == demo_iin("head")


def test_an_iin_on_no_roster_still_verifies_the_roster_decides() -> None:
    signer = eds.verify(session_ca().sign("unknown-iin", TEXT), TEXT, session_ca().trust(), NOW)
    assert signer.iin == UNKNOWN_IIN


@pytest.mark.parametrize(
    "cms",
    [b"", b"not base64 at all!", base64.b64encode(b"\x30\x03\x02\x01\x01"), b"\x30\x00"],
)
def test_malformed_input_is_refused_in_one_line(cms: bytes) -> None:
    reason = refusal(cms)
    assert reason.startswith("malformed signature") and "\n" not in reason


def test_gost_algorithms_are_refused_with_a_clear_reason() -> None:
    """GOST 34.310 is the documented extension point: refused until a verifier is registered."""
    info = asn1_cms.ContentInfo.load(session_ca().sign("head", TEXT))
    signer = info["content"]["signer_infos"][0]
    signer["signature_algorithm"] = {"algorithm": "1.2.398.3.10.1.1.1.2"}
    assert "GOST 34.310" in refusal(info.dump(force=True))


def test_empty_trust_store_and_wrong_password() -> None:
    cms = session_ca().sign("head", TEXT)
    with pytest.raises(eds.SignatureRefused, match="trust store is empty"):
        eds.verify(cms, TEXT, eds.TrustStore(()), NOW)
    with pytest.raises(eds.SignatureRefused, match="wrong password"):
        eds.sign(TEXT, session_ca().key("head").read_bytes(), b"wrong")


def test_iin_is_masked_to_its_last_four_digits() -> None:
    assert eds.masked_iin("750315310005") == "********0005"
