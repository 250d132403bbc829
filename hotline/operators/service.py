"""The only code that reads or writes operator accounts and console sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hotline.operators.models import Operator, OperatorSession
from hotline.operators.permissions import Role

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)  # absolute: a shift
SESSION_IDLE = timedelta(hours=2)
SEEN_WRITE_INTERVAL = timedelta(seconds=10)  # presence writes are throttled
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
STATUSES = ("available", "away")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not tell who exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request to create or change an account that cannot be honoured (message is for people)."""


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- accounts -------------------------------------------------------------------------------


def _clean_languages(languages: Iterable[str]) -> list[str]:
    cleaned = []
    for code in languages:
        code = code.strip()
        if not code:
            continue
        if not LANGUAGE_CODE.match(code):
            raise AccountError(f"not a language code: {code!r}")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_operator(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    role: str = Role.OPERATOR.value,
    languages: Iterable[str] = (),
    max_conversations: int | None = None,
) -> Operator:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("usernames are 3-64 lowercase letters, digits, dots, dashes")
    if role not in {r.value for r in Role}:
        raise AccountError(f"unknown role {role!r}")
    validate_password(password)
    if by_username(session, username) is not None:
        raise AccountError(f"the username {username!r} is taken")
    operator = Operator(
        username=username,
        display_name=(display_name or username).strip()[:64],
        password_hash=_hasher.hash(password),
        role=role,
        languages=_clean_languages(languages),
        active=True,
        status="available",
        failed_logins=0,
        max_conversations=max_conversations,
    )
    session.add(operator)
    session.flush()
    return operator


