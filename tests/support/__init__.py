"""Helpers shared by every test tier: one appeal factory and one polling helper."""
