"""``shouwang quarantine remind|release-due|export``: the periodic work of home quarantine.

Run by cron or a systemd timer (STYLE.md §13): ``remind`` in the morning, ``release-due --yes``
just after local midnight. ``remind`` and ``release-due`` take a lock so two timers cannot
overlap. Every refusal is one line in Chinese and English and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from shouwang.core.access import require_role
from shouwang.core.choices import Role
from shouwang.core.errors import ShouwangError
from shouwang.core.messages import describe
from shouwang.core.notify import get_notifier
from shouwang.places.models import Community
from shouwang.places.selectors import find_community
from shouwang.quarantine.reminders import Reminder, build_reminders, item_line, send_reminders
from shouwang.quarantine.selectors import check_report_day
from shouwang.quarantine.services import export_health_station_xlsx, plans_due_for_release, release_due

EXPORT_USAGE = "shouwang quarantine export --date YYYY-MM-DD --out FILE.xlsx [--user USERNAME]"
YES = {"y", "yes", "是", "好"}


def both(code: str, /, **params: Any) -> str:
    """``code`` in zh-Hans, then English."""
    return f"{describe(code, 'zh-hans', **params)} / {describe(code, 'en', **params)}"


def fail(code: str, /, **params: Any) -> CommandError:
    """A one-line refusal in zh-Hans then English."""
    return CommandError(both(code, **params))


def from_error(exc: ShouwangError) -> CommandError:
    return CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}")


def parse_date(raw: str | None, what: str) -> dt.date | None:
    """``YYYY-MM-DD`` (a local date) or None when not given."""
    if raw is None:
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise fail("date_invalid", what=what, raw=raw) from None
    try:
        return check_report_day(day, field=what)
    except ShouwangError as err:
        raise fail(err.code, **err.params) from None


def get_user(username: str | None) -> Any:
    """The named user, or None when not given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).select_related("staff").first()
    if user is None:
        raise fail("user_unknown", username=username)
    return user


def communities_for(code_or_name: str | None) -> list[Community]:
    """The one named community, else all of them (by code)."""
    if code_or_name:
        return [find_community(code_or_name)]
    return list(Community.objects.select_related("subdistrict").order_by("code"))


