"""``shouwang deliveries list``: delivery riders of a local day, per gate (counted apart from visits).

``shouwang deliveries list --date 2020-03-01 --community tps [--checkpoint lixue-e]``; phones masked.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouwang.core.errors import ShouwangError
from shouwang.visitors.choices import Platform
from shouwang.visitors.management.commands.visits import add_list_arguments, both, celsius, parse_date, where
from shouwang.visitors.selectors import deliveries_query


class Command(BaseCommand):
    help = "外卖快递登记：按日期、社区、卡口列出 / Deliveries: list by local date, community and checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list}")
        add_list_arguments(sub.add_parser("list", help="列出外卖快递登记 / list deliveries"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.list(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def list(self, options: dict[str, Any]) -> None:
        day = parse_date(options.get("date"))
        communities, gate = where(options)
        total = entered = 0
        for community in communities:
            on_day = day or community.local_date(timezone.now())
            rows = list(
                deliveries_query({community.pk}, day=on_day, checkpoint=gate).order_by("occurred_at", "pk")
            )
            self.stdout.write(f"== {community.code} {community.name} {on_day.isoformat()} ==")
            if not rows:
                self.stdout.write(f"  {both('cli_nothing_listed')}")
            tz = community.tz
            for d in rows:
                platform = str(Platform(d.platform).label).split(" ")[0]
                to = f" → {d.recipient_label}" if d.recipient_label else ""
                self.stdout.write(
                    f"  {d.occurred_at.astimezone(tz):%Y-%m-%d %H:%M} {d.checkpoint.code} {platform} "
                    f"{d.masked_phone} {celsius(d.temperature_c)} {d.decision} {d.handoff}{to}"
                )
            total += len(rows)
            entered += sum(1 for d in rows if d.handoff == "entered")
        self.stdout.write(f"deliveries={total} entered={entered}")
