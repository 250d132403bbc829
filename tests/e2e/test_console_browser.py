"""The operator console in a real browser (Debian's chromium, driven by Playwright) against the
real system: texters write through signed webhooks; their SMS are read at the local Twilio.

Screenshots of the queue and of a conversation are saved in test-artifacts/.
"""

from __future__ import annotations

import time

import pytest

from hotline.config import REPO_ROOT
from hotline.conversations import handoff
from hotline.db import Database

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

ARTIFACTS = REPO_ROOT / "test-artifacts"
PASSWORD = "a long console password"
PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def sign_in(browser, stack, username: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{stack.hotline_url}/console/login")
    expect(page.locator("#username")).to_be_focused()  # typing before autofocus loses keys
    page.keyboard.type(username)  # the username field has focus: keyboard only
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{stack.hotline_url}/console")
    expect(page.locator("#live")).to_have_text("Live")
    return page


def latest_conversation(stack, phone: str) -> tuple[int, str]:
    [(conversation_id, state)] = stack.sql(
        "SELECT id, state FROM conversation WHERE contact_id = :contact ORDER BY id DESC LIMIT 1",
        contact=stack.pseudonym(phone),
    )
    return conversation_id, state


def wait_for_reply(texter, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = texter.new_replies()
        if replies:
            return replies
        time.sleep(0.05)
    raise AssertionError("no SMS reached the texter")


def test_an_operator_takes_a_conversation_from_queue_to_close(stack, browser, new_texter):
    ARTIFACTS.mkdir(exist_ok=True)
    stack.add_operator("amira", PASSWORD, languages="en,ar")
    stack.add_operator("bilal", PASSWORD, languages="en")
    amira = sign_in(browser, stack, "amira")

    # Someone is already waiting: a child whose screening showed strong signs (recorded
    # through the service layer, as the assistant's actions do).
    waiting = new_texter()
    for text in ("hello, is anyone there", "yes", "PERSON"):
        waiting.send(text)
    waiting_id, _ = latest_conversation(stack, waiting.phone)
    database = Database(stack.database_url)
    with database.session() as session:
        handoff.record_screening(
            session,
            waiting_id,
            outcome="strong_signs",
            flags=["documents_kept", "debt", "threats"],
            age="under_18",
        )
    database.dispose()

    # A texter asks for a person; the queue shows them without a reload.
    texter = new_texter()
    texter.send("hello, is anyone there")
    texter.send("yes")
    asked = " ".join(texter.send("PERSON"))
    assert "in line" in asked and "112" in asked
    conversation_id, state = latest_conversation(stack, texter.phone)
    assert state == "queued"
    assert texter.send(PAYLOAD) == []  # for the operator: the assistant stays silent
    row = amira.locator(f'tr[data-conversation="{conversation_id}"]')
    expect(row).to_be_visible()
    first = amira.locator("table.queue tbody tr").first
    expect(first).to_contain_text("Strong signs of exploitation")  # ranked first
    expect(first).to_contain_text("Child")
    expect(first).to_contain_text("Documents kept by someone else")
    amira.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)

    # Claim it: screening summary first, the whole transcript including the assistant's part.
    row.get_by_role("button", name=f"Take conversation {conversation_id}").click()
    amira.wait_for_url(f"**/console/conversations/{conversation_id}")
    expect(amira.locator("#summary-title")).to_contain_text("With a person")
    expect(amira.locator(".summary h2").first).to_have_text("Screening")
    messages = amira.locator("#messages li")
    expect(messages.first).to_contain_text("hello, is anyone there")
    expect(amira.locator("#messages")).to_contain_text("automated")  # the assistant's words
    # Markup from a texter is text: nothing ran, no element was made.
    expect(messages.last.locator(".text")).to_have_text(PAYLOAD)
    assert amira.evaluate("window.__pwned") is None
    assert amira.locator("#messages img, #messages script").count() == 0

    # The operator writes (keyboard only); the SMS reaches the texter; delivery shows.
    amira.locator("#reply-text").fill("Hello, I am Amira from the hotline. Is it safe to text?")
    amira.locator("#reply-text").press("Control+Enter")
    assert wait_for_reply(texter) == ["Hello, I am Amira from the hotline. Is it safe to text?"]
    expect(messages.last.locator(".status")).to_have_text("Delivered")

    # The texter answers: it appears in the open console within a second.
    fields = texter.fields("yes, it is safe now")
    sent_at = time.monotonic()
    assert texter.webhook(fields).status_code == 200
    expect(messages.last.locator(".text")).to_have_text("yes, it is safe now", timeout=1000)
    assert time.monotonic() - sent_at < 1.0

    # Right-to-left text is laid out right to left.
    arabic = "شكرا، أنا بخير الآن"
    assert texter.send(arabic) == []
    expect(messages.last.locator(".text")).to_have_text(arabic)
    direction = messages.last.locator(".text").evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"

    # A ready-made reply in the texter's language fills the box.
    amira.get_by_role("button", name="Still there").click()
    expect(amira.locator("#reply-text")).to_have_value(
        "Are you still there? Take your time. You can reply whenever it is safe for you."
    )
    amira.locator("#reply-text").fill("")
    amira.screenshot(path=str(ARTIFACTS / "console-conversation.png"), full_page=True)

    # Transfer to Bilal; he ends it and wraps up.
    amira.select_option(
        "#transfer-to", label=amira.locator("#transfer-to option", has_text="Bilal").inner_text()
    )
    amira.locator("#transfer").click()
    amira.wait_for_url(f"{stack.hotline_url}/console")
    bilal = sign_in(browser, stack, "bilal")
    bilal.get_by_role("link", name=f"Conversation {conversation_id}").click()
    expect(bilal.locator("#messages")).to_contain_text("yes, it is safe now")
    bilal.locator("#end").click()
    expect(bilal.locator("#wrapup")).to_be_visible()
    closing = " ".join(wait_for_reply(texter))
    assert "has ended" in closing
    bilal.select_option("#outcome", "information_given")
    bilal.get_by_label("Legal aid").check()
    bilal.locator("#notes").fill("Rights explained; legal aid number given.")
    bilal.locator("#close").click()
    bilal.wait_for_url(f"{stack.hotline_url}/console")
    assert latest_conversation(stack, texter.phone) == (conversation_id, "closed")

    # The texter's next message is answered by the assistant again.
    again = texter.send("hello, is anyone there")
    assert again and "automated" in " ".join(again).lower()
    new_id, state = latest_conversation(stack, texter.phone)
    assert new_id != conversation_id and state == "bot"
    for name in ("hotline", "rasa", "actions"):
        assert texter.phone not in stack.logs(name)
