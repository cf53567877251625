"""Who takes part in the replay: a read-only snapshot of the demo sub-district, taken once.

The snapshot decides every event of the replay, so it must read only what the replay itself never
changes: residents, their households, passes and institution members (the replay issues and
revokes no pass), and the quarantine plans that were there before it. The replay's own returnees
are chosen from the snapshot with the seed (:func:`choose_returnees`), so an interrupted run that
is started again makes the same choices and names its writes with the same client UUIDs.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model

from shouwang.core.models import Staff
from shouwang.passes.models import Pass, PassCheckpoint
from shouwang.passes.signing import sign_pass
from shouwang.people.choices import InstitutionKind
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.quarantine.choices import IN_FORCE
from shouwang.quarantine.models import QuarantinePlan

# Habits of the residents (no age is stored, so they are drawn): a child (no phone of their
# own) rarely goes out; an "elder" goes to the market in the morning (the hutongs skew old); a
# "worker" commutes on weekdays (many still worked from home in March 2020); a "homebody" runs an
# errand now and then. Parents of the head of household are elders.
CHILD, ELDER, WORKER, HOMEBODY = "child", "elder", "worker", "homebody"
_HABIT_WEIGHTS = ((ELDER, 0.38), (WORKER, 0.37), (HOMEBODY, 0.25))
_ELDER_RELATIONS = frozenset({"母亲", "父亲", "岳母", "岳父", "祖母", "祖父"})


@dataclass(frozen=True)
class PassHolder:
    """A pass as the gate sees it: ``status`` is ``live`` (valid through the replay),
    ``revoked`` or ``none`` (no pass on file: the gate finds the person by name and refuses)."""

    community: str
    pass_number: str
    valid_until: dt.date | None
    status: str
    gates: tuple[str, ...] = ()  # a pass restricted to these checkpoint codes; empty: any gate

    @cached_property
    def qr(self) -> str:
        """The signed QR text (Ed25519), made once per pass."""
        assert self.valid_until is not None
        return sign_pass(self.pass_number, self.community, self.valid_until)


@dataclass(frozen=True)
class Person:
    """A resident of the demo with the pass they carry and a drawn habit."""

    resident_id: int
    community: str
    household_id: int | None
    name: str
    habit: str
    holder: PassHolder


@dataclass(frozen=True)
class Member:
    """An institution member coming in to work; ``kind`` is the institution's kind."""

    member_id: int
    community: str
    kind: str
    holder: PassHolder


@dataclass(frozen=True)
class Gate:
    code: str
    community: str
    name: str
    opens_at: dt.time | None
    closes_at: dt.time | None
    invented: bool

    def open_at(self, at: dt.time) -> bool:
        """Open at local time ``at`` (no hours: open day and night)."""
        if self.opens_at is None or self.closes_at is None:
            return True
        return self.opens_at <= at < self.closes_at


@dataclass
class Snapshot:
    """The demo sub-district as the replay needs it (read once, before any write)."""

    subdistrict: Subdistrict
    communities: dict[str, Community]
    checkpoints: dict[str, Checkpoint]
    gates: dict[str, Gate]
    people: list[Person]
    members: list[Member]
    users: dict[str, Any]  # username → user: admin, worker, worker-xdb, health, gate
    staff_users: dict[int, Any]  # Staff pk → user
    # Every quarantine plan of the sub-district: (resident id, arrival as a UTC ISO instant,
    # last local day, in force). Those that are not the replay's own hold their resident at the
    # gate (:meth:`hold_others`) and keep them from being chosen as the replay's returnees.
    plans: list[tuple[int, str, dt.date, bool]] = field(default_factory=list)
    # Resident id → the last local day a plan from before the replay stops them going out (the
    # gate reads every plan in force, whatever its first day).
    held_until: dict[int, dt.date] = field(default_factory=dict)

    def hold_others(self, mine: set[tuple[int, str]]) -> None:
        """Fill :attr:`held_until` from the plans that are not the replay's own ``mine``."""
        self.held_until.clear()
        for resident_id, arrived, last_day, in_force in self.plans:
            if in_force and (resident_id, arrived) not in mine:
                self.held_until[resident_id] = max(last_day, self.held_until.get(resident_id, last_day))

    def worker_for(self, community: str) -> Any:
        """The community worker who registers and follows up the community's returnees."""
        return self.users["worker" if community == "tps" else "worker-xdb"]


