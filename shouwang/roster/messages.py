"""Words for the roster's stable codes, in zh-Hans and en, in the format of ``core.messages.MESSAGES``.

Two kinds of code: explanations of a Roster that cannot be made (``roster_slot_short``…), and
input errors raised as :class:`~shouwang.core.errors.InvalidInput` by the JSON and Curtois
readers (``roster_field_missing``…). :func:`render` formats a template after turning dates,
Shifts, numbers and nested explanations into words of the language asked for. The input-error
templates need no such help (their params are plain strings and numbers), so they read the same
through ``core.messages.describe`` once this table is merged there. This module imports nothing
from ``core``, so ``core.messages`` can import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

ROSTER_MESSAGES: dict[str, tuple[str, str]] = {
    # Why no Roster can be made (explain.py), one reason each.
    "roster_slot_short": (
        "{checkpoint} {date} {shift} 需要 {need} 人，但只有 {available} 人能上岗。",
        "{checkpoint} needs {need_people} {shift} on {date} but only {available} {available_is} available.",
    ),
    "roster_slot_no_lead": (
        "{checkpoint} {date} {shift} 需要一名带班组长，但没有组长能上岗。",
        "{checkpoint} needs a team lead {shift} on {date} but no lead is available.",
    ),
    "roster_time_short": (
        "{date} {shift} 各卡口同时需要 {need} 人，但只有 {available} 人能上岗。",
        "{shift} on {date} the checkpoints need {need_people} at once but only {available} {available_is} available.",
    ),
    "roster_day_short": (
        "{date} 各卡口共需 {need} 个班次，但能上岗的 {available} 人最多只能值 {capacity} 个班次（每人每天最多 {per_day} 班）。",
        "On {date} the checkpoints need {need} shifts but the {available} staff available can stand at most {capacity} (at most {per_day} a day each).",
    ),
    "roster_total_short": (
        "整个排班期各卡口共需 {need_h} 小时，但全体人员最多只能值 {supply_h} 小时（受可上岗时间和工时上限限制）。",
        "Over the whole roster the checkpoints need {need_h} h but the staff can give at most {supply_h} h (availability and hour limits).",
    ),
    "roster_week_short": (
        "自 {date} 起的 7 天内各卡口共需 {need_h} 小时，但按每周工时上限全体人员最多只能值 {supply_h} 小时。",
        "In the 7 days from {date} the checkpoints need {need_h} h but, within their weekly hour limits, the staff can give at most {supply_h} h.",
    ),
    "roster_min_hours_exceed_demand": (
        "人员最低工时合计 {min_h} 小时，但各卡口只需要 {need_h} 小时。请降低部分人员的最低工时。",
        "The staff's minimum hours add up to {min_h} h but the checkpoints need only {need_h} h; lower someone's minimum.",
    ),
    "roster_staff_min_unreachable": (
        "{staff} 至少要值 {min_h} 小时，但按其可上岗时间和规则最多只能排 {max_h} 小时。",
        "{staff} must work at least {min_h} h but can be rostered for at most {max_h} h (availability and rules).",
    ),
    "roster_lock_unavailable": (
        "锁定：{staff} 被固定在 {date} {shift}{at}，但此时不能上岗。",
        "Lock: {staff} is fixed {shift} on {date}{at} but is not available then.",
    ),
    "roster_lock_closed": (
        "锁定：{staff} 被固定在 {date} {shift} 的 {checkpoint}，但该卡口此时不开放。",
        "Lock: {staff} is fixed at {checkpoint} {shift} on {date} but the checkpoint is closed then.",
    ),
    "roster_lock_not_allowed": (
        "锁定：{staff} 被固定在 {checkpoint}，但此人不在该卡口值守。",
        "Lock: {staff} is fixed at {checkpoint}, a checkpoint they do not stand at.",
    ),
    "roster_lock_over": (
        "锁定：{checkpoint} {date} {shift} 固定了 {locked} 人，但只需要 {need} 人。",
        "Locks fix {locked} people at {checkpoint} {shift} on {date} but it needs only {need}.",
    ),
    "roster_lock_clash": (
        "锁定：{staff} 在 {date} 被固定了两个相隔太近的班次（{shift} 和 {other}）。",
        "Locks put {staff} on two shifts too close together on {date}: {shift} and {other}.",
    ),
    "roster_no_full_cover": (
        "在这些规则下，没有能把所有岗位排满的方案。最好的方案中以下岗位仍然空缺：",
        "No roster under these rules staffs every slot; at best these slots stay empty:",
    ),
    "roster_empty_slot": (
        "{checkpoint} {date} {shift}：需要 {need} 人，空缺 {missing} 人。",
        "{checkpoint} {shift} on {date}: {missing} of {need} places stay empty.",
    ),
    "roster_empty_lead": (
        "{checkpoint} {date} {shift}：缺少带班组长。",
        "{checkpoint} {shift} on {date}: no team lead.",
    ),
    "roster_rules_conflict": (
        "以下规则无法同时满足：{rules}。请放宽其中一条。",
        "These rules cannot all hold together: {rules}. Relax one of them.",
    ),
    "roster_rule_min_total": ("{staff} 总工时至少 {hours} 小时", "{staff} works at least {hours} h in all"),
    "roster_rule_max_total": ("{staff} 总工时至多 {hours} 小时", "{staff} works at most {hours} h in all"),
    "roster_rule_week": (
        "{staff} 任意 7 天至多 {hours} 小时",
        "{staff} works at most {hours} h in any 7 days",
    ),
    "roster_rule_consecutive": (
        "{staff} 至多连续上岗 {days} 天",
        "{staff} works at most {days} days in a row",
    ),
    "roster_rule_days_off": ("{staff} 至少休息 {days} 天", "{staff} has at least {days} days off"),
    "roster_rule_per_day": ("{staff} 每天至多 {count} 班", "{staff} stands at most {count} shifts a day"),
    "roster_rule_rest": (
        "{staff} 两班之间至少休息 {hours} 小时",
        "{staff} rests at least {hours} h between shifts",
    ),
    "roster_rule_lock_on": (
        "锁定 {staff} 于 {date} {shift}{at}",
        "the lock of {staff} {shift} on {date}{at}",
    ),
    "roster_rule_lock_off": (
        "锁定 {staff} 于 {date} {shift}{at}不上岗",
        "the lock keeping {staff} off {shift} on {date}{at}",
    ),
    "roster_more": ("……另有 {count} 条同类原因。", "…and {count} more like this."),
    "roster_timeout": (
        "{seconds} 秒内未找到排班方案，请延长计算时间后重试。",
        "No roster found within {seconds} s; run again with a longer time limit.",
    ),
    "roster_no_reason_found": (
        "找不到满足全部硬性规则的排班方案，且未能定位具体原因。请逐项放宽规则后重试。",
        "No roster meets every hard rule and no single cause was found; relax the rules one at a time.",
    ),
    # Input errors (instance_json.py, curtois.py): each names the field and the fix.
    "roster_json_unreadable": (
        "“{path}”不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）。",
        "'{path}' is not valid JSON (line {line}, column {column}: {detail}).",
    ),
    "roster_field_missing": (
        "缺少字段 {field}：请补上（格式见 roster-instance.schema.json）。",
        "{field} is missing: add it (see roster-instance.schema.json).",
    ),
    "roster_field_unknown": (
        "{field} 不是已知字段（是否拼写有误？）。可用字段：{known}。",
        "{field} is not a known field (a typo?); known fields: {known}.",
    ),
    "roster_field_type": (
        "{field} 应为{expected_zh}，而不是{got_zh}。",
        "{field} must be {expected}, not {got}.",
    ),
    "roster_field_range": (
        "{field} 应在 {low} 到 {high} 之间，实际为 {raw}。",
        "{field} must be between {low} and {high}; it is {raw}.",
    ),
    "roster_field_date": (
        "{field}：“{raw}”不是日期，请写成 YYYY-MM-DD，例如 2020-03-03。",
        "{field}: '{raw}' is not a date; write YYYY-MM-DD, e.g. 2020-03-03.",
    ),
    "roster_field_time": (
        "{field}：“{raw}”不是时刻，请写成 HH:MM，例如 06:00。",
        "{field}: '{raw}' is not a time of day; write HH:MM, e.g. 06:00.",
    ),
    "roster_field_datetime": (
        "{field}：“{raw}”不是日期时间，请写成 YYYY-MM-DDTHH:MM（当地时间），例如 2020-03-03T08:00。",
        "{field}: '{raw}' is not a date and time; write YYYY-MM-DDTHH:MM (local time), e.g. 2020-03-03T08:00.",
    ),
    "roster_field_zone": (
        "{field}：未知时区“{raw}”，请使用 IANA 时区名，例如 Asia/Shanghai。",
        "{field}: unknown time zone '{raw}'; use an IANA name such as Asia/Shanghai.",
    ),
    "roster_field_ref": (
        "{field}：没有{kind}“{raw}”。已有：{known}。",
        "{field}: there is no {kind} '{raw}'; known: {known}.",
    ),
    "roster_cell_duplicate": (
        "{field}：与 {first} 是同一个班次（同一人、同一天、同一班次、同一卡口），每个班次只列一次。",
        "{field}: the same cell as {first} (same person, day, shift and checkpoint); list each cell once.",
    ),
    "roster_field_duplicate": (
        "{field}：“{raw}”重复出现，编号必须唯一。",
        "{field}: '{raw}' appears twice; codes must be unique.",
    ),
    "roster_field_days": (
        "{field} 有 {got} 个数，请每天给一个数（共 {days} 个），或只给一个数表示每天相同。",
        "{field} has {got} numbers: give one per day ({days}), or a single number for every day.",
    ),
    "roster_field_order": (
        "{field}：结束时间必须晚于开始时间。",
        "{field}: the end must come after the start.",
    ),
    "roster_field_outside": (
        "{field}：{raw} 不在排班期（{first} 至 {last}）内。",
        "{field}: {raw} is outside the roster ({first} to {last}).",
    ),
    "roster_field_minutes": (
        "{field}：{raw} 小时不是整分钟数，请写成如 4 或 7.5。",
        "{field}: {raw} h is not a whole number of minutes; write e.g. 4 or 7.5.",
    ),
    "roster_curtois_format": (
        "{path} 第 {line} 行：{detail}（Curtois & Qu 排班基准格式，见 FORMAT.md）。",
        "{path} line {line}: {detail} (Curtois & Qu shift scheduling benchmark format; see FORMAT.md).",
    ),
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

TYPE_WORDS_ZH = {
    "an object": "对象（{...}）",
    "an array": "数组（[...]）",
    "a string": "字符串",
    "an integer": "整数",
    "a number": "数字",
    "a boolean": "true 或 false",
    "an integer or an array of integers": "整数或整数数组",
    "true, false or an array of shift codes": "true、false 或班次编号数组",
    "null": "null",
}
"""Chinese for the JSON type phrases of ``roster_field_type`` (passed as ``expected_zh``/``got_zh``)."""


class At:
    """A place in a sentence: " at 东斜街北口" in English, "（东斜街北口）" in Chinese, nothing if empty."""

    def __init__(self, name: str) -> None:
        self.name = name

    def text(self, lang: str) -> str:
        if not self.name:
            return ""
        return f" at {self.name}" if is_english(lang) else f"（{self.name}）"

    def __str__(self) -> str:
        return self.name


def is_english(lang: str) -> bool:
    return lang.lower().startswith("en")


def format_date(value: dt.date, lang: str) -> str:
    """``3 March`` in English, ``3月3日`` in Chinese (the year is implied by the roster)."""
    if is_english(lang):
        return f"{value.day} {_MONTHS[value.month - 1]}"
    return f"{value.month}月{value.day}日"


def format_number(value: float) -> str:
    """``4`` for 4.0, ``7.5`` for 7.5, ``4.001`` kept, thousands separated: ``1,456``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value * 100 - round(value * 100)) < 1e-9:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.6g}"


