"""Today's follow-up reminders (随访提醒) per community worker, for ``shouwang quarantine remind``.

A plan's follow-ups go to the worker who follows it; an unassigned plan goes to every active
community worker of its community (whoever calls first records it); a community with no worker
at all is reported under the key ``None`` so the run can say nobody was told. Dates are each
community's local calendar date; ``now`` is an aware instant (default: the clock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from shouwang.core.choices import Role
from shouwang.core.messages import describe
from shouwang.core.notify import Notice, Notifier
from shouwang.places.models import Community
from shouwang.quarantine.choices import Slot
from shouwang.quarantine.selectors import WorkItem, slot_window, worklist
from shouwang.quarantine.services import policy_for

# Slot states that still need a call today; "done" slots are not reminded.
PENDING = ("overdue", "due", "later")


class _AllCommunities:
    """The reminder run reads as the system: ``community_ids_for`` lets a staff-less superuser see
    every community; each call narrows it to one community with ``worklist(community=…)``."""

    staff = None
    is_superuser = True
    pk = None


def _workers_of(community: Community) -> list[Any]:
    """Active community workers of ``community``, by username."""
    return list(
        get_user_model()
        .objects.filter(staff__role=Role.COMMUNITY_WORKER, staff__communities=community, is_active=True)
        .select_related("staff")
        .order_by("username")
    )


def due_by_worker(
    day: dt.date | None,
    now: dt.datetime | None = None,
    communities: list[Community] | None = None,
) -> dict[Any | None, list[WorkItem]]:
    """Follow-ups still to do on ``day`` (default: each community's local today) per worker.

    An item is listed when one of its two slots is not done yet: overdue, due now, or opening
    later today (a 07:00 run lists the whole day). Keys are users ordered by username, then
    ``None`` for plans of communities without any worker; each list is overdue-first, as
    :func:`worklist` orders it. Three queries per community, plus one for its workers.
    """
    now = now or timezone.now()
    if communities is None:
        communities = list(Community.objects.select_related("subdistrict").order_by("code"))
    system = _AllCommunities()
    found: dict[Any | None, list[WorkItem]] = {}
    for community in communities:
        items = [
            item
            for item in worklist(system, day=day, now=now, community=community)
            if any(state in PENDING for state in item.slots.values())
        ]
        if not items:
            continue
        everyone: list[Any] | None = None
        for item in items:
            worker = item.plan.worker
            if worker is not None and worker.is_active:
                found.setdefault(worker, []).append(item)
                continue
            if everyone is None:
                everyone = _workers_of(community)
            for user in everyone or [None]:
                found.setdefault(user, []).append(item)
    order = {"overdue": 0, "due": 1, "later": 2, "done": 3}
    for items in found.values():
        items.sort(key=lambda it: (min(order[s] for s in it.slots.values()), it.plan.last_day, it.plan.pk))
    workers = sorted((u for u in found if u is not None), key=lambda u: str(u.get_username()))
    ordered: dict[Any | None, list[WorkItem]] = {u: found[u] for u in workers}
    if None in found:
        ordered[None] = found[None]
    return ordered


def _slot_words(item: WorkItem, lang: str) -> str:
    en = lang.startswith("en")
    community = item.plan.community
    policy = policy_for(community)
    day = item.day
    parts: list[str] = []
    for slot in Slot.values:
        state = item.slots.get(slot, "done")
        if state not in PENDING:
            continue
        name = str(Slot(slot).label).split(" ", 1)[1 if en else 0]
        opens, _closes = slot_window(slot, day, community, policy)
        opens_at = opens.astimezone(community.tz).strftime("%H:%M")
        parts.append(describe(f"remind_slot_{state}", lang, slot=name, opens=opens_at))
    return (", " if en else "、").join(parts)


def item_line(n: int, item: WorkItem, lang: str) -> str:
    """One plain-words line: ``1. 张*，力学胡同 3 号，第 3 天：上午逾期未随访、下午（14:00 起）；电话 138…``.

    The name is cut to surname + ``*`` (a reminder travels by e-mail and chat); the phone stays
    whole because the worker has to call it; the address is where the person stays.
    """
    plan = item.plan
    resident = plan.resident
    address = plan.returnee.address or (resident.household.address if resident.household else "")
    return describe(
        "remind_item",
        lang,
        n=n,
        name=resident.name[:1] + "*",
        address=address or "-",
        day=item.day_number,
        slots=_slot_words(item, lang),
        phone=resident.phone or describe("remind_no_phone", lang),
    )


def reminder_subject(day: dt.date, count: int) -> str:
    """``今日居家隔离随访（2020-03-01）：3 项 / Today's home-quarantine follow-ups (2020-03-01): 3``."""
    return f"{describe('remind_subject', 'zh-hans', day=day, count=count)} / " + describe(
        "remind_subject", "en", day=day, count=count
    )


def reminder_body(items: list[WorkItem]) -> str:
    """The list in zh-Hans, a blank line, then the same list in English, each ending with what to
    do (fever threshold of the first item's sub-district, °C)."""
    fever = policy_for(items[0].plan.community).fever_c if items else ""
    blocks = []
    for lang in ("zh-hans", "en"):
        lines = [item_line(n, item, lang) for n, item in enumerate(items, start=1)]
        lines.append(describe("remind_what_to_do", lang, fever=fever))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Reminder:
    """One worker's list (``worker`` None: plans nobody can be told about) for local ``day``."""

    worker: Any | None
    day: dt.date
    items: list[WorkItem]

    @property
    def subject(self) -> str:
        return reminder_subject(self.day, len(self.items))

    @property
    def body(self) -> str:
        return reminder_body(self.items)

    def notice(self) -> Notice:
        """The notice for the worker; ``data`` carries the plan ids and the overdue count."""
        assert self.worker is not None
        return Notice(
            to=self.worker,
            subject=self.subject,
            body=self.body,
            kind="reminder.follow_up",
            data={
                "day": self.day.isoformat(),
                "plans": [item.plan.pk for item in self.items],
                "overdue": sum(1 for item in self.items if item.overdue),
            },
        )


def build_reminders(
    day: dt.date | None,
    now: dt.datetime | None = None,
    communities: list[Community] | None = None,
) -> list[Reminder]:
    """:func:`due_by_worker` as :class:`Reminder` values, workers by username, nobody's last.
    A reminder's ``day`` is ``day``, else its first item's local date."""
    now = now or timezone.now()
    reminders = []
    for worker, items in due_by_worker(day, now, communities).items():
        first = items[0].plan
        reminders.append(Reminder(worker, day or first.community.local_date(now), items))
    return reminders


@dataclass(frozen=True)
class ReminderCounts:
    """``workers`` reminders addressed, ``items`` distinct plans listed (with nobody's),
    ``sent`` notices delivered, ``unreached`` plans in communities without a worker."""

    workers: int
    items: int
    sent: int
    unreached: int

    def summary(self) -> str:
        return f"workers={self.workers} items={self.items} sent={self.sent}"


def send_reminders(
    day: dt.date | None,
    now: dt.datetime | None = None,
    communities: list[Community] | None = None,
    *,
    notifier: Notifier | None,
    reminders: list[Reminder] | None = None,
) -> ReminderCounts:
    """Send each worker's reminder through ``notifier`` (None: a dry run, nothing sent).

    ``reminders`` are those already built (and printed) by the caller, else they are built here.
    A notifier that fails returns ``False`` and is counted as not sent; it never raises.
    """
    if reminders is None:
        reminders = build_reminders(day, now, communities)
    sent = 0
    for reminder in reminders:
        if reminder.worker is not None and notifier is not None:
            sent += bool(notifier.send(reminder.notice()))
    plans = {item.plan.pk for r in reminders for item in r.items}
    unreached = {item.plan.pk for r in reminders if r.worker is None for item in r.items}
    return ReminderCounts(
        workers=sum(1 for r in reminders if r.worker is not None),
        items=len(plans),
        sent=sent,
        unreached=len(unreached),
    )