def _holders(start: dt.date, end: dt.date) -> tuple[dict[int, PassHolder], dict[int, PassHolder]]:
    """Each resident's and member's pass for the replay: a live one valid from ``start`` to
    ``end`` if any, else the latest (revoked or expired)."""
    restricted: dict[int, list[str]] = defaultdict(list)
    for pass_id, code in PassCheckpoint.objects.values_list("pass_obj_id", "checkpoint__code"):
        restricted[pass_id].append(code)
    by_resident: dict[int, PassHolder] = {}
    by_member: dict[int, PassHolder] = {}
    rows = Pass.objects.values_list(
        "pk",
        "number",
        "community__code",
        "valid_from",
        "valid_until",
        "revoked_at",
        "resident_id",
        "member_id",
    ).order_by("pk")
    for pk, number, community, valid_from, valid_until, revoked_at, resident_id, member_id in rows:
        live = revoked_at is None and valid_from <= start and valid_until >= end
        holder = PassHolder(
            community=community,
            pass_number=number,
            valid_until=valid_until,
            status="live" if live else "revoked" if revoked_at is not None else "expired",
            gates=tuple(sorted(restricted.get(pk, ()))),
        )
        target = by_resident if resident_id else by_member
        key = resident_id or member_id
        current = target.get(key)
        if current is None or current.status != "live":
            target[key] = holder
    return by_resident, by_member


def take_snapshot(subdistrict: Subdistrict, *, start: dt.date, end: dt.date, seed: int) -> Snapshot:
    """Read the sub-district once; habits are drawn with ``seed`` in resident-id order."""
    communities = {c.code: c for c in Community.objects.filter(subdistrict=subdistrict).order_by("code")}
    checkpoints = {
        c.code: c
        for c in Checkpoint.objects.filter(community__subdistrict=subdistrict)
        .select_related("community", "community__subdistrict")
        .order_by("code")
    }
    gates = {
        code: Gate(code, c.community.code, c.name, c.opens_at, c.closes_at, c.invented)
        for code, c in checkpoints.items()
    }
    by_resident, by_member = _holders(start, end)
    rng = random.Random(f"{seed}/habits")  # noqa: S311 - a reproducible replay, not secrets
    people = []
    residents = (
        Resident.objects.filter(community__subdistrict=subdistrict)
        .values_list("pk", "community__code", "household_id", "name", "phone", "relation_to_head")
        .order_by("pk")
    )
    for pk, community, household, name, phone, relation in residents:
        draw = rng.random()
        if not phone:
            habit = CHILD
        elif relation in _ELDER_RELATIONS:
            habit = ELDER
        else:
            habit, acc = HOMEBODY, 0.0
            for candidate, weight in _HABIT_WEIGHTS:
                acc += weight
                if draw < acc:
                    habit = candidate
                    break
        holder = by_resident.get(pk) or PassHolder(community, "", None, "none")
        people.append(Person(pk, community, household, name, habit, holder))
    members = []
    for pk, community, kind in (
        InstitutionMember.objects.filter(community__subdistrict=subdistrict)
        .values_list("pk", "community__code", "institution__kind")
        .order_by("pk")
    ):
        card = by_member.get(pk)
        if card is not None and card.status == "live":
            members.append(Member(pk, community, kind, card))
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=("admin", "worker", "worker-xdb", "health", "gate")
        )
    }
    staff_users = {s.pk: s.user for s in Staff.objects.filter(subdistrict=subdistrict).select_related("user")}
    snap = Snapshot(subdistrict, communities, checkpoints, gates, people, members, users, staff_users)
    for resident_id, arrived, last_day, status in QuarantinePlan.objects.filter(
        community__subdistrict=subdistrict
    ).values_list("resident_id", "returnee__arrived_at", "last_day", "status"):
        snap.plans.append((resident_id, arrived.astimezone(dt.UTC).isoformat(), last_day, status in IN_FORCE))
    return snap


