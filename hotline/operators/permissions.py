"""Roles and what each may do. Views check permissions, never role names."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


HANDLE = "handle_conversations"  # queue, claim, chat, transfer, wrap up their own
SUPERVISE = "supervise"  # supervisor view; act on any conversation; see every transcript
READ_AUDIT = "read_audit"
REVEAL_NUMBERS = "reveal_numbers"
MANAGE_OPERATORS = "manage_operators"

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OPERATOR.value: frozenset({HANDLE}),
    Role.SUPERVISOR.value: frozenset({HANDLE, SUPERVISE, READ_AUDIT, REVEAL_NUMBERS}),
    Role.ADMIN.value: frozenset({HANDLE, SUPERVISE, READ_AUDIT, REVEAL_NUMBERS, MANAGE_OPERATORS}),
}


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
