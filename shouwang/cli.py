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


# Commands that declare --data-dir themselves (it shows in their --help).
_DECLARE_DATA_DIR = ("demo", "simulate")


def strip_data_dir(argv: list[str]) -> list[str]:
    """``argv`` without ``--data-dir X`` / ``--data-dir=X`` wherever it stands, once
    :func:`apply_data_dir` has read it, so every command takes it (``shouwang token create admin
    --data-dir D`` as well as ``shouwang --data-dir D token create admin``); kept for the
    commands that declare it, after the command name."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            out.extend(argv[i:])
            break
        if arg == "--data-dir" or arg.startswith("--data-dir="):
            skip = arg == "--data-dir"
            continue
        out.append(arg)
    command = out[0] if out else ""
    if command in _DECLARE_DATA_DIR:
        # Keep what follows the command name (its own --data-dir included), drop what preceded it.
        position = next(i for i, arg in enumerate(argv) if arg == command)
        return argv[position:]
    return out


def main(argv: list[str] | None = None) -> None:
    """Run a management command; ``argv`` defaults to ``sys.argv[1:]``."""
    args = sys.argv[1:] if argv is None else argv
    apply_data_dir(args)
    args = strip_data_dir(args)
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
