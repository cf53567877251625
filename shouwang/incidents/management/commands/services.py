"""``shouwang services list``: help given at the gates (便民服务) on a local day, per community.

``shouwang services list --date 2020-03-01 --community tps [--checkpoint lixue-e]``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouwang.core.errors import ShouwangError
from shouwang.incidents.selectors import services_query
from shouwang.visitors.management.commands.visits import add_list_arguments, both, parse_date, where


class Command(BaseCommand):
    help = "便民服务：按日期、社区、卡口列出 / Help given: list by local date, community and checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list}")
        add_list_arguments(sub.add_parser("list", help="列出便民服务 / list help given"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.list(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def list(self, options: dict[str, Any]) -> None:
        day = parse_date(options.get("date"))
        communities, gate = where(options)
        total = 0
        for community in communities:
            on_day = day or community.local_date(timezone.now())
            rows = list(
                services_query({community.pk}, day=on_day, checkpoint=gate).order_by("occurred_at", "pk")
            )
            self.stdout.write(f"== {community.code} {community.name} {on_day.isoformat()} ==")
            if not rows:
                self.stdout.write(f"  {both('cli_nothing_listed')}")
            tz = community.tz
            for s in rows:
                whom = s.resident.masked_name if s.resident else s.person
                by = s.staff.staff.display_name if s.staff and hasattr(s.staff, "staff") else "-"
                self.stdout.write(
                    f"  {s.occurred_at.astimezone(tz):%Y-%m-%d %H:%M} {s.checkpoint.code} {s.kind} "
                    f"{whom} 「{s.note}」 by {by}"
                )
            total += len(rows)
        self.stdout.write(f"services={total}")
