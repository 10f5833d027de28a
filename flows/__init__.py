"""Prefect flows, one module per procedural duty of the Regulation."""
