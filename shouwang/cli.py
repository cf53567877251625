"""The ``shouwang`` command: Django's management commands under one name.

``shouwang demo``, ``shouwang import residents FILE --community X``, ``shouwang token create U``,
``shouwang passes issue|print`` and every Django command (``shouwang migrate``) run through here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def apply_data_dir(argv: list[str]) -> None:
    """Set ``SHOUWANG_DATA_DIR`` from ``--data-dir X`` / ``--data-dir=X`` in ``argv``.

    Settings read the variable when they are imported, before any command parses its options,
    so the option has to be seen here first. The path is made absolute (a server started later
    from another directory must find the same data). The option stays in ``argv`` for the
    command, which accepts it for ``--help``.
    """
    value: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--data-dir" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--data-dir="):
            value = arg.split("=", 1)[1]
    if value:
        os.environ["SHOUWANG_DATA_DIR"] = str(Path(value).expanduser().resolve())


def main(argv: list[str] | None = None) -> None:
    """Run a management command; ``argv`` defaults to ``sys.argv[1:]``."""
    args = sys.argv[1:] if argv is None else argv
    apply_data_dir(args)
    # `shouwang --data-dir X demo`: the option is read above; Django wants the command first.
    if args and args[0] == "--data-dir":
        args = args[2:]
    elif args and args[0].startswith("--data-dir="):
        args = args[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["shouwang", *args])
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc)
        if "no such table" not in text and "does not exist" not in text:
            raise
        from shouwang.core.messages import describe

        detail = text.splitlines()[0][:80]
        sys.exit(
            f"{describe('database_not_ready', 'zh-hans', detail=detail)}\n{describe('database_not_ready', 'en', detail=detail)}"
        )


if __name__ == "__main__":
    main()
