"""``shouwang simulate``: replay the real operation through the services (see
:mod:`shouwang.demo.simulate`): a progress bar on stderr, the totals next to the real
operation's, and a last line ``screenings=N registrations=N duty_hours=N peak_gate_per_h=N``."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shouwang.demo.scenario import SUBDISTRICT_CODE, load_xichangan
from shouwang.demo.simulate import ReplayError, check_options, run_replay, totals_table
from shouwang.places.models import Subdistrict


class Command(BaseCommand):
    help = "重演真实值守 Replay the real operation of 西长安街街道 through the services."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--data-dir", help="数据目录 data directory (read by shouwang/cli.py)")
        parser.add_argument("--scenario", default="xichangan", help="场景 scenario (only: xichangan)")
        parser.add_argument(
            "--from", dest="start", default="2020-02-29", help="首日 first local date YYYY-MM-DD"
        )
        parser.add_argument("--days", default="26", help="天数 number of days, 1–60 (default 26)")
        parser.add_argument("--seed", default="2020", help="随机种子 seed (default 2020)")
        parser.add_argument(
            "--scale", default="1.0", help="规模 volume multiplier, above 0 up to 5 (default 1.0)"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条 no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            days = _number(options["days"], "--days", int)
            seed = _number(options["seed"], "--seed", int)
            scale = _number(options["scale"], "--scale", float)
            replay = check_options(options["scenario"], options["start"], days, seed, scale)
        except ReplayError as exc:
            raise CommandError(f"{exc.zh}\n{exc.en}") from None
        call_command("migrate", verbosity=0, interactive=False)
        subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
        if subdistrict is None:
            self.stderr.write("载入西长安街街道演示数据 Loading the 西长安街街道 demo first…")
            load_xichangan()
            subdistrict = Subdistrict.objects.get(code=SUBDISTRICT_CODE)
        self.stderr.write(
            f"重演 Replaying {replay.start} – {replay.end} (seed {replay.seed}, scale {replay.scale:g})…"
        )

        def progress(items: Any, total: int) -> Any:
            if options["no_progress"]:
                return items
            return tqdm(items, total=total, file=sys.stderr, unit="write", mininterval=0.5, smoothing=0.05)

        result = run_replay(subdistrict, replay, progress=progress)
        for line in totals_table(result, replay):
            self.stdout.write(line)
        refused = sorted((n, tag) for tag, n in result.tally.items() if tag.startswith("refused:"))
        if refused:
            self.stdout.write(
                "被拒 refused by the services: " + ", ".join(f"{tag[8:]}×{n}" for n, tag in reversed(refused))
            )
        self.stdout.write(result.figures.last_line())


def _number(raw: str, name: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(str(raw).strip())
    except ValueError:
        zh, en = ("整数", "an integer") if kind is int else ("数字", "a number")
        raise ReplayError(f"{name} 须为{zh}，收到“{raw}”。", f"{name} must be {en}, got '{raw}'.") from None
