"""The ``shouwang`` command: Django's management commands under one name.

``shouwang demo``, ``shouwang import residents FILE --community X``, ``shouwang token create U``,
``shouwang passes issue|print`` and every Django command (``shouwang migrate``) run through here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command; ``argv`` defaults to ``sys.argv[1:]``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shouwang", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
