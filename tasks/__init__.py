"""Prefect tasks: each wraps one domain operation and its persistence, idempotently."""
