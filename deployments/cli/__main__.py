"""``python -m deployments.cli``: the same as the ``prosecutor`` command."""

from deployments.cli import app

app(prog_name="prosecutor")
