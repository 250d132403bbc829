"""`hotline operator ...`: accounts from the terminal (the first admin, resets, unlocks)."""

from __future__ import annotations

import argparse
import functools
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from hotline.operators.permissions import Role


class _Refused(Exception):
    """What the command says on stderr before exiting with status 1."""


def _command(run: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(run)
    def command(args: argparse.Namespace) -> int:
        try:
            run(args)
        except _Refused as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0

    return command


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction on the configured database (migrated first)."""
    from hotline.config import load_settings
    from hotline.db import Database
    from hotline.operators.service import AccountError

    database = Database(load_settings().database_url)
    database.upgrade()
    try:
        with database.session() as session:
            yield session
    except AccountError as error:
        raise _Refused(str(error)) from None
    finally:
        database.dispose()


def _account(session: Session, username: str):
    from hotline.operators import service as operators

    operator = operators.by_username(session, username)
    if operator is None:
        raise _Refused(f"no account {username!r}")
    return operator


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


@_command
def _add(args: argparse.Namespace) -> None:
    from hotline.operators import service as operators

    password = _read_password(args)
    with _session() as session:
        operator = operators.create_operator(
            session,
            username=args.username,
            password=password,
            display_name=args.name,
            role=args.role,
            languages=(args.languages or "").split(","),
        )
        print(f"created {operator.role} {operator.username!r} (id {operator.id})")


@_command
def _list(_args: argparse.Namespace) -> None:
    from hotline.operators import service as operators

    with _session() as session:
        for operator in operators.all_operators(session):
            state = "active" if operator.active else "inactive"
            languages = ",".join(operator.languages or []) or "-"
            print(f"{operator.username:24} {operator.role:10} {state:8} {languages}")


@_command
def _password(args: argparse.Namespace) -> None:
    from hotline.operators import service as operators

    password = _read_password(args)
    with _session() as session:
        operator = _account(session, args.username)
        operators.update_operator(session, operator.id, password=password)
        print(f"password changed for {operator.username!r}; their sessions were ended")


@_command
def _unlock(args: argparse.Namespace) -> None:
    from hotline.operators import service as operators

    with _session() as session:
        operator = _account(session, args.username)
        operators.unlock(session, operator.id)
        print(f"unlocked {operator.username!r}")


def add_operator_commands(commands) -> None:
    """Register `hotline operator add|list|password|unlock` on the main parser's subparsers."""
    operator = commands.add_parser("operator", help="operator accounts of the console")
    sub = operator.add_subparsers(dest="operator_command", required=True)

    add = sub.add_parser("add", help="create an account (e.g. the first admin)")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.OPERATOR.value)
    add.add_argument("--name", help="name shown to texters (default: the username)")
    add.add_argument("--languages", help="language codes spoken, comma-separated: en,es,ar")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    add.set_defaults(func=_add)

    sub.add_parser("list", help="list accounts").set_defaults(func=_list)

    password = sub.add_parser("password", help="set a new password (ends their sessions)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=_password)

    unlock = sub.add_parser("unlock", help="lift a lockout after failed logins")
    unlock.add_argument("username")
    unlock.set_defaults(func=_unlock)