def update_operator(
    session: Session,
    operator_id: int,
    *,
    display_name: str | None = None,
    role: str | None = None,
    languages: Iterable[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
    max_conversations: int | None = None,
) -> Operator:
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise AccountError("no such account")
    if display_name is not None:
        operator.display_name = display_name.strip()[:64] or operator.username
    if role is not None:
        if role not in {r.value for r in Role}:
            raise AccountError(f"unknown role {role!r}")
        operator.role = role
    if languages is not None:
        operator.languages = _clean_languages(languages)
    if active is not None:
        operator.active = active
        if not active:
            end_all_sessions(session, operator_id)
    if password is not None:
        validate_password(password)
        operator.password_hash = _hasher.hash(password)
        operator.failed_logins = 0
        operator.locked_until = None
        end_all_sessions(session, operator_id)
    if max_conversations is not None:
        operator.max_conversations = max_conversations or None
    return operator


def unlock(session: Session, operator_id: int) -> None:
    operator = session.get(Operator, operator_id)
    operator.failed_logins = 0
    operator.locked_until = None


def by_username(session: Session, username: str) -> Operator | None:
    return session.execute(
        select(Operator).where(Operator.username == username.strip().lower())
    ).scalar_one_or_none()


def get(session: Session, operator_id: int) -> Operator | None:
    return session.get(Operator, operator_id)


def all_operators(session: Session) -> list[Operator]:
    return list(session.execute(select(Operator).order_by(Operator.username)).scalars())


def count(session: Session) -> int:
    return session.execute(select(func.count(Operator.id))).scalar_one()


# --- login and sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    operator: Operator | None
    outcome: str  # ok | bad_credentials | locked | inactive
    just_locked: bool = False


def authenticate(session: Session, username: str, password: str, now: datetime) -> LoginResult:
    """Check a password, counting failures; MAX_FAILED_LOGINS in a row lock the account."""
    operator = by_username(session, username) if username else None
    if operator is None:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None, "bad_credentials")
    locked_until = as_utc(operator.locked_until)
    if locked_until is not None and locked_until > now:
        _verify(_DUMMY_HASH, password)
        return LoginResult(operator, "locked")
    if not _verify(operator.password_hash, password):
        operator.failed_logins = (operator.failed_logins or 0) + 1
        if operator.failed_logins >= MAX_FAILED_LOGINS:
            operator.locked_until = now + LOCKOUT
            operator.failed_logins = 0
            return LoginResult(operator, "locked", just_locked=True)
        return LoginResult(operator, "bad_credentials")
    if not operator.active:
        return LoginResult(operator, "inactive")
    operator.failed_logins = 0
    operator.locked_until = None
    if _hasher.check_needs_rehash(operator.password_hash):
        operator.password_hash = _hasher.hash(password)
    return LoginResult(operator, "ok")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, operator: Operator, now: datetime) -> tuple[str, str]:
    """A new console session: (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        OperatorSession(
            id=_token_id(token),
            operator_id=operator.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    operator.last_seen_at = now
    return token, csrf


@dataclass(frozen=True)
class SignedIn:
    """The operator behind a request (a detached snapshot, safe outside the session)."""

    operator_id: int
    username: str
    display_name: str
    role: str
    languages: tuple[str, ...]
    status: str
    csrf_token: str
    session_id: str


def resolve_session(session: Session, token: str | None, now: datetime) -> SignedIn | None:
    """The operator for a cookie token, or None (unknown, expired, idle or inactive)."""
    if not token or len(token) > 128:
        return None
    record = session.get(OperatorSession, _token_id(token))
    if record is None:
        return None
    operator = session.get(Operator, record.operator_id)
    last_seen = as_utc(record.last_seen_at)
    if (
        operator is None
        or not operator.active
        or as_utc(record.expires_at) <= now
        or last_seen + SESSION_IDLE <= now
    ):
        session.delete(record)
        return None
    if now - last_seen >= SEEN_WRITE_INTERVAL:
        record.last_seen_at = now
        operator.last_seen_at = now
    return SignedIn(
        operator_id=operator.id,
        username=operator.username,
        display_name=operator.display_name,
        role=operator.role,
        languages=tuple(operator.languages or ()),
        status=operator.status,
        csrf_token=record.csrf_token,
        session_id=record.id,
    )


def end_session(session: Session, session_id: str) -> None:
    record = session.get(OperatorSession, session_id)
    if record is not None:
        operator = session.get(Operator, record.operator_id)
        session.delete(record)
        if operator is not None:
            operator.last_seen_at = None


def end_all_sessions(session: Session, operator_id: int) -> None:
    session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator_id))


def purge_expired_sessions(session: Session, now: datetime) -> int:
    return session.execute(
        delete(OperatorSession).where(
            (OperatorSession.expires_at <= now)
            | (OperatorSession.last_seen_at <= now - SESSION_IDLE)
        )
    ).rowcount


# --- presence and load ------------------------------------------------------------------------


def set_status(session: Session, operator_id: int, status: str) -> None:
    if status not in STATUSES:
        raise AccountError(f"unknown status {status!r}")
    session.get(Operator, operator_id).status = status


def seen(session: Session, operator_id: int, now: datetime) -> None:
    """A console heartbeat: the operator is online."""
    session.execute(update(Operator).where(Operator.id == operator_id).values(last_seen_at=now))


@dataclass(frozen=True)
class Presence:
    operator_id: int
    username: str
    display_name: str
    role: str
    languages: tuple[str, ...]
    status: str
    online: bool
    load: int  # conversations assigned now
    capacity: int

    @property
    def available(self) -> bool:
        """Online, not away, and able to take one more conversation."""
        return self.online and self.status == "available" and self.load < self.capacity


def presence(
    session: Session,
    now: datetime,
    online_window: timedelta,
    default_capacity: int,
    loads: dict[int, int],
) -> list[Presence]:
    """Every active operator with their load (conversations held, from the hand-off service),
    online ones first."""
    result = []
    for operator in session.execute(
        select(Operator).where(Operator.active.is_(True)).order_by(Operator.display_name)
    ).scalars():
        seen_at = as_utc(operator.last_seen_at)
        result.append(
            Presence(
                operator_id=operator.id,
                username=operator.username,
                display_name=operator.display_name,
                role=operator.role,
                languages=tuple(operator.languages or ()),
                status=operator.status,
                online=seen_at is not None and now - seen_at <= online_window,
                load=loads.get(operator.id, 0),
                capacity=operator.max_conversations or default_capacity,
            )
        )
    result.sort(key=lambda p: (not p.online, p.display_name.lower()))
    return result
