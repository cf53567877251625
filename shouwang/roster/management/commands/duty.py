"""``shouwang duty plan|export|hours``: the duty roster of a sub-district from the command line.

    shouwang duty plan --subdistrict CODE --from YYYY-MM-DD --days N [--time-limit S] [--seed N]
                       [--soft-coverage] [--user USERNAME] [--no-progress]
    shouwang duty export --roster ID --out FILE.xlsx [--user USERNAME]
    shouwang duty hours --from YYYY-MM-DD --to YYYY-MM-DD [--subdistrict CODE] [--out FILE.xlsx]
                        [--user USERNAME]

Each runs the same services as the pages and the API, as ``--user`` (default: the sub-district's
first admin), so the audit log says who. ``plan`` shows a progress bar (objective and bound) on
stderr, then the figures, and the empty slots or the reasons no roster exists in Chinese and
English. Exit codes: 0 done; 1 refused (one line in both languages); 2 no roster can be made;
3 time ran out before any roster was found.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shouwang.core.actors import acting_user
from shouwang.core.errors import ShouwangError
from shouwang.core.messages import describe
from shouwang.places.models import Subdistrict
from shouwang.roster.management.commands.roster import ProgressBar, figures
from shouwang.roster.models import Roster
from shouwang.roster.selectors import duty_hours
from shouwang.roster.services import (
    MAX_ROSTER_DAYS,
    MAX_TIME_LIMIT_S,
    export_duty_hours_xlsx,
    export_roster_xlsx,
    require_coordinator,
    solve_roster,
)

MAX_REPORT_DAYS = 366


def both(code: str, /, **params: Any) -> str:
    """``code`` in zh-Hans, then English."""
    return f"{describe(code, 'zh-hans', **params)} / {describe(code, 'en', **params)}"


def fail(code: str, /, **params: Any) -> CommandError:
    return CommandError(both(code, **params))


def parse_date(raw: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise fail("duty_date_invalid", what=what, raw=raw[:20]) from None


def find_subdistrict(code: str | None) -> Subdistrict:
    """The named sub-district, or the only one there is."""
    if code:
        found = Subdistrict.objects.filter(code__iexact=code.strip()).first()
        if found is None:
            raise fail("subdistrict_unknown", code=code.strip()[:32])
        return found
    all_ = list(Subdistrict.objects.order_by("code")[:2])
    if len(all_) != 1:
        raise fail("subdistrict_required")
    return all_[0]


def xlsx_path(raw: str) -> Path:
    out = Path(raw).expanduser().resolve()
    if out.is_dir() or out.suffix.lower() != ".xlsx":
        raise fail("duty_not_xlsx", path=str(out))
    if not out.parent.is_dir():
        raise fail("duty_write_failed", path=str(out), reason="no such directory")
    return out


def write_export(out: Path, make: Callable[[], bytes]) -> int:
    """Write what ``make`` returns to ``out`` atomically; the audit row ``make`` writes and the
    file land together (a file that cannot be written is no export). Returns the size."""
    try:
        with transaction.atomic():
            data = make()
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, out)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise fail("duty_write_failed", path=str(out), reason=exc.strerror or str(exc)) from None
    return len(data)


class Command(BaseCommand):
    help = "值守排班：排班、导出、工时 / Duty roster: plan, export, hours."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{plan,export,hours}")
        plan = sub.add_parser(
            "plan", help="为街道排班（或重排）/ solve (or re-solve) a sub-district's roster"
        )
        plan.add_argument(
            "--subdistrict", metavar="CODE", help="街道编号 / sub-district code (default: the only one)"
        )
        plan.add_argument(
            "--from", dest="start", required=True, metavar="YYYY-MM-DD", help="第一天 / first local date"
        )
        plan.add_argument(
            "--days", type=int, required=True, metavar="N", help=f"天数 / days (1–{MAX_ROSTER_DAYS})"
        )
        plan.add_argument(
            "--time-limit", type=float, default=30.0, metavar="S", help="秒 / seconds (default 30)"
        )
        plan.add_argument(
            "--seed", type=int, default=0, metavar="N", help="随机种子 / random seed (default 0)"
        )
        plan.add_argument(
            "--soft-coverage", action="store_true", help="允许空缺并列出 / let slots stay empty, listed"
        )
        plan.add_argument(
            "--afresh",
            action="store_true",
            help="重排时不保留现有排班 / re-solve without keeping the present roster",
        )
        plan.add_argument("--user", metavar="USERNAME", help="以谁的身份 / act as (default: the first admin)")
        plan.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
        export = sub.add_parser("export", help="导出排班表 .xlsx / write a roster's printable grid")
        export.add_argument("--roster", type=int, required=True, metavar="ID", help="排班表编号 / roster id")
        export.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件 / output file")
        export.add_argument("--user", metavar="USERNAME", help="以谁的身份（记入审计）/ act as (audited)")
        hours = sub.add_parser("hours", help="值守工时（按签到签退）/ duty hours from sign-in and sign-out")
        hours.add_argument(
            "--from", dest="start", required=True, metavar="YYYY-MM-DD", help="第一天 / first date"
        )
        hours.add_argument(
            "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="最后一天 / last date"
        )
        hours.add_argument("--subdistrict", metavar="CODE", help="街道编号 / sub-district code")
        hours.add_argument("--out", metavar="FILE.xlsx", help="另存为 .xlsx / also write a workbook")
        hours.add_argument("--user", metavar="USERNAME", help="以谁的身份（记入审计）/ act as (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            action = options["action"]
            if action == "plan":
                self.plan(options)
            elif action == "export":
                self.export(options)
            else:
                self.hours(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    # -- plan ----------------------------------------------------------------------------------

    def plan(self, options: dict[str, Any]) -> None:
        limit = options["time_limit"]
        if not 0 < limit <= MAX_TIME_LIMIT_S:
            raise fail("roster_time_limit_range", high=int(MAX_TIME_LIMIT_S))
        start = parse_date(options["start"], "--from")
        subdistrict = find_subdistrict(options.get("subdistrict"))
        user = acting_user(options.get("user"), subdistrict)
        bar = ProgressBar(limit, enabled=not options["no_progress"])
        try:
            outcome = solve_roster(
                subdistrict,
                start=start,
                days=options["days"],
                actor=user,
                time_limit_s=limit,
                seed=options["seed"],
                soft_coverage=options["soft_coverage"],
                keep_current=not options["afresh"],
                progress=bar.update,
            )
        finally:
            bar.close()
        result = outcome.result
        if result is not None:
            self.stdout.write(
                figures(result.status, result.objective, result.best_bound, result.gap_pct, result.wall_s)
            )
        roster = outcome.roster
        if outcome.stored and roster is not None:
            shifts = roster.shifts.count()
            empty = sum(int(e.get("missing", 0)) for e in roster.empty_slots)
            self.stdout.write(
                f"roster={roster.pk} subdistrict={subdistrict.code} start={roster.start.isoformat()} "
                f"end={roster.end.isoformat()} shifts={shifts} empty_places={empty} status={roster.status} "
                f"created={'yes' if outcome.created else 'no'}"
                + ("" if outcome.changed is None else f" changed={outcome.changed}")
            )
        for reason in outcome.reasons:
            self.stdout.write(f"- {reason.zh}\n  {reason.en}")
        if not outcome.stored:
            raise CommandError(
                both("duty_roster_not_made", status=outcome.status),
                returncode=2 if outcome.status == "infeasible" else 3,
            )

    # -- export --------------------------------------------------------------------------------

    def export(self, options: dict[str, Any]) -> None:
        out = xlsx_path(options["out"])
        roster = Roster.objects.select_related("subdistrict").filter(pk=options["roster"]).first()
        if roster is None:
            raise fail("roster_unknown", id=options["roster"])
        user = acting_user(options.get("user"), roster.subdistrict)
        size = write_export(out, lambda: export_roster_xlsx(roster, actor=user, via=f"cli:{out.name}"))
        self.stdout.write(f"roster={roster.pk} user={user.get_username()} bytes={size} out={out}")

    # -- hours ---------------------------------------------------------------------------------

    def hours(self, options: dict[str, Any]) -> None:
        start = parse_date(options["start"], "--from")
        end = parse_date(options["end"], "--to")
        if end < start:
            raise fail("duty_range_invalid", start=start.isoformat(), end=end.isoformat())
        if (end - start).days >= MAX_REPORT_DAYS:
            raise fail("duty_range_too_long", days=MAX_REPORT_DAYS)
        out = xlsx_path(options["out"]) if options.get("out") else None
        subdistrict = find_subdistrict(options.get("subdistrict"))
        user = acting_user(options.get("user"), subdistrict)
        require_coordinator(user, subdistrict)
        report = duty_hours(subdistrict, start, end)
        self.stdout.write(
            f"{subdistrict.name} {start.isoformat()} – {end.isoformat()}  "
            f"(迟到 late > {report.late_after_minutes} min)"
        )
        self.stdout.write(
            f"{'分组 team':<20} {'姓名 name':<10} {'账号 user':<12} {'签到h':>7} {'排班h':>7} "
            f"{'迟到':>4} {'缺勤':>4} {'未签退':>5}"
        )
        for p in report.people:
            self.stdout.write(
                f"{(p.team or '-')[:20]:<20} {p.staff.display_name[:10]:<10} {p.staff.user.get_username()[:12]:<12} "
                f"{p.attended_h:>7.2f} {p.rostered_h:>7.2f} {len(p.late):>4} {len(p.absent):>4} {len(p.open):>5}"
            )
        for t in [*report.teams, report.total]:
            self.stdout.write(
                f"== {t.name or '未分组 no team'}: people={t.people} attended_h={t.attended_h:.2f} "
                f"rostered_h={t.rostered_h:.2f} late={t.late} absent={t.absent} open={t.open}"
            )
        if out is not None:
            size = write_export(
                out,
                lambda: export_duty_hours_xlsx(
                    subdistrict, start=start, end=end, actor=user, via=f"cli:{out.name}"
                ),
            )
            self.stdout.write(f"user={user.get_username()} bytes={size} out={out}")
