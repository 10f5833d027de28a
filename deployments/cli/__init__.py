"""The ``prosecutor`` command line (typer), one module per command group. Every command has
``--json`` for machine use.

Bad input exits non-zero with one line on standard error naming the problem, and writes nothing:
each command's database work is one transaction.
"""

from __future__ import annotations

import typer

from deployments.cli.answer import answer
from deployments.cli.appeals import appeals_app
from deployments.cli.approvals import approvals_app
from deployments.cli.audit import audit_app
from deployments.cli.calendar import calendar_app, terms_app
from deployments.cli.cases import cases_app
from deployments.cli.complaints import complaints_app
from deployments.cli.db import db_app
from deployments.cli.deadlines import deadlines_app
from deployments.cli.detention import detention_app
from deployments.cli.documents import documents_app
from deployments.cli.erdr import erdr_app
from deployments.cli.notifications import notifications_app
from deployments.cli.office import serve, start
from deployments.cli.prosecution import prosecution_app
from deployments.cli.reconcile import reconcile
from deployments.cli.roster import roster_app, signatory
from deployments.cli.signing import sign
from deployments.cli.support import fails_cleanly
from deployments.cli.validate import validate_app

app = typer.Typer(
    name="prosecutor",
    help="Workflow system of a district prosecutor's office of the Republic of Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("answer")(answer)
# the main job, and serving the deployments
app.command("start")(fails_cleanly(start))
app.command("serve")(fails_cleanly(serve))
app.command("reconcile")(reconcile)
app.command("sign")(sign)
app.command("signatory")(signatory)
for group, name in (
    (db_app, "db"),
    (roster_app, "roster"),
    (calendar_app, "calendar"),
    (terms_app, "terms"),
    (audit_app, "audit"),
    (validate_app, "validate"),
    (appeals_app, "appeals"),
    (approvals_app, "approvals"),
    (documents_app, "documents"),
    (deadlines_app, "deadlines"),
    (notifications_app, "notifications"),
    (erdr_app, "erdr"),
    (detention_app, "detention"),
    (complaints_app, "complaints"),
    (cases_app, "cases"),
    (prosecution_app, "prosecution"),
):
    app.add_typer(group, name=name)
