"""A replay of the real operation: 26 days of 西长安街街道's gates, written through the services.

``shouwang simulate --scenario xichangan --from 2020-02-29 --days 26 [--seed N] [--scale F]``
drives the demo sub-district (loaded first if missing) through the same write paths as the gate
page and the API — ``record_screening``, ``register_visit``, ``register_delivery``,
``register_returnee``, ``record_follow_up``, ``release_due``, ``solve_roster``/``publish_roster``,
``sign_in``/``sign_out``, ``raise_incident``… — never bulk inserts. Each write runs inside
``time_machine.travel(instant, tick=False)``, so the services' own clocks (which refuse writes
from the future or too far in the past) see the simulated moment.

Sources and assumptions (DESIGN.md §1 is the record):

- The record: 15 deployed cadres in 2 teams, on duty from 29 February 2020 for about 26 days;
  1,000+ duty hours, 20,000+ pass checks with a temperature, several thousand registrations;
  东斜街北口 (a food market and a hotel nearby) peaked at over 200 people an hour; 4-hour stints.
- Duty: the roster is solved for the whole period with the demo's staffing levels (about ten
  4-hour stints a day at the three gates of the record: 26 × 10 × 4 h ≈ 1,040 h) and published;
  each shift is signed in around its start (one in ten late by 5–25 min) and out at its end.
  The evening stints and the invented gates are kept by volunteers (the ``gate`` account).
- Residents (no age is stored; habits are drawn): at most one trip out and back a day. Elders go
  to the market in the morning (out 07:55 ± 27 min, back within about an hour; for 西单北 mostly
  through 东斜街北口), workers commute on weekdays (out 07:55 ± 30 min, back 18:20 ± 40 min),
  others run errands in the day. Trips grow from 0.85× to 1.15× over the period as work resumed;
  weekends are quieter. Temperatures are taken on the way in (the policy's default), typed as
  gate staff type them (``366``, ``36.6``, ``36,6``).
- Refusals and fevers, kept rare: 0.25 % of entries read 37.3 °C or more first and are retested
  a few minutes later, 8 % of those again (→ health station, which closes the alert); 0.4 % of
  early-morning readings are below 35.0 °C (cold skin) and retested; 0.15 % come without a
  mask (sent back, a quarter of them logged as an incident); residents with no pass or a revoked
  one are refused coming in; now and then a man with no pass and no mask tries to force his way
  in (escalated to the police station).
- Outsiders: about 45 visitors a day (ID scanned → ``register`` → a visit with a one-day pass,
  most leave by scanning it), about 110 delivery riders (lunch and dinner peaks) handing over at
  the gate; both from fixed pools, so many come back.
- Returnees: about 4.5 a day come home (screened at the gate; registered there or by the
  community worker a few hours later), are followed up twice a day (phone, visit or their own
  link), are released by ``release_due`` at 08:00 when due; some (and always the first) try to go
  out while in quarantine and are stopped.

Deterministic for a seed: every event is planned from the seed and a snapshot of the demo the
replay does not change, and each write's client UUID is ``uuid5`` of (scenario, seed, scale,
day, event index), so running the same command again after an interruption resumes: the
services return the records the UUIDs already name instead of writing them twice. Writes
without a client UUID (returnees, sign-in/out, the roster) check first whether they were made.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import time_machine
from django.db.models import Count

from shouwang.core.errors import ShouwangError
from shouwang.demo.simulate_day import DayPlanner, Step, duty_for
from shouwang.demo.simulate_people import Snapshot, choose_returnees, take_snapshot
from shouwang.incidents.models import Incident
from shouwang.places.models import Subdistrict
from shouwang.quarantine.models import FollowUp, Returnee
from shouwang.roster.choices import RosterStatus
from shouwang.roster.models import Attendance, Roster
from shouwang.roster.services import publish_roster, solve_roster
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.visitors.models import Delivery, Visit

SCENARIOS = ("xichangan",)
MAX_DAYS = 60
MAX_SCALE = 5.0
RETURNEES_PER_DAY = 4.5
# The namespace of the replay's client UUIDs (uuid5 of the scenario, seed, scale, day, index).
NAMESPACE = uuid.UUID("6f1c6f0e-3d52-5b8e-9d7a-2020022900b1")

# The real operation's figures (DESIGN.md §1), printed next to the replay's.
REAL_OPERATION = {
    "screenings_with_temperature": "20,000+",
    "registrations": "数千 several thousand",
    "duty_hours": "1,000+",
    "peak_gate_per_h": "200+（东斜街北口）",
}


class ReplayError(Exception):
    """Options the replay cannot run with; the message is in zh-Hans and in English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} {en}")


