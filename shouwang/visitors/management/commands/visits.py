"""``shouwang visits list``: the visits of a local day (or the visitors inside now), per gate.

``shouwang visits list --date 2020-03-01 --community tps [--checkpoint lixue-e] [--on-site]``.
Names and phones are masked as on the pages. ``--date`` is a local date (default today in each
community). A refusal is one line in Chinese and English and a non-zero exit, never a traceback.
The ``deliveries`` command (``shouwang deliveries list``) shares these helpers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouwang.core.errors import ShouwangError
from shouwang.core.messages import describe
from shouwang.places.models import Checkpoint, Community
from shouwang.places.selectors import find_community, get_checkpoint
from shouwang.visitors.selectors import visits_query


def both(code: str, /, **params: Any) -> str:
    """``code`` in zh-Hans, then English."""
    return f"{describe(code, 'zh-hans', **params)} / {describe(code, 'en', **params)}"


def fail(code: str, /, **params: Any) -> CommandError:
    return CommandError(both(code, **params))


def parse_date(raw: str | None, what: str = "--date") -> dt.date | None:
    """``YYYY-MM-DD`` (a local date) or None when not given."""
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise fail("date_invalid", what=what, raw=raw) from None


def where(options: dict[str, Any]) -> tuple[list[Community], Checkpoint | None]:
    """The communities (one named, else all) and the checkpoint (optional) of a listing."""
    gate = None
    if options.get("checkpoint"):
        gate = get_checkpoint(options["checkpoint"], cached=False)
        return [gate.community], gate
    if options.get("community"):
        return [find_community(options["community"])], None
    return list(Community.objects.select_related("subdistrict").order_by("code")), None


def add_list_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="本地日期（默认今天）/ local date, default today"
    )
    parser.add_argument("--community", metavar="CODE_OR_NAME", help="只列一个社区 / one community only")
    parser.add_argument("--checkpoint", metavar="CODE", help="只列一个卡口 / one checkpoint only")


def celsius(value: Any) -> str:
    return f"{value}°C" if value is not None else "-"


class Command(BaseCommand):
    help = "访客登记：按日期、社区、卡口列出 / Visits: list by local date, community and checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list}")
        listing = sub.add_parser("list", help="列出访客登记 / list visits")
        add_list_arguments(listing)
        listing.add_argument(
            "--on-site",
            action="store_true",
            help="只列目前在社区内的访客（任何日期）/ only visitors inside now (any day)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.list(options)
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from None

    def list(self, options: dict[str, Any]) -> None:
        day = parse_date(options.get("date"))
        communities, gate = where(options)
        total = admitted = inside = 0
        for community in communities:
            on_day = (
                None if options["on_site"] and day is None else day or community.local_date(timezone.now())
            )
            rows = list(
                visits_query(
                    {community.pk}, day=on_day, checkpoint=gate, on_site=options["on_site"]
                ).order_by("in_at", "pk")
            )
            label = on_day.isoformat() if on_day else "on-site"
            self.stdout.write(f"== {community.code} {community.name} {label} ==")
            if not rows:
                self.stdout.write(f"  {both('cli_nothing_listed')}")
            tz = community.tz
            for v in rows:
                out = ""
                if v.out_at is not None:
                    gate_out = v.out_checkpoint.code if v.out_checkpoint else "?"
                    out = f" out {v.out_at.astimezone(tz):%H:%M} {gate_out}"
                    out += " (inferred)" if v.exit_inferred else ""
                self.stdout.write(
                    f"  {v.in_at.astimezone(tz):%Y-%m-%d %H:%M} {v.checkpoint.code} "
                    f"{v.masked_name} {v.masked_phone} → {v.host_label} "
                    f"「{v.reason}」 {celsius(v.temperature_c)} {v.decision} {v.pass_number or '-'}{out}"
                )
            total += len(rows)
            admitted += sum(1 for v in rows if v.admitted)
            inside += sum(1 for v in rows if v.on_site)
        self.stdout.write(f"visits={total} admitted={admitted} on_site={inside}")
