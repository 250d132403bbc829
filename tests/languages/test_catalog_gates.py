"""Gate: every response renders in every language, within the SMS rules (bot/catalog_check.py).

No missing or fuzzy entry, placeholders preserved, no English left in, GSM-7 languages stay in
GSM-7 within 2 segments, UCS-2 languages within 3, option titles short, discreet previews.
"""

from __future__ import annotations

import pytest

from bot.catalog_check import check_language
from bot.languages import supported_codes


@pytest.mark.parametrize("code", supported_codes())
def test_every_response_renders_in_the_language_within_the_rules(code):
    problems = check_language(code)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems[:40]))
