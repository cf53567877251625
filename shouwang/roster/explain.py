"""Why a Roster cannot be made, in words a coordinator understands (zh-Hans and en).

Three steps, cheapest first:

1. :func:`precheck` — counting arguments that prove infeasibility without a solver: a slot
   needing more people than are available for it ("东斜街北口 needs 2 people 06:00–10:00 on
   3 March but only 1 is available"), a team lead nobody can provide, more people needed at one
   time than are free then, a day's shifts beyond what the day's staff can stand, hours demanded
   beyond what staff can give (in total and in any 7 days), minimum hours nobody can reach or
   that exceed the demand, locks that cannot hold.
2. When those pass but CP-SAT still finds no Roster: solve again with soft coverage and list
   exactly which slots stay empty in the best Roster (:func:`explain_infeasible`).
3. When even that fails (locks or per-person rules contradict each other), solve the guarded
   model with assumptions and name a small set of rules that cannot all hold together.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from shouwang.roster.model import EmptySlot, Explanation, Instance
from shouwang.roster.solver import Grid, RosterModel, configure, lock_params

MAX_PER_KIND = 12
"""At most this many reasons of one kind are listed; the rest are counted (``roster_more``)."""


def _more(found: list[Explanation], extra: int) -> list[Explanation]:
    if extra > 0:
        found.append(Explanation("roster_more", {"count": extra}))
    return found


def _capped(items: list[Explanation]) -> list[Explanation]:
    return _more(items[:MAX_PER_KIND], len(items) - MAX_PER_KIND)


def precheck(instance: Instance) -> list[Explanation]:
    """Reasons, found by counting alone, that no Roster can cover every slot; ``[]`` if none is found.

    Each reason is a necessary condition that fails, so a non-empty answer proves infeasibility
    (with hard coverage). An empty answer proves nothing: see :func:`explain_infeasible`.
    """
    g = Grid(instance)
    inst, hz = instance, instance.horizon
    reasons: list[Explanation] = []
    reasons += _capped(_lock_reasons(instance, g))
    # 1. Each slot: enough eligible people, and a lead where one is needed.
    short_slots: set[tuple[int, int, int]] = set()
    slot_reasons: list[Explanation] = []
    for c, d, k, n in g.open_slots():
        people = [s for s in g.staff_at[c] if (d, k) in g.avail[s]]
        cp, sh = inst.checkpoints[c], inst.shifts[k]
        if len(people) < n:
            short_slots.add((c, d, k))
            slot_reasons.append(
                Explanation(
                    "roster_slot_short",
                    {
                        "checkpoint": cp.name,
                        "need": n,
                        "shift": sh,
                        "date": hz.date(d),
                        "available": len(people),
                    },
                )
            )
        if g.lead_needed[c][d][k] and not any(inst.staff[s].is_lead for s in people):
            short_slots.add((c, d, k))
            slot_reasons.append(
                Explanation("roster_slot_no_lead", {"checkpoint": cp.name, "shift": sh, "date": hz.date(d)})
            )
    reasons += _capped(slot_reasons)
    # 2. Slots at the same time: enough distinct people for all of them at once.
    time_reasons = []
    for clique in g.cliques(0) or [[(d, k)] for d in range(g.days) for k in range(len(inst.shifts))]:
        slots = [(c, d, k) for d, k in clique for c in range(len(inst.checkpoints)) if g.need[c][d][k] > 0]
        if len(slots) < 2 or any(s in short_slots for s in slots):
            continue
        need = sum(g.need[c][d][k] for c, d, k in slots)
        free = {s for c, d, k in slots for s in g.staff_at[c] if (d, k) in g.avail[s]}
        if len(free) < need:
            first = min(clique, key=lambda dk: g.occ[dk[0]][dk[1]].start)
            time_reasons.append(
                Explanation(
                    "roster_time_short",
                    {
                        "shift": inst.shifts[first[1]],
                        "date": hz.date(first[0]),
                        "need": need,
                        "available": len(free),
                    },
                )
            )
    reasons += _capped(time_reasons)
    if reasons:
        return reasons
    # 3. Each day, each person: the most minutes and shifts they could stand.
    best = [[_best_day(instance, g, s, d) for d in range(g.days)] for s in range(len(inst.staff))]
    per_day = inst.rules.max_shifts_per_day
    day_reasons = []
    for d in range(g.days):
        need = sum(n for _, dd, _, n in g.open_slots() if dd == d)
        cap = sum(best[s][d][1] for s in range(len(inst.staff)))
        if need > cap:
            available = sum(1 for s in range(len(inst.staff)) if best[s][d][1] > 0)
            day_reasons.append(
                Explanation(
                    "roster_day_short",
                    {
                        "date": hz.date(d),
                        "need": need,
                        "available": available,
                        "capacity": cap,
                        "per_day": per_day if per_day is not None else len(inst.shifts),
                    },
                )
            )
    reasons += _capped(day_reasons)
    # 4. Hours: in total, per person, and in any 7 days.
    demand_by_day = [0] * g.days
    for _, d, k, n in g.open_slots():
        demand_by_day[d] += n * inst.shifts[k].minutes
    demand = sum(demand_by_day)
    upper = []
    for s, member in enumerate(inst.staff):
        days = sorted((best[s][d][0] for d in range(g.days)), reverse=True)
        if inst.rules.min_days_off:
            days = days[: max(0, g.days - inst.rules.min_days_off)]
        ub = sum(days)
        if member.max_hours_per_week is not None:
            blocks = -(-g.days // 7)
            ub = min(ub, blocks * round(member.max_hours_per_week * 60))
        if member.max_total_hours is not None:
            ub = min(ub, round(member.max_total_hours * 60))
        upper.append(ub)
        if member.min_total_hours is not None and round(member.min_total_hours * 60) > ub:
            reasons.append(
                Explanation(
                    "roster_staff_min_unreachable",
                    {"staff": member.name or member.id, "min_h": member.min_total_hours, "max_h": ub / 60},
                )
            )
    if demand > sum(upper):
        reasons.append(
            Explanation("roster_total_short", {"need_h": demand / 60, "supply_h": sum(upper) / 60})
        )
    min_sum = sum(round((m.min_total_hours or 0) * 60) for m in inst.staff)
    if min_sum > demand:
        reasons.append(
            Explanation("roster_min_hours_exceed_demand", {"min_h": min_sum / 60, "need_h": demand / 60})
        )
    if g.days >= 7:
        week_reasons = []
        for start in range(g.days - 6):
            need = sum(demand_by_day[start : start + 7])
            supply = 0
            for s, member in enumerate(inst.staff):
                avail = sum(best[s][d][0] for d in range(start, start + 7))
                if member.max_hours_per_week is not None:
                    avail = min(avail, round(member.max_hours_per_week * 60))
                supply += avail
            if need > supply:
                week_reasons.append(
                    Explanation(
                        "roster_week_short",
                        {"date": hz.date(start), "need_h": need / 60, "supply_h": supply / 60},
                    )
                )
        reasons += _capped(week_reasons)
    return reasons


def _best_day(instance: Instance, g: Grid, s: int, d: int) -> tuple[int, int]:
    """(most minutes, most shifts) staff ``s`` could stand on day ``d`` under rest and per-day rules.

    Brute force over the day's eligible occurrences (a handful of Shift templates).
    """
    places = [c for c in range(len(instance.checkpoints)) if g.can[s][c]]
    occs = [
        g.occ[d][k]
        for k in range(len(instance.shifts))
        if (d, k) in g.avail[s] and any(g.need[c][d][k] > 0 for c in places)
    ]
    limit = instance.rules.max_shifts_per_day or len(occs)
    best_minutes = best_count = 0
    for size in range(1, min(limit, len(occs)) + 1):
        for combo in itertools.combinations(occs, size):
            ordered = sorted(combo, key=lambda o: o.start)
            if all(b.start >= a.end + g.rest for a, b in itertools.pairwise(ordered)):
                best_minutes = max(best_minutes, sum(o.end - o.start for o in combo))
                best_count = max(best_count, size)
        if len(occs) > 12:  # many templates: stop at one Shift a day rather than explode
            break
    return best_minutes, best_count


def _lock_reasons(instance: Instance, g: Grid) -> list[Explanation]:
    """Locks that cannot hold whatever the solver does."""
    reasons = []
    per_slot: dict[tuple[int, int, int], int] = defaultdict(int)
    on: dict[int, list[tuple[int, int, dict[str, object]]]] = defaultdict(list)
    for lock in dict.fromkeys(instance.locks):  # the same lock twice is one lock
        if not lock.assigned:
            continue
        s = g.staff_index.get(lock.staff)
        d = instance.horizon.index(lock.date)
        k = g.shift_index.get(lock.shift)
        if s is None or d is None or k is None:
            continue
        params = lock_params(instance, lock)
        on[s].append((d, k, params))
        if (d, k) in g.away[s]:
            reasons.append(Explanation("roster_lock_unavailable", params))
            continue
        if lock.checkpoint is None:
            continue
        c = g.cp_index.get(lock.checkpoint)
        if c is None:
            continue
        if g.need[c][d][k] <= 0:
            reasons.append(Explanation("roster_lock_closed", params))
        elif not g.can[s][c]:
            reasons.append(Explanation("roster_lock_not_allowed", params))
        else:
            per_slot[c, d, k] += 1
            if per_slot[c, d, k] == g.need[c][d][k] + 1:
                reasons.append(
                    Explanation(
                        "roster_lock_over",
                        {
                            "checkpoint": instance.checkpoints[c].name,
                            "shift": instance.shifts[k],
                            "date": instance.horizon.date(d),
                            "locked": per_slot[c, d, k],
                            "need": g.need[c][d][k],
                        },
                    )
                )
    for cells in on.values():
        for (d1, k1, p1), (d2, k2, p2) in itertools.combinations(cells, 2):
            a, b = sorted((g.occ[d1][k1], g.occ[d2][k2]), key=lambda o: o.start)
            if (d1, k1) != (d2, k2) and b.start < a.end + g.rest:
                reasons.append(
                    Explanation(
                        "roster_lock_clash",
                        {
                            "staff": p1["staff"],
                            "date": p1["date"],
                            "shift": p1["shift"],
                            "other": p2["shift"],
                        },
                    )
                )
    return reasons


def describe_empty(instance: Instance, empty: Sequence[EmptySlot]) -> list[Explanation]:
    """One sentence per empty slot (or missing lead), in Roster order."""
    out = []
    for e in empty:
        params = {
            "checkpoint": instance.checkpoint(e.checkpoint).name,
            "date": e.date,
            "shift": instance.shift(e.shift),
            "need": e.needed,
            "missing": e.missing,
        }
        out.append(Explanation("roster_empty_lead" if e.lead else "roster_empty_slot", params))
    return out


def explain_infeasible(
    instance: Instance,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int | None = None,
    soft_coverage: bool = False,
) -> list[Explanation]:
    """Why no Roster meets every hard rule: pre-checks, then empty slots, then conflicting rules."""
    from shouwang.roster.solver import solve

    if not soft_coverage:
        reasons = precheck(instance)
        if reasons:
            return reasons
        relaxed = solve(
            instance, time_limit_s=time_limit_s, seed=seed, workers=workers, soft_coverage=True, explain=False
        )
        if relaxed.has_roster and relaxed.empty_slots:
            return [Explanation("roster_no_full_cover"), *describe_empty(instance, relaxed.empty_slots)]
    conflict = conflicting_rules(instance, time_limit_s=time_limit_s, seed=seed)
    if conflict:
        return [Explanation("roster_rules_conflict", {"rules": conflict})]
    return [Explanation("roster_no_reason_found")]


def conflicting_rules(instance: Instance, *, time_limit_s: float, seed: int = 0) -> list[Explanation]:
    """A small set of per-person rules and locks that cannot all hold (empty if none is found).

    Coverage is soft here, so only the rules themselves can clash. CP-SAT returns a sufficient
    set of assumptions; a deletion pass then drops the ones not needed (while time lasts).
    """
    model = RosterModel(instance, guarded=True)
    if not model.guards:
        return []
    model.m.clear_objective()  # type: ignore[no-untyped-call]
    lits = {i: model.m.get_bool_var_from_proto_index(i) for i in model.guards}
    budget = max(1.0, time_limit_s / 4)

    def core(indices: list[int]) -> list[int] | None:
        model.m.clear_assumptions()
        model.m.add_assumptions([lits[i] for i in indices])
        solver = cp_model.CpSolver()
        configure(solver, time_limit_s=budget, seed=seed, workers=1, deterministic=True)
        status = solver.solve(model.m)
        if status != cp_model.INFEASIBLE:
            return None
        return sorted(solver.sufficient_assumptions_for_infeasibility())

    found = core(sorted(lits))
    if not found:
        return []
    kept = list(found)
    for i in found:
        if i not in kept:
            continue
        trial = [j for j in kept if j != i]
        smaller = core(trial) if trial else None
        if smaller is not None:
            kept = smaller or trial
    return [model.guards[i] for i in kept]
