"""``shouwang passes issue|print``: issue a community's passes in bulk and print them on A4 sheets.

Every refusal is one line in Chinese and English and a non-zero exit; ``print`` writes its
PDF (and PNGs) under temporary names and renames them only when everything has rendered.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone

from shouwang.core.errors import ShouwangError
from shouwang.passes.cards import render_card_png, render_cards_pdf
from shouwang.passes.fonts import cjk_font_path
from shouwang.passes.models import Pass, PassStatus, PassType
from shouwang.passes.selectors import status_filter
from shouwang.passes.services import issue_missing_passes, record_pass_print
from shouwang.places.models import Community
from shouwang.places.selectors import find_community

DEFAULT_DAYS = 90  # a pass issued today runs 90 days, today included


def fail(code: str, /, **params: Any) -> CommandError:
    """A one-line refusal in zh-Hans then English, for ``code`` of the core message table."""
    return from_error(ShouwangError(code, **params))


def from_error(exc: ShouwangError) -> CommandError:
    return CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}")


def parse_date(raw: str | None, what: str) -> dt.date | None:
    """``YYYY-MM-DD`` (a local date) or None when not given; refuses anything else."""
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise fail("date_invalid", what=what, raw=raw) from None


def local_today(community: Community) -> dt.date:
    """Today's date in the community's zone (a 00:30 run belongs to that day)."""
    return community.local_date(timezone.now())


def get_actor(username: str | None) -> Any:
    """The acting user for the audit log; None (the system) when not given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise fail("user_unknown", username=username)
    return user


def get_pass_type(community: Community, code: str) -> PassType:
    pass_type = PassType.objects.filter(community=community, code=code).first()
    if pass_type is None:
        known = ", ".join(
            PassType.objects.filter(community=community).order_by("code").values_list("code", flat=True)
        )
        raise fail("pass_type_unknown", community=community.code, type_code=code, known=known or "-")
    return pass_type


def passes_to_print(community: Community, status: str) -> QuerySet[Pass]:
    """The community's passes with ``status`` today (local), in number order, ready to render."""
    if status not in PassStatus.values:
        raise fail("status_unknown", raw=status, known=", ".join(PassStatus.values))
    return (
        Pass.objects.filter(community=community)
        .filter(status_filter(status, local_today(community)))
        .select_related("community__subdistrict", "pass_type__institution", "resident", "member__institution")
        .order_by("number")
    )


def render_pdf(passes: list[Pass], out: Path) -> tuple[Path, int]:
    """Render to a temporary file beside ``out``; returns it and the page count."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pages = render_cards_pdf(passes, fh)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), pages


def discard(path: Path) -> None:
    """Remove a staged file or directory, if it is still there."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def render_pngs(passes: list[Pass], png_dir: Path) -> Path:
    """One ``<number>.png`` card per pass in a temporary directory beside ``png_dir``."""
    staging = Path(tempfile.mkdtemp(prefix=f".{png_dir.name}.", dir=png_dir.parent))
    try:
        for p in passes:
            (staging / f"{p.number}.png").write_bytes(render_card_png(p))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def publish_pngs(staging: Path, png_dir: Path) -> None:
    """Move the staged PNGs into ``png_dir`` (made if needed), replacing older cards."""
    png_dir.mkdir(exist_ok=True)
    for path in sorted(staging.iterdir()):
        os.replace(path, png_dir / path.name)
    staging.rmdir()


def check_dir(path: Path) -> None:
    if not path.is_dir():
        raise fail("output_dir_missing", path=str(path))


STATUS_HELP = "valid | expired | revoked | not_yet_valid（默认 default valid）"


def add_common(parser: CommandParser) -> None:
    parser.add_argument(
        "--community", required=True, metavar="CODE_OR_NAME", help="社区代码或名称 / community"
    )
    parser.add_argument(
        "--actor", metavar="USERNAME", help="操作人用户名，记入审计 / recorded in the audit log"
    )


class Command(BaseCommand):
    help = "出入证：为社区居民批量发放、打印证卡 / Passes: issue to a community's residents, print cards."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{issue,print}")
        issue = sub.add_parser(
            "issue", help="为尚无有效出入证的居民发证 / issue to residents without a live pass"
        )
        add_common(issue)
        issue.add_argument(
            "--type", dest="type_code", default="resident", metavar="CODE", help="出入证类型 / pass type code"
        )
        issue.add_argument(
            "--from",
            dest="valid_from",
            metavar="YYYY-MM-DD",
            help="生效日（默认今天）/ first day, default today",
        )
        issue.add_argument(
            "--until",
            dest="valid_until",
            metavar="YYYY-MM-DD",
            help=f"截止日（默认共 {DEFAULT_DAYS} 天）/ last day, default from + {DEFAULT_DAYS - 1} days",
        )
        printing = sub.add_parser("print", help="把社区出入证排版为 A4 PDF / lay out passes on A4 sheets")
        add_common(printing)
        printing.add_argument("out", metavar="OUT.pdf", help="输出 PDF 路径 / output PDF path")
        printing.add_argument("--status", default=PassStatus.VALID, metavar="STATUS", help=STATUS_HELP)
        printing.add_argument(
            "--png-dir", metavar="DIR", help="另存每张证卡 PNG / also write one PNG per card here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "issue":
                self.issue(options)
            else:
                self.print_cards(options)
        except ShouwangError as exc:
            raise from_error(exc) from None

    def issue(self, options: dict[str, Any]) -> None:
        community = find_community(options["community"])
        pass_type = get_pass_type(community, options["type_code"])
        actor = get_actor(options.get("actor"))
        valid_from = parse_date(options.get("valid_from"), "--from") or local_today(community)
        valid_until = parse_date(options.get("valid_until"), "--until") or (
            valid_from + dt.timedelta(days=DEFAULT_DAYS - 1)
        )
        passes = issue_missing_passes(
            community, pass_type=pass_type, valid_from=valid_from, valid_until=valid_until, actor=actor
        )
        first, last = (passes[0].number, passes[-1].number) if passes else ("-", "-")
        self.stdout.write(f"issued={len(passes)} community={community.code} first={first} last={last}")

    def print_cards(self, options: dict[str, Any]) -> None:
        community = find_community(options["community"])
        out = Path(options["out"]).expanduser().resolve()
        png_dir = Path(options["png_dir"]).expanduser().resolve() if options.get("png_dir") else None
        check_dir(out.parent)
        if out.is_dir() or out.suffix.lower() != ".pdf":
            raise fail("output_not_pdf", path=str(out))
        if png_dir is not None:
            check_dir(png_dir.parent)
        actor = get_actor(options.get("actor"))
        passes = list(passes_to_print(community, options["status"]))
        if not passes:
            raise fail("no_passes_to_print", community=community.code, status=options["status"])
        cjk_font_path()  # fail before rendering anything
        staged: list[Path] = []
        try:
            pdf_tmp, pages = render_pdf(passes, out)
            staged.append(pdf_tmp)
            if png_dir is not None:
                staged.append(render_pngs(passes, png_dir))
            # Printing cards with names is an export of personal data: audited before it lands.
            record_pass_print(
                passes,
                actor=actor,
                community=community,
                status=options["status"],
                pngs=png_dir is not None,
            )
            os.replace(pdf_tmp, out)
            if png_dir is not None:
                publish_pngs(staged[1], png_dir)
        except BaseException:
            for path in staged:
                discard(path)
            raise
        self.stdout.write(f"pages={pages} cards={len(passes)} out={out}")
