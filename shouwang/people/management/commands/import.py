"""``shouwang import residents FILE --community CODE_OR_NAME [--report PATH]``.

Prints exactly one line on stdout, ``imported=N updated=N unchanged=N rejected=N duplicates=N
report=PATH``, so scripts can read it; a short note in Chinese and English goes to stderr when
rows were rejected. A file that cannot be used fails with one line and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ShouwangError
from shouwang.people.importing import import_residents
from shouwang.places.selectors import find_community


class Command(BaseCommand):
    help = "Import data from the spreadsheets community workers keep (导入居民名单)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="what", required=True, metavar="{residents}")
        residents = subcommands.add_parser(
            "residents", help="居民名单 .xlsx / .csv (UTF-8 or GB18030) → residents of one community"
        )
        residents.add_argument("file", type=Path, help="the .xlsx or .csv file")
        residents.add_argument("--community", required=True, help="community code or Chinese name, e.g. tps")
        residents.add_argument(
            "--report", type=Path, default=None, help="error report path (default <stem>.errors.xlsx)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            community = find_community(options["community"])
            summary = import_residents(
                options["file"], community=community, actor=None, report_path=options["report"]
            )
        except ShouwangError as exc:
            raise CommandError(f"{exc.message('zh-hans')} / {exc.message('en')}") from exc
        problems = summary.rejected + summary.duplicates
        if problems or summary.warnings:
            self.stderr.write(
                f"{problems} 行未导入，{len(summary.warnings)} 条提示，见 {summary.report_path} / "
                f"{problems} rows not imported, {len(summary.warnings)} warnings; "
                f"see {summary.report_path}"
            )
        self.stdout.write(summary.line())
