"""Name search keys: what a gate worker types must find the person (DESIGN.md §6, pypinyin)."""

from __future__ import annotations

import pytest

from shouwang.people.names import name_keys


def test_plain_name() -> None:
    assert name_keys("张三") == ("zhangsan", "zs")


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),  # not dan
        ("曾国藩", "zengguofan", "zgf"),  # not ceng
        ("解缙", "xiejin", "xj"),  # not jie
        ("区伯", "oubo", "ob"),  # not qu
        ("仇英", "qiuying", "qy"),  # not chou
    ],
)
def test_heteronym_surnames_read_as_surnames(name: str, pinyin: str, initials: str) -> None:
    assert name_keys(name) == (pinyin, initials)


def test_surname_reading_only_applies_to_the_first_character() -> None:
    # 单 inside a given name keeps its ordinary reading.
    assert name_keys("张单")[0] == "zhangdan"


def test_uyghur_name_with_middle_dot_has_no_dot_in_keys() -> None:
    pinyin, initials = name_keys("买买提·艾力")
    assert (pinyin, initials) == ("maimaitiaili", "mmtal")
    assert "·" not in initials


def test_extension_a_character_still_gives_keys() -> None:
    assert name_keys("李䶮") == ("liyan", "ly")
