"""One simulated day at the gates of 西长安街街道, as a list of timed writes through the services.

:func:`plan_day` only plans: it returns :class:`Step` values (a local instant and a function that
makes one write through a service when called with the step's client UUID). The runner in
:mod:`shouwang.demo.simulate` sorts them and calls each inside ``time_machine.travel`` at its
instant, so every service sees its own ``timezone.now()``. Planning reads nothing from the
database beyond the :class:`~shouwang.demo.simulate_people.Snapshot` and the day's shifts, and
draws from a ``random.Random`` seeded with (seed, day): the same seed plans the same steps.

The shape of the day (assumptions, see :mod:`shouwang.demo.simulate` for the sources):
residents make at most one trip out and back a day — elders to the market in the morning
(东斜街北口 for 西单北, peak 07:30–09:00), workers out 07:00–09:00 and back 17:30–19:30 on
weekdays, errands in the day; members of the institutions come in to work and leave; visitors
are registered at the gate (ID scanned → ``register`` → visit) and leave by their one-day pass;
riders hand over at the gate around lunch and dinner; returnees come home and are registered,
followed up twice a day and released when due; rostered cadres sign in and out.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shouwang.core.models import Staff
from shouwang.demo.simulate_people import (
    CHILD,
    ELDER,
    MEMBER_HOURS,
    WORKER,
    Gate,
    Person,
    ReturneePlan,
    Snapshot,
)
from shouwang.incidents.services import close_incident, escalate_incident, log_service, raise_incident
from shouwang.quarantine.models import QuarantinePlan
from shouwang.quarantine.services import (
    PersonIn,
    TripIn,
    plans_due_for_release,
    record_follow_up,
    register_returnee,
    release_due,
    resolve_alert,
)
from shouwang.roster.models import Attendance, Shift
from shouwang.roster.services import sign_in, sign_out
from shouwang.screening.choices import Decision
from shouwang.screening.identify import Identifier
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.services import record_screening
from shouwang.visitors.models import Visit
from shouwang.visitors.services import (
    HostIn,
    VisitorIn,
    register_delivery,
    register_visit,
    visit_pass_qr,
)

# Which gate a resident uses (shares of the trips of each community). 东斜街北口 is the market
# gate of 西单北; 小酱坊胡同西口 is next to the subway. Closed gates are skipped at the time.
GATE_SHARES = {
    "xdb": (("dongxie-n", 0.55), ("xidanbei-x", 0.25), ("xixie-s", 0.20)),
    "tps": (("xiaojiangfang-w", 0.45), ("lixue-e", 0.30), ("taipusi-w", 0.25)),
}
MARKET_GATE = "dongxie-n"
# Daily chance of a trip by habit (at scale 1, before the day's factor).
TRIP_RATE = {ELDER: 0.55, WORKER: 0.30, "homebody": 0.22, CHILD: 0.03}
# Per entry: first reading of a fever (37.3 °C or more: after a brisk walk in the sun, a heavy
# bag), and a reading below 35.0 °C (an IR gun on cold skin early in the morning).
FEVER_FIRST = 0.0025
FEVER_CONFIRMED = 0.08  # of first fevers, the retest is a fever again → health station
IMPLAUSIBLE_MORNING = 0.004
NO_MASK = 0.0015
FAHRENHEIT = 0.001  # a gun left in °F
VISITORS_PER_DAY = 45
DELIVERIES_PER_DAY = 110
SERVICES_PER_DAY = 2.0
FORCED_ENTRY_PER_DAY = 0.08

_REASONS = (
    "探亲 visiting family",
    "照护老人 caring for an elder",
    "送物资 bringing supplies",
    "维修 repairs",
    "送药 bringing medicine",
)
_PLATFORMS = (("meituan", 0.38), ("eleme", 0.27), ("sf", 0.15), ("jd", 0.12), ("ems", 0.05), ("other", 0.03))


@dataclass(frozen=True)
class Step:
    """One write at a local instant. ``run`` gets the step's client UUID and returns an outcome
    tag (``screening:admit``, ``visit``…) for the tally, or ``None``."""

    at: dt.datetime
    index: int
    run: Callable[[uuid.UUID], str | None]


@dataclass
class Shared:
    """What steps of one day hand on to later steps (a visit for its exit, a screening for the
    visit it became, a plan for its follow-ups)."""

    screenings: dict[str, ScreeningEvent] = field(default_factory=dict)
    visits: dict[str, Visit] = field(default_factory=dict)
    plans: dict[int, QuarantinePlan] = field(default_factory=dict)


@dataclass(frozen=True)
class Duty:
    """Who stands at which gate when: the day's rostered shifts; anyone else at a gate is a
    community volunteer (the demo's ``gate`` account)."""

    shifts: tuple[tuple[str, dt.datetime, dt.datetime, int, int], ...]  # gate, start, end, staff, shift
    volunteer: Any
    staff_users: dict[int, Any]

    def actor(self, gate: str, at: dt.datetime) -> Any:
        for code, start, end, staff, _ in self.shifts:
            if code == gate and start <= at < end:
                return self.staff_users[staff]
        return self.volunteer


def duty_for(snap: Snapshot, day: dt.date) -> Duty:
    """The shifts of published rosters on local ``day``."""
    rows = (
        Shift.objects.filter(community__subdistrict=snap.subdistrict, date=day, roster__status="published")
        .values_list("checkpoint__code", "starts_at", "ends_at", "staff_id", "pk")
        .order_by("starts_at", "pk")
    )
    return Duty(tuple(rows), snap.users["gate"], snap.staff_users)


def typed(celsius: float, rng: random.Random) -> str:
    """A reading as gate staff type it: ``366`` mostly, ``36.6`` or ``36,6`` sometimes."""
    text = f"{celsius:.1f}"
    draw = rng.random()
    if draw < 0.7:
        return text.replace(".", "")
    return text.replace(".", ",") if draw < 0.75 else text


def normal_reading(rng: random.Random) -> float:
    """An IR-gun forehead reading outdoors in March: 36.4 °C ± 0.25, clipped 35.6–37.1."""
    return min(37.1, max(35.6, rng.gauss(36.4, 0.25)))


class DayPlanner:
    """Plans the steps of one local day; see the module docstring."""

    def __init__(
        self,
        snap: Snapshot,
        day: dt.date,
        *,
        index: int,
        days: int,
        seed: int,
        scale: float,
        returnees: list[ReturneePlan],
        duty: Duty,
    ) -> None:
        self.snap = snap
        self.day = day
        self.scale = scale
        self.rng = random.Random(f"{seed}/{scale}/{day.isoformat()}")  # noqa: S311 - reproducible replay
        self.tz = next(iter(snap.communities.values())).tz
        self.returnees = returnees
        self.duty = duty
        self.shared = Shared()
        self.steps: list[Step] = []
        weekend = day.weekday() >= 5
        # From the strict first days of March to more movement as work resumed, with the weather.
        trend = 0.85 + 0.3 * (index / max(1, days - 1))
        self.factor = trend * self.rng.uniform(0.93, 1.07) * (0.92 if weekend else 1.0)
        self.weekend = weekend

    # ---- helpers --------------------------------------------------------------------------

    def at(self, hours: float) -> dt.datetime:
        """The local instant ``hours`` after midnight of the day (fractions are minutes/seconds)."""
        hours = min(max(hours, 0.0), 23.999)
        seconds = int(hours * 3600)
        return dt.datetime.combine(self.day, dt.time(0), tzinfo=self.tz) + dt.timedelta(seconds=seconds)

    def add(self, at: dt.datetime, run: Callable[[uuid.UUID], str | None]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def count(self, mean: float) -> int:
        """A Poisson-like count with ``mean`` (scaled), drawn from the day's generator."""
        mean *= self.scale
        if mean <= 0:
            return 0
        # Knuth's method is fine for the small means here; a normal approximation above 30.
        if mean > 30:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def gate_for(self, community: str, at: dt.datetime, *, market: bool = False) -> Gate:
        shares = GATE_SHARES[community]
        if market and community == "xdb":
            shares = ((MARKET_GATE, 0.85), ("xidanbei-x", 0.08), ("xixie-s", 0.07))
        local = at.astimezone(self.tz).time()
        open_ = [(self.snap.gates[c], w) for c, w in shares if self.snap.gates[c].open_at(local)]
        draw = self.rng.random() * sum(w for _, w in open_)
        for gate, weight in open_:
            draw -= weight
            if draw <= 0:
                return gate
        return open_[-1][0]

    def held(self, person: Person) -> bool:
        until = self.snap.held_until.get(person.resident_id)
        return until is not None and self.day <= until

    # ---- the day --------------------------------------------------------------------------

    def plan(self) -> list[Step]:
        away = self._returnees()
        self._attendance()
        self._release()
        self._residents(away)
        self._members()
        self._visitors()
        self._deliveries()
        self._incidents()
        return self.steps

    # ---- screenings ------------------------------------------------------------------------

    def screen(
        self,
        at: dt.datetime,
        gate: Gate,
        ident: Identifier,
        *,
        direction: str,
        reading: str | None,
        mask: bool | None = True,
        key: str = "",
    ) -> None:
        """A screening at ``gate`` by whoever stands there at ``at``; ``key`` keeps the event
        for later steps."""
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)
        shared = self.shared

        def run(client_id: uuid.UUID) -> str:
            result = record_screening(
                ident,
                checkpoint=checkpoint,
                direction=direction,
                temperature=reading,
                mask=mask,
                actor=actor,
                client_id=client_id,
                occurred_at=at,
            )
            if key:
                shared.screenings[key] = result.event
            return f"screening:{result.event.decision}"

        self.add(at, run)

    def ident(self, person: Person) -> Identifier:
        """How the gate finds a resident: the pass's QR mostly, its number typed, or the name
        picked from the search (a paper pass, or no pass on file)."""
        holder = person.holder
        if holder.status == "none":
            return Identifier(resident=person.resident_id)
        draw = self.rng.random()
        if draw < 0.8 and holder.valid_until is not None:
            return Identifier(qr=holder.qr)
        if draw < 0.92:
            return Identifier(pass_number=holder.pass_number)
        return Identifier(resident=person.resident_id)

    def entry(self, at: dt.datetime, gate: Gate, ident: Identifier, *, tag: str) -> bool:
        """An entry with a temperature reading and its follow-ups: a first fever is retested a
        few minutes later (mostly normal, rarely a referral), a cold-skin reading retested, no
        mask sent back for one. Returns False when the person ends up at the health station."""
        rng = self.rng
        morning = at.astimezone(self.tz).hour < 9
        draw = rng.random()
        if draw < NO_MASK:
            self.screen(
                at, gate, ident, direction="in", reading=typed(normal_reading(rng), rng), mask=False, key=tag
            )
            if rng.random() < 0.25:
                self._no_mask_incident(at + dt.timedelta(minutes=1), gate, tag)
            at += dt.timedelta(minutes=rng.randint(4, 12))
        elif draw < NO_MASK + FAHRENHEIT:
            self.screen(at, gate, ident, direction="in", reading=f"{normal_reading(rng) * 9 / 5 + 32:.1f}")
            return True
        if morning and rng.random() < IMPLAUSIBLE_MORNING:
            self.screen(at, gate, ident, direction="in", reading=typed(rng.uniform(33.8, 34.9), rng))
            at += dt.timedelta(minutes=rng.randint(2, 5))
        elif rng.random() < FEVER_FIRST:
            self.screen(at, gate, ident, direction="in", reading=typed(rng.uniform(37.3, 37.9), rng))
            at += dt.timedelta(minutes=rng.randint(3, 8))
            if rng.random() < FEVER_CONFIRMED:
                self.screen(
                    at, gate, ident, direction="in", reading=typed(rng.uniform(37.4, 38.3), rng), key=tag
                )
                self._resolve_referral(at + dt.timedelta(minutes=rng.randint(40, 90)), tag)
                return False
        self.screen(at, gate, ident, direction="in", reading=typed(normal_reading(rng), rng))
        return True

    def _residents(self, away: set[int]) -> None:
        rng = self.rng
        for person in self.snap.people:
            rate = TRIP_RATE[person.habit]
            if person.habit == WORKER and self.weekend:
                rate *= 0.5
            if rng.random() >= rate * self.factor * self.scale:
                continue
            if person.resident_id in away or self.held(person):
                continue
            if person.habit == ELDER and rng.random() < 0.8:
                out = rng.gauss(7.9, 0.45)
                back = out + rng.uniform(0.3, 1.0)
                market = True
            elif person.habit == WORKER and not self.weekend:
                out = rng.gauss(7.9, 0.5)
                back = rng.gauss(18.3, 0.7)
                market = False
            else:
                out = rng.uniform(9.0, 16.5)
                back = out + rng.uniform(0.4, 2.5)
                market = False
            leave, home = self.at(max(out, 5.5)), self.at(min(back, 22.5))
            gate_out = self.gate_for(person.community, leave, market=market)
            same = rng.random() < 0.8 and gate_out.open_at(home.astimezone(self.tz).time())
            gate_in = gate_out if same else self.gate_for(person.community, home)
            ident = self.ident(person)
            self.screen(leave, gate_out, ident, direction="out", reading=None)
            self.entry(home, gate_in, ident, tag=f"r{person.resident_id}")

    def _members(self) -> None:
        rng = self.rng
        for member in self.snap.members:
            arrive, leave, weekdays = MEMBER_HOURS.get(member.kind, ((8, 9), (17, 18), False))
            if weekdays and self.weekend:
                continue
            if rng.random() >= 0.85 * self.scale:
                continue
            gates = [self.snap.gates[c] for c in member.holder.gates] or [
                g for g in self.snap.gates.values() if g.community == member.community
            ]
            come = self.at(rng.uniform(*arrive))
            go = self.at(rng.uniform(*leave))
            local_come, local_go = come.astimezone(self.tz).time(), go.astimezone(self.tz).time()
            open_in = [g for g in gates if g.open_at(local_come)] or gates
            open_out = [g for g in gates if g.open_at(local_go)] or gates
            ident = (
                Identifier(qr=member.holder.qr)
                if rng.random() < 0.85
                else Identifier(pass_number=member.holder.pass_number)
            )
            if self.entry(come, rng.choice(open_in), ident, tag=f"m{member.member_id}"):
                self.screen(go, rng.choice(open_out), ident, direction="out", reading=None)

    # ---- outsiders ----------------------------------------------------------------------------

    def _outsider(self, n: int) -> tuple[str, str, str]:
        """Visitor ``n`` of a fixed pool of 300 (many come back day after day to care for an
        elder): name, ID number, phone — synthetic, like the demo's people."""
        pool = _outsider_pool(self.snap)
        return pool[n % len(pool)]

    def _visitors(self) -> None:
        rng = self.rng
        hosts = [p for p in self.snap.people if p.household_id is not None]
        for n in range(self.count(VISITORS_PER_DAY * self.factor)):
            name, id_number, phone = self._outsider(rng.randrange(300))
            host = hosts[rng.randrange(len(hosts))]
            come = self.at(rng.choice((rng.uniform(8.5, 11.5), rng.uniform(13.5, 17.5))))
            gate = self.gate_for(host.community, come)
            key = f"v{n}"
            reading = typed(normal_reading(rng), rng)
            self.screen(come, gate, Identifier(id_number=id_number), direction="in", reading=reading, key=key)
            self._visit(
                come + dt.timedelta(seconds=rng.randint(40, 150)), gate, key, name, id_number, phone, host
            )
            if rng.random() < 0.85:
                leave = come + dt.timedelta(minutes=rng.randint(20, 180))
                out_gate = (
                    gate
                    if gate.open_at(leave.astimezone(self.tz).time())
                    else self.gate_for(host.community, leave)
                )
                self._visit_exit(leave, out_gate, key)

    def _visit(
        self, at: dt.datetime, gate: Gate, key: str, name: str, id_number: str, phone: str, host: Person
    ) -> None:
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)
        shared = self.shared
        reason = _REASONS[self.rng.randrange(len(_REASONS))]
        assert host.household_id is not None
        host_in = HostIn("household", host.household_id)

        def run(client_id: uuid.UUID) -> str | None:
            screening = shared.screenings.get(key)
            if screening is None or screening.decision != Decision.REGISTER:
                return "visit:skipped"  # the ID matched someone known: no visitor form
            result = register_visit(
                checkpoint,
                visitor=VisitorIn(name=name, phone=phone, id_number=id_number),
                host=host_in,
                reason=reason,
                temperature=None,
                mask=None,
                actor=actor,
                client_id=client_id,
                occurred_at=at,
                screening=screening,
            )
            shared.visits[key] = result.visit
            return f"visit:{result.visit.decision}"

        self.add(at, run)

    def _visit_exit(self, at: dt.datetime, gate: Gate, key: str) -> None:
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)
        shared = self.shared

        def run(client_id: uuid.UUID) -> str | None:
            visit = shared.visits.get(key)
            if visit is None or not visit.pass_number:
                return None
            result = record_screening(
                Identifier(qr=visit_pass_qr(visit)),
                checkpoint=checkpoint,
                direction="out",
                temperature=None,
                mask=True,
                actor=actor,
                client_id=client_id,
                occurred_at=at,
            )
            return f"screening:{result.event.decision}"

        self.add(at, run)

    def _deliveries(self) -> None:
        rng = self.rng
        riders = _rider_pool(self.snap)
        gates = (
            ("dongxie-n", 0.35),
            ("xiaojiangfang-w", 0.25),
            ("lixue-e", 0.15),
            ("xidanbei-x", 0.15),
            ("taipusi-w", 0.10),
        )
        for _ in range(self.count(DELIVERIES_PER_DAY * self.factor)):
            phone, name, platform = riders[rng.randrange(len(riders))]
            meal = rng.random()
            hour = (
                rng.gauss(11.9, 0.6)
                if meal < 0.45
                else rng.gauss(18.0, 0.7)
                if meal < 0.8
                else rng.uniform(9, 17)
            )
            at = self.at(min(max(hour, 8.0), 21.5))
            draw, acc, code = rng.random(), 0.0, gates[-1][0]
            for candidate, weight in gates:
                acc += weight
                if draw < acc:
                    code = candidate
                    break
            gate = self.snap.gates[code]
            fever = rng.random() < FEVER_FIRST
            first = typed(rng.uniform(37.3, 37.7) if fever else normal_reading(rng), rng)
            self._delivery(at, gate, phone, name, platform, first)
            if fever:
                self._delivery(
                    at + dt.timedelta(minutes=rng.randint(3, 6)),
                    gate,
                    phone,
                    name,
                    platform,
                    typed(normal_reading(rng), rng),
                )

    def _delivery(
        self, at: dt.datetime, gate: Gate, phone: str, name: str, platform: str, reading: str
    ) -> None:
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)

        def run(client_id: uuid.UUID) -> str:
            result = register_delivery(
                checkpoint,
                platform=platform,
                phone=phone,
                name=name,
                temperature=reading,
                mask=True,
                actor=actor,
                client_id=client_id,
                occurred_at=at,
            )
            return f"delivery:{result.delivery.decision}"

        self.add(at, run)

    # ---- quarantine ---------------------------------------------------------------------------

    def _returnees(self) -> set[int]:
        """Steps for the replay's returnees; returns the residents not out and about today (away
        before arriving, or in quarantine)."""
        away: set[int] = set()
        for plan in self.returnees:
            first = plan.arrived_at.astimezone(self.tz).date()
            last = first + dt.timedelta(days=13)
            resident = plan.person.resident_id
            if self.day <= last:
                away.add(resident)
            if self.day == first:
                self._arrival(plan)
            elif first < self.day <= last:
                self._follow_ups(plan)
            if plan.breach_day == self.day and first <= self.day <= last:
                self._breach(plan)
        return away

    def _plan_of(self, plan: ReturneePlan) -> QuarantinePlan | None:
        resident = plan.person.resident_id
        if resident not in self.shared.plans:
            found = (
                QuarantinePlan.objects.filter(resident_id=resident, returnee__arrived_at=plan.arrived_at)
                .select_related("community")
                .first()
            )
            if found is None:
                return None
            self.shared.plans[resident] = found
        return self.shared.plans[resident]

    def _arrival(self, plan: ReturneePlan) -> None:
        rng = self.rng
        person = plan.person
        home = plan.arrived_at + dt.timedelta(minutes=rng.randint(25, 70))
        gate = self.gate_for(person.community, home)
        key = f"arrival{person.resident_id}"
        self.screen(
            home, gate, self.ident(person), direction="in", reading=typed(normal_reading(rng), rng), key=key
        )
        community = self.snap.communities[person.community]
        if plan.source == "gate":
            at = home + dt.timedelta(minutes=rng.randint(2, 5))
            actor = self.duty.actor(gate.code, at)
        else:
            at = home + dt.timedelta(minutes=rng.randint(60, 180))
            actor = self.snap.worker_for(person.community)
        shared, planner = self.shared, self

        def run(client_id: uuid.UUID) -> str:
            existing = planner._plan_of(plan)
            if existing is not None:
                return "returnee:resumed"
            screening = shared.screenings.get(key) if plan.source == "gate" else None
            registered = register_returnee(
                community,
                person=PersonIn(resident=person.resident_id),
                trip=TripIn(
                    origin=plan.origin,
                    arrived_at=plan.arrived_at,
                    transport=plan.transport,
                    transport_number=plan.transport_number,
                ),
                source=plan.source,
                actor=actor,
                screening=screening,
            )
            shared.plans[person.resident_id] = registered
            return "returnee"

        self.add(at, run)

    def _follow_ups(self, plan: ReturneePlan) -> None:
        rng = self.rng
        worker = self.snap.worker_for(plan.person.community)
        planner = self
        for slot, (start, end) in (("am", (8.6, 11.5)), ("pm", (14.5, 19.0))):
            at = self.at(rng.uniform(start, end))
            method = rng.choices(("phone", "visit", "self"), weights=(55, 15, 30))[0]
            fever = rng.random() < 0.004
            symptoms = ["cough"] if rng.random() < 0.004 else []
            reading = f"{rng.uniform(37.3, 37.8) if fever else normal_reading(rng):.1f}"
            actor = None if method == "self" else worker

            def run(
                client_id: uuid.UUID,
                slot: str = slot,
                reading: str = reading,
                symptoms: list[str] = symptoms,
                method: str = method,
                actor: Any = actor,
            ) -> str | None:
                found = planner._plan_of(plan)
                if found is None:
                    return None
                result = record_follow_up(
                    found,
                    temperature=reading,
                    symptoms=symptoms,
                    method=method,
                    actor=actor,
                    slot=slot,
                    client_id=client_id,
                )
                return f"follow_up:{'alert' if result.alerts else 'ok'}"

            self.add(at, run)

    def _breach(self, plan: ReturneePlan) -> None:
        """A person in home quarantine tries to go out: stopped, the worker alerted; the worker
        talks them back home and closes the alert."""
        rng = self.rng
        person = plan.person
        first = plan.arrived_at.astimezone(self.tz).date()
        hour = rng.uniform(19.0, 21.5) if self.day == first else rng.uniform(9.0, 20.0)
        at = self.at(hour)
        gate = self.gate_for(person.community, at)
        key = f"breach{person.resident_id}"
        self.screen(at, gate, self.ident(person), direction="out", reading=None, key=key)
        worker = self.snap.worker_for(person.community)
        shared = self.shared

        def run(client_id: uuid.UUID) -> str | None:
            event = shared.screenings.get(key)
            if event is None:
                return None
            alert = Alert.objects.filter(screening=event, resolved_at__isnull=True).first()
            if alert is None:
                return None
            resolve_alert(alert, resolution="社区工作者劝返，已回家继续隔离 talked back home", actor=worker)
            return "alert:resolved"

        self.add(at + dt.timedelta(minutes=rng.randint(15, 40)), run)

    def _release(self) -> None:
        admin = self.snap.users["admin"]
        communities = list(self.snap.communities.values())

        def run(client_id: uuid.UUID) -> str:
            released = release_due(plans_due_for_release(communities), actor=admin)
            return f"released:{released}" if released else "released:0"

        self.add(self.at(8.0), run)

    def _resolve_referral(self, at: dt.datetime, key: str) -> None:
        health = self.snap.users["health"]
        shared = self.shared

        def run(client_id: uuid.UUID) -> str | None:
            event = shared.screenings.get(key)
            if event is None:
                return None
            alert = Alert.objects.filter(screening=event, resolved_at__isnull=True).first()
            if alert is None:
                return None
            resolve_alert(
                alert, resolution="卫生站复测，已嘱居家观察 seen at the health station", actor=health
            )
            return "alert:resolved"

        self.add(at, run)

    # ---- duty -------------------------------------------------------------------------------

    def _attendance(self) -> None:
        """Each rostered shift signed in around its start (some late) and out at its end."""
        rng = self.rng
        last_out: dict[int, dt.datetime] = {}
        for code, start, end, staff_pk, shift_pk in self.duty.shifts:
            late = rng.random() < 0.1
            offset = dt.timedelta(minutes=rng.randint(5, 25) if late else -rng.randint(0, 12))
            signed_in = start + offset
            if staff_pk in last_out:
                signed_in = max(signed_in, last_out[staff_pk] + dt.timedelta(minutes=1))
            signed_out = end + dt.timedelta(minutes=rng.randint(0, 8))
            last_out[staff_pk] = signed_out
            self._sign(signed_in, signed_out, code, staff_pk, shift_pk)

    def _sign(
        self, signed_in: dt.datetime, signed_out: dt.datetime, code: str, staff_pk: int, shift_pk: int
    ) -> None:
        checkpoint = self.snap.checkpoints[code]

        def sign_in_run(client_id: uuid.UUID) -> str:
            if Attendance.objects.filter(staff_id=staff_pk, signed_in_at=signed_in).exists():
                return "attendance:resumed"
            sign_in(
                Staff.objects.select_related("user").get(pk=staff_pk), checkpoint=checkpoint, at=signed_in
            )
            return "attendance:in"

        def sign_out_run(client_id: uuid.UUID) -> str:
            if Attendance.objects.filter(staff_id=staff_pk, signed_out_at=signed_out).exists():
                return "attendance:resumed"
            sign_out(Staff.objects.select_related("user").get(pk=staff_pk), at=signed_out)
            return "attendance:out"

        self.add(signed_in, sign_in_run)
        self.add(signed_out, sign_out_run)

    # ---- incidents and help -----------------------------------------------------------------

    def _no_mask_incident(self, at: dt.datetime, gate: Gate, key: str) -> None:
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)
        shared = self.shared

        def run(client_id: uuid.UUID) -> str | None:
            event = shared.screenings.get(key)
            if event is None:
                return None
            result = raise_incident(
                checkpoint,
                kind="no_mask",
                severity="low",
                actor=actor,
                screening=event,
                description="未戴口罩，劝其回家取口罩 no mask; sent home to fetch one",
                client_id=client_id,
            )
            if result.incident.status == "open":
                close_incident(result.incident, outcome="戴好口罩后放行 let in wearing a mask", actor=actor)
            return "incident"

        self.add(at, run)

    def _incidents(self) -> None:
        rng = self.rng
        if rng.random() < FORCED_ENTRY_PER_DAY * self.scale:
            at = self.at(rng.uniform(9, 20))
            gate = self.snap.gates[rng.choice(("dongxie-n", "xiaojiangfang-w", "lixue-e"))]
            self._forced_entry(at, gate)
        for _ in range(self.count(SERVICES_PER_DAY)):
            at = self.at(rng.uniform(8, 18))
            gate = self.snap.gates[rng.choice(list(self.snap.gates))]
            checkpoint = self.snap.checkpoints[gate.code]
            actor = self.duty.actor(gate.code, at)
            kind, person, note = rng.choice(_SERVICES)

            def service(
                client_id: uuid.UUID,
                checkpoint: Any = checkpoint,
                kind: str = kind,
                person: str = person,
                note: str = note,
                actor: Any = actor,
                at: dt.datetime = at,
            ) -> str:
                log_service(
                    checkpoint,
                    kind=kind,
                    person=person,
                    note=note,
                    actor=actor,
                    occurred_at=at,
                    client_id=client_id,
                )
                return "service"

            self.add(at, service)

    def _forced_entry(self, at: dt.datetime, gate: Gate) -> None:
        """The record's man with no pass and no mask forcing his way in: blocked, the police
        station called a few minutes later, the incident closed when he has left."""
        rng = self.rng
        checkpoint = self.snap.checkpoints[gate.code]
        actor = self.duty.actor(gate.code, at)
        police = at + dt.timedelta(minutes=rng.randint(2, 6))
        closed = police + dt.timedelta(minutes=rng.randint(20, 50))

        def run(client_id: uuid.UUID) -> str:
            result = raise_incident(
                checkpoint,
                kind="forced_entry",
                severity="high",
                actor=actor,
                occurred_at=at,
                people="男，无出入证、未戴口罩 a man with no pass and no mask",
                description="拒绝登记测温，欲强行进入，值守人员阻拦 refused screening, tried to force his way in",
                client_id=client_id,
            )
            incident = result.incident
            if incident.status == "open":
                escalate_incident(incident, to="police_station", actor=actor, at=police)
                close_incident(
                    incident, outcome="派出所民警到场劝离 the police came and he left", actor=actor, at=closed
                )
            return "incident"

        self.add(closed + dt.timedelta(minutes=1), run)


