"""``shouwang purge [--dry-run]``: delete personal records past their retention period.

Meant for a nightly timer (cron or a systemd timer); see :mod:`shouwang.privacy.services` for
what goes and what stays. ``--dry-run`` counts what would go and writes nothing. Prints one line
per record type in Chinese and English, then the cut-off dates per community.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shouwang.privacy.services import RECORD_TYPES, purge

WORDS = {
    "screenings": "测温查证记录 screenings",
    "alerts": "预警 alerts",
    "visits": "访客登记 visits",
    "deliveries": "外卖快递 deliveries",
    "invitations": "访客邀请 invitations",
    "visitors": "访客档案 visitors",
    "follow_ups": "随访记录 follow-ups",
    "quarantine_plans": "居家隔离方案 quarantine plans",
    "returnees": "返京登记 returnees",
    "self_reports": "本人申报 self-reports",
}


class Command(BaseCommand):
    help = "按留存期限删除个人数据，保留统计数字 / Delete personal records past their retention period, keeping counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只统计将删除的记录，不删除 / count what would be deleted, delete nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge(dry_run=options["dry_run"])
        head = (
            "试运行：以下记录将被删除（未删除）/ dry run: would delete (nothing deleted)"
            if result.dry_run
            else "已删除 / deleted"
        )
        self.stdout.write(head)
        for kind in RECORD_TYPES:
            self.stdout.write(f"  {WORDS[kind]}: {result.deleted.get(kind, 0)}")
        self.stdout.write("保留至（含）以下日期之后的记录 / kept from these local dates on:")
        for code, cut in result.cutoffs.items():
            self.stdout.write(
                f"  {code}: 测温 screenings {cut['screenings']} · 访客 visitors {cut['visitors']} · 隔离 quarantine {cut['quarantine']}"
            )
        if result.run is not None:
            self.stdout.write(f"记录编号 / purge run #{result.run.pk}")
