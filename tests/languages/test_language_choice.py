"""hotline/conversations/language_choice.py: the numbered menu and the replies to it."""

from __future__ import annotations

import pytest

from bot.languages import Language, load_languages
from hotline.channels.sms_format import sms_segments
from hotline.conversations.language_choice import (
    MORE_LINE,
    language_menu,
    menu_pages,
    resolve_language_reply,
    wants_more,
)

LANGUAGES = load_languages()


def test_the_menu_lists_every_language_in_its_own_name_within_two_segments_a_page():
    first = language_menu()
    assert first.text.splitlines()[:3] == ["1 English", "2 Español", "3 Français"]
    assert "5 العربية" in first.text.splitlines()
    pages = [language_menu(page) for page in range(first.pages)]
    assert {code for page in pages for code in page.codes} == {lang.code for lang in LANGUAGES}
    assert all(sms_segments(page.text)[1] <= 2 for page in pages)


def _many(n: int) -> list[Language]:
    base = LANGUAGES[4]  # Arabic: the menu is UCS-2
    return [
        Language(
            code=f"x{i:02d}"[:3],
            name=f"L{i}",
            native_name=f"{base.native_name}{i}",
            direction="rtl",
            gsm7=False,
            gsm7_avoid="",
            say_language=None,
            say_voice=None,
            review="draft",
        )
        for i in range(n)
    ]


def test_a_long_list_is_paged_and_numbers_stay_the_same_on_every_page():
    languages = _many(20)
    pages = menu_pages(languages)
    assert len(pages) > 1 and sum(pages, []) == list(range(1, 21))
    for page in range(len(pages)):
        menu = language_menu(page, languages)
        assert sms_segments(menu.text)[1] <= 2
        assert menu.text.endswith(MORE_LINE)
        first = menu.text.splitlines()[0]
        assert first.startswith(f"{pages[page][0]} ")
    assert language_menu(len(pages), languages).page == 0  # wraps around


@pytest.mark.parametrize(
    "reply, code",
    [
        ("1", "en"),
        (" 2. ", "es"),
        ("٥", "ar"),  # Arabic-Indic digit
        ("３", "fr"),  # full-width digit
        ("१०", "ne"),  # Devanagari digits
        ("2 Español", "es"),
        ("ESPANOL", "es"),
        ("Spanish", "es"),
        ("espagnol", "es"),
        ("испанский", "es"),
        ("العربية", "ar"),
        ("عربي", "ar"),
        ("Arabic", "ar"),
        ("नेपाली", "ne"),
        ("ไทย", "th"),
        ("tieng viet", "vi"),
        ("Tiếng Việt", "vi"),
        ("romana", "ro"),
        ("Filipino", "tl"),
        ("українська", "uk"),
        ("Русский", "ru"),
        ("pt", "pt"),
    ],
)
def test_a_reply_chooses_a_language_by_number_or_name(reply, code):
    assert resolve_language_reply(reply) == code


@pytest.mark.parametrize("reply", ["0", "99", "hello", "", "   ", "I need help"])
def test_other_replies_choose_nothing(reply):
    assert resolve_language_reply(reply) is None


def test_zero_asks_for_the_next_page():
    assert wants_more("0") and wants_more("٠") and not wants_more("1")
