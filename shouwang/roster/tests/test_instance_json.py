"""The JSON instance format: read, written back, documented by its schema, and refused clearly.

A refusal is an ``InvalidInput`` whose ``field`` is the path of the value at fault and whose
words (zh-Hans and en) say how to fix it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shouwang.core.errors import InvalidInput
from shouwang.roster.instance_json import (
    CELL_FIELDS,
    CHECKPOINT_FIELDS,
    HORIZON_FIELDS,
    LOCK_FIELDS,
    REQUEST_FIELDS,
    RULES_FIELDS,
    SCHEMA_PATH,
    SHIFT_FIELDS,
    STAFF_FIELDS,
    TIME_RANGE_FIELDS,
    TOP_FIELDS,
    WEIGHTS_FIELDS,
    instance_to_json,
    parse_instance,
    read_instance,
    result_to_json,
)
from shouwang.roster.messages import ROSTER_MESSAGES
from shouwang.roster.model import Assignment, Lock
from shouwang.roster.tests.test_solver import DAY0, quick, small_instance

DOC: dict[str, Any] = {
    "version": 1,
    "name": "西长安街街道 演示",
    "horizon": {"start": "2020-03-02", "days": 3, "time_zone": "Asia/Shanghai"},
    "shifts": [
        {"code": "06-10", "start": "06:00", "hours": 4},
        {"code": "10-14", "start": "10:00", "hours": 4},
    ],
    "checkpoints": [
        {
            "code": "DXJ-N",
            "name": "东斜街北口",
            "staff_needed": {"06-10": [2, 1, 1], "10-14": 1},
            "staff_needed_on": {"2020-03-04": {"10-14": 2}},
            "lead_needed": ["06-10"],
        }
    ],
    "staff": [
        {
            "id": f"cadre0{i}",
            "name": f"干部{i}",
            "team": "一支部" if i < 3 else "二支部",
            "is_lead": i in (1, 3),
            "unavailable_dates": ["2020-03-03"] if i == 4 else [],
            "unavailable_times": [{"start": "2020-03-02T09:00", "end": "2020-03-02T11:00"}] if i == 2 else [],
            "max_hours_per_week": 40,
            "requests": [{"date": "2020-03-04", "work": False, "weight": 3}] if i == 1 else [],
        }
        for i in range(1, 5)
    ],
    "rules": {"min_rest_hours": 4, "max_shifts_per_day": 2, "max_consecutive_days": 6, "min_days_off": None},
    "weights": {"fairness": 2, "team_mix": 3},
    "locks": [{"staff": "cadre03", "date": "2020-03-02", "shift": "06-10", "checkpoint": "DXJ-N"}],
    "previous": [{"staff": "cadre04", "date": "2020-03-02", "shift": "10-14", "checkpoint": "DXJ-N"}],
}


def refusal(doc: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_instance(doc)
    return info.value


def changed(path: str, value: Any) -> dict[str, Any]:
    """A copy of DOC with the value at ``path`` (dots and [i]) replaced; ``...`` deletes it."""
    doc = copy.deepcopy(DOC)
    node: Any = doc
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return doc


def test_a_document_is_read_into_the_model() -> None:
    instance = parse_instance(copy.deepcopy(DOC))
    gate = instance.checkpoints[0]
    assert instance.horizon.days == 3
    assert [gate.needed("06-10", d) for d in range(3)] == [2, 1, 1]
    assert [gate.needed("10-14", d) for d in range(3)] == [1, 1, 2]  # the exception of 4 March
    assert gate.lead_shifts == {"06-10"}
    assert instance.staff[3].unavailable_dates == {DAY0.replace(day=3)}
    away = instance.staff[1].unavailable_times[0]
    assert away.start.utcoffset() is not None and away.start.hour == 9
    assert instance.rules.min_days_off is None and instance.rules.min_rest_hours == 4
    assert instance.weights.team_mix == 3 and instance.weights.empty_slot == 1000  # defaults kept
    assert instance.locks == (Lock("cadre03", DAY0, "06-10", "DXJ-N", True),)
    assert instance.previous == (Assignment("cadre04", DAY0, "10-14", "DXJ-N"),)
    assert instance.weights.change == 1


def test_writing_and_reading_back_gives_the_same_instance() -> None:
    instance = parse_instance(copy.deepcopy(DOC))
    again = parse_instance(json.loads(json.dumps(instance_to_json(instance))))
    assert again == instance
    small = small_instance()
    assert parse_instance(json.loads(json.dumps(instance_to_json(small)))) == small


@pytest.mark.parametrize(
    ("path", "value", "code", "field", "words"),
    [
        ("horizon", ..., "roster_field_missing", "horizon", "horizon is missing: add it"),
        ("horizon.start", "2020-3-2", "roster_field_date", "horizon.start", "write YYYY-MM-DD"),
        ("horizon.days", 0, "roster_field_range", "horizon.days", "between 1 and 366"),
        ("horizon.time_zone", "Beijing", "roster_field_zone", "horizon.time_zone", "such as Asia/Shanghai"),
        ("shifts[1].start", "10h", "roster_field_time", "shifts[1].start", "write HH:MM"),
        ("shifts[1].hours", 4.001, "roster_field_minutes", "shifts[1].hours", "whole number of minutes"),
        ("shifts[1].code", "06-10", "roster_field_duplicate", "shifts[1]", "codes must be unique"),
        (
            "checkpoints[0].staff_needed.06-10",
            [2, 1],
            "roster_field_days",
            "checkpoints[0].staff_needed.06-10",
            "give one per day (3)",
        ),
        (
            "checkpoints[0].staff_needed.night",
            1,
            "roster_field_unknown",
            "checkpoints[0].staff_needed.night",
            "known",
        ),
        (
            "checkpoints[0].lead_needed",
            "yes",
            "roster_field_type",
            "checkpoints[0].lead_needed",
            "must be true",
        ),
        (
            "staff[2].max_hours_per_week",
            "lots",
            "roster_field_type",
            "staff[2].max_hours_per_week",
            "a number",
        ),
        ("staff[0].is_lead", 1, "roster_field_type", "staff[0].is_lead", "must be a boolean"),
        ("staff[0].nickname", "x", "roster_field_unknown", "staff[0].nickname", "a typo?"),
        (
            "staff[1].unavailable_times[0].end",
            "2020-03-02T08:00",
            "roster_field_order",
            "staff[1].unavailable_times[0]",
            "end must come after the start",
        ),
        (
            "staff[0].requests[0].date",
            "2020-04-01",
            "roster_field_outside",
            "staff[0].requests[0].date",
            "outside",
        ),
        ("locks[0].shift", "night", "roster_field_ref", "locks[0].shift", "there is no shift 'night'"),
        ("locks[0].staff", "cadre09", "roster_field_ref", "locks[0].staff", "known: cadre01, cadre02"),
        ("previous[0].checkpoint", ..., "roster_field_missing", "previous[0].checkpoint", "add it"),
        ("previous[0].staff", "cadre09", "roster_field_ref", "previous[0].staff", "known: cadre01"),
        ("previous[0].date", "2020-03-09", "roster_field_outside", "previous[0].date", "outside"),
        ("weights.change", -1, "roster_field_range", "weights.change", "between 0 and"),
    ],
)
def test_bad_input_names_the_field_and_the_fix(
    path: str, value: Any, code: str, field: str, words: str
) -> None:
    error = refusal(changed(path, value))
    assert error.code == code
    assert error.field == field
    assert field in error.message("en")
    assert words in error.message("en")
    assert field in error.message("zh-hans")
    assert error.message("zh-hans") != error.message("en")
    # Once ROSTER_MESSAGES is merged into core.messages, plain formatting says the same.
    zh, en = ROSTER_MESSAGES[code]
    assert words in en.format(**error.params)
    assert field in zh.format(**error.params)


def test_a_file_that_is_not_json_is_refused_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "roster.json"
    bad.write_text('{"horizon": {"start": "2020-03-02",, }}', encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        read_instance(bad)
    error = info.value
    assert error.code == "roster_json_unreadable"
    assert "line 1, column" in error.message("en")
    assert "不是有效的 JSON" in error.message("zh-hans")


def test_the_schema_documents_exactly_the_fields_the_reader_accepts() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props = schema["properties"]
    staff = props["staff"]["items"]["properties"]
    pairs = [
        (schema, TOP_FIELDS),
        (props["horizon"], HORIZON_FIELDS),
        (props["shifts"]["items"], SHIFT_FIELDS),
        (props["checkpoints"]["items"], CHECKPOINT_FIELDS),
        (props["staff"]["items"], STAFF_FIELDS),
        (staff["unavailable_times"]["items"], TIME_RANGE_FIELDS),
        (staff["requests"]["items"], REQUEST_FIELDS),
        (props["rules"], RULES_FIELDS),
        (props["weights"], WEIGHTS_FIELDS),
        (props["locks"]["items"], LOCK_FIELDS),
        (props["previous"]["items"], CELL_FIELDS),
    ]
    for node, fields in pairs:
        assert set(node["properties"]) == fields
        assert node.get("additionalProperties") is False

    def described(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "description" in sub, name
            for value in node.values():
                described(value)
        elif isinstance(node, list):
            for value in node:
                described(value)

    described(schema)


def test_a_result_is_written_as_json_with_words_in_both_languages() -> None:
    instance = parse_instance(copy.deepcopy(DOC))
    result = quick(instance, soft_coverage=True)
    doc = json.loads(json.dumps(result_to_json(result, instance), ensure_ascii=False))
    assert doc["status"] in ("optimal", "feasible")
    assert {"staff", "date", "shift", "checkpoint"} == set(doc["assignments"][0])
    assert doc["assignments"][0]["date"].startswith("2020-03-0")
    assert doc["instance"] == "西长安街街道 演示"
    for e in doc["explanations"]:
        assert e["zh-hans"] and e["en"] and e["code"].startswith("roster_")
