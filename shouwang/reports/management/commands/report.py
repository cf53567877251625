"""``shouwang report daily``: write a daily report (日报) as .xlsx, PDF or CSV.

    shouwang report daily --date 2020-03-01 [--community tps] --format xlsx|pdf|csv --out FILE
                          [--user USERNAME]

Without ``--community`` it is the sub-district's roll-up. The submitted report is written when
there is one; otherwise the live figures, marked 未上报 / NOT SUBMITTED (the last line says
which). Runs the same audited export service as the pages and the API, as ``--user`` (default:
the sub-district's admin with the lowest id), so the audit log says who exported. The file is
written beside its destination and moved into place, so a failure never leaves half a file.
A refusal is one line in Chinese and English and exit code 1, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.actors import acting_user
from shouwang.core.errors import ShouwangError
from shouwang.core.messages import describe
from shouwang.places.models import Subdistrict
from shouwang.places.selectors import find_community
from shouwang.reports.choices import ExportFormat
from shouwang.reports.selectors import ReportTarget
from shouwang.reports.services import export_report


def both(code: str, /, **params: Any) -> str:
    return f"{describe(code, 'zh-hans', **params)} / {describe(code, 'en', **params)}"


def fail(code: str, /, **params: Any) -> CommandError:
    return CommandError(both(code, **params))


def parse_day(raw: str) -> dt.date:
    """``--date`` as a local date; ``date_invalid`` otherwise."""
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise fail("date_invalid", what="--date", raw=raw) from None


def check_writable(out: Path) -> None:
    """Refuse before any work when ``out`` cannot be written: ``report_out_unwritable``."""
    if out.is_dir():
        raise fail(
            "report_out_unwritable", path=str(out), reason="这是一个目录", reason_en="it is a directory"
        )
    parent = out.parent
    if not parent.is_dir():
        raise fail("report_out_unwritable", path=str(out), reason="目录不存在", reason_en="no such directory")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise fail("report_out_unwritable", path=str(out), reason="没有写权限", reason_en="permission denied")


def write_atomically(out: Path, content: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise fail(
            "report_out_unwritable",
            path=str(out),
            reason=exc.strerror or str(exc),
            reason_en=exc.strerror or str(exc),
        ) from None


class Command(BaseCommand):
    help = "日报：导出 .xlsx / PDF / CSV / Daily report: export as .xlsx, PDF or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{daily}")
        daily = sub.add_parser("daily", help="导出某日日报 / export the daily report of a date")
        daily.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="本地日期 / local date")
        daily.add_argument(
            "--community",
            metavar="CODE",
            help="社区编号或名称；省略为全街道汇总 / community; omit for the roll-up",
        )
        daily.add_argument(
            "--format", dest="fmt", required=True, metavar="xlsx|pdf|csv", help="文件格式 / file format"
        )
        daily.add_argument("--out", required=True, metavar="FILE", help="输出文件 / output file")
        daily.add_argument("--user", metavar="USERNAME", help="以谁的身份（记入审计）/ act as (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.daily(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def daily(self, options: dict[str, Any]) -> None:
        day = parse_day(options["date"])
        fmt = str(options["fmt"]).strip().lower().lstrip(".")
        if fmt not in ExportFormat.values:
            raise fail("report_format_unknown", raw=options["fmt"])
        out = Path(options["out"]).expanduser()
        if out.suffix.lower().lstrip(".") in ExportFormat.values and out.suffix.lower().lstrip(".") != fmt:
            # An .xlsx named .csv opens as garbage; say so before any work.
            raise fail("report_out_suffix", path=str(out), fmt=fmt)
        check_writable(out)
        if (options.get("community") or "").strip().lower() == "all":
            options["community"] = None  # the API's word for the roll-up
        if options.get("community"):
            community = find_community(options["community"])
            target = ReportTarget(community.subdistrict, community)
        else:
            subdistrict = Subdistrict.objects.order_by("pk").first()
            if subdistrict is None:
                raise fail("community_unknown", name="(no sub-district)")
            target = ReportTarget(subdistrict, None)
        user = acting_user(options.get("user"), target.subdistrict)
        exported = export_report(target, day, fmt=fmt, actor=user)
        write_atomically(out, exported.content)
        kind = "live figures, NOT SUBMITTED 未上报" if exported.live else "submitted report 已上报"
        self.stdout.write(f"{out} {len(exported.content)} bytes: {target.key} {day.isoformat()} {kind}")
