"""`hotline operator ...`: accounts from the terminal (the first admin, resets, unlocks)."""

from __future__ import annotations

import argparse
import getpass
import sys

from hotline.operators.permissions import Role


def _database():
    from hotline.config import load_settings
    from hotline.db import Database

    database = Database(load_settings().database_url)
    database.upgrade()
    return database


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    from hotline.operators import service as operators

    password = _read_password(args)
    database = _database()
    try:
        with database.session() as session:
            operator = operators.create_operator(
                session,
                username=args.username,
                password=password,
                display_name=args.name,
                role=args.role,
                languages=(args.languages or "").split(","),
            )
            print(f"created {operator.role} {operator.username!r} (id {operator.id})")
    except operators.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def _list(_args: argparse.Namespace) -> int:
    from hotline.operators import service as operators

    database = _database()
    try:
        with database.session() as session:
            for operator in operators.all_operators(session):
                state = "active" if operator.active else "inactive"
                languages = ",".join(operator.languages or []) or "-"
                print(f"{operator.username:24} {operator.role:10} {state:8} {languages}")
    finally:
        database.dispose()
    return 0


def _password(args: argparse.Namespace) -> int:
    from hotline.operators import service as operators

    password = _read_password(args)
    database = _database()
    try:
        with database.session() as session:
            operator = operators.by_username(session, args.username)
            if operator is None:
                print(f"error: no account {args.username!r}", file=sys.stderr)
                return 1
            operators.update_operator(session, operator.id, password=password)
            print(f"password changed for {operator.username!r}; their sessions were ended")
    except operators.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def _unlock(args: argparse.Namespace) -> int:
    from hotline.operators import service as operators

    database = _database()
    try:
        with database.session() as session:
            operator = operators.by_username(session, args.username)
            if operator is None:
                print(f"error: no account {args.username!r}", file=sys.stderr)
                return 1
            operators.unlock(session, operator.id)
            print(f"unlocked {operator.username!r}")
    finally:
        database.dispose()
    return 0


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