_SERVICES = (
    (
        "escort",
        "外社区老人 an elderly non-resident",
        "先到理发店确认营业，再引导登记 checked the barber was open first",
    ),
    ("errand", "独居老人 an elder living alone", "代购蔬菜 bought vegetables for them"),
    ("goods", "居民 a resident", "帮提米面上楼 carried rice and flour home"),
    ("information", "快递员 a courier", "指路到灵境胡同 showed the way to Lingjing Hutong"),
)

_POOLS: dict[tuple[int, str], list[tuple[str, str, str]]] = {}


def _outsider_pool(snap: Snapshot) -> list[tuple[str, str, str]]:
    """300 synthetic visitors (name, ID number, phone), the same for every run."""
    key = (snap.subdistrict.pk, "visitors")
    if key not in _POOLS:
        from shouwang.demo.scenario import _People

        people = _People(7319)
        _POOLS[key] = []
        for _ in range(300):
            p = people.person(male=people.rng.random() < 0.5, age=people.rng.randint(22, 70), local=0.4)
            _POOLS[key].append((p.name, p.id_number, p.phone))
    return _POOLS[key]


def _rider_pool(snap: Snapshot) -> list[tuple[str, str, str]]:
    """80 riders (phone, name, platform) who come back day after day."""
    key = (snap.subdistrict.pk, "riders")
    if key not in _POOLS:
        from shouwang.demo.scenario import _People

        people = _People(8642)
        _POOLS[key] = []
        for _ in range(80):
            p = people.person(male=people.rng.random() < 0.9, age=people.rng.randint(19, 48), local=0.1)
            platform = people.rng.choices([c for c, _ in _PLATFORMS], weights=[w for _, w in _PLATFORMS])[0]
            _POOLS[key].append((p.phone, p.name, platform))
    return _POOLS[key]
