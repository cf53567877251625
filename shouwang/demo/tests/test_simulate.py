"""``shouwang simulate`` replays the operation through the services, prints what the database
holds, resumes without doubling after an interruption, and refuses bad options in two languages."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.core.models import AuditLog
from shouwang.demo import scenario, simulate_day
from shouwang.demo.scenario import load_xichangan
from shouwang.demo.simulate import check_options, client_id, period_figures, run_replay
from shouwang.incidents.models import Escalation, Incident, ServiceLog
from shouwang.passes.cards import render_pass_type_picture
from shouwang.passes.models import PassType
from shouwang.places.models import Subdistrict
from shouwang.quarantine.models import Returnee
from shouwang.roster.models import Attendance
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.visitors.models import Delivery, Visit

TODAY = dt.date(2026, 3, 1)
START = dt.date(2020, 3, 2)  # a Monday: commuters, market, riders
ARGS = ["--from", "2020-03-02", "--days", "2", "--seed", "11", "--scale", "0.25", "--no-progress"]
LAST_LINE = re.compile(r"^screenings=(\d+) registrations=(\d+) duty_hours=(\d+) peak_gate_per_h=(\d+)$")

_PICTURES: dict[tuple[str, ...], bytes] = {}


def _cached_picture(pass_type: PassType) -> bytes:
    key = (pass_type.community.code, pass_type.code, pass_type.colour)
    if key not in _PICTURES:
        _PICTURES[key] = render_pass_type_picture(pass_type)
    return _PICTURES[key]


@pytest.fixture
def demo(db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Subdistrict:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(scenario, "render_pass_type_picture", _cached_picture)
    # The demo's own week of duty around today is not the replay's: keep its staffing levels and
    # skip its solve (seconds of CP-SAT per test).
    monkeypatch.setattr(scenario, "solve_roster", lambda *a, **k: SimpleNamespace(roster=None))
    load_xichangan(residents=240, password="demo-pw-for-tests", today=TODAY)
    return Subdistrict.objects.get(code="xichangan")


def _simulate(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def _db_counts(sub: Subdistrict) -> tuple[int, int, int, int]:
    """The last line's four figures, counted here without the command's own code."""
    end = START + dt.timedelta(days=1)
    events = ScreeningEvent.objects.filter(local_date__gte=START, local_date__lte=end)
    tz = dt.timezone(dt.timedelta(hours=8))
    registrations = (
        Visit.objects.filter(local_date__gte=START, local_date__lte=end).count()
        + Delivery.objects.filter(local_date__gte=START, local_date__lte=end).count()
        + Returnee.objects.filter(
            arrived_at__gte=dt.datetime.combine(START, dt.time(0), tzinfo=tz),
            arrived_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
        ).count()
    )
    seconds = sum(
        (a.signed_out_at - a.signed_in_at).total_seconds()
        for a in Attendance.objects.filter(local_date__gte=START, local_date__lte=end)
        if a.signed_out_at
    )
    per_hour: dict[tuple[int, dt.date, int], int] = {}
    for gate, day, hour in events.values_list("checkpoint_id", "local_date", "local_hour"):
        per_hour[gate, day, hour] = per_hour.get((gate, day, hour), 0) + 1
    return events.count(), registrations, round(seconds / 3600), max(per_hour.values())


def test_replay_goes_through_the_services_and_prints_what_the_database_holds(demo: Subdistrict) -> None:
    lines = _simulate(*ARGS)
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    printed = tuple(int(n) for n in match.groups())
    assert printed == _db_counts(demo)
    screenings, registrations, duty_hours, peak = printed
    assert screenings > 80 and registrations > 20 and duty_hours > 60 and peak > 5
    assert any("真实记录 real operation" in line for line in lines)
    assert any("20,000+" in line for line in lines)
    refused = next(line for line in lines if line.startswith("被拒写入 writes refused"))
    assert refused.split()[-1] == "0"

    period = (START, START + dt.timedelta(days=1))
    events = ScreeningEvent.objects.filter(local_date__range=period)
    # Written by record_screening: a gate worker, a decision with reasons, the fingerprint that
    # makes a retry idempotent, and the client UUID the replay derived for it (uuid5).
    assert not events.filter(staff__isnull=True).exists()
    assert all(e.fingerprint and e.reasons and e.id.version == 5 for e in events)
    assert events.filter(temperature_c__isnull=False, direction="in").count() * 2 >= screenings * 0.8
    assert events.filter(direction="out", temperature_c__isnull=True).exists()
    # Visitors were registered from their ``register`` screening and got a one-day pass.
    visits = Visit.objects.filter(local_date__range=period)
    assert visits.exists()
    assert all(v.screening_id and v.pass_number for v in visits if v.decision == "admit")
    assert AuditLog.objects.filter(action="visit.register").count() >= visits.count()
    assert Delivery.objects.filter(local_date__range=period).exists()
    # The roster was solved and published; cadres signed in and out at their shifts' times.
    attendance = Attendance.objects.filter(local_date__range=period)
    assert attendance.filter(shift__isnull=False).count() == attendance.count() > 10
    assert AuditLog.objects.filter(action="roster.publish").exists()
    # The first returnee came home on the first day and tried to go out while in quarantine:
    # stopped at the gate, the community worker alerted, who talked them back home.
    stopped = [e for e in events.filter(direction="out", decision="deny") if "quarantine_active" in e.reasons]
    assert len(stopped) == 1
    assert Returnee.objects.filter(resident=stopped[0].resident, plan__first_day=START).exists()
    alert = Alert.objects.get(screening=stopped[0], kind=AlertKind.QUARANTINE_BREACH)
    assert alert.resolved_at is not None and alert.resolved_by is not None


def test_running_again_after_an_interruption_resumes_without_doubling(
    demo: Subdistrict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make the rare events of a day certain: a forced entry and several services given.
    monkeypatch.setattr(simulate_day, "FORCED_ENTRY_PER_DAY", 50.0)
    monkeypatch.setattr(simulate_day, "SERVICES_PER_DAY", 40.0)
    options = check_options("xichangan", START, 1, 11, 0.15)
    # Interrupted after 60 writes (as Ctrl-C would leave it), then run to the end twice.
    partial = run_replay(demo, options, progress=lambda items, total: itertools.islice(items, 60))
    assert partial.writes > 60
    assert 0 < ScreeningEvent.objects.count() < 60
    full = run_replay(demo, options)
    signed = Attendance.objects.count()
    again = run_replay(demo, options)
    assert Attendance.objects.count() == signed
    assert again.figures == full.figures
    assert not [tag for tag in full.tally | again.tally if tag.startswith("refused:")]
    forced = Incident.objects.get(kind="forced_entry", local_date=START)
    escalation = Escalation.objects.get(incident=forced)
    assert forced.status == "closed" and forced.closed_at is not None
    assert forced.occurred_at <= escalation.at < forced.closed_at
    assert ServiceLog.objects.filter(local_date=START).count() == full.tally["service"] >= 3
    # Each planned screening is one event: the resumed writes returned what their UUID named.
    planned = sum(n for tag, n in again.tally.items() if tag.startswith("screening:"))
    assert ScreeningEvent.objects.count() == planned == full.figures.screenings
    first_event = client_id(options, START, 0)
    assert isinstance(first_event, uuid.UUID) and first_event == client_id(options, START, 0)
    assert Visit.objects.filter(local_date=START).count() == sum(
        n for tag, n in again.tally.items() if tag.startswith("visit:")
    )
    assert period_figures(demo, START, START) == full.figures


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scenario", "wuhan"], ("未知的场景", "Unknown scenario")),
        (["--from", "2020-02-30"], ("YYYY-MM-DD", "must be a date")),
        (["--days", "0"], ("1 到 60", "between 1 and 60")),
        (["--days", "61"], ("1 到 60", "between 1 and 60")),
        (["--days", "many"], ("整数", "an integer")),
        (["--scale", "0"], ("大于 0", "above 0")),
        (["--seed", "-1"], ("--seed", "between 0")),
    ],
)
def test_bad_options_are_refused_in_both_languages(args: list[str], words: tuple[str, str]) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("simulate", *args, "--no-progress", stdout=io.StringIO())
    assert words[0] in str(caught.value) and words[1] in str(caught.value)
