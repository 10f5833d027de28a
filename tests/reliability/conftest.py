"""The end-to-end stack (a real Prefect server and `prosecutor serve`) for the crash tests."""

from tests.e2e.conftest import stack  # noqa: F401 - a fixture, used by name