@dataclass(frozen=True)
class ReplayOptions:
    """``start`` is the first local date; ``days`` 1–60; ``scale`` multiplies the volume of
    trips, visitors, riders and returnees (duty follows the roster whatever the scale)."""

    scenario: str
    start: dt.date
    days: int
    seed: int = 2020
    scale: float = 1.0

    @property
    def end(self) -> dt.date:
        """The last local date of the replay (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)


def check_options(scenario: str, start: str | dt.date, days: int, seed: int, scale: float) -> ReplayOptions:
    """Options from the command line, checked; raises :class:`ReplayError` with words for each
    problem (unknown scenario, a date that is not ``YYYY-MM-DD``, days outside 1–60, a negative
    seed, a scale outside (0, 5])."""
    if scenario not in SCENARIOS:
        raise ReplayError(
            f"未知的场景“{scenario}”，目前只有：{'、'.join(SCENARIOS)}。",
            f"Unknown scenario '{scenario}'; the only one is: {', '.join(SCENARIOS)}.",
        )
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start.strip())
        except ValueError:
            raise ReplayError(
                f"--from 须为日期 YYYY-MM-DD，收到“{start}”。",
                f"--from must be a date YYYY-MM-DD, got '{start}'.",
            ) from None
    if not 1 <= days <= MAX_DAYS:
        raise ReplayError(
            f"--days 须在 1 到 {MAX_DAYS} 之间，收到 {days}。",
            f"--days must be between 1 and {MAX_DAYS}, got {days}.",
        )
    if not 0 <= seed < 2**31:
        raise ReplayError("--seed 须在 0 到 2147483647 之间。", "--seed must be between 0 and 2147483647.")
    if not 0 < scale <= MAX_SCALE:
        raise ReplayError(
            f"--scale 须大于 0 且不超过 {MAX_SCALE:g}，收到 {scale:g}。",
            f"--scale must be above 0 and at most {MAX_SCALE:g}, got {scale:g}.",
        )
    return ReplayOptions(scenario, start, days, seed, scale)


@dataclass(frozen=True)
class PeriodFigures:
    """What the database holds for the local dates of a period, counted afterwards.

    ``screenings`` counts every screening (each person passing a gate once); those
    ``with_temperature`` are the record's "pass checks with temperature" (entries);
    ``registrations`` = visits + deliveries + returnees arrived in the period; ``duty_hours``
    from attendance sign-in to sign-out; ``peak_gate_per_h`` the most screenings at one gate in
    one local hour (``peak`` names it)."""

    screenings: int
    with_temperature: int
    at_record_gates: int
    decisions: dict[str, int]
    fevers: int
    visits: int
    deliveries: int
    returnees: int
    follow_ups: int
    incidents: int
    duty_hours: float
    peak_gate_per_h: int
    peak: str

    @property
    def registrations(self) -> int:
        return self.visits + self.deliveries + self.returnees

    def last_line(self) -> str:
        """The command's last line."""
        return (
            f"screenings={self.screenings} registrations={self.registrations} "
            f"duty_hours={round(self.duty_hours)} peak_gate_per_h={self.peak_gate_per_h}"
        )


