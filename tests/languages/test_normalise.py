"""bot/normalise.py: Arabic, Burmese Zawgyi, digits and full-width forms."""

from __future__ import annotations

import pytest

from bot.normalise import (
    ascii_digits,
    burmese_unicode,
    is_zawgyi,
    normalise_arabic,
    normalise_choice,
    normalise_text,
    zawgyi_to_unicode,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("مَرْحَبًا", "مرحبا"),  # tashkeel
        ("مـــرحبا", "مرحبا"),  # tatweel
        ("أنا", "انا"),
        ("إلغاء", "الغاء"),
        ("آمن", "امن"),
        ("على", "علي"),  # alef maksura
        ("مسؤول", "مسوول"),
        ("مسئول", "مسيول"),
        ("مساعدة", "مساعده"),  # ta marbuta
    ],
)
def test_arabic_spellings_are_unified(raw, expected):
    assert normalise_arabic(raw) == expected
    assert normalise_arabic(expected) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("٣", "3"), ("۴", "4"), ("３", "3"), ("१२", "12"), ("๕", "5"), ("၇", "7"), ("12", "12")],
)
def test_digits_of_every_script_become_ascii(raw, expected):
    assert ascii_digits(raw) == expected
    assert normalise_choice(raw) == expected


def test_full_width_letters_and_arabic_presentation_forms_become_plain():
    assert normalise_choice("ＳＴＯＰ") == "STOP"
    assert normalise_text("ﻻ") == "لا"


# (Zawgyi, Unicode) pairs: medial ra and the e-vowel are typed before the consonant in Zawgyi.
ZAWGYI = [
    ("ျမန္မာ", "မြန်မာ"),
    ("ဉာဏ္ႀကီးရွင္", "ဉာဏ်ကြီးရှင်"),
    ("ကၽြန္ေတာ္", "ကျွန်တော်"),
    ("ေက်းဇူးတင္ပါတယ္", "ကျေးဇူးတင်ပါတယ်"),
    ("အကူအညီ လိုပါတယ္", "အကူအညီ လိုပါတယ်"),
]


@pytest.mark.parametrize("zawgyi, unicode", ZAWGYI)
def test_zawgyi_is_detected_and_converted(zawgyi, unicode):
    assert is_zawgyi(zawgyi) and not is_zawgyi(unicode)
    assert zawgyi_to_unicode(zawgyi) == unicode
    assert normalise_text(zawgyi) == unicode
    assert burmese_unicode(unicode) == unicode  # Unicode Burmese is left alone


def test_text_in_other_scripts_is_untouched_and_normalising_is_idempotent():
    for text in [
        "My boss keeps my passport",
        "ฉันต้องการความช่วยเหลือ",
        "мне нужна помощь",
        "Tiếng Việt",
        "नमस्ते",
        "Ça va",
    ]:
        assert normalise_text(text) == text
    once = normalise_text("أَنَا فِي خَطَرٍ ٣ ျမန္မာ")
    assert normalise_text(once) == once