def _localise(value: object, lang: str) -> str:
    from shouwang.roster.model import Explanation, ShiftTemplate

    if isinstance(value, Explanation | At):
        return value.text(lang)
    if isinstance(value, ShiftTemplate):
        return value.label()
    if isinstance(value, dt.datetime):
        return f"{format_date(value.date(), lang)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        sep = "; " if is_english(lang) else "；"
        return sep.join(_localise(v, lang) for v in value)
    return str(value)


def render(code: str, lang: str, params: Mapping[str, Any]) -> str:
    """The words for ``code`` in ``lang`` (``en`` or else zh-Hans), with params made readable.

    Every int param ``n`` also yields ``n_people`` ("1 person"/"2 people") and ``n_is``
    ("is"/"are") for English grammar. An unknown code comes back as itself.
    """
    pair = ROSTER_MESSAGES.get(code)
    if pair is None:
        return code
    english = is_english(lang)
    text = pair[1] if english else pair[0]
    words: dict[str, str] = {}
    for key, value in params.items():
        words[key] = _localise(value, lang)
        if isinstance(value, int) and not isinstance(value, bool):
            words[f"{key}_people"] = (
                f"{value} person" if value == 1 else f"{value} people" if english else f"{value} 人"
            )
            words[f"{key}_is"] = "is" if value == 1 else "are"
    try:
        return text.format(**words)
    except (KeyError, IndexError):
        return text
