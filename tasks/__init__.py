"""Prefect tasks: each wraps one domain operation and its persistence, idempotently."""

from tasks.log_masking import install_log_masking

install_log_masking()
