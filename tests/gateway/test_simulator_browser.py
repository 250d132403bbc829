"""The phone simulator in a real browser (Debian's chromium): right-to-left text reads right to
left, left-to-right text stays left to right, and nothing a texter writes is parsed as HTML."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Hotline

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

ARABIC = "مرحبا، أحتاج مساعدة في العمل"


def test_arabic_reads_right_to_left_and_english_left_to_right(browser, hotline: Hotline):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{hotline.base_url}/simulator?phone=%2B15555550190")
    page.fill("#body", ARABIC)
    page.keyboard.press("Enter")
    bubbles = page.locator("#thread li p")
    expect(bubbles).to_have_count(2)  # the texter's message and the hotline's echo
    assert bubbles.nth(0).evaluate("p => getComputedStyle(p).direction") == "rtl"
    # Replies are laid out by their own first strong letter (the stand-in hotline's echo
    # starts with Latin "echo:"); every bubble has dir=auto.
    assert bubbles.nth(1).text_content() == "echo: " + ARABIC
    assert all(bubbles.nth(index).get_attribute("dir") == "auto" for index in range(2))

    page.fill("#body", "<b>hello</b> there")
    page.keyboard.press("Enter")
    expect(bubbles).to_have_count(4)
    assert bubbles.nth(2).evaluate("p => getComputedStyle(p).direction") == "ltr"
    assert bubbles.nth(2).text_content() == "<b>hello</b> there"  # shown, never parsed
    assert page.locator("#thread b").count() == 0
