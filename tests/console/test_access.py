"""Access control: sessions, CSRF, roles, lockout, and what each role may open or do."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hotline.audit.models import AuditEvent
from hotline.cli import main as hotline_cli
from hotline.console.web import SESSION_COOKIE
from hotline.conversations.models import Conversation
from hotline.operators import service as operators
from hotline.operators.models import Operator
from hotline.timeutil import utcnow
from tests.console.conftest import PASSWORD, T0, add_operator, new_phone, queued_conversation


@pytest.fixture
def queued(system):
    return queued_conversation(system, new_phone())


def test_nothing_without_a_session(system, queued):
    anonymous = httpx.Client(base_url=system.url)
    for path in ("/console", "/console/supervisor", f"/console/conversations/{queued}"):
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert anonymous.get(f"/console/conversations/{queued}/live").status_code == 303
    json = {"Accept": "application/json"}
    assert anonymous.get(f"/console/conversations/{queued}/live", headers=json).status_code == 401
    assert anonymous.post(f"/console/conversations/{queued}/claim").status_code == 401
    forged = httpx.Client(base_url=system.url, cookies={SESSION_COOKIE: "forged"})
    assert forged.get("/console").status_code == 303


def test_an_operator_cannot_open_other_roles_pages(system, queued):
    system.add_operator("ana")
    ana = system.login("ana")
    for path in ("/console/supervisor", "/console/supervisor/live", "/console/audit",
                 "/console/operators"):  # fmt: skip
        assert ana.get(path).status_code == 403, path
    created = ana.post("/console/operators", {"username": "mallory", "password": PASSWORD * 2})
    assert created.status_code == 403
    with system.db.session() as session:
        assert operators.by_username(session, "mallory") is None
    assert ana.get("/console").status_code == 200


def test_revealing_a_number_needs_the_permission(system, queued):
    system.add_operator("ana")
    ana = system.login("ana")
    ana.act(f"/console/conversations/{queued}/claim")
    page = ana.get(f"/console/conversations/{queued}").text
    assert "Reveal number" not in page
    refused = ana.act(f"/console/conversations/{queued}/reveal")
    assert refused.status_code == 403 and "+44" not in refused.text
    with system.db.session() as session:
        assert not session.execute(
            select(AuditEvent).where(AuditEvent.action == "number_revealed")
        ).first()


def test_an_operator_cannot_open_a_conversation_another_holds(system, queued):
    system.add_operator("ana")
    system.add_operator("bob")
    ana, bob = system.login("ana"), system.login("bob")
    assert bob.get(f"/console/conversations/{queued}").status_code == 200  # waiting: open
    ana.act(f"/console/conversations/{queued}/claim")
    assert bob.get(f"/console/conversations/{queued}").status_code == 403
    assert bob.get(f"/console/conversations/{queued}/live?after=0").status_code == 403
    assert bob.act(f"/console/conversations/{queued}/messages", {"text": "x"}).status_code == 409
    assert bob.act(f"/console/conversations/{queued}/end").status_code == 409
    assert bob.get("/console/conversations/999999").status_code == 404


def test_every_action_needs_the_csrf_token(system, queued):
    system.add_operator("ana")
    ana = system.login("ana")
    path = f"/console/conversations/{queued}/claim"
    assert ana.post(path, csrf=False).status_code == 403
    assert ana.post(path, {"csrf_token": "wrong"}).status_code == 403
    cross_site = ana.http.post(
        path, data={"csrf_token": ana.csrf}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    with system.db.session() as session:
        assert session.get(Conversation, queued).state == "queued"
    assert ana.post(path).status_code == 303  # the form, with its token
    logout = ana.post("/console/logout", csrf=False)
    assert logout.status_code == 403  # even signing out


def test_the_login_form_needs_its_own_token(system):
    system.add_operator("ana")
    client = httpx.Client(base_url=system.url)
    response = client.post("/console/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_the_session_cookie_is_locked_down(system):
    system.add_operator("ana")
    client = httpx.Client(base_url=system.url)
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/console/login", data={"csrf_token": token, "username": "ana", "password": PASSWORD}
    )
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    token_value = cookie.split(";")[0].split("=", 1)[1]
    with system.db.session() as session:  # only its hash is stored
        stored = session.execute(select(Operator)).scalars().all()
        assert token_value not in str([o.__dict__ for o in stored])
    for name in ("content-security-policy", "x-frame-options", "x-content-type-options"):
        assert name in response.headers


def test_logout_ends_the_session(system):
    system.add_operator("ana")
    ana = system.login("ana")
    cookie = ana.http.cookies[SESSION_COOKIE]
    assert ana.post("/console/logout").status_code == 303
    again = httpx.Client(base_url=system.url, cookies={SESSION_COOKIE: cookie})
    assert again.get("/console").status_code == 303


def test_repeated_failures_lock_the_account(system):
    system.add_operator("ana")
    client = system.login("ana")  # a good login first
    client.close()
    for _ in range(operators.MAX_FAILED_LOGINS):
        attempt = type(client)(httpx.Client(base_url=system.url))
        assert attempt.login("ana", "wrong password!!").status_code == 401
    locked = type(client)(httpx.Client(base_url=system.url))
    response = locked.login("ana", PASSWORD)  # the right password no longer works
    assert response.status_code == 401 and "locked" in response.text
    with system.db.session() as session:
        actions = [e.action for e in session.execute(select(AuditEvent)).scalars()]
    # Four failures, the lock on the fifth, then the attempt made while locked.
    assert actions.count("login_failed") == operators.MAX_FAILED_LOGINS
    assert actions.count("locked_out") == 1

    system.add_operator("root", role="admin")
    root = system.login("root")
    with system.db.session() as session:
        ana_id = operators.by_username(session, "ana").id
    assert root.post(f"/console/operators/{ana_id}", {"action": "unlock"}).status_code == 303
    assert system.login("ana")


def test_sessions_expire_and_inactive_accounts_are_out(db):
    now = utcnow()
    with db.session() as session:
        ana = add_operator(session, "ana")
        token, _ = operators.start_session(session, ana, now)
    with db.session() as session:
        assert operators.resolve_session(session, token, now + timedelta(minutes=5))
        assert operators.resolve_session(session, token, now + timedelta(hours=1, minutes=59))
    with db.session() as session:  # idle too long
        assert operators.resolve_session(session, token, now + timedelta(hours=5)) is None
    with db.session() as session:
        token, _ = operators.start_session(session, session.get(Operator, ana.id), now)
        operators.update_operator(session, ana.id, active=False)
    with db.session() as session:
        assert operators.resolve_session(session, token, now) is None
        result = operators.authenticate(session, "ana", PASSWORD, now)
        assert result.outcome == "inactive"


def test_passwords_are_argon2_hashes(db):
    with db.session() as session:
        ana = add_operator(session, "ana")
        assert ana.password_hash.startswith("$argon2id$")
        assert PASSWORD not in ana.password_hash
        with pytest.raises(operators.AccountError):
            operators.create_operator(session, username="bob", password="short")
        with pytest.raises(operators.AccountError):
            operators.create_operator(session, username="ana", password=PASSWORD)
        assert operators.authenticate(session, "ana", PASSWORD, T0).outcome == "ok"
        assert operators.authenticate(session, "nobody", PASSWORD, T0).outcome == "bad_credentials"


def test_the_first_admin_comes_from_the_command_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HOTLINE_VAR_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    status = hotline_cli(
        ["operator", "add", "root", "--role", "admin", "--languages", "en,ar",
         "--name", "Root", "--password-stdin"]
    )  # fmt: skip
    assert status == 0
    assert "created admin 'root'" in capsys.readouterr().out
    from hotline.db import Database

    database = Database(url)
    with database.session() as session:
        root = operators.by_username(session, "root")
        assert (root.role, root.languages, root.display_name) == ("admin", ["en", "ar"], "Root")
        assert operators.authenticate(session, "root", PASSWORD, utcnow()).outcome == "ok"
    database.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert hotline_cli(["operator", "add", "weak", "--password-stdin"]) == 1


def test_an_admin_creates_accounts_in_the_console(system):
    system.add_operator("root", role="admin")
    root = system.login("root")
    response = root.post(
        "/console/operators",
        {
            "username": "sam",
            "display_name": "Sam",
            "role": "supervisor",
            "languages": "en, es",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    sam = system.login("sam")
    assert sam.get("/console/supervisor").status_code == 200
    assert sam.get("/console/operators").status_code == 403