def period_figures(subdistrict: Subdistrict, start: dt.date, end: dt.date) -> PeriodFigures:
    """Count the period's records of ``subdistrict`` (local dates ``start``–``end`` inclusive)."""
    screenings = ScreeningEvent.objects.filter(
        community__subdistrict=subdistrict, local_date__gte=start, local_date__lte=end
    )
    fever = Policy.from_overrides(subdistrict.policy).fever_c
    peak_row = (
        screenings.values("checkpoint__name", "local_date", "local_hour")
        .annotate(n=Count("id"))
        .order_by("-n", "local_date", "local_hour")
        .first()
    )
    tz = subdistrict_zone(subdistrict)
    first = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    hours = 0.0
    for signed_in, signed_out in Attendance.objects.filter(
        community__subdistrict=subdistrict,
        local_date__gte=start,
        local_date__lte=end,
        signed_out_at__isnull=False,
    ).values_list("signed_in_at", "signed_out_at"):
        if signed_out is not None:
            hours += (signed_out - signed_in).total_seconds() / 3600
    peak = (
        f"{peak_row['checkpoint__name']} {peak_row['local_date']:%Y-%m-%d} "
        f"{peak_row['local_hour']:02d}:00–{peak_row['local_hour'] + 1:02d}:00"
        if peak_row
        else "-"
    )
    return PeriodFigures(
        screenings=screenings.count(),
        with_temperature=screenings.filter(temperature_c__isnull=False).count(),
        at_record_gates=screenings.filter(temperature_c__isnull=False, checkpoint__invented=False).count(),
        decisions=dict(screenings.values_list("decision").annotate(n=Count("id")).order_by()),
        fevers=screenings.filter(temperature_c__gte=Decimal(fever)).count(),
        visits=Visit.objects.filter(
            community__subdistrict=subdistrict, local_date__gte=start, local_date__lte=end
        ).count(),
        deliveries=Delivery.objects.filter(
            community__subdistrict=subdistrict, local_date__gte=start, local_date__lte=end
        ).count(),
        returnees=Returnee.objects.filter(
            community__subdistrict=subdistrict, arrived_at__gte=first, arrived_at__lt=after
        ).count(),
        follow_ups=FollowUp.objects.filter(
            community__subdistrict=subdistrict, local_date__gte=start, local_date__lte=end
        ).count(),
        incidents=Incident.objects.filter(
            community__subdistrict=subdistrict, local_date__gte=start, local_date__lte=end
        ).count(),
        duty_hours=hours,
        peak_gate_per_h=int(peak_row["n"]) if peak_row else 0,
        peak=peak,
    )


def subdistrict_zone(subdistrict: Subdistrict) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(subdistrict.timezone)


@dataclass
class ReplayResult:
    """What a run did: the outcome tags of its writes (``screening:admit``, ``refused:<code>``…),
    the roster's status, how long the writes took, and the period's figures afterwards."""

    figures: PeriodFigures
    tally: Counter[str] = field(default_factory=Counter)
    roster: str = ""
    writes: int = 0
    seconds: float = 0.0
    screenings_written: int = 0


def ensure_roster(snap: Snapshot, options: ReplayOptions) -> str:
    """Solve and publish the period's roster the evening before it starts (simulated time),
    unless rosters already cover part of the period (a resumed run): those are published and
    used. Returns words for the table."""
    sub = snap.subdistrict
    admin = snap.users["admin"]
    tz = subdistrict_zone(sub)
    evening = dt.datetime.combine(options.start - dt.timedelta(days=1), dt.time(18), tzinfo=tz)
    covering = [
        r
        for r in Roster.objects.filter(subdistrict=sub, start__lte=options.end).order_by("start")
        if r.end >= options.start
    ]
    with time_machine.travel(evening, tick=False):
        if covering:
            for roster in covering:
                if roster.status != RosterStatus.PUBLISHED:
                    publish_roster(roster, actor=admin)
            return f"已有 existing ({', '.join(f'{r.start}+{r.days}d' for r in covering)})"
        try:
            outcome = solve_roster(
                sub,
                start=options.start,
                days=options.days,
                actor=admin,
                time_limit_s=min(60.0, 5.0 + 1.5 * options.days),
                seed=options.seed,
            )
        except ShouwangError as exc:
            return f"未排班 not solved: {exc.code}"
        if outcome.roster is None or not outcome.stored:
            return f"未排班 not solved: {outcome.status}"
        publish_roster(outcome.roster, actor=admin)
        return f"{outcome.status}, {outcome.roster.shifts.count()} shifts"


def plan_replay(snap: Snapshot, options: ReplayOptions) -> list[tuple[dt.date, list[Step]]]:
    """Every day's steps in time order (planning only; nothing is written)."""
    count = max(1, round(RETURNEES_PER_DAY * options.days * options.scale))
    returnees = choose_returnees(snap, start=options.start, days=options.days, count=count, seed=options.seed)
    planned = []
    for index in range(options.days):
        day = options.start + dt.timedelta(days=index)
        planner = DayPlanner(
            snap,
            day,
            index=index,
            days=options.days,
            seed=options.seed,
            scale=options.scale,
            returnees=returnees,
            duty=duty_for(snap, day),
        )
        steps = planner.plan()
        steps.sort(key=lambda s: (s.at, s.index))
        planned.append((day, steps))
    return planned


