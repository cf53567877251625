"""``shouwang incidents list``: incidents of a local day (or all open ones), per community.

``shouwang incidents list --date 2020-03-01 --community tps [--checkpoint lixue-e] [--status open]``.
People are shown as recorded (masked from the gate, or described); ``--date`` is a local date
(default today in each community; with ``--status open`` and no date, every open incident). A
refusal is one line in Chinese and English and a non-zero exit, never a traceback. ``shouwang
services list`` (help given) shares these helpers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouwang.core.errors import ShouwangError
from shouwang.incidents.choices import IncidentStatus
from shouwang.incidents.selectors import incidents_query
from shouwang.visitors.management.commands.visits import add_list_arguments, both, fail, parse_date, where


class Command(BaseCommand):
    help = (
        "事件：按日期、社区、卡口、状态列出 / Incidents: list by local date, community, checkpoint, status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list}")
        listing = sub.add_parser("list", help="列出事件 / list incidents")
        add_list_arguments(listing)
        listing.add_argument(
            "--status", metavar="open|closed", help="只列处理中或已结案 / open or closed only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.list(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def list(self, options: dict[str, Any]) -> None:
        status = options.get("status")
        if status and status not in IncidentStatus.values:
            raise fail("status_unknown", raw=status, known=", ".join(IncidentStatus.values))
        day = parse_date(options.get("date"))
        communities, gate = where(options)
        total = still_open = 0
        for community in communities:
            on_day = (
                None
                if status == IncidentStatus.OPEN and day is None
                else day or community.local_date(timezone.now())
            )
            rows = list(
                incidents_query({community.pk}, day=on_day, status=status, checkpoint=gate).order_by(
                    "occurred_at", "pk"
                )
            )
            self.stdout.write(
                f"== {community.code} {community.name} {on_day.isoformat() if on_day else 'open'} =="
            )
            if not rows:
                self.stdout.write(f"  {both('cli_nothing_listed')}")
            tz = community.tz
            for i in rows:
                who = i.resident.masked_name if i.resident else i.people
                escalated = ",".join(
                    f"{e.target}@{e.at.astimezone(tz):%H:%M}"
                    for e in sorted(i.escalations.all(), key=lambda e: e.at)
                )
                photo = " [photo]" if getattr(i, "has_photo", False) else ""
                outcome = f" → {i.outcome}" if i.outcome else ""
                self.stdout.write(
                    f"  {i.occurred_at.astimezone(tz):%Y-%m-%d %H:%M} {i.checkpoint.code} {i.kind} "
                    f"{i.severity} {i.status} {who} 「{i.description}」 {escalated or '-'}{photo}{outcome}"
                )
            total += len(rows)
            still_open += sum(1 for i in rows if i.status == IncidentStatus.OPEN)
        self.stdout.write(f"incidents={total} open={still_open}")
