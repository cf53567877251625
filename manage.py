#!/usr/bin/env python
"""Django's manage.py; the same as the ``shouwang`` command."""

from shouwang.cli import main

if __name__ == "__main__":
    main()