def client_id(options: ReplayOptions, day: dt.date, index: int) -> uuid.UUID:
    """The client UUID of the ``index``-th planned write of ``day``: the same on every run."""
    return uuid.uuid5(
        NAMESPACE, f"{options.scenario}/{options.seed}/{options.scale:g}/{day.isoformat()}/{index}"
    )


def run_replay(
    subdistrict: Subdistrict,
    options: ReplayOptions,
    *,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> ReplayResult:
    """Run the replay (see the module docstring); ``progress`` wraps the iteration over the
    writes (e.g. ``lambda it, total: tqdm(it, total=total)``). Returns the tally and the
    period's figures, counted from the database afterwards."""
    snap = take_snapshot(subdistrict, start=options.start, end=options.end, seed=options.seed)
    roster = ensure_roster(snap, options)
    planned = plan_replay(snap, options)
    flat = [(day, step) for day, steps in planned for step in steps]
    tally: Counter[str] = Counter()
    iterator: Iterable[tuple[dt.date, Step]] = progress(flat, len(flat)) if progress else flat
    started = time.monotonic()
    for day, step in iterator:
        with time_machine.travel(step.at, tick=False):
            try:
                tag = step.run(client_id(options, day, step.index))
            except ShouwangError as exc:
                tag = f"refused:{exc.code}"
        if tag:
            tally[tag] += 1
    return ReplayResult(
        figures=period_figures(subdistrict, options.start, options.end),
        tally=tally,
        roster=roster,
        writes=len(flat),
        seconds=time.monotonic() - started,
        screenings_written=sum(n for tag, n in tally.items() if tag.startswith("screening:")),
    )


def totals_table(result: ReplayResult, options: ReplayOptions) -> list[str]:
    """The totals next to the real operation's, as lines of text."""
    f = result.figures
    real = REAL_OPERATION
    rate = result.screenings_written / result.seconds if result.seconds else 0.0
    decisions = " ".join(f"{k}={v}" for k, v in sorted(f.decisions.items()))
    refused = sum(n for tag, n in result.tally.items() if tag.startswith("refused:"))
    rows = [
        ("", "本次重演 replay", "真实记录 real operation"),
        ("日期 period", f"{options.start} – {options.end} ({options.days} d)", "2020-02-29 起约 26 天 ~26 d"),
        ("测温查证 screenings (all)", f"{f.screenings:,}", ""),
        ("  其中测温 with temperature", f"{f.with_temperature:,}", real["screenings_with_temperature"]),
        ("  三个记录卡口 at the 3 gates on record", f"{f.at_record_gates:,}", ""),
        ("  决定 decisions", decisions, ""),
        ("  发热读数 readings ≥ fever threshold", f"{f.fevers:,}", ""),
        ("登记 registrations", f"{f.registrations:,}", real["registrations"]),
        ("  访客 visits", f"{f.visits:,}", ""),
        ("  外卖快递 deliveries", f"{f.deliveries:,}", ""),
        ("  返京人员 returnees", f"{f.returnees:,}", ""),
        ("隔离随访 follow-ups", f"{f.follow_ups:,}", ""),
        ("事件 incidents", f"{f.incidents:,}", ""),
        ("值守时长 duty hours", f"{f.duty_hours:,.1f}", real["duty_hours"]),
        ("卡口高峰 peak at one gate (/h)", f"{f.peak_gate_per_h} — {f.peak}", real["peak_gate_per_h"]),
        ("排班 roster", result.roster, "15 名下沉干部，2 个临时党支部 15 cadres, 2 teams"),
        (
            "写入 writes this run",
            f"{result.writes:,} in {result.seconds:.1f} s ({rate:.0f} screenings/s)",
            "",
        ),
        ("被拒写入 writes refused", f"{refused}", ""),
    ]
    width = max(_width(r[0]) for r in rows) + 2
    mid = max(_width(r[1]) for r in rows) + 2
    return [(_pad(a, width) + _pad(b, mid) + c).rstrip() for a, b, c in rows]


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
