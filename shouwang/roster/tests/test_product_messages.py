"""Every code the roster in the product raises has words in both languages, and its
placeholders are ones the raising code fills."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from shouwang.core.messages import MESSAGES, describe
from shouwang.roster.product_messages import PRODUCT_MESSAGES

ROSTER = Path(__file__).resolve().parent.parent
SOURCES = [
    ROSTER / name
    for name in (
        "services.py",
        "selectors.py",
        "build.py",
        "api.py",
        "links.py",
        "management/commands/duty.py",
    )
]
RAISED = re.compile(r'(?:InvalidInput|NotFound|Forbidden|fail|describe|both)\(\s*"([a-z_]+)"')


def raised_codes() -> set[str]:
    return {code for path in SOURCES for code in RAISED.findall(path.read_text(encoding="utf-8"))}


def test_every_raised_code_has_words_in_both_languages() -> None:
    codes = raised_codes()
    assert len(codes) > 40
    missing = sorted(c for c in codes if c not in MESSAGES)
    assert missing == []
    for code in codes:
        zh, en = MESSAGES[code]
        assert zh != en and zh.strip() and en.strip(), code


@pytest.mark.parametrize("code", sorted(PRODUCT_MESSAGES))
def test_zh_and_en_take_the_same_placeholders(code: str) -> None:
    zh, en = PRODUCT_MESSAGES[code]
    names = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, en)]
    assert names[0] == names[1], code
    params = dict.fromkeys(names[0], "X")
    assert "{" not in describe(code, "zh-hans", **params) and "{" not in describe(code, "en", **params)
