"""``prosecutor start`` and ``prosecutor serve``: the office running on this machine."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from deployments import commands
from deployments.cli_support import JsonFlag, emit
from deployments.errors import BadInput
from models.settings import get_settings
from tasks.connection import Connection


def start(
    roster: Annotated[
        Path | None, typer.Option("--roster", help="Roster to load (default: the demo office).")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port of the Prefect server and UI.")] = 4200,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            envvar="PROSECUTOR_POSTGRES_URL",
            help="postgresql://USER@HOST/NAME: the office's database NAME and the Prefect"
            " server's NAME_prefect on that server (default: SQLite files under data/).",
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Submit the demo appeals (once).")
    ] = True,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="No server: report the day and run today's deadline check on Prefect's"
            " ephemeral server, then exit.",
        ),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="With --once: run today's deadline check.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Start the office here until Ctrl-C: the database migrated, the roster loaded, a local
    Prefect server on 127.0.0.1, every deployment served with its schedules and triggers, and
    the demo appeals submitted."""
    from deployments import stack
    from deployments.postgres import ensure_databases, split

    prefect_db = None
    if postgres:
        urls = split(postgres)
        ensure_databases(urls)
        os.environ["PROSECUTOR_DATABASE_URL"] = urls.domain
        get_settings.cache_clear()
        prefect_db = urls.prefect
    data = commands.start(roster)
    if roster is None and get_settings().eds_trust_store is None:
        data["eds"] = _demo_eds(get_settings().data_dir.resolve() / "eds")
    if once:
        if check:
            from flows.check_deadlines import check_deadlines

            data["deadline_check"] = check_deadlines(force=True)
        emit(data, as_json, commands.render_start)
        if "eds" in data and not as_json:
            typer.echo(render_eds(data["eds"]))
        return
    if not as_json:  # the day's report while the server comes up; JSON gets one object, below
        emit(data, as_json, commands.render_start)
        if "eds" in data:
            typer.echo(render_eds(data["eds"]))
    settings = get_settings()
    domain_url = settings.resolved_database_url
    if postgres:  # migrated by the owner; the office runs as the application's role
        from deployments.postgres import application_url

        domain_url = application_url(domain_url, settings.data_dir.resolve())
    config = stack.StackConfig(
        data_dir=settings.data_dir.resolve(),
        domain_url=domain_url,
        port=port,
        prefect_database_url=prefect_db,
    )
    say = (lambda _: None) if as_json else (lambda line: typer.echo(line, err=True))
    with stack.running(config, say) as office:
        catch_up = stack.catch_up_deadline_check(office, say)
        if demo:
            submitted = stack.submit_demo_appeals(office)
            say(submitted.stdout.strip() or submitted.stderr.strip())
        running = {
            "ui": config.ui_url,
            "api": config.api_url,
            "logs": str(config.logs),
            "connection_file": str(config.connection_file),
            "deadline_check_caught_up": catch_up,
        }
        emit({**data, **running} if as_json else running, as_json, commands.render_stack)
        if not as_json:
            typer.echo(
                "Another terminal in this folder reaches the office with no settings:"
                f" .venv/bin/prosecutor ... (it reads {config.connection_file})"
            )
        reason = stack.wait_for_stop(office)
        say(f"{reason}: stopping")
    say("stopped")


# --- demo EDS keys: a demo CA and a key per staff member (never for production) ----------


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
        ca = make_ca("Demo CA of the district office (not NCA RK)", now, now + dt.timedelta(3650))
        folder.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12), encoding="utf-8")
        password_file.chmod(0o600)
        password = password_file.read_text(encoding="utf-8").encode()
        for staff_id, name, iin in staff:
            key, cert = issue_signing_cert(ca, name, iin, now, now + dt.timedelta(730))
            write_p12(folder / f"{staff_id}.p12", key, cert, password)
        write_trust(trust, ca.cert)
    return {
        "folder": str(folder),
        "trust_store": str(trust),
        "password_file": str(password_file),
        "created": str(made).lower(),
    }


def _demo_eds(folder: Path) -> dict[str, str]:
    """The demo office's EDS keys, made once, for the staff whose IIN the roster knows."""
    from sqlalchemy import select

    from models.db import default_engine, transaction
    from models.db.tables import StaffRow

    with transaction(default_engine()) as session:
        staff = [
            (r.id, r.name, r.iin)
            for r in session.scalars(select(StaffRow).where(StaffRow.iin.is_not(None)))
            if r.iin
        ]
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


def serve(
    limit: Annotated[
        int | None, typer.Option("--limit", help="Flow runs at once (default: no limit).")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Comma-separated deployment names to serve (default: all)."),
    ] = None,
    catch_up: Annotated[
        bool,
        typer.Option(
            "--catch-up/--no-catch-up",
            help="Run today's deadline check at once if it is a working day past 09:00 and it"
            " has not run (when check-deadlines is served).",
        ),
    ] = True,
) -> None:
    """Serve the deployments of prefect.yaml from this machine, with their schedules and
    triggers, until Ctrl-C. Point it at a server with PREFECT_API_URL (default: the office
    running in this folder). Serving the urgent ones (`--only release-detained,check-urgent`)
    in a process of their own keeps them first."""
    from tasks.connection import connect

    connection = connect()  # before Prefect is imported: the running office's server, if any
    from prefect import serve as prefect_serve

    from deployments.catalog import all_deployments, declared

    names = {n.strip() for n in only.split(",")} if only else None
    known = {spec["name"] for spec in declared()}
    if names and names - known:
        raise BadInput(f"no such deployment in prefect.yaml: {', '.join(sorted(names - known))}")
    commands.db_upgrade()
    if connection and catch_up and (names is None or "check-deadlines" in names):
        _catch_up_in_background(connection)
    prefect_serve(*all_deployments(names), limit=limit)


def _catch_up_in_background(connection: Connection) -> None:
    """Once serving has registered check-deadlines, start today's check if it is due (not on
    the ephemeral server: nothing is scheduled there either)."""
    import threading

    from deployments.catch_up import catch_up_when_served
    from deployments.stack import auth_headers

    headers = auth_headers({"PREFECT_API_AUTH_STRING": connection.auth_string or ""})
    threading.Thread(
        target=catch_up_when_served,
        args=(connection.api_url, headers, lambda line: typer.echo(line, err=True)),
        daemon=True,
        name="deadline-check-catch-up",
    ).start()
