"""The JSON instance format (``roster-instance.schema.json``, JSON Schema draft 2020-12) and the
JSON Roster written back.

:func:`read_instance` / :func:`parse_instance` turn a document into an
:class:`~shouwang.roster.model.Instance`; anything wrong raises
:class:`~shouwang.roster.messages.RosterInputError` (an ``InvalidInput``) whose ``field`` is the
path of the value at fault (``staff[3].max_hours_per_week``) and whose words say how to fix it.
:func:`instance_to_json` writes the format back; :func:`result_to_json` writes a Result.

Local dates are ``YYYY-MM-DD``, times of day ``HH:MM``, date-times ``YYYY-MM-DDTHH:MM`` in
the horizon's zone (an explicit UTC offset is honoured), durations in hours.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shouwang.core.errors import InvalidInput
from shouwang.roster.messages import TYPE_WORDS_ZH, render
from shouwang.roster.model import (
    Assignment,
    CheckpointNeed,
    EmptySlot,
    Explanation,
    Horizon,
    Instance,
    Lock,
    Request,
    Result,
    Rules,
    ShiftTemplate,
    StaffMember,
    TimeRange,
    Weights,
)

SCHEMA_PATH = Path(__file__).with_name("schema") / "roster-instance.schema.json"
FORMAT_VERSION = 1
MAX_DAYS = 366

# Fields each object accepts (kept equal to the schema's "properties"; a test checks it).
TOP_FIELDS = {
    "$schema",
    "version",
    "name",
    "horizon",
    "shifts",
    "checkpoints",
    "staff",
    "rules",
    "weights",
    "locks",
    "previous",
}
HORIZON_FIELDS = {"start", "days", "time_zone"}
SHIFT_FIELDS = {"code", "start", "hours"}
CHECKPOINT_FIELDS = {"code", "name", "staff_needed", "staff_needed_on", "lead_needed"}
STAFF_FIELDS = {
    "id",
    "name",
    "team",
    "is_lead",
    "checkpoints",
    "unavailable_dates",
    "unavailable_times",
    "max_hours_per_week",
    "min_total_hours",
    "max_total_hours",
    "requests",
}
TIME_RANGE_FIELDS = {"start", "end"}
REQUEST_FIELDS = {"date", "work", "shift", "checkpoint", "weight"}
RULES_FIELDS = {"min_rest_hours", "max_shifts_per_day", "max_consecutive_days", "min_days_off"}
WEIGHTS_FIELDS = {"fairness", "request", "team_mix", "isolated_day", "empty_slot", "change"}
LOCK_FIELDS = {"staff", "date", "shift", "checkpoint", "assigned"}
CELL_FIELDS = {"staff", "date", "shift", "checkpoint"}

_TYPE_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _kind(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class RosterInputError(InvalidInput):
    """Bad roster input (JSON instance, Curtois file): an :class:`InvalidInput` whose words come
    from ``ROSTER_MESSAGES`` (also once that table is merged into ``core.messages``). ``field``
    (the path of the value at fault, e.g. ``staff[3].max_hours_per_week``) is also a param, so
    the words can name it."""

    def __init__(self, code: str, /, *, field: str | None = None, **params: Any) -> None:
        if code == "roster_field_type":
            params.setdefault(
                "expected_zh", TYPE_WORDS_ZH.get(str(params.get("expected")), params.get("expected"))
            )
            params.setdefault("got_zh", TYPE_WORDS_ZH.get(str(params.get("got")), params.get("got")))
        super().__init__(code, field=field, **params)
        if field is not None:
            self.params.setdefault("field", field)

    def message(self, lang: str = "zh-hans") -> str:
        return render(self.code, lang, self.params)

    def __str__(self) -> str:
        return self.message("en")


class _Reader:
    """Walks a parsed document, checking every value and naming the field when one is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    # -- primitives --------------------------------------------------------------------------

    def fail(self, code: str, field: str, **params: Any) -> RosterInputError:
        return RosterInputError(code, field=field, **params)

    def obj(self, value: Any, field: str, known: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("roster_field_type", field, expected="an object", got=_kind(value))
        for key in value:
            if key not in known:
                raise self.fail(
                    "roster_field_unknown", f"{field}.{key}" if field else key, known=", ".join(sorted(known))
                )
        for key in sorted(required):
            if key not in value:
                raise self.fail("roster_field_missing", f"{field}.{key}" if field else key)
        return value

    def array(self, value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail("roster_field_type", field, expected="an array", got=_kind(value))
        return value

    def string(self, value: Any, field: str, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail("roster_field_type", field, expected="a string", got=_kind(value))
        if not empty and not value.strip():
            raise self.fail("roster_field_missing", field)
        return value.strip()

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail("roster_field_type", field, expected="a boolean", got=_kind(value))
        return value

    def integer(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise self.fail("roster_field_type", field, expected="an integer", got=_kind(value))
        if not low <= value <= high:
            raise self.fail("roster_field_range", field, low=low, high=high, raw=value)
        return int(value)

    def number(self, value: Any, field: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("roster_field_type", field, expected="a number", got=_kind(value))
        if not low <= value <= high:
            raise self.fail("roster_field_range", field, low=low, high=high, raw=value)
        return float(value)

    def optional_number(
        self, data: Mapping[str, Any], key: str, field: str, low: float, high: float
    ) -> float | None:
        value = data.get(key)
        return None if value is None else self.number(value, f"{field}.{key}", low, high)

    def date(self, value: Any, field: str) -> dt.date:
        raw = self.string(value, field)
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise self.fail("roster_field_date", field, raw=raw) from None

    def time(self, value: Any, field: str) -> dt.time:
        raw = self.string(value, field)
        try:
            parsed = dt.time.fromisoformat(raw)
        except ValueError:
            raise self.fail("roster_field_time", field, raw=raw) from None
        if parsed.tzinfo is not None:
            raise self.fail("roster_field_time", field, raw=raw)
        return parsed

    def datetime(self, value: Any, field: str, zone: ZoneInfo) -> dt.datetime:
        raw = self.string(value, field)
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise self.fail("roster_field_datetime", field, raw=raw) from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)

    def in_horizon(self, date: dt.date, horizon: Horizon, field: str) -> None:
        if horizon.index(date) is None:
            raise self.fail(
                "roster_field_outside",
                field,
                raw=date.isoformat(),
                first=horizon.start.isoformat(),
                last=horizon.date(horizon.days - 1).isoformat(),
            )

    def ref(self, value: Any, field: str, known: list[str], kind: str) -> str:
        raw = self.string(value, field)
        if raw not in known:
            raise self.fail("roster_field_ref", field, kind=kind, raw=raw, known=", ".join(known) or "-")
        return raw

    def unique(self, codes: list[str], field: str) -> None:
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code in seen:
                raise self.fail("roster_field_duplicate", f"{field}[{i}]", raw=code)
            seen.add(code)

    # -- the document ------------------------------------------------------------------------

    def instance(self, doc: Any) -> Instance:
        top = self.obj(doc, "", TOP_FIELDS, {"horizon", "shifts", "checkpoints", "staff"})
        if "version" in top:
            self.integer(top["version"], "version", FORMAT_VERSION, FORMAT_VERSION)
        name = self.string(top.get("name", ""), "name", empty=True)
        horizon = self.horizon(top["horizon"])
        shifts = [self.shift(v, f"shifts[{i}]") for i, v in enumerate(self.array(top["shifts"], "shifts"))]
        if not shifts:
            raise self.fail("roster_field_missing", "shifts[0]")
        self.unique([s.code for s in shifts], "shifts")
        codes = [s.code for s in shifts]
        checkpoints = [
            self.checkpoint(v, f"checkpoints[{i}]", horizon, codes)
            for i, v in enumerate(self.array(top["checkpoints"], "checkpoints"))
        ]
        self.unique([c.code for c in checkpoints], "checkpoints")
        cp_codes = [c.code for c in checkpoints]
        staff = [
            self.staff(v, f"staff[{i}]", horizon, codes, cp_codes)
            for i, v in enumerate(self.array(top["staff"], "staff"))
        ]
        self.unique([m.id for m in staff], "staff")
        rules = self.rules(top.get("rules", {}))
        weights = self.weights(top.get("weights", {}))
        locks = [
            self.lock(v, f"locks[{i}]", horizon, codes, cp_codes, [m.id for m in staff])
            for i, v in enumerate(self.array(top.get("locks", []), "locks"))
        ]
        previous = self.cells(
            top.get("previous", []), "previous", horizon, codes, cp_codes, [m.id for m in staff]
        )
        return Instance(
            horizon=horizon,
            shifts=tuple(shifts),
            checkpoints=tuple(checkpoints),
            staff=tuple(staff),
            rules=rules,
            weights=weights,
            locks=tuple(locks),
            name=name,
            previous=previous,
        )

    def cells(
        self,
        value: Any,
        field: str,
        horizon: Horizon,
        shifts: list[str],
        checkpoints: list[str],
        staff: list[str],
    ) -> tuple[Assignment, ...]:
        """Roster cells ``{"staff", "date", "shift", "checkpoint"}`` (an output's ``assignments``)."""
        out: list[Assignment] = []
        seen: dict[Assignment, str] = {}
        for i, item in enumerate(self.array(value, field)):
            at = f"{field}[{i}]"
            data = self.obj(item, at, CELL_FIELDS, CELL_FIELDS)
            date = self.date(data["date"], f"{at}.date")
            self.in_horizon(date, horizon, f"{at}.date")
            out.append(
                Assignment(
                    staff=self.ref(data["staff"], f"{at}.staff", staff, "staff member"),
                    date=date,
                    shift=self.ref(data["shift"], f"{at}.shift", shifts, "shift"),
                    checkpoint=self.ref(data["checkpoint"], f"{at}.checkpoint", checkpoints, "checkpoint"),
                )
            )
            if out[-1] in seen:
                raise self.fail("roster_cell_duplicate", at, first=seen[out[-1]])
            seen[out[-1]] = at
        return tuple(out)

    def horizon(self, value: Any) -> Horizon:
        data = self.obj(value, "horizon", HORIZON_FIELDS, {"start", "days"})
        tz = self.string(data.get("time_zone", "Asia/Shanghai"), "horizon.time_zone")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail("roster_field_zone", "horizon.time_zone", raw=tz) from None
        return Horizon(
            start=self.date(data["start"], "horizon.start"),
            days=self.integer(data["days"], "horizon.days", 1, MAX_DAYS),
            tz=tz,
        )

    def shift(self, value: Any, field: str) -> ShiftTemplate:
        data = self.obj(value, field, SHIFT_FIELDS, SHIFT_FIELDS)
        hours = self.number(data["hours"], f"{field}.hours", 0.25, 24)
        if abs(hours * 60 - round(hours * 60)) > 1e-6:
            raise self.fail("roster_field_minutes", f"{field}.hours", raw=hours)
        return ShiftTemplate(
            self.string(data["code"], f"{field}.code"), self.time(data["start"], f"{field}.start"), hours
        )

    def checkpoint(self, value: Any, field: str, horizon: Horizon, shifts: list[str]) -> CheckpointNeed:
        data = self.obj(value, field, CHECKPOINT_FIELDS, {"code", "staff_needed"})
        code = self.string(data["code"], f"{field}.code")
        needed_raw = self.obj(data["staff_needed"], f"{field}.staff_needed", set(shifts), set())
        per_day: dict[str, list[int]] = {}
        for shift, raw in needed_raw.items():
            where = f"{field}.staff_needed.{shift}"
            if isinstance(raw, list):
                if len(raw) != horizon.days:
                    raise self.fail("roster_field_days", where, got=len(raw), days=horizon.days)
                per_day[shift] = [self.integer(n, f"{where}[{d}]", 0, 1000) for d, n in enumerate(raw)]
            elif isinstance(raw, int) and not isinstance(raw, bool):
                per_day[shift] = [self.integer(raw, where, 0, 1000)] * horizon.days
            else:
                raise self.fail(
                    "roster_field_type", where, expected="an integer or an array of integers", got=_kind(raw)
                )
        on = data.get("staff_needed_on", {})
        if not isinstance(on, dict):
            raise self.fail(
                "roster_field_type", f"{field}.staff_needed_on", expected="an object", got=_kind(on)
            )
        for raw_date, overrides in on.items():
            where = f"{field}.staff_needed_on.{raw_date}"
            date = self.date(raw_date, where)
            self.in_horizon(date, horizon, where)
            day = (date - horizon.start).days
            for shift, n in self.obj(overrides, where, set(shifts), set()).items():
                per_day.setdefault(shift, [0] * horizon.days)[day] = self.integer(
                    n, f"{where}.{shift}", 0, 1000
                )
        lead = data.get("lead_needed", False)
        if isinstance(lead, bool):
            lead_shifts = frozenset(per_day) if lead else frozenset()
        elif isinstance(lead, list):
            lead_shifts = frozenset(
                self.ref(v, f"{field}.lead_needed[{i}]", shifts, "shift") for i, v in enumerate(lead)
            )
        else:
            raise self.fail(
                "roster_field_type",
                f"{field}.lead_needed",
                expected="true, false or an array of shift codes",
                got=_kind(lead),
            )
        needed: dict[str, int | tuple[int, ...]] = {
            shift: counts[0] if len(set(counts)) == 1 else tuple(counts) for shift, counts in per_day.items()
        }
        return CheckpointNeed(code, self.string(data.get("name", code), f"{field}.name"), needed, lead_shifts)

    def staff(
        self, value: Any, field: str, horizon: Horizon, shifts: list[str], checkpoints: list[str]
    ) -> StaffMember:
        data = self.obj(value, field, STAFF_FIELDS, {"id"})
        sid = self.string(data["id"], f"{field}.id")
        allowed = frozenset(
            self.ref(v, f"{field}.checkpoints[{i}]", checkpoints, "checkpoint")
            for i, v in enumerate(self.array(data.get("checkpoints", []), f"{field}.checkpoints"))
        )
        away_days = frozenset(
            self.date(v, f"{field}.unavailable_dates[{i}]")
            for i, v in enumerate(self.array(data.get("unavailable_dates", []), f"{field}.unavailable_dates"))
        )
        ranges = []
        for i, v in enumerate(self.array(data.get("unavailable_times", []), f"{field}.unavailable_times")):
            where = f"{field}.unavailable_times[{i}]"
            rng = self.obj(v, where, TIME_RANGE_FIELDS, TIME_RANGE_FIELDS)
            start = self.datetime(rng["start"], f"{where}.start", horizon.zone)
            end = self.datetime(rng["end"], f"{where}.end", horizon.zone)
            if end <= start:
                raise self.fail("roster_field_order", where)
            ranges.append(TimeRange(start, end))
        requests = []
        for i, v in enumerate(self.array(data.get("requests", []), f"{field}.requests")):
            where = f"{field}.requests[{i}]"
            req = self.obj(v, where, REQUEST_FIELDS, {"date", "work"})
            date = self.date(req["date"], f"{where}.date")
            self.in_horizon(date, horizon, f"{where}.date")
            shift = req.get("shift")
            checkpoint = req.get("checkpoint")
            requests.append(
                Request(
                    date=date,
                    work=self.boolean(req["work"], f"{where}.work"),
                    shift=None if shift is None else self.ref(shift, f"{where}.shift", shifts, "shift"),
                    checkpoint=None
                    if checkpoint is None
                    else self.ref(checkpoint, f"{where}.checkpoint", checkpoints, "checkpoint"),
                    weight=self.integer(req.get("weight", 1), f"{where}.weight", 0, 1000),
                )
            )
        low = self.optional_number(data, "min_total_hours", field, 0, 24 * MAX_DAYS)
        high = self.optional_number(data, "max_total_hours", field, 0, 24 * MAX_DAYS)
        if low is not None and high is not None and low > high:
            raise self.fail("roster_field_range", f"{field}.min_total_hours", low=0, high=high, raw=low)
        return StaffMember(
            id=sid,
            name=self.string(data.get("name", sid), f"{field}.name"),
            team=self.string(data.get("team", ""), f"{field}.team", empty=True),
            is_lead=self.boolean(data.get("is_lead", False), f"{field}.is_lead"),
            checkpoints=allowed,
            unavailable_dates=away_days,
            unavailable_times=tuple(ranges),
            max_hours_per_week=self.optional_number(data, "max_hours_per_week", field, 0, 168),
            min_total_hours=low,
            max_total_hours=high,
            requests=tuple(requests),
        )

    def rules(self, value: Any) -> Rules:
        data = self.obj(value, "rules", RULES_FIELDS, set())
        base = Rules()

        def opt_int(key: str, low: int, high: int, default: int | None) -> int | None:
            if key not in data:
                return default
            return None if data[key] is None else self.integer(data[key], f"rules.{key}", low, high)

        rest = data.get("min_rest_hours", base.min_rest_hours)
        return Rules(
            min_rest_hours=self.number(rest, "rules.min_rest_hours", 0, 72),
            max_shifts_per_day=opt_int("max_shifts_per_day", 1, 24, base.max_shifts_per_day),
            max_consecutive_days=opt_int("max_consecutive_days", 1, MAX_DAYS, base.max_consecutive_days),
            min_days_off=opt_int("min_days_off", 0, MAX_DAYS, base.min_days_off),
        )

    def weights(self, value: Any) -> Weights:
        data = self.obj(value, "weights", WEIGHTS_FIELDS, set())
        base = Weights()
        values = {
            key: self.integer(data.get(key, getattr(base, key)), f"weights.{key}", 0, 1_000_000)
            for key in sorted(WEIGHTS_FIELDS)
        }
        return Weights(**values)

    def lock(
        self,
        value: Any,
        field: str,
        horizon: Horizon,
        shifts: list[str],
        checkpoints: list[str],
        staff: list[str],
    ) -> Lock:
        data = self.obj(value, field, LOCK_FIELDS, {"staff", "date", "shift"})
        date = self.date(data["date"], f"{field}.date")
        self.in_horizon(date, horizon, f"{field}.date")
        checkpoint = data.get("checkpoint")
        return Lock(
            staff=self.ref(data["staff"], f"{field}.staff", staff, "staff member"),
            date=date,
            shift=self.ref(data["shift"], f"{field}.shift", shifts, "shift"),
            checkpoint=None
            if checkpoint is None
            else self.ref(checkpoint, f"{field}.checkpoint", checkpoints, "checkpoint"),
            assigned=self.boolean(data.get("assigned", True), f"{field}.assigned"),
        )


def parse_instance(doc: Any, *, source: str = "instance") -> Instance:
    """An Instance from a parsed JSON document; raises RosterInputError naming the field at fault."""
    return _Reader(source).instance(doc)


def read_instance(path: str | Path) -> Instance:
    """Read and check an instance file (UTF-8 JSON)."""
    return parse_instance(_read_json(path), source=str(path))


def read_previous(path: str | Path, instance: Instance) -> Instance:
    """``instance`` with the ``assignments`` of an earlier Roster file (``--out ROSTER.json``) as
    its :attr:`~Instance.previous`, so a re-solve keeps what it can of that Roster. Raises
    RosterInputError naming the cell at fault (``assignments[3].staff``: no such staff member)."""
    doc = _read_json(path)
    reader = _Reader(str(path))
    if not isinstance(doc, dict):
        raise reader.fail("roster_field_type", str(path), expected="an object", got=_kind(doc))
    if "assignments" not in doc:
        raise reader.fail("roster_field_missing", f"{path}: assignments")
    previous = reader.cells(
        doc["assignments"],
        "assignments",
        instance.horizon,
        [s.code for s in instance.shifts],
        [c.code for c in instance.checkpoints],
        [m.id for m in instance.staff],
    )
    return replace(instance, previous=previous)


def _read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RosterInputError(
            "roster_json_unreadable",
            field=str(p),
            path=str(p),
            line=0,
            column=0,
            detail=exc.strerror or str(exc),
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RosterInputError(
            "roster_json_unreadable",
            field=str(p),
            path=str(p),
            line=exc.lineno,
            column=exc.colno,
            detail=exc.msg,
        ) from None
    return doc


# -- writing -------------------------------------------------------------------------------


def _hours(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The JSON document for ``instance`` (round-trips through :func:`parse_instance`)."""
    hz = instance.horizon
    checkpoints = []
    for cp in instance.checkpoints:
        needed: dict[str, int | list[int]] = {}
        for shift in instance.shifts:
            counts = [cp.needed(shift.code, d) for d in range(hz.days)]
            if any(counts):
                needed[shift.code] = counts[0] if len(set(counts)) == 1 else counts
        item: dict[str, Any] = {"code": cp.code, "name": cp.name, "staff_needed": needed}
        if cp.lead_shifts:
            item["lead_needed"] = sorted(cp.lead_shifts)
        checkpoints.append(item)
    staff = []
    for m in instance.staff:
        item = {"id": m.id, "name": m.name, "team": m.team, "is_lead": m.is_lead}
        if m.checkpoints:
            item["checkpoints"] = sorted(m.checkpoints)
        if m.unavailable_dates:
            item["unavailable_dates"] = sorted(d.isoformat() for d in m.unavailable_dates)
        if m.unavailable_times:
            item["unavailable_times"] = [
                {"start": r.start.isoformat(timespec="minutes"), "end": r.end.isoformat(timespec="minutes")}
                for r in m.unavailable_times
            ]
        for key in ("max_hours_per_week", "min_total_hours", "max_total_hours"):
            value = getattr(m, key)
            if value is not None:
                item[key] = _hours(value)
        if m.requests:
            item["requests"] = [
                {
                    "date": r.date.isoformat(),
                    "work": r.work,
                    "shift": r.shift,
                    "checkpoint": r.checkpoint,
                    "weight": r.weight,
                }
                for r in m.requests
            ]
        staff.append(item)
    rules, weights = instance.rules, instance.weights
    doc: dict[str, Any] = {
        "$schema": "roster-instance.schema.json",
        "version": FORMAT_VERSION,
        "name": instance.name,
        "horizon": {"start": hz.start.isoformat(), "days": hz.days, "time_zone": hz.tz},
        "shifts": [
            {"code": s.code, "start": s.start.strftime("%H:%M"), "hours": _hours(s.hours)}
            for s in instance.shifts
        ],
        "checkpoints": checkpoints,
        "staff": staff,
        "rules": {
            "min_rest_hours": _hours(rules.min_rest_hours),
            "max_shifts_per_day": rules.max_shifts_per_day,
            "max_consecutive_days": rules.max_consecutive_days,
            "min_days_off": rules.min_days_off,
        },
        "weights": {key: getattr(weights, key) for key in sorted(WEIGHTS_FIELDS)},
    }
    if instance.locks:
        doc["locks"] = [
            {
                "staff": lock.staff,
                "date": lock.date.isoformat(),
                "shift": lock.shift,
                "checkpoint": lock.checkpoint,
                "assigned": lock.assigned,
            }
            for lock in instance.locks
        ]
    if instance.previous:
        doc["previous"] = [
            {"staff": a.staff, "date": a.date.isoformat(), "shift": a.shift, "checkpoint": a.checkpoint}
            for a in instance.previous
        ]
    return doc


def write_instance(instance: Instance, path: str | Path) -> None:
    Path(path).write_text(
        json.dumps(instance_to_json(instance), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _jsonable(value: object) -> Any:
    if isinstance(value, Explanation):
        return explanation_to_json(value)
    if isinstance(value, ShiftTemplate):
        return value.code
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def explanation_to_json(explanation: Explanation) -> dict[str, Any]:
    """``{"code", "params", "zh-hans", "en"}``: the stable code, its data, and the words."""
    return {
        "code": explanation.code,
        "params": {k: _jsonable(v) for k, v in explanation.params.items()},
        "zh-hans": explanation.text("zh-hans"),
        "en": explanation.text("en"),
    }


def result_to_json(result: Result, instance: Instance | None = None) -> dict[str, Any]:
    """A Result as JSON: status, figures, the Roster cells, empty slots, hours and explanations."""

    def cell(a: Assignment) -> dict[str, str]:
        return {"staff": a.staff, "date": a.date.isoformat(), "shift": a.shift, "checkpoint": a.checkpoint}

    def slot(e: EmptySlot) -> dict[str, Any]:
        return {
            "checkpoint": e.checkpoint,
            "date": e.date.isoformat(),
            "shift": e.shift,
            "needed": e.needed,
            "missing": e.missing,
            "lead": e.lead,
        }

    doc: dict[str, Any] = {
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap_pct": None if result.gap_pct is None else round(result.gap_pct, 3),
        "wall_s": round(result.wall_s, 3),
        "objective_terms": dict(result.objective_terms),
        "hours": dict(result.hours),
        "assignments": [cell(a) for a in result.assignments],
        "empty_slots": [slot(e) for e in result.empty_slots],
        "explanations": [explanation_to_json(e) for e in result.explanations],
    }
    if instance is not None:
        doc["instance"] = instance.name
    return doc


def write_result(result: Result, path: str | Path, instance: Instance | None = None) -> None:
    Path(path).write_text(
        json.dumps(result_to_json(result, instance), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
