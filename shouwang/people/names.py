"""Name search keys: full pinyin and initials, with surname readings fixed.

pypinyin has no surname mode, so the common heteronym surnames (DESIGN.md §6: 单 曾 解 区 仇)
would come out as dan/ceng/jie/qu/chou; a gate worker typing ``sz`` for 单振 must find him.
"""

from __future__ import annotations

import unicodedata

from pypinyin import Style, lazy_pinyin

SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "乐": "yue",
    "秘": "bi",
    "种": "chong",
}


def _syllables(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).strip()
    letters = [ch for ch in text if ch.isalnum()]
    if not letters:
        return []
    first = letters[0]
    head = [SURNAME_READINGS[first]] if first in SURNAME_READINGS else lazy_pinyin(first, style=Style.NORMAL)
    tail = lazy_pinyin("".join(letters[1:]), style=Style.NORMAL, errors="default")
    return [s.lower() for s in head + tail if s]


def name_keys(name: str) -> tuple[str, str]:
    """``(pinyin, initials)`` for search: 张三 → (``zhangsan``, ``zs``); 单田芳 → (``shantianfang``, ``stf``).

    Characters without a reading (e.g. rare ones) keep their own letter so the name still matches.
    """
    syllables = _syllables(name)
    return "".join(syllables), "".join(s[0] for s in syllables)