@dataclass(frozen=True)
class ReturneePlan:
    """One of the replay's returnees: who, when they arrive (aware instant), how they are
    registered (``gate``: at the gate as they come home; ``worker``: by the community worker a
    few hours later), and the local day they try to go out while in quarantine, if they do."""

    person: Person
    arrived_at: dt.datetime
    origin: str
    transport: str
    transport_number: str
    source: str
    breach_day: dt.date | None


# Where people came back from in March 2020 (GB/T 2260 prefecture codes): Hubei, the provinces
# around Beijing and the big cities people had gone home to for the Spring Festival.
ORIGINS = ("420100", "421000", "130600", "130100", "411500", "230100", "440300", "370100", "430100", "510100")
TRIPS = (
    ("train", "G508"),
    ("train", "G90"),
    ("train", "Z38"),
    ("train", "K1089"),
    ("flight", "CA1234"),
    ("flight", "MU5101"),
    ("car", "冀F12345"),
    ("coach", ""),
)


def choose_returnees(
    snap: Snapshot, *, start: dt.date, days: int, count: int, seed: int
) -> list[ReturneePlan]:
    """``count`` residents coming back during the period, drawn with ``seed`` among adults with a
    live pass and no quarantine of their own before the replay. A plan in the database whose
    resident and arrival instant are those drawn is the replay's own (a resumed run); any other
    plan rules the resident out. Then fills ``snap.held_until`` from the other plans."""
    keys = {(resident_id, arrived) for resident_id, arrived, _, _ in snap.plans}
    had_plan = {resident_id for resident_id, _, _, _ in snap.plans}
    rng = random.Random(f"{seed}/returnees")  # noqa: S311 - a reproducible replay, not secrets
    pool = [p for p in snap.people if p.habit != CHILD and p.holder.status == "live"]
    rng.shuffle(pool)
    chosen: list[ReturneePlan] = []
    tz = next(iter(snap.communities.values())).tz
    for person in pool:
        if len(chosen) >= count:
            break
        first = not chosen
        day = start if first else start + dt.timedelta(days=rng.randrange(days))
        hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20))
        arrived = dt.datetime.combine(day, dt.time(9 if first else hour, rng.randrange(50)), tzinfo=tz)
        transport, number = rng.choice(TRIPS)
        origin = rng.choice(ORIGINS)
        source = "gate" if rng.random() < 0.4 else "worker"
        breach: dt.date | None = None
        draw = rng.random()
        if first:
            breach = day  # the record's "a person in quarantine who tries to go out is stopped"
        elif draw < 0.15:
            breach = day + dt.timedelta(days=rng.randint(1, 12))
        key = (person.resident_id, arrived.astimezone(dt.UTC).isoformat())
        if person.resident_id in had_plan and key not in keys:
            continue
        chosen.append(ReturneePlan(person, arrived, origin, transport, number, source, breach))
    snap.hold_others({(r.person.resident_id, r.arrived_at.astimezone(dt.UTC).isoformat()) for r in chosen})
    return chosen


MEMBER_HOURS: dict[str, tuple[tuple[int, int], tuple[int, int], bool]] = {
    # kind → (arrival window, leaving window as local hours, weekdays only)
    InstitutionKind.OFFICE: ((7, 9), (17, 19), True),
    InstitutionKind.FIRE_STATION: ((7, 8), (8, 9), False),
    InstitutionKind.HEALTH_STATION: ((7, 8), (17, 18), False),
    InstitutionKind.HOTEL: ((6, 8), (18, 21), False),
    InstitutionKind.SHOP: ((6, 8), (18, 20), False),
    InstitutionKind.OTHER: ((5, 7), (13, 15), False),  # the market's stall holders
}
