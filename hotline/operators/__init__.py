"""Hotline operators: accounts, roles, sessions, presence."""
