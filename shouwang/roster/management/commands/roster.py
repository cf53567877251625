"""``shouwang roster solve``: make a duty Roster from a JSON instance, or solve a Curtois benchmark file.

    shouwang roster solve INSTANCE.json [--time-limit S] [--seed N] [--soft-coverage] [--out ROSTER.json]
                                        [--previous ROSTER.json]
    shouwang roster solve --format curtois InstanceN.txt [--time-limit S] [--out ROSTER.json]

A progress bar (on stderr) shows the time spent, the best objective and the bound. The summary
(status, objective, bound, gap, time) goes to stdout. Exit codes: 0 a Roster was made; 1 bad
input (the field and the fix, in Chinese and English); 2 no Roster exists (the reasons, in a
coordinator's words); 3 time ran out before any Roster was found.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shouwang.core.errors import ShouwangError
from shouwang.roster.curtois import best_known, read_curtois, roster_to_text, solve_curtois
from shouwang.roster.instance_json import read_instance, read_previous, write_result
from shouwang.roster.model import Explanation
from shouwang.roster.solver import solve


class ProgressBar:
    """A tqdm bar over the time limit, showing the current objective and bound; safe across threads."""

    def __init__(self, time_limit_s: float, *, enabled: bool) -> None:
        self.limit = time_limit_s
        self.bar = tqdm(
            total=round(time_limit_s, 1),
            unit="s",
            disable=not enabled,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}",
            desc="roster",
        )
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.objective = math.inf
        self.bound = -math.inf
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            self._draw(time.monotonic() - self.started)

    def _draw(self, elapsed: float) -> None:
        with self.lock:
            self.bar.n = round(min(elapsed, self.limit), 1)
            shown = {}
            if math.isfinite(self.objective):
                shown["objective"] = f"{self.objective:g}"
            if math.isfinite(self.bound):
                shown["bound"] = f"{self.bound:g}"
            self.bar.set_postfix(shown, refresh=False)
            self.bar.refresh()

    def update(self, elapsed: float, objective: float, bound: float) -> None:
        """The solver's progress callback: ``(elapsed s, objective, bound)``."""
        with self.lock:
            self.objective, self.bound = objective, bound
        self._draw(elapsed)

    def close(self) -> None:
        self.stop.set()
        self.ticker.join()
        with self.lock:
            self.bar.n = round(self.limit, 1)
            self.bar.refresh()
            self.bar.close()


def both(explanation: Explanation, lang: str) -> str:
    if lang == "both":
        return f"- {explanation.text('zh-hans')}\n  {explanation.text('en')}"
    return f"- {explanation.text(lang)}"


def figures(status: str, objective: float | None, bound: float | None, gap: float | None, wall: float) -> str:
    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:g}"

    gap_text = "-" if gap is None else f"{gap:.2f}%"
    return f"status={status} objective={num(objective)} bound={num(bound)} gap={gap_text} time={wall:.2f}s"


class Command(BaseCommand):
    help = "值守排班 / Duty roster: solve an instance (JSON, or the Curtois & Qu benchmark format)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{solve}")
        solve_p = sub.add_parser("solve", help="排班 / make a Roster")
        solve_p.add_argument(
            "instance", metavar="INSTANCE", help="JSON instance, or InstanceN.txt with --format curtois"
        )
        solve_p.add_argument(
            "--format", choices=("json", "curtois"), default="json", help="input format (default json)"
        )
        solve_p.add_argument(
            "--time-limit", type=float, default=30.0, metavar="S", help="seconds (default 30)"
        )
        solve_p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
        solve_p.add_argument(
            "--workers", type=int, default=None, metavar="N", help="search workers (default: CPUs, ≤ 8)"
        )
        solve_p.add_argument(
            "--deterministic",
            action="store_true",
            help="the same Roster every run for a seed (neighbourhood search on deterministic time; slower, proves less)",
        )
        solve_p.add_argument(
            "--soft-coverage", action="store_true", help="let slots stay empty and list them"
        )
        solve_p.add_argument("--out", metavar="ROSTER.json", help="write the Roster (JSON) here")
        solve_p.add_argument(
            "--previous",
            metavar="ROSTER.json",
            help="an earlier Roster (an --out file): re-solve keeping as much of it as the rules allow",
        )
        solve_p.add_argument(
            "--lang", choices=("both", "zh-hans", "en"), default="both", help="language of reasons"
        )
        solve_p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit 必须大于 0 / must be more than 0")
        try:
            if options["format"] == "curtois":
                self.solve_curtois(options)
            else:
                self.solve_json(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def solve_json(self, options: dict[str, Any]) -> None:
        instance = read_instance(options["instance"])
        if options["previous"]:
            instance = read_previous(options["previous"], instance)
        bar = ProgressBar(options["time_limit"], enabled=not options["no_progress"])
        try:
            result = solve(
                instance,
                time_limit_s=options["time_limit"],
                seed=options["seed"],
                workers=options["workers"],
                soft_coverage=options["soft_coverage"],
                progress=bar.update,
                deterministic=options["deterministic"],
            )
        finally:
            bar.close()
        self.stdout.write(
            figures(result.status, result.objective, result.best_bound, result.gap_pct, result.wall_s)
        )
        if result.has_roster and options["previous"]:
            moved = Counter(instance.previous) - Counter(result.assignments)
            self.stdout.write(f"changed={sum(moved.values())} of previous={len(instance.previous)}")
        if result.has_roster:
            hours = sorted(result.hours.values())
            self.stdout.write(
                f"shifts={len(result.assignments)} staff={len(hours)} "
                f"hours_min={hours[0] if hours else 0:g} hours_max={hours[-1] if hours else 0:g} "
                f"terms={json.dumps(dict(result.objective_terms), sort_keys=True)}"
            )
        for explanation in result.explanations:
            self.stdout.write(both(explanation, options["lang"]))
        if options["out"] and result.has_roster:
            write_result(result, options["out"], instance)
            self.stdout.write(f"roster written to {options['out']}")
        if result.status == "infeasible":
            raise CommandError("无法排班，原因见上 / no roster meets the rules; reasons above", returncode=2)
        if result.status == "unknown":
            raise CommandError("时限内未找到排班 / no roster found within the time limit", returncode=3)

    def solve_curtois(self, options: dict[str, Any]) -> None:
        path = Path(options["instance"])
        instance = read_curtois(path)
        bar = ProgressBar(options["time_limit"], enabled=not options["no_progress"])
        try:
            result = solve_curtois(
                instance,
                time_limit_s=options["time_limit"],
                seed=options["seed"],
                workers=options["workers"],
                progress=bar.update,
                deterministic=options["deterministic"],
            )
        finally:
            bar.close()
        self.stdout.write(
            figures(result.status, result.objective, result.best_bound, result.gap_pct, result.wall_s)
        )
        number = instance.name.removeprefix("Instance")
        known = best_known(path.parent).get(int(number)) if number.isdigit() else None
        if known is not None and result.objective is not None:
            self.stdout.write(
                f"best_published={known} above_best_pct={100 * (result.objective - known) / known:.2f}"
            )
        if options["out"] and result.roster:
            out = Path(options["out"])
            doc = {
                "instance": instance.name,
                "status": result.status,
                "objective": result.objective,
                "best_bound": result.best_bound,
                "roster": result.roster,
                "roster_text": roster_to_text(instance, result.roster),
            }
            out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"roster written to {out}")
        if result.status == "infeasible":
            raise CommandError("该实例无可行解 / the instance has no feasible roster", returncode=2)
        if result.status == "unknown":
            raise CommandError("时限内未找到排班 / no roster found within the time limit", returncode=3)
