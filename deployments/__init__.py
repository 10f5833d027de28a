"""How the system is started: the command line, bootstrapping, serving the deployments."""

import os

# Offline machines: Prefect must not try to send telemetry (set before Prefect is imported).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Served runs are picked up within 2 s instead of Prefect's 10 s (bench/events.py measures it).
os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
