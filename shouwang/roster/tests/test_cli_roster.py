"""``shouwang roster solve``: figures on stdout, a Roster file, reasons and a non-zero exit when none exists."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.roster.instance_json import write_instance
from shouwang.roster.tests.test_curtois import BENCH, needs_files
from shouwang.roster.tests.test_explain import short_gate_instance
from shouwang.roster.tests.test_instance_json import DOC
from shouwang.roster.tests.test_solver import small_instance, wishful_instance


def run(*args: str) -> str:
    out = StringIO()
    call_command("roster", "solve", *args, "--no-progress", "--workers", "2", stdout=out)
    return out.getvalue()


def test_a_json_instance_is_solved_and_the_roster_written(tmp_path: Path) -> None:
    instance_file, roster_file = tmp_path / "instance.json", tmp_path / "roster.json"
    write_instance(small_instance(), instance_file)
    out = run(str(instance_file), "--time-limit", "10", "--seed", "3", "--out", str(roster_file))
    assert "status=optimal objective=0 bound=0 gap=0.00%" in out
    assert "shifts=12 staff=4" in out
    roster = json.loads(roster_file.read_text(encoding="utf-8"))
    assert roster["status"] == "optimal"
    assert len(roster["assignments"]) == 12


def test_previous_keeps_an_earlier_roster_around_a_new_lock(tmp_path: Path) -> None:
    instance_file, first_file = tmp_path / "instance.json", tmp_path / "first.json"
    instance = wishful_instance()
    write_instance(instance, instance_file)
    run(str(instance_file), "--time-limit", "10", "--out", str(first_file))
    cells = json.loads(first_file.read_text(encoding="utf-8"))["assignments"]
    doc = json.loads(instance_file.read_text(encoding="utf-8"))
    cell = cells[40]
    busy = {c["staff"] for c in cells if c["date"] == cell["date"]}
    doc["locks"] = [{**cell, "staff": next(m["id"] for m in doc["staff"] if m["id"] not in busy)}]
    instance_file.write_text(json.dumps(doc), encoding="utf-8")
    out = run(str(instance_file), "--time-limit", "10", "--previous", str(first_file))
    changed = int(out.split("changed=")[1].split()[0])
    assert 1 <= changed <= 6 and f"of previous={len(cells)}" in out
    assert f'"changes": {changed}' in out


def test_a_bad_previous_file_names_the_cell(tmp_path: Path) -> None:
    instance_file, previous = tmp_path / "instance.json", tmp_path / "old.json"
    write_instance(small_instance(), instance_file)
    previous.write_text(
        json.dumps(
            {"assignments": [{"staff": "s9", "date": "2020-03-02", "shift": "06-10", "checkpoint": "N"}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        run(str(instance_file), "--previous", str(previous))
    assert "assignments[0].staff" in str(info.value) and "s9" in str(info.value)
    previous.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run(str(instance_file), "--previous", str(previous))
    assert f"{previous} must be an object" in str(info.value)
    cell = {"staff": "s1", "date": "2020-03-02", "shift": "06-10", "checkpoint": "N"}
    previous.write_text(json.dumps({"assignments": [cell, cell]}), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run(str(instance_file), "--previous", str(previous))
    assert "assignments[1]: the same cell as assignments[0]" in str(info.value)
    assert "每个班次只列一次" in str(info.value)
    previous.write_text(json.dumps({"assignments": []}), encoding="utf-8")
    assert "changed=0 of previous=0" in run(str(instance_file), "--previous", str(previous))


def test_no_roster_prints_the_reasons_and_exits_2(tmp_path: Path) -> None:
    instance_file = tmp_path / "instance.json"
    write_instance(short_gate_instance(), instance_file)  # type: ignore[arg-type]
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("roster", "solve", str(instance_file), "--no-progress", "--time-limit", "5", stdout=out)
    assert info.value.returncode == 2
    text = out.getvalue()
    assert "status=infeasible" in text
    assert "东斜街北口 needs 2 people 06:00–10:00 on 3 March but only 1 is available." in text
    assert "东斜街北口 3月3日 06:00–10:00 需要 2 人，但只有 1 人能上岗。" in text


def test_soft_coverage_lists_the_empty_slots(tmp_path: Path) -> None:
    instance_file = tmp_path / "instance.json"
    write_instance(short_gate_instance(), instance_file)  # type: ignore[arg-type]
    out = run(str(instance_file), "--soft-coverage", "--time-limit", "5", "--lang", "en")
    assert "status=optimal" in out
    assert "东斜街北口 06:00–10:00 on 3 March: 1 of 2 places stay empty." in out


def test_bad_input_is_one_line_naming_the_field(tmp_path: Path) -> None:
    doc = copy.deepcopy(DOC)
    doc["staff"][2]["max_hours_per_week"] = "lots"
    instance_file = tmp_path / "instance.json"
    instance_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run(str(instance_file))
    assert "staff[2].max_hours_per_week 应为数字" in str(info.value)
    assert "staff[2].max_hours_per_week must be a number, not a string." in str(info.value)


@needs_files
def test_a_curtois_instance_is_solved_and_compared_with_the_best_published_value(tmp_path: Path) -> None:
    roster_file = tmp_path / "roster.json"
    out = run(
        "--format", "curtois", str(BENCH / "Instance1.txt"), "--time-limit", "10", "--out", str(roster_file)
    )
    assert "status=optimal objective=607" in out
    assert "best_published=607 above_best_pct=0.00" in out
    doc = json.loads(roster_file.read_text(encoding="utf-8"))
    assert doc["objective"] == 607 and len(doc["roster"]) == 8