@contextmanager
def run_lock(action: str) -> Iterator[None]:
    """One run of ``action`` at a time per database (a non-blocking ``flock`` in the temp dir)."""
    database = str(settings.DATABASES["default"].get("NAME", ""))
    key = hashlib.sha256(database.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"shouwang-quarantine-{action}-{key}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise fail("cli_already_running", action=action) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Command(BaseCommand):
    help = (
        "居家隔离：随访提醒、期满解除、卫生站导出 / Home quarantine: follow-up reminders, "
        "release when due, health-station export."
    )
    # Tests (and wrappers) may pass ``stdin=`` to answer the release-due prompt.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{remind,release-due,export}")
        remind = sub.add_parser(
            "remind",
            help="打印并发送每位社区工作者今日待随访名单 / print and send each worker's follow-ups for today",
        )
        remind.add_argument(
            "--date", metavar="YYYY-MM-DD", help="本地日期（默认今天）/ local date, default today"
        )
        remind.add_argument("--community", metavar="CODE_OR_NAME", help="只提醒一个社区 / one community only")
        remind.add_argument(
            "--notifier",
            metavar="SPEC",
            help="log | email | webhook:URL，可逗号分隔多个（默认 SHOUWANG_NOTIFIER）/ "
            "several joined by commas; default settings.SHOUWANG_NOTIFIER",
        )
        remind.add_argument(
            "--dry-run", action="store_true", help="只打印，不发送 / print only, send nothing"
        )
        release = sub.add_parser(
            "release-due",
            help="解除已到期的居家隔离（最后一天的次日 0 时起）/ release plans whose free day has come",
        )
        release.add_argument("--yes", action="store_true", help="不询问，直接解除 / do not ask")
        release.add_argument(
            "--community", metavar="CODE_OR_NAME", help="只处理一个社区 / one community only"
        )
        release.add_argument(
            "--user",
            metavar="USERNAME",
            help="记入审计的操作人（默认系统）/ actor in the audit log, default the system",
        )
        export = sub.add_parser(
            "export", help="导出卫生站日报 .xlsx / write the health station's workbook for a local date"
        )
        export.add_argument("--date", metavar="YYYY-MM-DD", help="本地日期（必填）/ local date (required)")
        export.add_argument("--out", metavar="FILE.xlsx", help="输出文件（必填）/ output file (required)")
        export.add_argument(
            "--user",
            metavar="USERNAME",
            help="以谁的权限导出（默认第一个街道管理员），记入审计 / export as this user "
            "(default: the first sub-district admin); recorded in the audit log",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            action = options["action"]
            if action == "remind":
                with run_lock("remind"):
                    self.remind(options)
            elif action == "release-due":
                with run_lock("release-due"):
                    self.release_due(options)
            else:
                self.export(options)
        except ShouwangError as exc:
            raise from_error(exc) from None

    # -- remind ------------------------------------------------------------------------------

    def remind(self, options: dict[str, Any]) -> None:
        day = parse_date(options.get("date"), "--date")
        communities = communities_for(options.get("community"))
        notifier = None if options["dry_run"] else get_notifier(options.get("notifier"))
        reminders = build_reminders(day, timezone.now(), communities)
        for reminder in reminders:
            self.print_reminder(reminder)
        counts = send_reminders(day, notifier=notifier, reminders=reminders)
        self.stdout.write(counts.summary())
        addressed = sum(1 for r in reminders if r.worker is not None)
        if notifier is not None and counts.sent < addressed:
            # A cron job must see that reminders did not go out, not a green exit.
            raise fail("remind_not_delivered", failed=addressed - counts.sent, total=addressed)

    def print_reminder(self, reminder: Reminder) -> None:
        if reminder.worker is None:
            by_community: dict[str, list[Any]] = {}
            for item in reminder.items:
                by_community.setdefault(item.plan.community.name, []).append(item)
            for name, items in by_community.items():
                self.stdout.write(both("remind_nobody", community=name, count=len(items)))
                for n, item in enumerate(items, start=1):
                    self.stdout.write(f"  {item_line(n, item, 'zh-hans')}")
            self.stdout.write("")
            return
        worker = reminder.worker
        staff = getattr(worker, "staff", None)
        who = f"{worker.get_username()} ({staff.display_name})" if staff else worker.get_username()
        self.stdout.write(f"== {both('remind_worker_header', worker=who, count=len(reminder.items))} ==")
        self.stdout.write(reminder.subject)
        for line in reminder.body.splitlines():
            self.stdout.write(f"  {line}" if line else "")
        self.stdout.write("")

    # -- release-due -------------------------------------------------------------------------

    def release_due(self, options: dict[str, Any]) -> None:
        communities = communities_for(options.get("community"))
        actor = get_user(options.get("user"))
        if actor is not None:
            require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)
        now = timezone.now()
        plans = plans_due_for_release(communities, now=now)
        if not plans:
            self.stdout.write(both("release_due_none"))
            self.stdout.write("released=0")
            return
        for plan in plans:
            self.stdout.write(
                f"  #{plan.pk} {plan.resident.masked_name} {plan.community.code} "
                f"last_day={plan.last_day.isoformat()} "
                f"free_from={(plan.last_day + dt.timedelta(days=1)).isoformat()}"
            )
        if not options["yes"] and not self.confirm(len(plans), options.get("stdin") or sys.stdin):
            self.stdout.write(both("release_due_cancelled"))
            self.stdout.write("released=0")
            return
        released = release_due(plans, actor=actor, now=now)
        self.stdout.write(f"released={released}")

    def confirm(self, count: int, stdin: Any) -> bool:
        """Ask "Release N plans? [y/N]"; only y/yes/是 agrees, and end of input is a no."""
        self.stdout.write(
            f"{describe('release_due_prompt', 'zh-hans', count=count)} "
            f"{describe('release_due_prompt', 'en', count=count)} [y/N] ",
            ending="",
        )
        self.stdout.flush()
        answer = stdin.readline()
        if not answer.endswith("\n"):
            self.stdout.write("")
        return answer.strip().lower() in YES

    # -- export ------------------------------------------------------------------------------

    def export(self, options: dict[str, Any]) -> None:
        if not options.get("date"):
            raise fail("cli_option_required", option="--date", usage=EXPORT_USAGE)
        if not options.get("out"):
            raise fail("cli_option_required", option="--out", usage=EXPORT_USAGE)
        day = parse_date(options["date"], "--date")
        assert day is not None
        out = Path(options["out"]).expanduser().resolve()
        if out.is_dir() or out.suffix.lower() != ".xlsx":
            raise fail("cli_not_xlsx", path=str(out))
        if not out.parent.is_dir():
            raise fail("output_dir_missing", path=str(out.parent))
        user = get_user(options.get("user")) or self.first_admin()
        try:
            # The audit row and the file land together: a file that cannot be written is no export.
            with transaction.atomic():
                data = export_health_station_xlsx(user, day=day, via=f"cli:{out.name}")
                fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                    os.replace(tmp, out)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except OSError as exc:
            raise fail("cli_write_failed", path=str(out), reason=exc.strerror or str(exc)) from None
        self.stdout.write(f"date={day.isoformat()} user={user.get_username()} bytes={len(data)} out={out}")

    def first_admin(self) -> Any:
        """The sub-district admin with the lowest id: the CLI's default export context."""
        user = (
            get_user_model()
            .objects.filter(staff__role=Role.SUBDISTRICT_ADMIN, is_active=True)
            .select_related("staff")
            .order_by("pk")
            .first()
        )
        if user is None:
            raise fail("cli_export_no_user")
        return user
